//! Classes with a primary constructor, desugared into a record with
//! members before the PSG is built:
//!
//! ```text
//! type Counter(start: int) =          type Counter = { mutable start@: int
//!     let mutable count = start                        mutable count@: _ }
//!     let bump x = x + 1              let rec Counter (start: int) : Counter =
//!     do printfn "new"                    let self@ : Counter =
//!     member this.Incr() =                    { start@ = start; count@ = defaultof@ () }
//!         count <- bump count             self@.count@ <- self@.start@
//!     member this.Count = count           printfn "new"
//!                                         self@
//!                                     and Counter.bump@ (self@: Counter) x = x + 1
//!                                     and Counter.Incr (this: Counter) () =
//!                                         this.count@ <- this.bump@ this.count@
//!                                     and Counter.Count (this: Counter) = this.count@
//! ```
//!
//! * The constructor's parameters and the class's `let` values are the
//!   record's fields (all `mutable`: the constructor assigns them in
//!   order; their types are inferred, `_`, unless annotated). A name bound
//!   twice (a `let` shadowing a parameter) gets a second field, and code
//!   after the second binding sees it, as F#'s scoping says.
//! * The class's `let` functions are hidden instance methods (`f@`).
//! * In the constructor's statements and the instance members' bodies, a
//!   free use of such a name becomes a member access on the object; the
//!   rewriting follows the scopes of `let`, `fun`, `match` arms and loops,
//!   so a local that shadows a field is left alone.
//! * The constructor is a function named as the type (`Counter(0)`, `new
//!   Counter(0)`), first in the members' `let rec` group, with the type's
//!   parameters as its explicit type parameters (`Pool<int>(4)`).
//!
//! Invariant: the result is an ordinary record declaration, its members
//! and one more binding; nothing after the builder knows a class was
//! written, except `TypeDeclInfo::constructor`, which the type checker
//! reads to give the fields their inferred types.

use std::collections::HashMap;

use clef_frontend::ast::{self, ExprKind as A};
use clef_frontend::Span;

use super::desugar::{expr, ident, var_expr as var};

use super::interfaces::{self, Slots};

/// The object's name in the constructor and in the hidden methods.
const SELF: &str = "self@";

