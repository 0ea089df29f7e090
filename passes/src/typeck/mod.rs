//! Type inference: Hindley–Milner with let-polymorphism (level-based
//! generalisation), F#'s overloaded arithmetic as deferred constraints.
//!
//! Input: a resolved PSG (every `Var` has a `DefUse` edge or a builtin).
//! Output: every binding and expression node has `ann.ty`; generic
//! function bindings list their quantified variables in `ann.generalized`
//! and every reference to them records its `ann.instantiation`; `printf`
//! calls carry their parsed `ann.format`. Types are fully resolved except
//! for quantified variables inside generic functions. Errors are E05xx.
//!
//! F# rules followed here: value restriction (only syntactic functions are
//! generalised); operators like `+` default to `int` when nothing else
//! fixes their type; `if` without `else` has type `unit`; a non-unit value
//! in a sequence is a warning (W0020).

mod buffers;
mod measures;
mod patterns;
mod records;
mod unions;

use crate::format::parse_format;
use clef_frontend::ast::{BinOp, TypeExpr, TypeExprKind};
use clef_frontend::{Diagnostic, Span};
use clef_psg::measure::Measure;
use clef_psg::*;
use std::collections::{HashMap, HashSet};

pub fn infer(psg: &mut Psg) -> Vec<Diagnostic> {
    let n = psg.graph.node_count();
    let mut inf = Infer {
        psg,
        subst: Vec::new(),
        levels: Vec::new(),
        level: 0,
        node_types: vec![None; n],
        schemes: HashMap::new(),
        constraints: Vec::new(),
        named_vars: HashMap::new(),
        instantiations: Vec::new(),
        generalized: Vec::new(),
        type_names: HashMap::new(),
        records: Vec::new(),
        declared_params: HashMap::new(),
        rigid: HashSet::new(),
        measure_names: HashMap::new(),
        domain: buffers::Domain::Cpu,
        space_requirements: Vec::new(),
        scheme_requirements: HashMap::new(),
        allocation_sites: Vec::new(),
        access_log: Vec::new(),
        diags: Vec::new(),
    };
    inf.declare_spaces();
    inf.module();
    inf.finish();
    inf.diags
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
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
    /// what `string` converts: numbers, bool, string
    Stringable,
}

impl Class {
    fn accepts(self, t: &Type) -> bool {
        match self {
            Class::Numeric => t.is_numeric(),
            Class::Integer => t.is_integer(),
            Class::Floating => t.is_float(),
            Class::Signed => t.is_numeric() && *t != Type::Byte,
            Class::Addable => t.is_numeric() || *t == Type::String,
            Class::Stringable => t.is_numeric() || matches!(t, Type::String | Type::Bool),
        }
    }
    fn default(self) -> Type {
        match self {
            Class::Floating => Type::Float,
            _ => Type::Int,
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Class::Numeric => "a numeric type (int, int64, byte, float, float32)",
            Class::Integer => "an integer type (int, int64, byte)",
            Class::Floating => "a floating-point type (float, float32)",
            Class::Signed => "a signed numeric type (int, int64, float, float32)",
            Class::Addable => "a numeric type or string",
            Class::Stringable => "a number, bool or string",
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
    /// What imposed it, e.g. "the operator `-`".
    origin: String,
    /// Measures that become `1` when the type is defaulted: an operator
    /// whose operands' type is never known is `int -> int -> int`, as in F#.
    measures: Vec<Measure>,
}

struct Infer<'a> {
    psg: &'a mut Psg,
    subst: Vec<Option<Type>>,
    levels: Vec<u32>,
    level: u32,
    node_types: Vec<Option<Type>>,
    /// Binding → (quantified variables, type).
    schemes: HashMap<NodeId, (Vec<TyVar>, Type)>,
    constraints: Vec<Constraint>,
    /// `'a` written in annotations of the current top-level item.
    named_vars: HashMap<String, TyVar>,
    instantiations: Vec<(NodeId, Vec<(TyVar, Type)>)>,
    generalized: Vec<TyVar>,
    /// Declared types by name (the latest of a name).
    type_names: HashMap<String, NodeId>,
    /// Record declarations, in order.
    records: Vec<NodeId>,
    /// Bindings with explicit type parameters: their variables, in order.
    declared_params: HashMap<NodeId, Vec<TyVar>>,
    /// Measure variables written in annotations: constants while unifying.
    rigid: HashSet<TyVar>,
    /// Declared measures by name, abbreviations expanded.
    measure_names: HashMap<String, Measure>,
    /// The domain of the code being checked (a `[<Kernel>]` runs on the GPU).
    domain: buffers::Domain,
    /// Buffer accesses whose space is not known yet.
    space_requirements: Vec<buffers::SpaceRequirement>,
    /// Requirements on a generic function's space variables.
    scheme_requirements: HashMap<NodeId, Vec<buffers::SpaceRequirement>>,
    allocation_sites: Vec<buffers::AllocationSite>,
    /// Every buffer access: (space, domain, where), for the residency report.
    access_log: Vec<(Measure, buffers::Domain, Span)>,
    diags: Vec<Diagnostic>,
}

impl Infer<'_> {
    // ---- variables and substitution ----

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

