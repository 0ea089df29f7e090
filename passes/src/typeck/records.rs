//! Declared types (records and unions share their declaration step) and
//! record types: declarations, construction, copy-and-update, field
//! access and record patterns. As in F#, a record expression or pattern
//! finds its type from its field names (the latest declared record with
//! those fields), and `x.Field` on a value of unknown type does the same.

use super::{Infer, Reason, TypeError};
use clef_frontend::Span;
use clef_psg::*;
use std::collections::HashMap;

impl Infer<'_> {
    /// Register `type Name<'T> = { … }`: its parameters become variables
    /// that are never unified (they are substituted per use), and its
    /// fields' types are recorded on the declaration.
    pub(super) fn declare_type(&mut self, decl: NodeId) {
        let NodeKind::TypeDecl(info) = self.psg.kind(decl).clone() else {
            return;
        };
        if let Some(index) = info.exception_case {
            self.declare_exception(index);
            return;
        }
        // A program may reuse the prelude's names (`List`); only two of its
        // own declarations clash.
        if let Some(prev) = self
            .type_names
            .in_this_module(&info.name)
            .filter(|&p| !self.psg.in_prelude(p))
        {
            let prev_span = match self.psg.kind(prev) {
                NodeKind::TypeDecl(p) => p.name_span,
                _ => Span::default(),
            };
            self.errors.push(TypeError::DuplicateType {
                name: info.name.clone(),
                at: info.name_span,
                first: prev_span,
            });
        }
        let mut params = Vec::new();
        self.named_vars.clear();
        for p in &info.params {
            let v = match self.fresh() {
                Type::Var(v) => v,
                _ => unreachable!("fresh gives a variable"),
            };
            self.named_vars.insert(p.clone(), v);
            params.push(v);
        }
        // Register first, so a record may refer to itself.
        self.type_names.bind(info.name.clone(), decl);
        self.table.set_generalized(decl, params.clone());
        self.generalized.extend(params);
        if !info.cases.is_empty() {
            self.declare_union(decl, &info);
            self.named_vars.clear();
            return;
        }
        let mut fields: Vec<(String, Type)> = Vec::new();
        for (name, ty) in &info.fields {
            if fields.iter().any(|(n, _)| n == name) {
                self.errors.push(TypeError::FieldDeclaredTwice {
                    field: name.clone(),
                    at: ty.span,
                });
                continue;
            }
            let t = if ty.kind == clef_frontend::ast::TypeExprKind::Infer {
                // A class's field: its constructor gives it its type, and
                // `fix_class_fields` writes it in the declaration's terms.
                // Never generalised meanwhile, nor lowering others' levels.
                let v = self.fresh();
                if let Type::Var(tv) = v {
                    self.levels[tv.0 as usize] = u32::MAX;
                }
                v
            } else {
                self.annotation(ty)
            };
            fields.push((name.clone(), t));
        }
        if let Some(ctor) = info.constructor {
            self.class_constructors.insert(ctor, decl);
        }
        for (name, _) in &fields {
            self.record_fields.bind(name.clone(), decl);
        }
        self.table.set_record_fields(decl, fields);
        self.named_vars.clear();
    }

    /// After a class's constructor and members are checked: its fields'
    /// types, found by inference in terms of the constructor's type
    /// parameters, are written in terms of the declaration's parameters
    /// (what every use of the type substitutes).
    pub(super) fn fix_class_fields(&mut self, ctor: NodeId, decl: NodeId) {
        let params = self.table.generalized(decl).to_vec();
        let ctor_vars = self.declared_params.get(&ctor).cloned().unwrap_or_default();
        let mut map: HashMap<TyVar, Type> = HashMap::new();
        for (cv, p) in ctor_vars.iter().zip(&params) {
            if let Type::Var(rep) = self.zonk(&Type::Var(*cv)) {
                map.insert(rep, Type::Var(*p));
            }
        }
        let fields: Vec<(String, Type)> = self
            .table
            .declared_record_fields(decl)
            .to_vec()
            .into_iter()
            .map(|(n, t)| {
                let t = self.zonk(&t).map_vars(&|v| map.get(&v).cloned());
                (n, t)
            })
            .collect();
        self.table.set_record_fields(decl, fields);
    }

    /// The named type `decl` with fresh type arguments.
    pub(super) fn instantiate(&mut self, decl: NodeId) -> Type {
        let name = match self.psg.kind(decl) {
            NodeKind::TypeDecl(info) => info.name.clone(),
            _ => String::new(),
        };
        let n = self.table.generalized(decl).len();
        let args = (0..n).map(|_| self.fresh()).collect();
        Type::Named {
            decl: self.decl_ref(decl),
            name,
            args,
        }
    }

    /// Why a field's value must have its type: the declaration says so.
    fn field_reason(&self, ty: &Type, field: &str) -> Option<(Span, Reason)> {
        let Type::Named { decl, .. } = ty else {
            return None;
        };
        let decl = NodeId::new(decl.index());
        // A prelude type's declaration is not in the program's file.
        if self.psg.in_prelude(decl) {
            return None;
        }
        let NodeKind::TypeDecl(info) = self.psg.kind(decl) else {
            return None;
        };
        let (_, texpr) = info.fields.iter().find(|(n, _)| n == field)?;
        Some((texpr.span, Reason::FieldDeclared(field.to_string())))
    }

    /// A field's value `v` (of type `t`) against the record type `ty`.
    fn check_field_value(
        &mut self,
        ty: &Type,
        fields: &HashMap<String, Type>,
        name: &str,
        v: NodeId,
        t: &Type,
    ) {
        match fields.get(name) {
            Some(ft) => {
                let ft = ft.clone();
                let why = self.field_reason(ty, name);
                self.expect(v, t, &ft, why);
            }
            None => self.unknown_field(ty, name, self.psg.span(v)),
        }
    }

    fn field_names(&self, decl: NodeId) -> Vec<String> {
        self.table
            .declared_record_fields(decl)
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// `r.X <- v`: `X` must be a field declared `mutable` (F#'s FS0005).
    pub(super) fn check_field_assignment(&mut self, target: NodeId, name: &str) {
        let obj = self.psg.children(target)[0];
        let obj_ty = self.node_types[obj.index()].clone().unwrap_or(Type::Error);
        let obj_ty = self.zonk(&obj_ty);
        let member = self.table.member(target);
        let is_field = matches!(member, Some(Member::Field(_)));
        if let Some(Member::Field(i)) = member {
            if self.table.field_is_mutable(self.psg, &obj_ty, i) {
                return;
            }
        }
        if member.is_none() && matches!(obj_ty, Type::Error) {
            return; // already reported
        }
        let declared = self.field_reason(&obj_ty, name).map(|(s, _)| s);
        self.errors.push(TypeError::FieldNotMutable {
            field: name.to_string(),
            at: self.psg.span(target),
            declared,
            is_field,
        });
    }

    /// The latest record in scope declaring the field `names[0]` and
    /// every other one of `names` (exactly these fields when `exact`).
    fn find_record(&self, module: Option<&str>, names: &[String], exact: bool) -> Option<NodeId> {
        let label = match module {
            Some(m) => format!("{m}.{}", names[0]),
            None => names[0].clone(),
        };
        self.record_fields.lookup_all(&label).find(|&r| {
            let fields = self.field_names(r);
            names.iter().all(|n| fields.contains(n)) && (!exact || fields.len() == names.len())
        })
    }

    /// The fields of a record type, as `name → type`.
    fn fields_of(&self, ty: &Type) -> HashMap<String, Type> {
        self.table
            .record_fields(self.psg, ty)
            .unwrap_or_default()
            .into_iter()
            .collect()
    }

    fn check_duplicate_fields(&mut self, names: &[String], spans: &[Span]) {
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                self.errors.push(TypeError::FieldGivenTwice {
                    field: n.clone(),
                    at: spans[i],
                    first: spans[names.iter().position(|m| m == n).unwrap_or(0)],
                });
            }
        }
    }

    /// `{ A = a; B = b }`
    pub(super) fn record_expr(
        &mut self,
        id: NodeId,
        names: &[String],
        module: Option<&str>,
        values: &[NodeId],
    ) -> Type {
        let spans: Vec<Span> = values.iter().map(|&v| self.psg.span(v)).collect();
        self.check_duplicate_fields(names, &spans);
        // F#: the type the context expects (an annotation), else the
        // latest record in scope with these labels (in `module` if the
        // label is qualified).
        let expected = self.record_hints.remove(&id).filter(|&d| {
            let fields = self.field_names(d);
            names.iter().all(|n| fields.contains(n))
        });
        let Some(decl) = expected
            .or_else(|| self.find_record(module, names, true))
            .or_else(|| self.find_record(module, &names[..1], false))
        else {
            values.iter().for_each(|&v| {
                self.expr(v);
            });
            self.errors.push(TypeError::UnknownRecord {
                field: names[0].clone(),
                at: self.psg.span(id),
            });
            return Type::Error;
        };
        let ty = self.instantiate(decl);
        let fields = self.fields_of(&ty);
        for (name, &v) in names.iter().zip(values) {
            let t = self.expr(v);
            self.check_field_value(&ty, &fields, name, v, &t);
        }
        let missing: Vec<String> = self
            .field_names(decl)
            .into_iter()
            .filter(|f| !names.contains(f))
            .collect();
        if !missing.is_empty() {
            self.errors.push(TypeError::MissingFields {
                ty: ty.clone(),
                missing,
                at: self.psg.span(id),
            });
        }
        ty
    }

    fn unknown_field(&mut self, ty: &Type, name: &str, span: Span) {
        let ty = self.zonk(ty);
        let is_class = matches!(&ty, Type::Named { decl, .. }
            if matches!(self.psg.kind(NodeId::new(decl.index())),
                NodeKind::TypeDecl(info) if info.constructor.is_some()));
        let fields = self
            .table
            .record_fields(self.psg, &ty)
            .filter(|_| !is_class);
        let Some(fields) = fields else {
            // Not a record: a union or a class (whose fields are private),
            // whose members are all it has.
            let members = self.member_names(&ty);
            self.errors.push(TypeError::NoMember {
                ty,
                member: name.to_string(),
                members,
                at: span,
            });
            return;
        };
        self.errors.push(TypeError::NoField {
            ty,
            field: name.to_string(),
            fields: fields.into_iter().map(|(n, _)| n).collect(),
            at: span,
        });
    }

    /// `{ r with A = a }`
    pub(super) fn record_update(&mut self, id: NodeId, names: &[String], kids: &[NodeId]) -> Type {
        let (base, values) = (kids[0], &kids[1..]);
        let spans: Vec<Span> = values.iter().map(|&v| self.psg.span(v)).collect();
        self.check_duplicate_fields(names, &spans);
        let base_ty = self.expr(base);
        let ty = match self.shallow(&base_ty) {
            t @ Type::Named { .. } => t,
            Type::Var(_) => match self.find_record(None, names, false) {
                Some(decl) => {
                    let t = self.instantiate(decl);
                    self.expect(base, &base_ty, &t, None);
                    t
                }
                None => Type::Error,
            },
            Type::Error => Type::Error,
            other => {
                let ty = self.zonk(&other);
                self.errors.push(TypeError::UpdateNotRecord {
                    ty,
                    at: self.psg.span(base),
                });
                Type::Error
            }
        };
        let fields = self.fields_of(&ty);
        for (name, &v) in names.iter().zip(values) {
            let t = self.expr(v);
            if ty == Type::Error {
                continue;
            }
            self.check_field_value(&ty, &fields, name, v, &t);
        }
        let _ = id;
        ty
    }

    /// `x.Field` on a record, if `obj` is (or can only be) one.
    pub(super) fn record_member(
        &mut self,
        id: NodeId,
        obj_node: NodeId,
        obj: &Type,
        name: &str,
        span: Span,
    ) -> Option<Type> {
        let ty = match self.shallow(obj) {
            t @ Type::Named { .. } => t,
            Type::Var(_) => {
                let decl = self.find_record(None, &[name.to_string()], false)?;
                let t = self.instantiate(decl);
                self.expect(obj_node, obj, &t, None);
                t
            }
            _ => return None,
        };
        let fields = self.table.record_fields(self.psg, &ty).unwrap_or_default();
        match fields.iter().position(|(f, _)| f == name) {
            Some(i) => {
                self.table.set_member(id, Member::Field(i));
                Some(fields[i].1.clone())
            }
            None => {
                self.unknown_field(&ty, name, span);
                Some(Type::Error)
            }
        }
    }

    /// `{ A = p; … }` in a pattern: the sub-patterns' expected types.
    pub(super) fn record_pattern(
        &mut self,
        pat: NodeId,
        names: &[String],
        expected: &Type,
    ) -> Option<Vec<Type>> {
        let span = self.psg.span(pat);
        let ty = match self.shallow(expected) {
            t @ Type::Named { .. } => t,
            _ => match self.find_record(None, names, false) {
                Some(decl) => self.instantiate(decl),
                None => {
                    let unknown = names
                        .iter()
                        .find(|n| {
                            self.find_record(None, std::slice::from_ref(*n), false)
                                .is_none()
                        })
                        .map_or_else(|| names.to_vec(), |n| vec![n.clone()]);
                    self.errors.push(TypeError::UnknownRecordPattern {
                        fields: unknown,
                        at: span,
                    });
                    return None;
                }
            },
        };
        if self.unify(expected, &ty).is_err() {
            let exp = self.zonk(expected);
            self.errors.push(TypeError::RecordPatternMismatch {
                expected: exp,
                at: span,
            });
            return None;
        }
        let fields = self.fields_of(&ty);
        let mut out = Vec::new();
        for name in names {
            match fields.get(name) {
                Some(t) => out.push(t.clone()),
                None => {
                    self.unknown_field(&ty, name, span);
                    out.push(Type::Error);
                }
            }
        }
        Some(out)
    }

    /// `x.Name` where `x`'s type declares an instance member `Name`: the
    /// member's function applied to `x` (a property's value, or a
    /// method waiting for its arguments).
    pub(super) fn declared_member(&mut self, id: NodeId, obj: &Type, name: &str) -> Option<Type> {
        let Type::Named { decl, .. } = self.shallow(obj) else {
            return None;
        };
        let NodeKind::TypeDecl(info) = self.psg.kind(NodeId::new(decl.index())) else {
            return None;
        };
        let member = info
            .members
            .iter()
            .find(|m| !m.is_static && m.name == name)?
            .binding;
        let fty = self.reference(id, member);
        let Type::Fun(this, rest) = self.shallow(&fty) else {
            return Some(Type::Error);
        };
        if self.unify(&this, obj).is_err() {
            return Some(Type::Error);
        }
        self.table.set_member(id, Member::Declared(member));
        Some(*rest)
    }

    /// The instance members a type declares, by name.
    /// The member that disposes of a value of type `ty`: a class's
    /// implementation of `IDisposable.Dispose`, or the interface's own.
    pub(super) fn disposal_member(&self, ty: &Type) -> Option<NodeId> {
        let Type::Named { decl, .. } = ty else {
            return None;
        };
        let NodeKind::TypeDecl(info) = self.psg.kind(NodeId::new(decl.index())) else {
            return None;
        };
        let wanted = if info.name == "IDisposable" && self.psg.in_prelude(NodeId::new(decl.index()))
        {
            "Dispose"
        } else {
            "Dispose@IDisposable"
        };
        info.members
            .iter()
            .find(|m| m.name == wanted && !m.is_static)
            .map(|m| m.binding)
    }

    pub(super) fn member_names(&self, ty: &Type) -> Vec<String> {
        let Type::Named { decl, .. } = ty else {
            return Vec::new();
        };
        match self.psg.kind(NodeId::new(decl.index())) {
            NodeKind::TypeDecl(info) => info
                .members
                .iter()
                // A class's own `let` functions (`f@`), interface implementations
                // (`Area@IShape`) and views (`as@IShape`) are hidden.
                .filter(|m| !m.is_static && !m.name.contains('@'))
                .map(|m| m.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
}
