//! What the passes after construction find, each pass in its own table
//! keyed by node id (in the manner of rust-analyzer's `InferenceResult`).
//!
//! Invariants:
//! * The PSG is not written after construction (build → resolve → eta):
//!   every later pass takes `&Psg` and returns its table; [`Facts`] holds
//!   them side by side, one field per pass, and nothing but that pass
//!   writes its field.
//! * A table only has entries for the nodes its pass decided something
//!   about; readers get an empty slice or `None` for the rest.
//! * Coherency operations are data ([`Coherency::before`]/`after` on the
//!   call), not nodes: lowering emits them around the call.

use crate::graph::{Coherency, FormatPiece, NodeId, NodeKind, Placement, Psg, Residency};
use crate::types::{TyVar, Type};
use std::collections::HashMap;

/// Type inference's results (`typeck`).
#[derive(Debug, Default)]
pub struct TypeTable {
    /// Each node's type, by node index (after inference; may contain
    /// generalised variables inside generic functions).
    types: Vec<Option<Type>>,
    /// On a generic binding or a type declaration: its quantified
    /// variables (a declaration's type parameters, in order).
    generalized: HashMap<NodeId, Vec<TyVar>>,
    /// On a `Var` naming a generic binding: what each quantified variable
    /// stands for at this use.
    instantiations: HashMap<NodeId, Vec<(TyVar, Type)>>,
    /// On a record `TypeDecl`: its fields' types, in declaration order,
    /// over its `generalized` variables.
    record_fields: HashMap<NodeId, Vec<(String, Type)>>,
    /// On a union `TypeDecl`: each case's name and field types, over its
    /// `generalized` variables.
    union_cases: HashMap<NodeId, Vec<(String, Vec<Type>)>>,
    /// On an `Apply` of `printf`/`printfn`/`sprintf`: the parsed format.
    formats: HashMap<NodeId, Vec<FormatPiece>>,
    /// On a `BAREWire.allocate`/`allocateAuto` node: the buffer's space as
    /// inference left it, and the accesses it must allow.
    residency: HashMap<NodeId, Residency>,
    /// On a `Member` expression: what `x.M` is.
    members: HashMap<NodeId, Member>,
    /// A `use` binding of an object: the `Dispose` member that ends its
    /// scope (the binding node also keys that member's instantiation).
    disposals: HashMap<NodeId, NodeId>,
}

/// What a member access `x.M` is, decided once by the type checker; the
/// back ends read it and decide nothing about members themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// A record field, by its index in declaration order.
    Field(usize),
    /// `.IsSome` of an option.
    OptionIsSome,
    /// `.IsNone` of an option.
    OptionIsNone,
    /// `.Value` of an option (fails on `None`).
    OptionValue,
    /// `.Length` of an array or a string: its length header.
    Length,
    /// `.Length` of a `SharedBuffer` (fails once it is released).
    BufferLength,
    /// A member the type declares (`member this.Area`): the binding that
    /// implements it, applied to the object first.
    Declared(NodeId),
    /// `.Message` of an exception: a built-in one's message, else (as F#
    /// generates it) the `%A` of the exception.
    ExnMessage,
}

impl TypeTable {
    pub fn with_nodes(n: usize) -> TypeTable {
        TypeTable {
            types: vec![None; n],
            ..TypeTable::default()
        }
    }

    pub fn ty(&self, id: NodeId) -> Option<&Type> {
        self.types.get(id.index()).and_then(Option::as_ref)
    }
    pub fn set_ty(&mut self, id: NodeId, t: Option<Type>) {
        if self.types.len() <= id.index() {
            self.types.resize(id.index() + 1, None);
        }
        self.types[id.index()] = t;
    }

    pub fn generalized(&self, id: NodeId) -> &[TyVar] {
        self.generalized.get(&id).map_or(&[], Vec::as_slice)
    }
    pub fn set_generalized(&mut self, id: NodeId, vars: Vec<TyVar>) {
        self.generalized.insert(id, vars);
    }

    pub fn instantiation(&self, id: NodeId) -> &[(TyVar, Type)] {
        self.instantiations.get(&id).map_or(&[], Vec::as_slice)
    }
    pub fn set_instantiation(&mut self, id: NodeId, inst: Vec<(TyVar, Type)>) {
        self.instantiations.insert(id, inst);
    }

    pub fn declared_record_fields(&self, decl: NodeId) -> &[(String, Type)] {
        self.record_fields.get(&decl).map_or(&[], Vec::as_slice)
    }
    pub fn set_record_fields(&mut self, decl: NodeId, fields: Vec<(String, Type)>) {
        self.record_fields.insert(decl, fields);
    }

    pub fn declared_union_cases(&self, decl: NodeId) -> &[(String, Vec<Type>)] {
        self.union_cases.get(&decl).map_or(&[], Vec::as_slice)
    }
    pub fn set_union_cases(&mut self, decl: NodeId, cases: Vec<(String, Vec<Type>)>) {
        self.union_cases.insert(decl, cases);
    }

    pub fn format(&self, apply: NodeId) -> Option<&[FormatPiece]> {
        self.formats.get(&apply).map(Vec::as_slice)
    }
    pub fn set_format(&mut self, apply: NodeId, pieces: Vec<FormatPiece>) {
        self.formats.insert(apply, pieces);
    }

    pub fn residency(&self, site: NodeId) -> Option<&Residency> {
        self.residency.get(&site)
    }
    pub fn set_residency(&mut self, site: NodeId, r: Residency) {
        self.residency.insert(site, r);
    }
    /// The allocation sites residency inference saw, in no order.
    pub fn residency_sites(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.residency.keys().copied()
    }

