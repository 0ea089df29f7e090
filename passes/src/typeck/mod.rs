//! Type inference: Hindley–Milner with let-polymorphism (level-based
//! generalisation), F#'s overloaded arithmetic as deferred constraints.
//!
//! Input: a resolved PSG (every `Var` has a `DefUse` edge or a builtin),
//! which it only reads. Output: a [`TypeTable`] in which every binding and
//! expression node has a type; generic function bindings list their
//! quantified variables and every reference to them records its
//! instantiation; `printf` calls have their parsed format; every
//! allocation site its residency. Types are fully resolved except for
//! quantified variables inside generic functions. Errors (E05xx, and the
//! warning W0020) are [`TypeError`] values: inference records what it
//! found, and `error.rs` renders them ([`TypeError::to_diagnostic`]).
//!
//! F# rules followed here: value restriction (only syntactic functions are
//! generalised); operators like `+` default to `int` when nothing else
//! fixes their type; `if` without `else` has type `unit`; a non-unit value
//! in a sequence is a warning (W0020).

mod annotations;
mod buffers;
mod calls;
mod error;
mod expect;
mod measures;
mod operators;
mod patterns;
mod records;
mod unions;

use crate::format::parse_format;
use crate::scope::Namespace;
use clef_frontend::ast::{BinOp, TypeExpr, TypeExprKind};
use clef_frontend::Span;
use clef_psg::measure::Measure;
use clef_psg::*;
use std::collections::{HashMap, HashSet};

pub use buffers::Domain;
pub use error::{Origin, Reason, SpaceOrigin, TypeError};

pub fn infer(psg: &Psg) -> (TypeTable, Vec<TypeError>) {
    let n = psg.graph.node_count();
    let mut inf = Infer {
        psg,
        table: TypeTable::with_nodes(n),
        subst: Vec::new(),
        levels: Vec::new(),
        level: 0,
        node_types: vec![None; n],
        schemes: HashMap::new(),
        constraints: Vec::new(),
        named_vars: HashMap::new(),
        expanding: Vec::new(),
        instantiations: Vec::new(),
        generalized: Vec::new(),
        type_names: Namespace::default(),
        record_fields: Namespace::default(),
        record_hints: HashMap::new(),
        lambda_hints: HashMap::new(),
        declared_params: HashMap::new(),
        class_constructors: HashMap::new(),
        rigid: HashSet::new(),
        measure_names: Namespace::default(),
        measures: HashMap::new(),
        spaces: HashMap::new(),
        domain: buffers::Domain::Cpu,
        space_requirements: Vec::new(),
        scheme_requirements: HashMap::new(),
        allocation_sites: Vec::new(),
        access_log: Vec::new(),
        errors: Vec::new(),
    };
    inf.declare_spaces();
    inf.module();
    inf.finish();
    (inf.table, inf.errors)
}

/// A class of types a constraint requires (F#'s overloaded operators and
/// conversions): what [`TypeError::Unsupported`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// int, int64, byte, float, float32
    Numeric,
    /// int, int64, byte
    Integer,
    /// float, float32
    Floating,
    /// numeric except byte
    Signed,
    /// numeric or string
    Addable,
    /// what `string` converts: numbers, bool, char, string
    Stringable,
    /// what `int`, `float`, `char` and the other conversions take: a
    /// number, a char, or a string to parse
    Convertible,
}

impl Class {
    fn accepts(self, t: &Type) -> bool {
        match self {
            Class::Numeric => t.is_numeric(),
            Class::Integer => t.is_integer(),
            Class::Floating => t.is_float(),
            Class::Signed => t.is_numeric() && *t != Type::Byte,
            Class::Addable => t.is_numeric() || *t == Type::String,
            Class::Stringable => {
                t.is_numeric() || matches!(t, Type::String | Type::Bool | Type::Char)
            }
            Class::Convertible => t.is_numeric() || matches!(t, Type::String | Type::Char),
        }
    }
    fn default(self) -> Type {
        match self {
            Class::Floating => Type::Float,
            _ => Type::Int,
        }
    }
}