/// A class declaration as a record declaration with its members, and the
/// constructor binding.
pub(super) fn desugar(
    decl: &ast::TypeDecl,
    interfaces: &HashMap<String, Slots>,
) -> (ast::TypeDecl, ast::Binding) {
    let ast::TypeRepr::Class { ctor, items } = &decl.repr else {
        unreachable!("desugar is called on classes")
    };
    let span = decl.span;
    let self_type = self_type(decl);
    let mut fields: Vec<ast::FieldDecl> = Vec::new();
    // Source name → the field or hidden method it means now.
    let mut scope: HashMap<String, String> = HashMap::new();
    let new_field =
        |fields: &mut Vec<ast::FieldDecl>, name: &ast::Ident, ty: Option<ast::TypeExpr>| {
            let taken = fields
                .iter()
                .filter(|f| f.name.name.split('@').next() == Some(&name.name))
                .count();
            let mangled = if taken == 0 {
                format!("{}@", name.name)
            } else {
                format!("{}@{}", name.name, taken + 1)
            };
            fields.push(ast::FieldDecl {
                name: ident(&mangled, name.span),
                ty: ty.unwrap_or(ast::TypeExpr {
                    kind: ast::TypeExprKind::Infer,
                    span: name.span,
                }),
                is_mutable: true,
            });
            mangled
        };
    // The record the constructor starts from: its parameters, and zeros.
    let mut initial: Vec<(ast::Ident, ast::Expr)> = Vec::new();
    for (name, ty) in param_vars(ctor) {
        let mangled = new_field(&mut fields, &name, ty);
        initial.push((ident(&mangled, name.span), var(&name.name, name.span)));
        scope.insert(name.name.clone(), mangled);
    }
    let mut statements: Vec<ast::Expr> = Vec::new();
    let mut methods: Vec<ast::MemberDecl> = Vec::new();
    for item in items {
        match item {
            ast::ClassItem::Do(e) => statements.push(rewrite(e, &scope, SELF)),
            ast::ClassItem::Let(d) => {
                let is_method = |b: &ast::Binding| b.pattern.is_none() && !b.params.is_empty();
                if d.is_rec {
                    for b in d.bindings.iter().filter(|b| is_method(b)) {
                        scope.insert(b.name.name.clone(), format!("{}@", b.name.name));
                    }
                }
                let before = scope.clone();
                for b in &d.bindings {
                    if is_method(b) {
                        let at = if d.is_rec { &scope } else { &before };
                        methods.push(ast::MemberDecl {
                            self_name: Some(ident(SELF, b.name.span)),
                            name: ident(&format!("{}@", b.name.name), b.name.span),
                            params: b.params.clone(),
                            return_type: b.return_type.clone(),
                            body: rewrite_function(&b.params, &b.body, at, SELF),
                            interface: None,
                            span: b.span,
                        });
                        scope.insert(b.name.name.clone(), format!("{}@", b.name.name));
                        continue;
                    }
                    let value = rewrite(&b.body, &before, SELF);
                    match &b.pattern {
                        None => {
                            let value = match &b.return_type {
                                Some(t) => expr(A::Typed(Box::new(value), t.clone()), b.span),
                                None => value,
                            };
                            let mangled = new_field(&mut fields, &b.name, b.return_type.clone());
                            statements.push(assign_field(&mangled, value, b.name.span));
                            scope.insert(b.name.name.clone(), mangled);
                        }
                        Some(p) => {
                            // `let a, b = e`: bound locally, then stored.
                            let mut names = Vec::new();
                            pattern_vars(p, &mut names);
                            let mut stores = Vec::new();
                            for n in &names {
                                let mangled = new_field(&mut fields, n, None);
                                stores.push(assign_field(&mangled, var(&n.name, n.span), n.span));
                                scope.insert(n.name.clone(), mangled);
                            }
                            let local = ast::LetDecl {
                                attributes: Vec::new(),
                                is_rec: false,
                                is_use: false,
                                bindings: vec![ast::Binding {
                                    body: value,
                                    ..b.clone()
                                }],
                                span: b.span,
                            };
                            let stores = expr(A::Seq(stores), b.span);
                            statements
                                .push(expr(A::Let(Box::new(local), Box::new(stores)), b.span));
                        }
                    }
                }
            }
        }
    }
    // The instance members see the final scope through their own object.
    let mut members = Vec::new();
    for m in &decl.members {
        let mut m = m.clone();
        if let Some(this) = &mut m.self_name {
            if this.name == "_" {
                this.name = SELF.to_string();
            }
            m.body = rewrite_function(&m.params, &m.body, &scope, &this.name.clone());
        }
        members.push(m);
    }
    members.extend(methods);
    // `interface IShape with member this.Area = …`: explicit members, and
    // the view of the object as the interface.
    let mut implemented: Vec<ast::Ident> = Vec::new();
    for m in &mut members {
        if let Some(i) = m.interface.take() {
            m.name.name = interfaces::implementation_name(&m.name.name, &i.name);
            if !implemented.iter().any(|x| x.name == i.name) {
                implemented.push(i);
            }
        }
    }
    for i in &implemented {
        let short = i.name.rsplit('.').next().unwrap_or(&i.name);
        if let Some(slots) = interfaces.get(short) {
            members.push(interfaces::view_of_class(i, slots, i.span));
        }
    }
    // The constructor: the record, the statements in order, the object.
    let zero = |s: Span| {
        expr(
            A::App(Box::new(var("defaultof@", s)), Box::new(expr(A::Unit, s))),
            s,
        )
    };
    let mut record_fields = initial;
    for f in &fields[record_fields.len()..] {
        record_fields.push((f.name.clone(), zero(f.name.span)));
    }
    let mut make = super::desugar::let_decl(
        SELF,
        expr(A::Record(record_fields), span),
        false,
        decl.name.span,
    );
    make.bindings[0].return_type = Some(self_type.clone());
    statements.push(var(SELF, decl.name.span));
    let body = expr(
        A::Let(Box::new(make), Box::new(expr(A::Seq(statements), span))),
        span,
    );
    let constructor = ast::Binding {
        pattern: None,
        is_mutable: false,
        name: decl.name.clone(),
        type_params: decl.params.clone(),
        params: vec![ctor.clone()],
        return_type: Some(self_type),
        body,
        span,
    };
    let record = ast::TypeDecl {
        repr: ast::TypeRepr::Record(fields),
        members,
        ..decl.clone()
    };
    (record, constructor)
}