    /// What the member access `id` is; `None` only where type checking
    /// reported an error.
    pub fn member(&self, id: NodeId) -> Option<Member> {
        self.members.get(&id).copied()
    }
    pub fn set_member(&mut self, id: NodeId, m: Member) {
        self.members.insert(id, m);
    }
    pub fn disposal(&self, use_binding: NodeId) -> Option<NodeId> {
        self.disposals.get(&use_binding).copied()
    }
    pub fn set_disposal(&mut self, use_binding: NodeId, member: NodeId) {
        self.disposals.insert(use_binding, member);
    }

    /// The declaration behind a named type, and the substitution of its
    /// type arguments for the declaration's parameters.
    fn declared<'a>(
        &'a self,
        ty: &'a Type,
    ) -> Option<(NodeId, impl Fn(TyVar) -> Option<Type> + 'a)> {
        let Type::Named { decl, args, .. } = ty.without_measure() else {
            return None;
        };
        let id = NodeId::new(decl.index());
        let params = self.generalized(id);
        let subst = move |v: TyVar| {
            params
                .iter()
                .position(|p| *p == v)
                .and_then(|i| args.get(i).cloned())
        };
        Some((id, subst))
    }

    /// Type variables mentioned anywhere inside a node (a function
    /// binding: its parameters, body and the instantiations in it), in no
    /// particular order, possibly repeated.
    pub fn vars_within(&self, psg: &Psg, root: NodeId) -> Vec<TyVar> {
        let mut vars = Vec::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if let Some(t) = self.ty(id) {
                t.vars(&mut vars);
            }
            for (_, t) in self.instantiation(id) {
                t.vars(&mut vars);
            }
            stack.extend_from_slice(psg.kids(id));
        }
        vars
    }

    /// The field names of a record type, in declaration order; `None` if
    /// `ty` is not a record.
    pub fn record_field_names(&self, psg: &Psg, ty: &Type) -> Option<Vec<&str>> {
        let (decl, _) = self.declared(ty)?;
        is_record(psg, decl).then(|| {
            self.declared_record_fields(decl)
                .iter()
                .map(|(n, _)| n.as_str())
                .collect()
        })
    }

    /// The fields of a record type, with its type arguments substituted
    /// for the declaration's parameters; `None` if `ty` is not a record.
    pub fn record_fields(&self, psg: &Psg, ty: &Type) -> Option<Vec<(String, Type)>> {
        let (decl, subst) = self.declared(ty)?;
        is_record(psg, decl).then(|| {
            self.declared_record_fields(decl)
                .iter()
                .map(|(n, t)| (n.clone(), t.map_vars(&subst)))
                .collect()
        })
    }

    /// Whether field `i` of the record type `ty` is declared `mutable`.
    pub fn field_is_mutable(&self, psg: &Psg, ty: &Type, i: usize) -> bool {
        let Some((decl, _)) = self.declared(ty) else {
            return false;
        };
        let Some((name, _)) = self.declared_record_fields(decl).get(i) else {
            return false;
        };
        matches!(psg.kind(decl), NodeKind::TypeDecl(info) if info.mutable_fields.contains(name))
    }

    /// The cases of a union type, with its type arguments substituted for
    /// the declaration's parameters; `None` if `ty` is not a union.
    pub fn union_cases(&self, ty: &Type) -> Option<Vec<(String, Vec<Type>)>> {
        let (decl, subst) = self.declared(ty)?;
        let cases = self.declared_union_cases(decl);
        if cases.is_empty() {
            return None;
        }
        Some(
            cases
                .iter()
                .map(|(n, ts)| (n.clone(), ts.iter().map(|t| t.map_vars(&subst)).collect()))
                .collect(),
        )
    }
}

/// Whether a declaration is a record (a type declaration without cases).
fn is_record(psg: &Psg, decl: NodeId) -> bool {
    psg.graph
        .node_weight(decl)
        .is_some_and(|n| matches!(&n.kind, NodeKind::TypeDecl(info) if info.cases.is_empty()))
}

/// Every pass's table after construction, side by side.
#[derive(Debug, Default)]
pub struct Facts {
    /// `typeck`: types, instantiations, formats, residency.
    pub types: TypeTable,
    /// `patterns`: on a `Match` whose arms can miss a value, an example of
    /// one, as the incomplete-match warning shows it.
    pub missing_cases: HashMap<NodeId, String>,
    /// `lower`: on a local function, the enclosing function's bindings it
    /// reads, passed as extra leading arguments (lambda lifting).
    pub captures: HashMap<NodeId, Vec<NodeId>>,
    /// `placement`: where each allocation site goes.
    pub placements: HashMap<NodeId, Placement>,
    /// `coherency`: how each CPU call of a GPU kernel stays coherent.
    pub coherency: HashMap<NodeId, Coherency>,
}

impl Facts {
    pub fn ty(&self, id: NodeId) -> Option<&Type> {
        self.types.ty(id)
    }
    pub fn captures(&self, function: NodeId) -> &[NodeId] {
        self.captures.get(&function).map_or(&[], Vec::as_slice)
    }
    pub fn placement(&self, site: NodeId) -> Option<&Placement> {
        self.placements.get(&site)
    }
    pub fn coherency(&self, call: NodeId) -> Option<&Coherency> {
        self.coherency.get(&call)
    }
}