enum UnifyError {
    Mismatch,
    /// The occurs check failed: `'a = … 'a …`.
    Infinite,
    /// Units of measure that cannot be made equal: (actual, expected).
    Measure(Measure, Measure),
}

struct Constraint {
    ty: Type,
    class: Class,
    span: Span,
    /// What imposed it, e.g. the operator `-`.
    origin: Origin,
    /// Measures that become `1` when the type is defaulted: an operator
    /// whose operands' type is never known is `int -> int -> int`, as in F#.
    measures: Vec<Measure>,
}

struct Infer<'a> {
    psg: &'a Psg,
    /// What inference finds, for the passes after it.
    table: TypeTable,
    subst: Vec<Option<Type>>,
    levels: Vec<u32>,
    level: u32,
    node_types: Vec<Option<Type>>,
    /// Binding → (quantified variables, type).
    schemes: HashMap<NodeId, (Vec<TyVar>, Type)>,
    constraints: Vec<Constraint>,
    /// `'a` written in annotations of the current top-level item.
    named_vars: HashMap<String, TyVar>,
    /// Type abbreviations being expanded (a cycle is an error).
    expanding: Vec<NodeId>,
    instantiations: Vec<(NodeId, Vec<(TyVar, Type)>)>,
    generalized: Vec<TyVar>,
    /// Declared types in scope, by name (module-scoped, as F#'s).
    type_names: Namespace<NodeId>,
    /// Record fields in scope: field name → the record declaring it.
    record_fields: Namespace<NodeId>,
    /// Record expressions whose type an annotation gives: expression →
    /// the record's declaration (F# looks there before the labels).
    record_hints: HashMap<NodeId, NodeId>,
    /// A lambda passed where a function type is expected: its binding →
    /// that type, so its parameters start with the types they will have
    /// (F# checks a lambda against its expected type: `List.map (fun p ->
    /// p.X) points`).
    lambda_hints: HashMap<NodeId, Type>,
    /// Bindings with explicit type parameters: their variables, in order.
    declared_params: HashMap<NodeId, Vec<TyVar>>,
    /// A class's constructor binding → the class's declaration.
    class_constructors: HashMap<NodeId, NodeId>,
    /// Measure variables written in annotations: constants while unifying.
    rigid: HashSet<TyVar>,
    /// Declared measures by name, abbreviations expanded.
    measure_names: Namespace<NodeId>,
    /// Each measure declaration's meaning in base measures.
    measures: HashMap<NodeId, Measure>,
    /// The memory spaces, base measures every module sees.
    spaces: HashMap<String, Measure>,
    /// The domain of the code being checked (a `[<Kernel>]` runs on the GPU).
    domain: buffers::Domain,
    /// Buffer accesses whose space is not known yet.
    space_requirements: Vec<buffers::SpaceRequirement>,
    /// Requirements on a generic function's space variables.
    scheme_requirements: HashMap<NodeId, Vec<buffers::SpaceRequirement>>,
    allocation_sites: Vec<buffers::AllocationSite>,
    /// Every buffer access: (space, who and how, where), for the residency
    /// report and placement ("CPU code (write)").
    access_log: Vec<(Measure, String, Span)>,
    errors: Vec<TypeError>,
}