/// `Counter<'T>`: the declared type applied to its own parameters.
pub(super) fn self_type(decl: &ast::TypeDecl) -> ast::TypeExpr {
    ast::TypeExpr {
        span: decl.name.span,
        kind: ast::TypeExprKind::Named {
            name: decl.name.clone(),
            args: decl
                .params
                .iter()
                .map(|p| ast::TypeExpr {
                    span: p.span,
                    kind: ast::TypeExprKind::Var(p.clone()),
                })
                .collect(),
        },
    }
}

/// `self@.field <- value`
fn assign_field(field: &str, value: ast::Expr, span: Span) -> ast::Expr {
    let target = expr(A::Dot(Box::new(var(SELF, span)), ident(field, span)), span);
    expr(A::Assign(Box::new(target), Box::new(value)), span)
}

/// The names a constructor parameter binds, with their annotations.
fn param_vars(p: &ast::Param) -> Vec<(ast::Ident, Option<ast::TypeExpr>)> {
    match p {
        ast::Param::Unit(_) | ast::Param::Wildcard(_) => Vec::new(),
        ast::Param::Named { name, ty } => vec![(name.clone(), ty.clone())],
        ast::Param::Pattern(p) => {
            let items = match &p.kind {
                ast::PatternKind::Tuple(items) => items.clone(),
                _ => vec![p.clone()],
            };
            let mut out = Vec::new();
            for item in &items {
                match &item.kind {
                    ast::PatternKind::Typed(inner, t) => match &inner.kind {
                        ast::PatternKind::Var(n) => out.push((n.clone(), Some(t.clone()))),
                        _ => {
                            let mut names = Vec::new();
                            pattern_vars(inner, &mut names);
                            out.extend(names.into_iter().map(|n| (n, None)));
                        }
                    },
                    _ => {
                        let mut names = Vec::new();
                        pattern_vars(item, &mut names);
                        out.extend(names.into_iter().map(|n| (n, None)));
                    }
                }
            }
            out
        }
    }
}

/// The names a pattern binds (a bare name might be a union case; treating
/// it as a binding only leaves a field of that name unrewritten there).
fn pattern_vars(p: &ast::Pattern, out: &mut Vec<ast::Ident>) {
    use ast::PatternKind as P;
    match &p.kind {
        P::Var(n) => out.push(n.clone()),
        P::As(inner, n) => {
            pattern_vars(inner, out);
            out.push(n.clone());
        }
        P::Tuple(ps) | P::List(ps) => ps.iter().for_each(|p| pattern_vars(p, out)),
        P::Or(a, b) | P::Cons(a, b) => {
            pattern_vars(a, out);
            pattern_vars(b, out);
        }
        P::Typed(inner, _) | P::Case(_, inner) => pattern_vars(inner, out),
        // The last pattern binds; the others are the arguments.
        P::ActiveApp(_, args) => args.iter().rev().take(1).for_each(|p| pattern_vars(p, out)),
        P::Record(fields) => fields.iter().for_each(|(_, p)| pattern_vars(p, out)),
        P::Wildcard
        | P::Unit
        | P::Int(..)
        | P::Float(..)
        | P::Str(_)
        | P::Char(_)
        | P::Bool(_)
        | P::TypeTest(_) => {}
    }
}

fn param_names(params: &[ast::Param]) -> Vec<String> {
    let mut out = Vec::new();
    for p in params {
        match p {
            ast::Param::Named { name, .. } => out.push(name.name.clone()),
            ast::Param::Pattern(p) => {
                let mut names = Vec::new();
                pattern_vars(p, &mut names);
                out.extend(names.into_iter().map(|n| n.name));
            }
            ast::Param::Unit(_) | ast::Param::Wildcard(_) => {}
        }
    }
    out
}

fn rewrite(e: &ast::Expr, scope: &HashMap<String, String>, this: &str) -> ast::Expr {
    Rewriter {
        scope,
        this,
        cases: false,
        shadowed: Vec::new(),
    }
    .expr(e)
}