    /// Unify `actual` (the type of node `at`) with `expected`, reporting
    /// F#'s "expected … but here has type …" on failure.
    fn expect(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        because: Option<(Span, String)>,
    ) {
        if let Err(e) = self.unify(actual, expected) {
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    /// `expect`, with a secondary label from a template whose `{}` is the
    /// type `shown`, written only if the types do not match (type checking
    /// a large program formats no messages it does not show).
    fn expect_because(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        why: (Span, &str, &Type),
    ) {
        if let Err(e) = self.unify(actual, expected) {
            let (span, template, shown) = why;
            let because = Some((span, template.replace("{}", &self.zonk(shown).to_string())));
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    fn report_mismatch(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        because: Option<(Span, String)>,
        error: UnifyError,
    ) {
        let at = self.result_node(at);
        match error {
            UnifyError::Infinite => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                self.diags.push(
                    Diagnostic::error("E0514", "this expression would have an infinite type", self.psg.span(at))
                        .with_label(format!("`{act}` would have to equal `{exp}`, which contains it"))
                        .with_help("a function probably returns itself or is applied to itself; check the arguments"),
                );
            }
            UnifyError::Measure(_, _)
                if matches!(
                    (self.zonk(expected), self.zonk(actual)),
                    (Type::Buffer(..), Type::Buffer(..))
                ) =>
            {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let d = self.space_mismatch(at, &exp, &act, because);
                self.diags.push(d);
            }
            UnifyError::Measure(actual_m, expected_m) => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let mut d =
                    self.measure_mismatch(&expected_m, &actual_m, self.psg.span(at), &exp, &act);
                if let Some((span, why)) = because {
                    d = d.with_secondary(span, why);
                }
                self.diags.push(d);
            }
            UnifyError::Mismatch => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let mut d = Diagnostic::error(
                    "E0501",
                    format!("type mismatch: expected `{exp}` but here has type `{act}`"),
                    self.psg.span(at),
                )
                .with_label(format!("this has type `{act}`"));
                if let Some((span, why)) = because {
                    d = d.with_secondary(span, why);
                }
                d = d.with_help(conversion_help(&exp, &act));
                self.diags.push(d);
            }
        }
    }

    fn constrain(&mut self, ty: Type, class: Class, span: Span, origin: impl Into<String>) {
        self.constraints.push(Constraint {
            ty,
            class,
            span,
            origin: origin.into(),
            measures: Vec::new(),
        });
    }

    /// Check constraints whose type is known, and default those whose
    /// variable is about to be generalised (or all, at top level).
    fn solve_constraints(&mut self, all: bool) {
        let pending = std::mem::take(&mut self.constraints);
        for c in pending {
            let base = match self.shallow(&c.ty) {
                Type::Measured(b, _) => self.shallow(&b),
                t => t,
            };
            match base {
                Type::Var(v) => {
                    if all || self.levels[v.0 as usize] > self.level {
                        let _ = self.unify(&Type::Var(v), &c.class.default());
                        for m in &c.measures {
                            let _ = self.unify_measures(m, &Measure::one());
                        }
                    } else {
                        self.constraints.push(c);
                    }
                }
                Type::Error => {}
                t if c.class.accepts(&t) => {}
                t => {
                    let t = self.zonk(&t);
                    self.diags.push(
                        Diagnostic::error(
                            "E0502",
                            format!("the type `{t}` does not support {}", c.origin),
                            c.span,
                        )
                        .with_label(format!("this has type `{t}`"))
                        .with_help(format!(
                            "{} needs {}",
                            c.origin,
                            c.class.describe()
                        )),
                    );
                }
            }
        }
    }

    fn set_type(&mut self, id: NodeId, t: Type) -> Type {
        self.node_types[id.index()] = Some(t.clone());
        t
    }

    // ---- annotations ----

    fn annotation(&mut self, t: &TypeExpr) -> Type {
        match &t.kind {
            TypeExprKind::Named { name, args } if args.is_empty() && name.name == "_" => {
                self.fresh()
            }
            TypeExprKind::Named { name, args }
                if name.name == "SharedBuffer" && args.len() == 2 =>
            {
                let elem = self.annotation(&args[0]);
                let space = self.measure_of(&args[1]);
                self.buffer_annotation(elem, space, args[1].span)
            }
            // `float<m>`, `int64<bytes>`, `float<'u>`.
            TypeExprKind::Named { name, args }
                if args.len() == 1
                    && matches!(
                        name.name.as_str(),
                        "int"
                            | "int32"
                            | "int64"
                            | "byte"
                            | "uint8"
                            | "float"
                            | "double"
                            | "float32"
                            | "single"
                    ) =>
            {
                let base = self.annotation(&TypeExpr {
                    kind: TypeExprKind::Named {
                        name: name.clone(),
                        args: Vec::new(),
                    },
                    span: name.span,
                });
                let m = self.measure_of(&args[0]);
                self.check_physical(&m, args[0].span);
                Type::measured(base, m)
            }
            TypeExprKind::Quotient(..) | TypeExprKind::Power(..) | TypeExprKind::Number(_) => {
                self.diags.push(
                    Diagnostic::error("E0532", "a unit of measure is not a type", t.span)
                        .with_label("a measure where a type belongs")
                        .with_help(
                            "put the measure on a number type: `float<m/s>`, `int64<bytes>`",
                        ),
                );
                Type::Error
            }
            TypeExprKind::Named { name, args }
                if self.type_names.contains_key(&name.name)
                    || name.name == "option"
                    || name.name == "list" =>
            {
                // `int option` and `int list` name the prelude's unions.
                let prelude_name = if name.name == "list" {
                    "List"
                } else {
                    "Option"
                };
                let decl = self
                    .type_names
                    .get(&name.name)
                    .copied()
                    .or(self.psg.prelude_type(prelude_name))
                    .expect("checked by the guard");
                let arity = self.psg.node(decl).ann.generalized.len();
                if args.len() != arity {
                    self.diags.push(
                        Diagnostic::error(
                            "E0517",
                            format!(
                                "the type `{}` takes {arity} type argument(s), not {}",
                                name.name,
                                args.len()
                            ),
                            t.span,
                        )
                        .with_label("wrong number of type arguments")
                        .with_help(format!(
                            "write `{}` with {arity} type argument(s)",
                            name.name
                        )),
                    );
                    return Type::Error;
                }
                // A `[<Measure>] 'u` parameter takes a measure: `Vec2<m/s>`.
                let (decl_name, measure_params) = match self.psg.kind(decl) {
                    NodeKind::TypeDecl(info) => (info.name.clone(), info.measure_params.clone()),
                    _ => (name.name.clone(), Vec::new()),
                };
                let param_names = match self.psg.kind(decl) {
                    NodeKind::TypeDecl(info) => info.params.clone(),
                    _ => Vec::new(),
                };
                let args = args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let is_measure = param_names
                            .get(i)
                            .is_some_and(|p| measure_params.contains(p));
                        if is_measure {
                            let m = self.measure_of(a);
                            self.check_physical(&m, a.span);
                            Type::Measure(m)
                        } else {
                            self.annotation(a)
                        }
                    })
                    .collect();
                let name = decl_name;
                Type::Named {
                    decl: decl.index() as u32,
                    name,
                    args,
                }
            }
            TypeExprKind::Named { name, args } if args.is_empty() => match name.name.as_str() {
                "int" | "int32" => Type::Int,
                "int64" => Type::Int64,
                "byte" | "uint8" => Type::Byte,
                "float" | "double" => Type::Float,
                "float32" | "single" => Type::Float32,
                "bool" => Type::Bool,
                "unit" => Type::Unit,
                "string" => Type::String,
                other => {
                    self.diags.push(
                        Diagnostic::error("E0506", format!("unknown type `{other}`"), t.span)
                            .with_label("not a type clefc knows")
                            .with_help("the types are int, int64, byte, float, float32, bool, unit, string, and arrays `T[]`"),
                    );
                    Type::Error
                }
            },
            TypeExprKind::Named { name, args } => {
                if name.name == "array" && args.len() == 1 {
                    let inner = self.annotation(&args[0]);
                    return Type::Array(Box::new(inner));
                }
                self.diags.push(
                    Diagnostic::error(
                        "E0506",
                        format!("unknown generic type `{}`", name.name),
                        t.span,
                    )
                    .with_label("not supported yet")
                    .with_help("generic types other than arrays come in a later version"),
                );
                Type::Error
            }
            TypeExprKind::Var(v) => {
                if let Some(tv) = self.named_vars.get(&v.name) {
                    return Type::Var(*tv);
                }
                let fresh = self.fresh();
                if let Type::Var(tv) = fresh {
                    self.named_vars.insert(v.name.clone(), tv);
                }
                fresh
            }
            TypeExprKind::Array(inner) => Type::Array(Box::new(self.annotation(inner))),
            TypeExprKind::Fun(a, b) => Type::fun(self.annotation(a), self.annotation(b)),
            TypeExprKind::Tuple(items) => {
                Type::Tuple(items.iter().map(|t| self.annotation(t)).collect())
            }
        }
    }

    // ---- declarations ----

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
                NodeKind::Module(_) => {
                    let children = self.psg.children(item);
                    self.items(&children);
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
            let span = info.name_span;
            self.diags.push(
                Diagnostic::error(
                    "E0507",
                    "the entry point must have type `string[] -> int`",
                    span,
                )
                .with_label(format!("this function has type `{ty}`"))
                .with_help("take the arguments as `argv: string[]` and return an int exit code"),
            );
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
        for (_, info, body, ret, _) in &sigs {
            let Some(body) = *body else { continue };
            let outer_domain = self.domain;
            if info.is_kernel {
                self.domain = buffers::Domain::Gpu;
            }
            let body_ty = self.expr(body);
            self.domain = outer_domain;
            let because = match &info.annotation {
                Some(a) => Some((a.span, "the type is given here".to_string())),
                None if info.is_entry => Some((
                    info.name_span,
                    "the entry point returns the program's exit code, an `int`".to_string(),
                )),
                None => None,
            };
            self.expect(body, &body_ty, ret, because);
            if info.is_use && !matches!(self.zonk(&body_ty), Type::Buffer(..) | Type::Error) {
                // F#'s `use` needs a value with a disposal (IDisposable):
                // here, BAREWire's buffers.
                let t = self.zonk(&body_ty);
                self.diags.push(
                    Diagnostic::error("E0525", format!("`use` needs a value with a disposal, and `{t}` has none"), info.name_span)
                        .with_label("bound with `use`")
                        .with_help("bind it with `let`; `use` is for values the runtime must release, such as memory buffers"),
                );
            }
        }
        self.level -= 1;
        self.solve_constraints(false);
        for (b, info, _, _, ty) in sigs {
            let mut vars = Vec::new();
            if info.is_function() {
                self.zonk(&ty).vars(&mut vars);
                vars.retain(|v| self.levels[v.0 as usize] > self.level);
            }
            self.generalized.extend(&vars);
            self.generalize_requirements(b, &vars);
            self.psg.node_mut(b).ann.generalized = vars.clone();
            self.schemes.insert(b, (vars, ty.clone()));
            self.set_type(b, ty);
        }
    }

    /// A lambda: like a function binding, but never generalised (F# does
    /// not generalise lambdas).
    fn lambda(&mut self, b: NodeId) -> Type {
        let (params, body) = self.psg.function_parts(b);
        let param_tys: Vec<Type> = params.iter().map(|&p| self.param(p)).collect();
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
                if let Some(t) = self.option_member(&obj, &name) {
                    return t;
                }
                if let Some(t) = self.record_member(kids[0], &obj, &name, span) {
                    return t;
                }
                match (self.shallow(&obj), name.as_str()) {
                    (Type::Array(_) | Type::String | Type::Buffer(..), "Length") => Type::Int,
                    (Type::Error, _) => Type::Error,
                    (Type::Var(_), _) => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0505",
                                format!("cannot look up `.{name}` on a value of unknown type"),
                                span,
                            )
                            .with_label("the type of this value is not known at this point")
                            .with_help(
                                "add a type annotation to the value, e.g. `(argv: string[])`",
                            ),
                        );
                        Type::Error
                    }
                    (t, _) => {
                        let t = self.zonk(&t);
                        self.diags.push(
                            Diagnostic::error(
                                "E0510",
                                format!("the type `{t}` has no member `{name}`"),
                                span,
                            )
                            .with_label("unknown member")
                            .with_help(member_help(&t)),
                        );
                        Type::Error
                    }
                }
            }
            ExprKind::Apply => self.apply(id, &kids),
            ExprKind::Binary(op) => self.binary(op, &kids, span),
            ExprKind::Neg => {
                let t = self.expr(kids[0]);
                self.constrain(t.clone(), Class::Signed, span, "negation");
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
                        format!("the `then` branch has type `{}`", self.zonk(&then_ty)),
                    );
                    self.expect(el, &else_ty, &then_ty, Some(why));
                    then_ty
                } else {
                    if self.unify(&then_ty, &Type::Unit).is_err() {
                        let t = self.zonk(&then_ty);
                        self.diags.push(
                            Diagnostic::error("E0504", "this `if` has no `else` branch, so its `then` branch must be `unit`", self.psg.span(kids[1]))
                                .with_label(format!("this has type `{t}`"))
                                .with_help("add an `else` branch with a value of the same type"),
                        );
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
                    ref t @ Type::Named { ref args, .. } if self.psg.is_prelude_type(t, "List") => {
                        args[0].clone()
                    }
                    Type::Error => Type::Error,
                    other => {
                        let other = self.zonk(&other);
                        self.diags.push(
                            Diagnostic::error("E0524", format!("`for … in` needs a list or an array, not `{other}`"), self.psg.span(collection))
                                .with_label(format!("this has type `{other}`"))
                                .with_help("iterate a list or an array, or a range `a .. b`; annotate the value if its type is not known yet"),
                        );
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
                    "a `for` loop",
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
            ExprKind::Record(names) => self.record_expr(id, &names, &kids),
            ExprKind::RecordUpdate(names) => self.record_update(id, &names, &kids),
            ExprKind::Match => {
                let scrutinee = self.expr(kids[0]);
                let mut result: Option<(Type, NodeId)> = None;
                for &arm in &kids[1..] {
                    let parts = self.psg.children(arm);
                    self.pattern(parts[0], &scrutinee);
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
                            let why = (
                                self.psg.span(self.result_node(*first_body)),
                                format!("the first arm has type `{}`", self.zonk(&first)),
                            );
                            self.expect(body, &t, &first, Some(why));
                        }
                    }
                }
                result.map_or(Type::Error, |(t, _)| t)
            }
            ExprKind::Assign => {
                let target = self.expr(kids[0]);
                let value = self.expr(kids[1]);
                let what = if self.psg.expr(kids[0]) == Some(&ExprKind::Index) {
                    "the element"
                } else {
                    "the variable"
                };
                let why = (
                    self.psg.span(kids[0]),
                    format!("{what} has type `{}`", self.zonk(&target)),
                );
                self.expect(kids[1], &value, &target, Some(why));
                Type::Unit
            }
            ExprKind::Index => {
                let arr = self.expr(kids[0]);
                let idx = self.expr(kids[1]);
                self.expect(kids[1], &idx, &Type::Int, None);
                match self.shallow(&arr) {
                    Type::Array(elem) => *elem,
                    Type::Buffer(elem, space) => {
                        let at = self.psg.span(kids[0]);
                        let why = format!("this buffer is indexed in {}", self.domain.name());
                        self.access_log.push((space.clone(), self.domain, at));
                        self.require_access(&space, at, why);
                        *elem
                    }
                    Type::Error => Type::Error,
                    t => {
                        let t = self.zonk(&t);
                        self.diags.push(
                            Diagnostic::error("E0511", format!("the type `{t}` cannot be indexed"), self.psg.span(kids[0]))
                                .with_label(format!("this has type `{t}`"))
                                .with_help("`.[i]` indexes arrays; annotate the value if its type is not known yet"),
                        );
                        Type::Error
                    }
                }
            }
            ExprKind::Typed(annot) => {
                let t = self.annotation(&annot);
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
                self.expect(
                    kids[0],
                    &inner,
                    &t,
                    Some((annot.span, "the type is given here".into())),
                );
                t
            }
            // Made after type checking, by the coherency pass.
            ExprKind::Handoff { .. } | ExprKind::Sync(_) => Type::Unit,
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
                let other = self.zonk(&other);
                self.diags.push(
                    Diagnostic::warning(
                        "W0020",
                        format!("the result of this expression has type `{other}` and is ignored"),
                        self.psg.span(id),
                    )
                    .with_label("value discarded")
                    .with_help("use `|> ignore` to discard it explicitly"),
                );
            }
        }
    }

    fn var(&mut self, id: NodeId) -> Type {
        if self.psg.node(id).ann.builtin == Some(Builtin::Sizeof) {
            return self.sizeof(id);
        }
        if let Some(
            b @ (Builtin::BufferAllocate
            | Builtin::BufferAllocateAuto
            | Builtin::BufferMigrate
            | Builtin::BufferCopy),
        ) = self.psg.node(id).ann.builtin
        {
            return self.buffer_builtin(id, b);
        }
        if let Some(b) = self.psg.node(id).ann.builtin {
            return self.builtin(b, self.psg.span(id));
        }
        if let Some((decl, index)) = self.psg.node(id).ann.case {
            return self.case_constructor(decl, index);
        }
        let Some(def) = self.psg.definition(id) else {
            return Type::Error;
        };
        let Some((vars, ty)) = self.schemes.get(&def).cloned() else {
            // A binding whose type is not known yet: only possible for
            // recursive references, which have a monomorphic entry, so this
            // is a reference to a binding that failed earlier.
            return Type::Error;
        };
        if vars.is_empty() {
            self.explicit_type_args(id, def, &HashMap::new());
            return ty;
        }
        let inst: Vec<(TyVar, Type)> = vars.iter().map(|&v| (v, self.fresh())).collect();
        self.instantiations.push((id, inst.clone()));
        let map: HashMap<TyVar, Type> = inst.into_iter().collect();
        self.explicit_type_args(id, def, &map);
        self.instantiate_requirements(id, def, &map);
        self.zonk(&ty).map_vars(&|v| map.get(&v).cloned())
    }

    /// `sizeof<T>`: an int; `T` is recorded as the node's instantiation.
    fn sizeof(&mut self, id: NodeId) -> Type {
        let args = self.psg.node(id).ann.explicit_type_args.clone();
        let [arg] = &args[..] else {
            self.diags.push(
                Diagnostic::error(
                    "E0523",
                    "`sizeof` takes one type argument",
                    self.psg.span(id),
                )
                .with_label("write the type in angle brackets")
                .with_help("for example `sizeof<float32>`"),
            );
            return Type::Int;
        };
        let t = self.annotation(arg);
        let Type::Var(v) = self.fresh() else {
            unreachable!("fresh gives a variable")
        };
        let _ = self.unify(&Type::Var(v), &t);
        self.instantiations.push((id, vec![(v, Type::Var(v))]));
        Type::Int
    }

    /// `f<int>`: each explicit type argument fixes the instance of the
    /// corresponding declared parameter (`let f<'T> …`).
    fn explicit_type_args(&mut self, id: NodeId, def: NodeId, inst: &HashMap<TyVar, Type>) {
        let args = self.psg.node(id).ann.explicit_type_args.clone();
        if args.is_empty() {
            return;
        }
        let declared = self.declared_params.get(&def).cloned().unwrap_or_default();
        if declared.len() != args.len() {
            let name = self
                .psg
                .binding(def)
                .map_or(String::new(), |b| b.name.clone());
            self.diags.push(
                Diagnostic::error("E0523", format!("`{name}` takes {} explicit type argument(s), not {}", declared.len(), args.len()), self.psg.span(id))
                    .with_label("wrong number of type arguments")
                    .with_help("declare type parameters with `let f<'T> …`, or leave the arguments to inference"),
            );
            return;
        }
        for (dv, arg) in declared.iter().zip(&args) {
            let given = self.annotation(arg);
            let target = match self.zonk(&Type::Var(*dv)) {
                Type::Var(v) => inst.get(&v).cloned().unwrap_or(Type::Var(v)),
                t => t,
            };
            self.expect(
                id,
                &target,
                &given,
                Some((arg.span, "the type argument is given here".into())),
            );
        }
    }

    fn builtin(&mut self, b: Builtin, span: Span) -> Type {
        let origin = format!("`{}`", b.name());
        match b {
            // Typed with their type arguments by `buffer_builtin`; reached
            // here only without a node to read them from.
            Builtin::BufferAllocate
            | Builtin::BufferAllocateAuto
            | Builtin::BufferMigrate
            | Builtin::BufferCopy => {
                self.diags.push(
                    Diagnostic::error(
                        "E0523",
                        format!("`{}` needs its type arguments", b.name()),
                        span,
                    )
                    .with_label("type arguments missing")
                    .with_help("for example `BAREWire.allocate<float32, cxl_mem> n`"),
                );
                Type::Error
            }
            Builtin::Printf | Builtin::Printfn => {
                self.diags.push(
                    Diagnostic::error(
                        "E0512",
                        format!("`{}` must be applied to a literal format string", b.name()),
                        span,
                    )
                    .with_label("used without its format")
                    .with_help(format!("write `{} \"…%d…\" value`", b.name())),
                );
                Type::Error
            }
            Builtin::ToInt
            | Builtin::ToInt64
            | Builtin::ToByte
            | Builtin::ToFloat
            | Builtin::ToFloat32 => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                let r = match b {
                    Builtin::ToInt => Type::Int,
                    Builtin::ToInt64 => Type::Int64,
                    Builtin::ToByte => Type::Byte,
                    Builtin::ToFloat => Type::Float,
                    _ => Type::Float32,
                };
                Type::fun(a, r)
            }
            Builtin::Not => Type::fun(Type::Bool, Type::Bool),
            Builtin::Failwith => {
                let a = self.fresh();
                Type::fun(Type::String, a)
            }
            Builtin::Sizeof => Type::Int,
            Builtin::ToString => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Stringable, span, origin);
                Type::fun(a, Type::String)
            }
            Builtin::StringLength => Type::fun(Type::String, Type::Int),
            Builtin::Sprintf => {
                self.diags.push(
                    Diagnostic::error(
                        "E0512",
                        "`sprintf` must be applied to a literal format string",
                        span,
                    )
                    .with_label("used without its format")
                    .with_help("write `sprintf \"…%d…\" value`"),
                );
                Type::Error
            }
            Builtin::ArrayZeroCreate => {
                let a = self.fresh();
                Type::fun(Type::Int, Type::Array(Box::new(a)))
            }
            Builtin::ArrayLength => {
                let a = self.fresh();
                Type::fun(Type::Array(Box::new(a)), Type::Int)
            }
            Builtin::ArraySum | Builtin::ArrayMax | Builtin::ArrayMin => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                Type::fun(Type::Array(Box::new(a.clone())), a)
            }
            Builtin::ListMapForward | Builtin::ListFilterForward => {
                let a = self.fresh();
                let r = if b == Builtin::ListMapForward {
                    self.fresh()
                } else {
                    Type::Bool
                };
                let input = self.list_of(a.clone());
                let output = if b == Builtin::ListMapForward {
                    self.list_of(r.clone())
                } else {
                    input.clone()
                };
                Type::curried([Type::fun(a, r), input], output)
            }
            Builtin::ListSum => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                let list = self.list_of(a.clone());
                Type::fun(list, a)
            }
            Builtin::Ignore => {
                let a = self.fresh();
                Type::fun(a, Type::Unit)
            }
            Builtin::Exit => {
                let a = self.fresh();
                Type::fun(Type::Int, a)
            }
            Builtin::Sqrt => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Floating, span, origin);
                Type::fun(a.clone(), a)
            }
            Builtin::Abs => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Signed, span, origin);
                Type::fun(a.clone(), a)
            }
            Builtin::DefaultArg
            | Builtin::OptionMap
            | Builtin::OptionDefaultValue
            | Builtin::OptionIsSome
            | Builtin::OptionIsNone
            | Builtin::OptionGet => self.option_builtin(b),
            Builtin::Fst | Builtin::Snd => {
                let (first, second) = (self.fresh(), self.fresh());
                let r = if b == Builtin::Fst {
                    first.clone()
                } else {
                    second.clone()
                };
                Type::fun(Type::Tuple(vec![first, second]), r)
            }
            Builtin::Min | Builtin::Max => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                Type::curried([a.clone(), a.clone()], a)
            }
        }
    }

    fn apply(&mut self, id: NodeId, kids: &[NodeId]) -> Type {
        let (head, args) = (kids[0], &kids[1..]);
        let head_builtin = self.psg.node(head).ann.builtin;
        if let Some(t) = self.cons(head, args) {
            return t;
        }
        let mut f = if matches!(
            head_builtin,
            Some(Builtin::Printf | Builtin::Printfn | Builtin::Sprintf)
        ) {
            let t = self.printf(id, head, args);
            self.set_type(head, t.clone());
            // The format string is the first argument; it is typed there.
            return self.apply_args(head, t, &args[1.min(args.len())..]);
        } else {
            self.expr(head)
        };
        f = self.apply_args(head, f, args);
        f
    }

    fn apply_args(&mut self, head: NodeId, mut f: Type, args: &[NodeId]) -> Type {
        for (i, &arg) in args.iter().enumerate() {
            let a = self.expr(arg);
            match self.shallow(&f) {
                Type::Fun(p, r) => {
                    let why = (self.psg.span(head), "this function takes `{}` here", &*p);
                    self.expect_because(arg, &a, &p, why);
                    f = *r;
                }
                Type::Var(_) => {
                    let r = self.fresh();
                    let _ = self.unify(&f, &Type::fun(a, r.clone()));
                    f = r;
                }
                Type::Error => f = Type::Error,
                other => {
                    let other = self.zonk(&other);
                    let name = match self.psg.expr(head) {
                        Some(ExprKind::Var(n)) => format!("`{n}`"),
                        _ => "this expression".to_string(),
                    };
                    let (msg, secondary, help) = if i == 0 {
                        (
                            "this value is not a function and cannot be applied".to_string(),
                            format!("{name} has type `{other}`"),
                            "remove the argument, or check the spelling of the function"
                                .to_string(),
                        )
                    } else {
                        (
                            format!("{name} is applied to too many arguments ({})", args.len()),
                            format!("{name} takes {i} argument(s) and then gives `{other}`"),
                            format!("pass {i} argument(s)"),
                        )
                    };
                    self.diags.push(
                        Diagnostic::error("E0503", msg, self.psg.span(arg))
                            .with_label("unexpected argument")
                            .with_secondary(self.psg.span(head), secondary)
                            .with_help(help),
                    );
                    for &rest in &args[i + 1..] {
                        self.expr(rest);
                    }
                    return Type::Error;
                }
            }
        }
        f
    }

    /// The type of `printf fmt` (without the format argument): one curried
    /// parameter per hole, returning unit.
    fn printf(&mut self, apply: NodeId, head: NodeId, args: &[NodeId]) -> Type {
        let Some(&fmt_node) = args.first() else {
            return self.builtin(Builtin::Printf, self.psg.span(head));
        };
        self.set_type(fmt_node, Type::String);
        let Some(ExprKind::Lit(Literal::Str(fmt))) = self.psg.expr(fmt_node).cloned() else {
            self.expr(fmt_node);
            self.diags.push(
                Diagnostic::error(
                    "E0512",
                    "the format must be a string literal",
                    self.psg.span(fmt_node),
                )
                .with_label("not a literal")
                .with_help("formats are checked at compile time; write the string in place"),
            );
            return Type::Error;
        };
        let pieces = match parse_format(&fmt) {
            Ok(p) => p,
            Err((_, msg)) => {
                self.diags.push(
                    Diagnostic::error("E0508", "invalid format string", self.psg.span(fmt_node))
                        .with_label(msg)
                        .with_help(
                            "the specifiers are %d %i %f %.Nf %s %b %A and %% for a percent sign",
                        ),
                );
                return Type::Error;
            }
        };
        let span = self.psg.span(fmt_node);
        let mut holes = Vec::new();
        for p in &pieces {
            if let FormatPiece::Hole { conv, .. } = p {
                let t = match conv {
                    'd' | 'i' => {
                        let t = self.fresh();
                        self.constrain(t.clone(), Class::Integer, span, "`%d`");
                        t
                    }
                    'f' => {
                        let t = self.fresh();
                        self.constrain(t.clone(), Class::Floating, span, "`%f`");
                        t
                    }
                    's' => Type::String,
                    // `%A` prints any value, structurally.
                    'A' => self.fresh(),
                    _ => Type::Bool,
                };
                holes.push(t);
            }
        }
        self.psg.node_mut(apply).ann.format = Some(pieces);
        let is_sprintf = self.psg.node(head).ann.builtin == Some(Builtin::Sprintf);
        Type::curried(holes, if is_sprintf { Type::String } else { Type::Unit })
    }

    fn binary(&mut self, op: BinOp, kids: &[NodeId], span: Span) -> Type {
        let a = self.expr(kids[0]);
        let b = self.expr(kids[1]);
        let origin = format!("the operator `{}`", op.symbol());
        let left = a.clone();
        let why = (
            self.psg.span(kids[0]),
            "the left operand has type `{}`",
            &left,
        );
        match op {
            BinOp::And | BinOp::Or => {
                self.expect(kids[0], &a, &Type::Bool, None);
                self.expect(kids[1], &b, &Type::Bool, None);
                Type::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                self.expect_because(kids[1], &b, &a, why);
                if let Type::Fun(..) = self.shallow(&a) {
                    self.diags.push(
                        Diagnostic::error("E0513", "functions cannot be compared", span)
                            .with_label("comparing function values")
                            .with_help("compare the results of calling them instead"),
                    );
                }
                Type::Bool
            }
            BinOp::Shl | BinOp::Shr => {
                self.constrain(a.clone(), Class::Integer, span, origin);
                self.expect(kids[1], &b, &Type::Int, None);
                a
            }
            BinOp::PipeRight | BinOp::PipeLeft | BinOp::ComposeRight | BinOp::ComposeLeft => {
                unreachable!("pipes and compositions are desugared when the PSG is built")
            }
            // Measures multiply and divide: `float<m> * float<s>` is
            // `float<m s>`. Both operands share the number type.
            BinOp::Mul | BinOp::Div => {
                // Both operands already known numbers of one type: the
                // result's measure is computed directly (the common case).
                let parts = |t: Type| match t {
                    Type::Measured(b, m) if b.is_numeric() => Some((*b, m)),
                    t if t.is_numeric() => Some((t, Measure::one())),
                    _ => None,
                };
                if let (Some((ba, ma)), Some((bb, mb))) =
                    (parts(self.shallow(&a)), parts(self.shallow(&b)))
                {
                    if ba == bb {
                        let m = if op == BinOp::Mul {
                            ma.mul(&mb)
                        } else {
                            ma.div(&mb)
                        };
                        return Type::measured(ba, m);
                    }
                }
                let base = self.fresh();
                let (ma, mb) = (self.fresh_measure(), self.fresh_measure());
                let left = Type::Measured(Box::new(base.clone()), ma.clone());
                let right = Type::Measured(Box::new(base.clone()), mb.clone());
                let known = self.shallow(&a);
                if !matches!(known, Type::Var(_) | Type::Error) && !Class::Numeric.accepts(&known) {
                    // `"a" * 2`: one error, about the operator.
                    self.constrain(a.clone(), Class::Numeric, self.psg.span(kids[0]), origin);
                    return a;
                }
                self.expect(kids[0], &a, &left, None);
                self.expect_because(kids[1], &b, &right, why);
                let result = if op == BinOp::Mul {
                    ma.mul(&mb)
                } else {
                    ma.div(&mb)
                };
                let result = Type::Measured(Box::new(base), result);
                self.constraints.push(Constraint {
                    ty: result.clone(),
                    class: Class::Numeric,
                    span: self.psg.span(kids[0]),
                    origin,
                    measures: vec![ma, mb],
                });
                result
            }
            _ => {
                let class = match op {
                    BinOp::Add => Class::Addable,
                    BinOp::Pow => Class::Floating,
                    BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => Class::Integer,
                    _ => Class::Numeric,
                };
                // A left operand already known not to support the operator
                // is the one error; comparing the right operand to it would
                // only add a second.
                let known = self.shallow(&a);
                if matches!(known, Type::Var(_) | Type::Error) || class.accepts(&known) {
                    self.expect_because(kids[1], &b, &a, why);
                }
                self.constrain(a.clone(), class, self.psg.span(kids[0]), origin);
                a
            }
        }
    }

    // ---- results ----

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
                self.psg.graph[NodeId::new(i)].ann.ty = Some(t);
            }
        }
        let insts = std::mem::take(&mut self.instantiations);
        for (id, inst) in insts {
            let inst = inst
                .into_iter()
                .map(|(v, t)| (v, resolve(self, &t)))
                .collect();
            self.psg.node_mut(id).ann.instantiation = inst;
        }
    }
}

/// What members exist, for an unknown-member error on a value of type `t`.
fn member_help(t: &Type) -> String {
    match t {
        Type::Named { name, .. } if name == "Option" => "options have `.IsSome`, `.IsNone` and `.Value`".into(),
        Type::Named { name, .. } if name == "List" => "use the `List` functions, e.g. `List.length xs`, `List.head xs`".into(),
        Type::Named { .. } => "unions have no members: match on their cases".into(),
        _ => "arrays and strings have `.Length`, options `.IsSome`, `.IsNone` and `.Value`, records their fields".into(),
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
    }
}

fn conversion_help(expected: &Type, actual: &Type) -> String {
    let conv = match expected {
        Type::Int => Some("int"),
        Type::Int64 => Some("int64"),
        Type::Byte => Some("byte"),
        Type::Float => Some("float"),
        Type::Float32 => Some("float32"),
        _ => None,
    };
    match conv {
        Some(c) if actual.is_numeric() => {
            format!("Clef never converts numbers implicitly: write `{c} (…)` to convert")
        }
        _ => "check the expression's type against what is expected here".to_string(),
    }
}