impl Infer<'_> {
    // ---- variables and substitution ----

    /// The identity of the type declared at `decl`.
    fn decl_ref(&self, decl: NodeId) -> DeclRef {
        let decl = self.psg.as_type_decl(decl).expect("a type declaration");
        self.psg.decl_ref(decl)
    }

    fn fresh(&mut self) -> Type {
        let v = TyVar(self.subst.len() as u32);
        self.subst.push(None);
        self.levels.push(self.level);
        Type::Var(v)
    }

    fn shallow(&self, t: &Type) -> Type {
        let mut t = t.clone();
        while let Type::Var(v) = t {
            match &self.subst[v.0 as usize] {
                Some(next) => t = next.clone(),
                None => return t,
            }
        }
        // A measure that turned out to be `1` leaves the plain number.
        if let Type::Measured(b, m) = &t {
            let m = self.resolve_measure(m);
            return if m.is_one() {
                self.shallow(b)
            } else {
                Type::Measured(Box::new(self.shallow(b)), m)
            };
        }
        t
    }

    fn zonk(&self, t: &Type) -> Type {
        match self.shallow(t) {
            Type::Array(e) => Type::Array(Box::new(self.zonk(&e))),
            Type::Fun(a, b) => Type::fun(self.zonk(&a), self.zonk(&b)),
            Type::Tuple(items) => Type::Tuple(items.iter().map(|t| self.zonk(t)).collect()),
            Type::Named { decl, name, args } => Type::Named {
                decl,
                name,
                args: args.iter().map(|t| self.zonk(t)).collect(),
            },
            Type::Measured(b, m) => Type::measured(self.zonk(&b), self.resolve_measure(&m)),
            Type::Buffer(t, m) => Type::Buffer(Box::new(self.zonk(&t)), self.resolve_measure(&m)),
            Type::Measure(m) => Type::Measure(self.resolve_measure(&m)),
            other => other,
        }
    }

    fn unify(&mut self, a: &Type, b: &Type) -> Result<(), UnifyError> {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Type::Var(x), Type::Var(y)) if x == y => Ok(()),
            (Type::Var(v), t) | (t, Type::Var(v)) => {
                let t = self.zonk(t);
                let mut vars = Vec::new();
                t.vars(&mut vars);
                if vars.contains(v) {
                    return Err(UnifyError::Infinite);
                }
                let lv = self.levels[v.0 as usize];
                for u in vars {
                    let l = &mut self.levels[u.0 as usize];
                    *l = (*l).min(lv);
                }
                self.subst[v.0 as usize] = Some(t);
                Ok(())
            }
            (Type::Error, _) | (_, Type::Error) => Ok(()),
            (Type::Measured(b1, m1), Type::Measured(b2, m2)) => {
                self.unify(b1, b2)?;
                self.unify_measures(m1, m2)
            }
            // A plain number is the same number with measure `1`.
            (Type::Measured(b, m), t) if t.is_numeric() => {
                self.unify(b, t)?;
                self.unify_measures(m, &Measure::one())
            }
            (t, Type::Measured(b, m)) if t.is_numeric() => {
                self.unify(t, b)?;
                self.unify_measures(&Measure::one(), m)
            }
            (Type::Measure(m1), Type::Measure(m2)) => self.unify_measures(m1, m2),
            (Type::Buffer(t1, m1), Type::Buffer(t2, m2)) => {
                self.unify(t1, t2)?;
                self.unify_measures(m1, m2)
            }
            (Type::Fun(a1, r1), Type::Fun(a2, r2)) => {
                self.unify(a1, a2)?;
                self.unify(r1, r2)
            }
            (Type::Array(x), Type::Array(y)) => self.unify(x, y),
            (
                Type::Named {
                    decl: d1, args: xs, ..
                },
                Type::Named {
                    decl: d2, args: ys, ..
                },
            ) if d1 == d2 => {
                let (xs, ys) = (xs.clone(), ys.clone());
                for (x, y) in xs.iter().zip(&ys) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            (x, y) if x == y => Ok(()),
            _ => Err(UnifyError::Mismatch),
        }
    }

    /// The node whose value a block produces: the last item of a sequence,
    /// the body of a `let`; errors about a block's type point there.
    fn result_node(&self, mut id: NodeId) -> NodeId {
        while let Some(ExprKind::Seq | ExprKind::Let) = self.psg.expr(id) {
            match self.psg.children(id).last() {
                Some(&last) => id = last,
                None => break,
            }
        }
        id
    }

    fn set_type(&mut self, id: NodeId, t: Type) -> Type {
        self.node_types[id.index()] = Some(t.clone());
        t
    }

    // ---- annotations ----

    fn module(&mut self) {
        if let Some(prelude) = self.psg.prelude {
            let items = self.psg.children(prelude);
            self.items(&items);
        }
        let items = self.psg.items();
        self.items(&items);
    }

    fn items(&mut self, items: &[NodeId]) {
        let mut i = 0;
        while i < items.len() {
            let item = items[i];
            self.named_vars.clear();
            match self.psg.kind(item).clone() {
                NodeKind::Binding(info) => {
                    let group: Vec<NodeId> = items[i..]
                        .iter()
                        .take_while(|&&n| {
                            self.psg.binding(n).is_some_and(|b| b.group == info.group)
                        })
                        .copied()
                        .collect();
                    self.binding_group(&group);
                    i += group.len();
                }
                NodeKind::Init => {
                    for c in self.psg.children(item) {
                        let t = self.expr(c);
                        self.expect_unit_statement(c, &t);
                    }
                    i += 1;
                }
                NodeKind::TypeDecl(info) => {
                    match info.measure.clone() {
                        Some(def) => {
                            let info = info.clone();
                            self.declare_measure(item, &info, &def)
                        }
                        None => self.declare_type(item),
                    }
                    i += 1;
                }
                NodeKind::Module(name) => {
                    let short = name.rsplit('.').next().unwrap_or(&name);
                    self.type_names.enter_module(short);
                    self.record_fields.enter_module(short);
                    self.measure_names.enter_module(short);
                    let children = self.psg.children(item);
                    self.items(&children);
                    self.type_names.leave_module();
                    self.record_fields.leave_module();
                    self.measure_names.leave_module();
                    i += 1;
                }
                NodeKind::Open(path) => {
                    // Name resolution reported an unknown module.
                    self.type_names.open(&path);
                    self.record_fields.open(&path);
                    self.measure_names.open(&path);
                    i += 1;
                }
                _ => i += 1,
            }
            self.solve_constraints(true);
        }
    }

    fn entry_point_type(&mut self, info: &BindingInfo, ty: &Type) {
        let expected = Type::fun(Type::Array(Box::new(Type::String)), Type::Int);
        if self.unify(ty, &expected).is_err() {
            let ty = self.zonk(ty);
            self.errors.push(TypeError::EntryPointType {
                ty,
                at: info.name_span,
            });
        }
    }

    fn binding_group(&mut self, group: &[NodeId]) {
        self.level += 1;
        let mut sigs = Vec::new();
        for &b in group {
            let info = self.psg.binding(b).cloned().expect("group of bindings");
            let (params, body) = self.psg.function_parts(b);
            if !info.type_params.is_empty() {
                // `let f<'T> …`: the named variables, in order, for `f<int>`.
                let vars: Vec<TyVar> = info
                    .type_params
                    .iter()
                    .map(|name| match self.named_vars.get(name) {
                        Some(v) => *v,
                        None => {
                            let Type::Var(v) = self.fresh() else {
                                unreachable!("fresh gives a variable")
                            };
                            self.named_vars.insert(name.clone(), v);
                            v
                        }
                    })
                    .collect();
                self.declared_params.insert(b, vars);
            }
            let param_tys: Vec<Type> = params.iter().map(|&p| self.param(p)).collect();
            let ret = match &info.annotation {
                Some(a) => self.annotation(a),
                None => self.fresh(),
            };
            let ty = Type::curried(param_tys, ret.clone());
            if info.is_entry {
                // Known before the body, so `argv.Length` needs no annotation.
                self.entry_point_type(&info, &ty);
            }
            self.schemes.insert(b, (Vec::new(), ty.clone()));
            sigs.push((b, info, body, ret, ty));
        }
        for (b, info, body, ret, _) in &sigs {
            let Some(body) = *body else { continue };
            if info.annotation.is_some() {
                self.hint_record(body, ret);
            }
            let outer_domain = self.domain;
            if info.is_kernel {
                self.domain = buffers::Domain::Gpu;
            }
            let body_ty = self.expr(body);
            self.domain = outer_domain;
            let because = match &info.annotation {
                Some(a) => Some((a.span, Reason::Annotation)),
                None if info.is_entry => Some((info.name_span, Reason::ExitCode)),
                None => None,
            };
            self.expect(body, &body_ty, ret, because);
            if info.is_use && !matches!(self.zonk(&body_ty), Type::Buffer(..) | Type::Error) {
                // F#'s `use` needs a value with a disposal (IDisposable):
                // BAREWire's buffers, and objects implementing IDisposable.
                let ty = self.zonk(&body_ty);
                match self.disposal_member(&ty) {
                    Some(member) => {
                        // `Dispose`'s object parameter is this value.
                        let mt = self.reference(*b, member);
                        if let Type::Fun(this, _) = self.shallow(&mt) {
                            let _ = self.unify(&this, &ty);
                        }
                        self.table.set_disposal(*b, member);
                    }
                    None => self.errors.push(TypeError::UseWithoutDisposal {
                        ty,
                        at: info.name_span,
                    }),
                }
            }
        }
        self.level -= 1;
        self.solve_constraints(false);
        for (b, info, _, _, ty) in sigs {
            let mut vars = Vec::new();
            self.zonk(&ty).vars(&mut vars);
            if info.is_function() {
                vars.retain(|v| self.levels[v.0 as usize] > self.level);
            } else {
                // A value is not generalised (the value restriction): its
                // variables now belong to the enclosing scope, so a later
                // binding that uses the value cannot generalise them either.
                for v in vars.drain(..) {
                    let l = &mut self.levels[v.0 as usize];
                    *l = (*l).min(self.level);
                }
            }
            self.generalized.extend(&vars);
            self.generalize_requirements(b, &vars);
            self.table.set_generalized(b, vars.clone());
            self.schemes.insert(b, (vars, ty.clone()));
            self.set_type(b, ty);
            if let Some(&decl) = self.class_constructors.get(&b) {
                self.fix_class_fields(b, decl);
            }
        }
    }

    /// When the value of `e` is a record expression and `t` a record type,
    /// the record expression builds that type.
    /// A lambda argument where the function takes `t`.
    pub(super) fn hint_lambda(&mut self, e: NodeId, t: &Type) {
        if self.psg.expr(e) == Some(&ExprKind::Lambda) {
            if let Some(&b) = self.psg.children(e).first() {
                self.lambda_hints.insert(b, t.clone());
            }
        }
    }

    pub(super) fn hint_record(&mut self, e: NodeId, t: &Type) {
        let e = self.result_node(e);
        if let (Some(ExprKind::Record { .. }), Type::Named { decl, .. }) =
            (self.psg.expr(e), self.shallow(t))
        {
            self.record_hints.insert(e, NodeId::new(decl.index()));
        }
    }

    /// A lambda: like a function binding, but never generalised (F# does
    /// not generalise lambdas).
    fn lambda(&mut self, b: NodeId) -> Type {
        let (params, body) = self.psg.function_parts(b);
        let param_tys: Vec<Type> = params.iter().map(|&p| self.param(p)).collect();
        if let Some(mut expected) = self.lambda_hints.remove(&b) {
            for t in &param_tys {
                let Type::Fun(a, r) = self.shallow(&expected) else {
                    break;
                };
                // A mismatch is reported where the lambda is checked.
                let _ = self.unify(t, &a);
                expected = *r;
            }
        }
        let ret = match body {
            Some(body) => self.expr(body),
            None => Type::Error,
        };
        let ty = Type::curried(param_tys, ret);
        self.schemes.insert(b, (Vec::new(), ty.clone()));
        self.set_type(b, ty)
    }

    fn param(&mut self, p: NodeId) -> Type {
        let info = self
            .psg
            .binding(p)
            .cloned()
            .expect("parameters are bindings");
        let t = match (&info.annotation, info.name.as_str()) {
            (Some(a), _) => self.annotation(a),
            (None, "()") => Type::Unit,
            (None, _) => self.fresh(),
        };
        if info.name == "()" {
            let _ = self.unify(&t, &Type::Unit);
        }
        self.schemes.insert(p, (Vec::new(), t.clone()));
        self.set_type(p, t)
    }

    // ---- expressions ----

    /// The arms of a `match`, or of a `try … with` (`try_body`: the
    /// body, whose type the handlers must have): each pattern against
    /// `scrutinee`, each body the type of the first.
    fn arms(
        &mut self,
        arms: &[NodeId],
        scrutinee: &Type,
        try_body: Option<(Type, NodeId)>,
    ) -> Type {
        let is_try = try_body.is_some();
        let mut result = try_body;
        for &arm in arms {
            let parts = self.psg.children(arm);
            self.pattern(parts[0], scrutinee);
            let body = *parts.last().expect("an arm has a body");
            if parts.len() == 3 {
                let g = self.expr(parts[1]);
                self.expect(parts[1], &g, &Type::Bool, None);
            }
            let t = self.expr(body);
            match &result {
                None => result = Some((t, body)),
                Some((first, first_body)) => {
                    let first = first.clone();
                    let shown = self.zonk(&first);
                    let why = (
                        self.psg.span(self.result_node(*first_body)),
                        if is_try {
                            Reason::TryBody(shown)
                        } else {
                            Reason::FirstArm(shown)
                        },
                    );
                    self.expect(body, &t, &first, Some(why));
                }
            }
        }
        result.map_or(Type::Error, |(t, _)| t)
    }

    fn expr(&mut self, id: NodeId) -> Type {
        let t = self.expr_inner(id);
        self.set_type(id, t)
    }

    fn expr_inner(&mut self, id: NodeId) -> Type {
        let Some(kind) = self.psg.expr(id).cloned() else {
            return Type::Error;
        };
        let kids = self.psg.children(id);
        let span = self.psg.span(id);
        match kind {
            ExprKind::Lit(lit) => literal_type(&lit),
            ExprKind::Var(_) => self.var(id),
            ExprKind::Member(name) => {
                let obj = self.expr(kids[0]);
                if let Some((t, member)) = self
                    .option_member(&obj, &name)
                    .or_else(|| self.exn_member(&obj, &name))
                {
                    self.table.set_member(id, member);
                    return t;
                }
                if let Some(t) = self.declared_member(id, &obj, &name) {
                    return t;
                }
                if let Some(t) = self.record_member(id, kids[0], &obj, &name, span) {
                    return t;
                }
                match (self.shallow(&obj), name.as_str()) {
                    (Type::Array(_) | Type::String, "Length") => {
                        self.table.set_member(id, Member::Length);
                        Type::Int
                    }
                    (Type::Buffer(..), "Length") => {
                        self.table.set_member(id, Member::BufferLength);
                        Type::Int
                    }
                    (Type::Error, _) => Type::Error,
                    (Type::Var(_), _) => {
                        self.errors.push(TypeError::MemberOfUnknownType {
                            member: name,
                            at: span,
                        });
                        Type::Error
                    }
                    (t, _) => {
                        let ty = self.zonk(&t);
                        let members = self.member_names(&ty);
                        self.errors.push(TypeError::NoMember {
                            members,
                            ty,
                            member: name,
                            at: span,
                        });
                        Type::Error
                    }
                }
            }
            ExprKind::Apply => self.apply(id, &kids),
            ExprKind::Binary(op) => self.binary(op, &kids, span),
            ExprKind::Neg => {
                let t = self.expr(kids[0]);
                self.constrain(t.clone(), Class::Signed, span, Origin::Negation);
                t
            }
            ExprKind::If => {
                let c = self.expr(kids[0]);
                self.expect(kids[0], &c, &Type::Bool, None);
                let then_ty = self.expr(kids[1]);
                if let Some(&el) = kids.get(2) {
                    let else_ty = self.expr(el);
                    let why = (
                        self.psg.span(kids[1]),
                        Reason::ThenBranch(self.zonk(&then_ty)),
                    );
                    self.expect(el, &else_ty, &then_ty, Some(why));
                    then_ty
                } else {
                    if self.unify(&then_ty, &Type::Unit).is_err() {
                        let ty = self.zonk(&then_ty);
                        self.errors.push(TypeError::IfWithoutElse {
                            ty,
                            at: self.psg.span(kids[1]),
                        });
                    }
                    Type::Unit
                }
            }
            ExprKind::While => {
                let c = self.expr(kids[0]);
                self.expect(kids[0], &c, &Type::Bool, None);
                let b = self.expr(kids[1]);
                self.expect_unit_statement(kids[1], &b);
                Type::Unit
            }
            ExprKind::ForEach => {
                let (var, collection, body) = (kids[0], kids[1], kids[2]);
                let c = self.expr(collection);
                let elem = match self.shallow(&c) {
                    Type::Array(e) => *e,
                    ref t @ Type::Named { ref args, .. } if t.is_prelude(PreludeType::List) => {
                        args[0].clone()
                    }
                    Type::Error => Type::Error,
                    other => {
                        let ty = self.zonk(&other);
                        self.errors.push(TypeError::NotIterable {
                            ty,
                            at: self.psg.span(collection),
                        });
                        Type::Error
                    }
                };
                self.schemes.insert(var, (Vec::new(), elem.clone()));
                self.set_type(var, elem);
                let b = self.expr(body);
                self.expect_unit_statement(body, &b);
                Type::Unit
            }
            ExprKind::For(_) => {
                let (var, from, to, body) = (kids[0], kids[1], kids[2], kids[3]);
                let t = self.fresh();
                self.constrain(
                    t.clone(),
                    Class::Integer,
                    self.psg.span(from),
                    Origin::ForLoop,
                );
                let ft = self.expr(from);
                self.expect(from, &ft, &t, None);
                let tt = self.expr(to);
                self.expect(to, &tt, &t, None);
                self.schemes.insert(var, (Vec::new(), t.clone()));
                self.set_type(var, t);
                let b = self.expr(body);
                self.expect_unit_statement(body, &b);
                Type::Unit
            }
            ExprKind::Let => {
                let (bindings, body) = kids.split_at(kids.len() - 1);
                self.binding_group(bindings);
                self.expr(body[0])
            }
            ExprKind::Seq => {
                let mut last = Type::Unit;
                for (i, &k) in kids.iter().enumerate() {
                    last = self.expr(k);
                    if i + 1 < kids.len() {
                        self.expect_unit_statement(k, &last);
                    }
                }
                last
            }
            ExprKind::Lambda => self.lambda(kids[0]),
            ExprKind::Tuple => Type::Tuple(kids.iter().map(|&k| self.expr(k)).collect()),
            ExprKind::Array => {
                let elem = self.fresh();
                for &k in &kids {
                    let t = self.expr(k);
                    self.expect(k, &t, &elem, None);
                }
                Type::Array(Box::new(elem))
            }
            ExprKind::Record { fields, module } => {
                self.record_expr(id, &fields, module.as_deref(), &kids)
            }
            ExprKind::RecordUpdate(names) => self.record_update(id, &names, &kids),
            ExprKind::Match => {
                let scrutinee = self.expr(kids[0]);
                self.arms(&kids[1..], &scrutinee, None)
            }
            ExprKind::TryWith => {
                let body = self.expr(kids[0]);
                let exn = self.exn_type();
                self.arms(&kids[1..], &exn, Some((body, kids[0])))
            }
            ExprKind::TryFinally => {
                let body = self.expr(kids[0]);
                let cleanup = self.expr(kids[1]);
                self.expect_unit_statement(kids[1], &cleanup);
                body
            }
            ExprKind::Assign => {
                let target = self.expr(kids[0]);
                let value = self.expr(kids[1]);
                let shown = self.zonk(&target);
                let why = if self.psg.expr(kids[0]) == Some(&ExprKind::Index) {
                    Reason::AssignedElement(shown)
                } else {
                    Reason::AssignedVariable(shown)
                };
                let why = (self.psg.span(kids[0]), why);
                self.expect(kids[1], &value, &target, Some(why));
                if let Some(ExprKind::Member(name)) = self.psg.expr(kids[0]) {
                    self.check_field_assignment(kids[0], name);
                }
                Type::Unit
            }
            ExprKind::Index => {
                let arr = self.expr(kids[0]);
                let idx = self.expr(kids[1]);
                self.expect(kids[1], &idx, &Type::Int, None);
                match self.shallow(&arr) {
                    Type::Array(elem) => *elem,
                    // F#'s `s.[i]`: a char (here, the i-th byte of the
                    // string's UTF-8 text).
                    Type::String => Type::Char,
                    Type::Buffer(elem, space) => {
                        let at = self.psg.span(kids[0]);
                        let how = buffers::access_kind(self.psg, id);
                        self.access_log.push((
                            space.clone(),
                            format!("{} ({how})", self.domain.name()),
                            at,
                        ));
                        self.require_access(&space, at);
                        *elem
                    }
                    Type::Error => Type::Error,
                    t => {
                        let ty = self.zonk(&t);
                        self.errors.push(TypeError::NotIndexable {
                            ty,
                            at: self.psg.span(kids[0]),
                        });
                        Type::Error
                    }
                }
            }
            ExprKind::Slice => {
                let coll = self.expr(kids[0]);
                for &k in &kids[1..] {
                    let b = self.expr(k);
                    self.expect(k, &b, &Type::Int, None);
                }
                match self.shallow(&coll) {
                    t @ (Type::Array(_) | Type::String | Type::Error) => t,
                    t => {
                        let ty = self.zonk(&t);
                        self.errors.push(TypeError::NotSliceable {
                            ty,
                            at: self.psg.span(kids[0]),
                        });
                        Type::Error
                    }
                }
            }
            ExprKind::Typed(annot) => {
                let t = self.annotation(&annot);
                self.hint_record(kids[0], &t);
                // `3.0<m>`: the parser writes a measured literal as the
                // literal typed with its measure glued right after it; the
                // literal itself takes the measure.
                let literal = matches!(self.psg.expr(kids[0]), Some(ExprKind::Lit(_)));
                if literal && self.psg.span(kids[0]).end == annot.span.start {
                    let inner = self.expr(kids[0]);
                    let base = match &t {
                        Type::Measured(b, _) => (**b).clone(),
                        t => t.clone(),
                    };
                    self.expect(kids[0], &inner, &base, None);
                    self.set_type(kids[0], t.clone());
                    return t;
                }
                let inner = self.expr(kids[0]);
                self.expect(kids[0], &inner, &t, Some((annot.span, Reason::Annotation)));
                t
            }
            // Made after type checking, by the coherency pass.
            ExprKind::Error => Type::Error,
        }
    }

    fn expect_unit_statement(&mut self, id: NodeId, t: &Type) {
        match self.shallow(t) {
            Type::Var(_) => {
                let _ = self.unify(t, &Type::Unit);
            }
            Type::Unit | Type::Error => {}
            other => {
                let ty = self.zonk(&other);
                self.errors.push(TypeError::IgnoredValue {
                    ty,
                    at: self.psg.span(id),
                });
            }
        }
    }

    fn finish(&mut self) {
        self.solve_constraints(true);
        self.check_space_requirements();
        self.record_residency();
        let generalized: std::collections::HashSet<TyVar> =
            self.generalized.iter().copied().collect();
        // Variables neither resolved nor generalised have no observable
        // use; they become `unit` (F# would pick `obj`).
        let resolve = |inf: &Infer, t: &Type| -> Type {
            inf.zonk(t).map_vars(&|v| {
                if generalized.contains(&v) {
                    None
                } else {
                    Some(Type::Unit)
                }
            })
        };
        for i in 0..self.node_types.len() {
            if let Some(t) = self.node_types[i].clone() {
                let t = resolve(self, &t);
                self.table.set_ty(NodeId::new(i), Some(t));
            }
        }
        let insts = std::mem::take(&mut self.instantiations);
        for (id, inst) in insts {
            let inst = inst
                .into_iter()
                .map(|(v, t)| (v, resolve(self, &t)))
                .collect();
            self.table.set_instantiation(id, inst);
        }
    }
}

pub(super) fn literal_type(lit: &Literal) -> Type {
    match lit {
        Literal::Unit => Type::Unit,
        Literal::Int(_, IntTy::Int) => Type::Int,
        Literal::Int(_, IntTy::Int64) => Type::Int64,
        Literal::Int(_, IntTy::Byte) => Type::Byte,
        Literal::Float(_, false) => Type::Float,
        Literal::Float(_, true) => Type::Float32,
        Literal::Str(_) => Type::String,
        Literal::Bool(_) => Type::Bool,
        Literal::Char(_) => Type::Char,
    }
}