/// A total active pattern's body: its cases as the `Choice` cases they
/// are (`Even` → `Choice1Of2 ()`, `Cel t` → `Choice1Of2 t`).
pub(super) fn rewrite_cases(
    params: &[ast::Param],
    body: &ast::Expr,
    cases: &HashMap<String, String>,
) -> ast::Expr {
    Rewriter {
        scope: cases,
        this: "",
        cases: true,
        shadowed: param_names(params),
    }
    .expr(body)
}

/// A function's body, its parameters shadowing the class's names.
fn rewrite_function(
    params: &[ast::Param],
    body: &ast::Expr,
    scope: &HashMap<String, String>,
    this: &str,
) -> ast::Expr {
    let mut r = Rewriter {
        scope,
        this,
        cases: false,
        shadowed: param_names(params),
    };
    r.expr(body)
}

/// Free uses of the class's names become member accesses on `this` (or,
/// with `cases`, active pattern cases become `Choice` cases).
struct Rewriter<'a> {
    scope: &'a HashMap<String, String>,
    this: &'a str,
    cases: bool,
    /// Local names in scope at the current point (innermost last).
    shadowed: Vec<String>,
}

impl Rewriter<'_> {
    fn member(&self, name: &ast::Ident) -> Option<&String> {
        if self.shadowed.contains(&name.name) {
            return None;
        }
        self.scope.get(&name.name)
    }

    /// `e` with `names` in scope.
    fn under(&mut self, names: Vec<String>, e: &ast::Expr) -> ast::Expr {
        let mark = self.shadowed.len();
        self.shadowed.extend(names);
        let e = self.expr(e);
        self.shadowed.truncate(mark);
        e
    }

    fn binding(&mut self, b: &ast::Binding) -> ast::Binding {
        let body = self.under(param_names(&b.params), &b.body);
        ast::Binding { body, ..b.clone() }
    }

    fn arm(&mut self, a: &ast::MatchArm) -> ast::MatchArm {
        let mut names = Vec::new();
        pattern_vars(&a.pattern, &mut names);
        let names: Vec<String> = names.into_iter().map(|n| n.name).collect();
        let mark = self.shadowed.len();
        self.shadowed.extend(names);
        let guard = a.guard.as_ref().map(|g| self.expr(g));
        let body = self.expr(&a.body);
        self.shadowed.truncate(mark);
        ast::MatchArm {
            guard,
            body,
            ..a.clone()
        }
    }

    fn arms(&mut self, arms: &[ast::MatchArm]) -> Vec<ast::MatchArm> {
        arms.iter().map(|a| self.arm(a)).collect()
    }

    fn b(&mut self, e: &ast::Expr) -> Box<ast::Expr> {
        Box::new(self.expr(e))
    }

    fn list(&mut self, es: &[ast::Expr]) -> Vec<ast::Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn fields(&mut self, fs: &[(ast::Ident, ast::Expr)]) -> Vec<(ast::Ident, ast::Expr)> {
        fs.iter().map(|(n, e)| (n.clone(), self.expr(e))).collect()
    }

    fn expr(&mut self, e: &ast::Expr) -> ast::Expr {
        let span = e.span;
        let kind = match &e.kind {
            A::Var(n) => match self.member(n) {
                Some(c) if self.cases => {
                    A::App(Box::new(var(c, n.span)), Box::new(expr(A::Unit, n.span)))
                }
                Some(m) => A::Dot(Box::new(var(self.this, n.span)), ident(m, n.span)),
                None => A::Var(n.clone()),
            },
            A::App(f, x)
                if self.cases && matches!(&f.kind, A::Var(n) if self.member(n).is_some()) =>
            {
                let A::Var(n) = &f.kind else {
                    unreachable!("matched above")
                };
                let case = self.member(n).cloned().unwrap_or_default();
                A::App(Box::new(var(&case, n.span)), self.b(x))
            }
            A::TypeApp(n, args) => match self.member(n) {
                Some(m) => A::DotTypeApp(
                    Box::new(var(self.this, n.span)),
                    ident(m, n.span),
                    args.clone(),
                ),
                None => A::TypeApp(n.clone(), args.clone()),
            },
            A::Unit
            | A::Int(..)
            | A::Float(..)
            | A::Str(_)
            | A::Char(_)
            | A::Bool(_)
            | A::OpValue(_)
            | A::Error => e.kind.clone(),
            A::DotTypeApp(x, n, args) => A::DotTypeApp(self.b(x), n.clone(), args.clone()),
            A::Dot(x, n) => A::Dot(self.b(x), n.clone()),
            A::App(f, x) => A::App(self.b(f), self.b(x)),
            A::Binary(op, a, b) => A::Binary(*op, self.b(a), self.b(b)),
            A::Unary(op, a) => A::Unary(*op, self.b(a)),
            A::If(c, t, f) => A::If(self.b(c), self.b(t), f.as_ref().map(|f| self.b(f))),
            A::While(c, body) => A::While(self.b(c), self.b(body)),
            A::ForIn(i, a, b, body) => {
                let (a, b) = (self.b(a), self.b(b));
                A::ForIn(
                    i.clone(),
                    a,
                    b,
                    Box::new(self.under(vec![i.name.clone()], body)),
                )
            }
            A::ForEach(i, c, body) => {
                let c = self.b(c);
                A::ForEach(
                    i.clone(),
                    c,
                    Box::new(self.under(vec![i.name.clone()], body)),
                )
            }
            A::ForTo(i, a, dir, b, body) => {
                let (a, b) = (self.b(a), self.b(b));
                let body = Box::new(self.under(vec![i.name.clone()], body));
                A::ForTo(i.clone(), a, *dir, b, body)
            }
            A::Let(decl, body) => {
                let mut names = Vec::new();
                for b in &decl.bindings {
                    match &b.pattern {
                        Some(p) => {
                            let mut ns = Vec::new();
                            pattern_vars(p, &mut ns);
                            names.extend(ns.into_iter().map(|n| n.name));
                        }
                        None => names.push(b.name.name.clone()),
                    }
                }
                let mark = self.shadowed.len();
                if decl.is_rec {
                    self.shadowed.extend(names.iter().cloned());
                }
                let bindings = decl.bindings.iter().map(|b| self.binding(b)).collect();
                self.shadowed.truncate(mark);
                let body = Box::new(self.under(names, body));
                let decl = ast::LetDecl {
                    bindings,
                    ..(**decl).clone()
                };
                A::Let(Box::new(decl), body)
            }
            A::Seq(es) => A::Seq(self.list(es)),
            A::Assign(t, v) => A::Assign(self.b(t), self.b(v)),
            A::Yield(x) => A::Yield(self.b(x)),
            A::YieldFrom(x) => A::YieldFrom(self.b(x)),
            A::CeOnly(kw, x) => A::CeOnly(kw.clone(), self.b(x)),
            A::Lambda(params, body) => A::Lambda(
                params.clone(),
                Box::new(self.under(param_names(params), body)),
            ),
            A::Tuple(es) => A::Tuple(self.list(es)),
            A::Match(x, arms) => A::Match(self.b(x), self.arms(arms)),
            A::Function(arms) => A::Function(self.arms(arms)),
            A::TryWith(x, arms) => A::TryWith(self.b(x), self.arms(arms)),
            A::TryFinally(x, f) => A::TryFinally(self.b(x), self.b(f)),
            A::Record(fs) => A::Record(self.fields(fs)),
            A::RecordUpdate(x, fs) => A::RecordUpdate(self.b(x), self.fields(fs)),
            A::List(es) => A::List(self.list(es)),
            A::Range(a, b) => A::Range(self.b(a), self.b(b)),
            A::RangeStep(a, s, b, arr) => A::RangeStep(self.b(a), self.b(s), self.b(b), *arr),
            A::Array(es) => A::Array(self.list(es)),
            A::ArrayRange(a, b) => A::ArrayRange(self.b(a), self.b(b)),
            A::Index(a, i) => A::Index(self.b(a), self.b(i)),
            A::Slice(a, i, j) => A::Slice(
                self.b(a),
                i.as_ref().map(|i| self.b(i)),
                j.as_ref().map(|j| self.b(j)),
            ),
            A::Typed(x, t) => A::Typed(self.b(x), t.clone()),
            A::Upcast(x, t) => A::Upcast(self.b(x), t.clone()),
            A::Object(i, members) => A::Object(
                i.clone(),
                members
                    .iter()
                    .map(|m| ast::MemberDecl {
                        body: self.under(param_names(&m.params), &m.body),
                        ..m.clone()
                    })
                    .collect(),
            ),
        };
        expr(kind, span)
    }
}
