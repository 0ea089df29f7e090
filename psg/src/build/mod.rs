//! AST → PSG. Structure only: names are resolved and types inferred by the
//! passes. Light desugaring happens here so every later stage sees one
//! shape per construct:
//! * application chains are flattened (`f a b` → Apply [f, a, b]);
//! * `x |> f a` and `f a <| x` become Apply [f, a, x];
//! * `-` applied to a literal is folded into the literal, and integer
//!   literals are range-checked for their type (E0108).

use crate::graph::*;
use crate::types::PreludeType;
use clef_frontend::ast::{self, BinOp, ExprKind as A, IntSuffix, UnOp};
use std::collections::HashMap;
mod active;
mod classes;
mod comprehension;
mod desugar;
mod error;
mod interfaces;
mod members;
mod names;
mod prelude;

use clef_frontend::{Diagnostic, Span};
use desugar::*;
pub use error::BuildError;

/// The prelude's functions (see `prelude.clef`).
const PRELUDE: &str = include_str!("../prelude.clef");

/// Build the PSG of a parsed file. `default_module` names the module when
/// the file has no `module` line (F# uses the file name).
pub fn build(file: &ast::File, default_module: &str) -> (Psg, Vec<Diagnostic>) {
    let mut b = Builder {
        psg: Psg::default(),
        errors: Vec::new(),
        exceptions: Vec::new(),
        groups: 0,
        modules: Vec::new(),
        opens: Vec::new(),
        current_module: String::new(),
        union_types: Vec::new(),
        static_members: Vec::new(),
        // The prelude's interfaces (built after the program).
        interfaces: HashMap::from([(
            "IDisposable".to_string(),
            vec![("Dispose".to_string(), false)],
        )]),
        type_names: Default::default(),
        active: HashMap::new(),
    };
    let mut name = default_module.to_string();
    let mut module_span = Span::default();
    for (i, item) in file.items.iter().enumerate() {
        if let ast::Item::Module { path, span } = item {
            if i == 0 {
                name = path
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                module_span = *span;
            } else {
                b.errors.push(BuildError::ModuleNotFirst { at: *span });
            }
        }
    }
    let root = b.psg.add_node(NodeKind::Module(name), module_span);
    b.psg.root = Some(root);
    b.items(root, &file.items, "");
    b.prelude();
    let diags = b.errors.iter().map(BuildError::to_diagnostic).collect();
    (b.psg, diags)
}

struct Builder {
    psg: Psg,
    errors: Vec<BuildError>,
    /// The program's `exception` declarations, in order: the cases `exn`
    /// gets after the runtime's.
    exceptions: Vec<UnionCaseInfo>,
    /// Number of `let` declarations seen, numbering binding groups.
    groups: u32,
    /// Nested modules declared so far, by qualified name (`A`, `A.B`).
    modules: Vec<String>,
    /// The modules opened in the modules being built, by qualified name.
    opens: Vec<String>,
    /// The qualified name of the nested module being built (empty for the
    /// file's module).
    current_module: String,
    /// Union types declared so far: qualified name and case names, for
    /// cases qualified by their type (`Shape.Circle`).
    union_types: Vec<(String, Vec<String>)>,
    /// Types with members declared so far, by qualified name, with the
    /// names of their static members.
    static_members: Vec<(String, Vec<String>)>,
    /// Active pattern cases declared so far, by case name.
    active: HashMap<String, active::ActiveCase>,
    /// Interfaces declared so far, by their short name: their slots.
    interfaces: HashMap<String, interfaces::Slots>,
    /// The names of the types declared so far (for `type Id = Other`).
    type_names: std::collections::HashSet<String>,
}

impl Builder {
    /// Build a module's items as children of `parent`; `prefix` is the
    /// module's qualified name (empty for the file's module).
    fn items(&mut self, parent: NodeId, items: &[ast::Item], prefix: &str) {
        for item in items {
            match item {
                ast::Item::Module { .. } => {}
                ast::Item::NestedModule { name, items, span } => {
                    let full = if prefix.is_empty() {
                        name.name.clone()
                    } else {
                        format!("{prefix}.{}", name.name)
                    };
                    self.modules.push(full.clone());
                    let m = self.psg.add_node(NodeKind::Module(full.clone()), *span);
                    self.psg.add_child(parent, m);
                    let opens = self.opens.len();
                    let outer = std::mem::replace(&mut self.current_module, full.clone());
                    self.items(m, items, &full);
                    self.current_module = outer;
                    self.opens.truncate(opens);
                }
                ast::Item::Open { path, span } => {
                    let path = path
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(".");
                    if let Some(full) = self.visible_module(&path, prefix) {
                        self.opens.push(full);
                    }
                    let n = self.psg.add_node(NodeKind::Open(path), *span);
                    self.psg.add_child(parent, n);
                }
                ast::Item::Let(decl) if decl.bindings.iter().any(|bnd| bnd.pattern.is_some()) => {
                    self.errors
                        .push(BuildError::TopLevelPattern { at: decl.span });
                }
                ast::Item::Let(decl) => {
                    for binding in self.let_decl(decl) {
                        self.psg.add_child(parent, binding);
                    }
                }
                ast::Item::Type(decl) => {
                    for n in self.type_item(decl) {
                        self.psg.add_child(parent, n);
                    }
                }
                ast::Item::Do(e) => {
                    let init = self.psg.add_node(NodeKind::Init, e.span);
                    let e = self.expr(e);
                    self.psg.add_child(init, e);
                    self.psg.add_child(parent, init);
                }
            }
        }
    }

    /// A `type` item: its declaration, then its members (a class and an
    /// interface are desugared to a record with members first).
    fn type_item(&mut self, decl: &ast::TypeDecl) -> Vec<NodeId> {
        let (decl, ctor) = match &decl.repr {
            ast::TypeRepr::Class { .. } => {
                let mut implemented: Vec<&ast::Ident> = Vec::new();
                for m in &decl.members {
                    if let Some(i) = &m.interface {
                        if !implemented.iter().any(|x| x.name == i.name) {
                            implemented.push(i);
                        }
                    }
                }
                for i in implemented {
                    let names: Vec<&ast::Ident> = decl
                        .members
                        .iter()
                        .filter(|m| m.interface.as_ref().is_some_and(|x| x.name == i.name))
                        .map(|m| &m.name)
                        .collect();
                    self.check_implementation(i, &names);
                }
                let (record, ctor) = classes::desugar(decl, &self.interfaces);
                (record, Some(ctor))
            }
            ast::TypeRepr::Interface(_) => {
                self.interfaces
                    .insert(decl.name.name.clone(), interfaces::slots(decl));
                (interfaces::desugar(decl), None)
            }
            _ => (decl.clone(), None),
        };
        let n = self.type_decl(&decl);
        let mut nodes = vec![n];
        nodes.extend(self.members(&decl, n, ctor));
        nodes
    }

    /// Whether the members `names` implement exactly the slots of
    /// `interface`; reports what does not match.
    fn check_implementation(&mut self, interface: &ast::Ident, names: &[&ast::Ident]) -> bool {
        let short = interface.name.rsplit('.').next().unwrap_or(&interface.name);
        let Some(slots) = self.interfaces.get(short) else {
            self.errors.push(BuildError::UnknownInterface {
                name: interface.name.clone(),
                at: interface.span,
            });
            return false;
        };
        let missing: Vec<String> = slots
            .iter()
            .filter(|(s, _)| !names.iter().any(|n| n.name == *s))
            .map(|(s, _)| s.clone())
            .collect();
        let extra: Vec<String> = names
            .iter()
            .filter(|n| !slots.iter().any(|(s, _)| *s == n.name))
            .map(|n| n.name.clone())
            .collect();
        if missing.is_empty() && extra.is_empty() {
            return true;
        }
        self.errors.push(BuildError::InterfaceMismatch {
            interface: short.to_string(),
            missing,
            extra,
            at: interface.span,
        });
        false
    }

    fn type_decl(&mut self, decl: &ast::TypeDecl) -> NodeId {
        let measure = match &decl.repr {
            ast::TypeRepr::Measure(None) => Some(MeasureDef::Base),
            ast::TypeRepr::Measure(Some(m)) => Some(MeasureDef::Abbreviation(m.clone())),
            _ => None,
        };
        // `type Id = int` parses as a one-case union; a case named like a
        // type in sight is that type, as F# reads it.
        let abbreviation = match &decl.repr {
            ast::TypeRepr::Abbrev(t) => Some(t.clone()),
            ast::TypeRepr::Union(cases)
                if cases.len() == 1
                    && cases[0].fields.is_empty()
                    && (crate::types::PRIMITIVE_TYPE_NAMES
                        .contains(&cases[0].name.name.as_str())
                        || self.type_names.contains(&cases[0].name.name)) =>
            {
                let name = cases[0].name.clone();
                Some(ast::TypeExpr {
                    span: name.span,
                    kind: ast::TypeExprKind::Named {
                        name,
                        args: Vec::new(),
                    },
                })
            }
            _ => None,
        };
        self.type_names.insert(decl.name.name.clone());
        let mutable_fields = match &decl.repr {
            ast::TypeRepr::Record(fields) => fields
                .iter()
                .filter(|f| f.is_mutable)
                .map(|f| f.name.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        let (fields, cases) = match &decl.repr {
            ast::TypeRepr::Exception(case) => return self.exception_decl(decl, case),
            // A class is a record by now (`classes::desugar`).
            ast::TypeRepr::Measure(_)
            | ast::TypeRepr::Abbrev(_)
            | ast::TypeRepr::Class { .. }
            | ast::TypeRepr::Interface(_) => (Vec::new(), Vec::new()),
            ast::TypeRepr::Union(_) if abbreviation.is_some() => (Vec::new(), Vec::new()),
            ast::TypeRepr::Record(fields) => (
                fields
                    .iter()
                    .map(|f| (f.name.name.clone(), f.ty.clone()))
                    .collect(),
                Vec::new(),
            ),
            ast::TypeRepr::Union(cases) => (
                Vec::new(),
                cases
                    .iter()
                    .map(|c| UnionCaseInfo {
                        name: c.name.name.clone(),
                        span: c.name.span,
                        fields: c
                            .fields
                            .iter()
                            .map(|(n, t)| (n.as_ref().map(|n| n.name.clone()), t.clone()))
                            .collect(),
                    })
                    .collect(),
            ),
        };
        if !cases.is_empty() {
            let qualified = self.qualified(&decl.name.name);
            let names = cases
                .iter()
                .map(|c: &UnionCaseInfo| c.name.clone())
                .collect();
            self.union_types.push((qualified, names));
        }
        let info = TypeDeclInfo {
            name: decl.name.name.clone(),
            name_span: decl.name.span,
            params: decl.params.iter().map(|p| p.name.clone()).collect(),
            measure_params: decl.measure_params.clone(),
            fields,
            mutable_fields,
            cases,
            measure,
            abbreviation,
            exception_case: None,
            members: Vec::new(),
            constructor: None,
        };
        self.psg.add_node(NodeKind::TypeDecl(info), decl.span)
    }

    /// `exception Invalid of string * int`: the case joins the prelude's
    /// `exn`; the declaration left here names it in its module.
    fn exception_decl(&mut self, decl: &ast::TypeDecl, case: &ast::UnionCase) -> NodeId {
        let info = UnionCaseInfo {
            name: case.name.name.clone(),
            span: case.name.span,
            fields: case
                .fields
                .iter()
                .map(|(n, t)| (n.as_ref().map(|n| n.name.clone()), t.clone()))
                .collect(),
        };
        let index = barewire_model::exceptions::BUILTIN.len() + self.exceptions.len();
        self.exceptions.push(info);
        let info = TypeDeclInfo {
            name: decl.name.name.clone(),
            name_span: decl.name.span,
            params: Vec::new(),
            measure_params: Vec::new(),
            fields: Vec::new(),
            mutable_fields: Vec::new(),
            cases: Vec::new(),
            measure: None,
            abbreviation: None,
            exception_case: Some(index),
            members: Vec::new(),
            constructor: None,
        };
        self.psg.add_node(NodeKind::TypeDecl(info), decl.span)
    }

    fn let_decl(&mut self, decl: &ast::LetDecl) -> Vec<NodeId> {
        // `let (|Even|Odd|) n = …`: the cases are known from here on.
        if decl.bindings.iter().any(|b| active::cases_of(b).is_some()) {
            let mut decl = decl.clone();
            for b in &mut decl.bindings {
                let Some(cases) = active::cases_of(b) else {
                    continue;
                };
                if cases.len() > active::MAX_CASES && !cases[0].1.partial {
                    self.errors.push(BuildError::ActivePattern {
                        message: format!(
                            "an active pattern with more than {} cases is not supported",
                            active::MAX_CASES
                        ),
                        at: b.name.span,
                    });
                }
                *b = active::definition(b, &cases);
                self.active.extend(cases);
            }
            return self.let_decl_inner(&decl);
        }
        self.let_decl_inner(decl)
    }

    fn let_decl_inner(&mut self, decl: &ast::LetDecl) -> Vec<NodeId> {
        let mut is_entry = false;
        let mut is_kernel = false;
        for attr in &decl.attributes {
            if attr.name.name == "EntryPoint" {
                is_entry = true;
            } else if attr.name.name == "Kernel" {
                is_kernel = true;
            } else {
                self.errors.push(BuildError::UnknownAttribute {
                    name: attr.name.name.clone(),
                    at: attr.name.span,
                });
            }
        }
        self.groups += 1;
        let group = self.groups;
        decl.bindings
            .iter()
            .enumerate()
            .map(|(i, bnd)| {
                let b = self.binding(bnd, decl.is_rec, decl.is_use, group, is_entry && i == 0);
                if let NodeKind::Binding(info) = &mut self.psg.node_mut(b).kind {
                    info.is_kernel = is_kernel;
                }
                b
            })
            .collect()
    }

    fn binding(
        &mut self,
        bnd: &ast::Binding,
        is_rec: bool,
        is_use: bool,
        group: u32,
        is_entry: bool,
    ) -> NodeId {
        let rewritten = as_function_binding(bnd);
        let bnd = rewritten.as_ref().unwrap_or(bnd);
        let info = BindingInfo {
            name: bnd.name.name.clone(),
            role: BindingRole::Let,
            is_mutable: bnd.is_mutable,
            is_rec,
            group,
            is_entry,
            is_kernel: false,
            arity: bnd.params.len(),
            annotation: bnd.return_type.clone(),
            type_params: bnd.type_params.iter().map(|t| t.name.clone()).collect(),
            is_use,
            name_span: bnd.name.span,
        };
        let node = self.psg.add_node(NodeKind::Binding(info), bnd.span);
        // A tuple-pattern parameter `(a, b)` is a parameter `p@i` whose
        // body matches it: `match p@i with (a, b) -> body`.
        let mut body = bnd.body.clone();
        for (i, p) in bnd.params.iter().enumerate().rev() {
            if let ast::Param::Pattern(pat) = p {
                body = match_one(
                    var_expr(&format!("p@{i}"), pat.span),
                    pat.clone(),
                    body,
                    pat.span,
                );
            }
        }
        for (i, p) in bnd.params.iter().enumerate() {
            let (name, annotation, name_span) = match p {
                ast::Param::Unit(s) => ("()".to_string(), None, *s),
                ast::Param::Wildcard(s) => ("_".to_string(), None, *s),
                ast::Param::Named { name, ty } => (name.name.clone(), ty.clone(), name.span),
                ast::Param::Pattern(pat) => (format!("p@{i}"), None, pat.span),
            };
            let info = BindingInfo {
                annotation,
                ..BindingInfo::name_only(name, BindingRole::Param, name_span)
            };
            let param = self.psg.add_node(NodeKind::Binding(info), p.span());
            self.psg.add_child(node, param);
        }
        let body = self.expr(&body);
        self.psg.add_child(node, body);
        node
    }

    fn pattern(&mut self, p: &ast::Pattern) -> NodeId {
        use ast::PatternKind as P;
        let span = p.span;
        let pattern_node = |b: &mut Self, kind: PatternKind, kids: &[NodeId]| {
            let n = b.psg.add_node(NodeKind::Pattern(kind), span);
            for &k in kids {
                b.psg.add_child(n, k);
            }
            n
        };
        match &p.kind {
            P::Wildcard => pattern_node(self, PatternKind::Wildcard, &[]),
            P::Var(n) | P::Case(n, _) | P::ActiveApp(n, _) if self.active.contains_key(&n.name) => {
                self.errors.push(BuildError::ActivePattern {
                    message: format!(
                        "the active pattern case `{}` is only supported at the top of a match arm's pattern",
                        n.name
                    ),
                    at: p.span,
                });
                pattern_node(self, PatternKind::Wildcard, &[])
            }
            P::Var(ident) => self.pattern_var(ident),
            P::Unit => pattern_node(self, PatternKind::Lit(Literal::Unit), &[]),
            P::Int(v, suffix) => {
                let lit = self.int_literal(v.unsigned_abs() as u64, *suffix, *v < 0, span);
                pattern_node(self, PatternKind::Lit(lit), &[])
            }
            P::Float(v, f32) => pattern_node(self, PatternKind::Lit(Literal::Float(*v, *f32)), &[]),
            P::Str(s) => pattern_node(self, PatternKind::Lit(Literal::Str(s.clone())), &[]),
            P::Char(c) => pattern_node(self, PatternKind::Lit(Literal::Char(*c)), &[]),
            P::Bool(b) => pattern_node(self, PatternKind::Lit(Literal::Bool(*b)), &[]),
            P::Tuple(items) => {
                let kids: Vec<NodeId> = items.iter().map(|i| self.pattern(i)).collect();
                pattern_node(self, PatternKind::Tuple, &kids)
            }
            P::Or(a, b) => {
                let a = self.pattern(a);
                let b = self.pattern(b);
                pattern_node(self, PatternKind::Or, &[a, b])
            }
            P::As(inner, name) => {
                let inner = self.pattern(inner);
                let v = self.pattern_var(name);
                pattern_node(self, PatternKind::As, &[inner, v])
            }
            P::Typed(inner, ty) => {
                let inner = self.pattern(inner);
                pattern_node(self, PatternKind::Typed(ty.clone()), &[inner])
            }
            P::List(items) => {
                let nil = ast::Pattern {
                    kind: P::Var(ast::Ident {
                        name: "[]".into(),
                        span,
                    }),
                    span,
                };
                let list = items
                    .iter()
                    .rev()
                    .fold(nil, |tail, h| cons_pattern(h.clone(), tail, span));
                self.pattern(&list)
            }
            P::Cons(h, t) => {
                let cons = cons_pattern((**h).clone(), (**t).clone(), span);
                self.pattern(&cons)
            }
            P::ActiveApp(n, _) => {
                self.errors.push(BuildError::ActivePattern {
                    message: format!(
                        "`{}` is not an active pattern: a case takes one pattern",
                        n.name
                    ),
                    at: p.span,
                });
                pattern_node(self, PatternKind::Wildcard, &[])
            }
            P::Case(name, arg) => {
                let arg = self.pattern(arg);
                pattern_node(self, PatternKind::Case(name.name.clone()), &[arg])
            }
            P::TypeTest(name) => {
                // `:? System.DivideByZeroException` tests the case of that
                // exception; `:? Exception` (the base type) matches any.
                let short = name.name.strip_prefix("System.").unwrap_or(&name.name);
                if short == "Exception" {
                    pattern_node(self, PatternKind::Wildcard, &[])
                } else if barewire_model::exceptions::tag(short).is_some_and(|t| t > 0) {
                    let any = pattern_node(self, PatternKind::Wildcard, &[]);
                    pattern_node(self, PatternKind::Case(short.to_string()), &[any])
                } else {
                    self.errors.push(BuildError::TypeTestNotException {
                        name: name.name.clone(),
                        at: name.span,
                    });
                    pattern_node(self, PatternKind::Wildcard, &[])
                }
            }
            P::Record(fields) => {
                let names = fields.iter().map(|(n, _)| n.name.clone()).collect();
                let kids: Vec<NodeId> = fields.iter().map(|(_, p)| self.pattern(p)).collect();
                pattern_node(self, PatternKind::Record(names), &kids)
            }
        }
    }

    fn pattern_var(&mut self, ident: &ast::Ident) -> NodeId {
        self.simple_binding(ident, BindingRole::PatternVar)
    }

    /// A binding that is only a name: a pattern or loop variable.
    fn simple_binding(&mut self, ident: &ast::Ident, role: BindingRole) -> NodeId {
        let info = BindingInfo::name_only(ident.name.clone(), role, ident.span);
        self.psg.add_node(NodeKind::Binding(info), ident.span)
    }

    fn arms(&mut self, arms: &[ast::MatchArm]) -> Vec<NodeId> {
        arms.iter()
            .map(|arm| {
                let mut kids = vec![self.pattern(&arm.pattern)];
                if let Some(g) = &arm.guard {
                    kids.push(self.expr(g));
                }
                kids.push(self.expr(&arm.body));
                let n = self.psg.add_node(
                    NodeKind::Arm {
                        guarded: arm.guard.is_some(),
                    },
                    arm.span,
                );
                for k in kids {
                    self.psg.add_child(n, k);
                }
                n
            })
            .collect()
    }

    fn node(&mut self, kind: ExprKind, span: Span, children: &[NodeId]) -> NodeId {
        let n = self.psg.add_node(NodeKind::Expr(kind), span);
        for &c in children {
            self.psg.add_child(n, c);
        }
        n
    }

    fn expr(&mut self, e: &ast::Expr) -> NodeId {
        let span = e.span;
        match &e.kind {
            A::Unit => self.node(ExprKind::Lit(Literal::Unit), span, &[]),
            A::Int(v, s) => {
                let lit = self.int_literal(*v, *s, false, span);
                self.node(ExprKind::Lit(lit), span, &[])
            }
            A::Float(v, f32) => self.node(ExprKind::Lit(Literal::Float(*v, *f32)), span, &[]),
            A::Str(s) => self.node(ExprKind::Lit(Literal::Str(s.clone())), span, &[]),
            A::Char(c) => self.node(ExprKind::Lit(Literal::Char(*c)), span, &[]),
            A::Bool(v) => self.node(ExprKind::Lit(Literal::Bool(*v)), span, &[]),
            A::Var(i) => self.node(ExprKind::Var(i.name.clone()), span, &[]),
            A::OpValue(op) => self.expr(&desugar::operator_lambda(*op, span)),
            A::TypeApp(i, args) => {
                let n = self.node(ExprKind::Var(i.name.clone()), span, &[]);
                self.psg.set_explicit_type_args(n, args.clone());
                n
            }
            // `Option.map` and friends: a qualified name of the prelude.
            A::Dot(obj, name) if matches!(&obj.kind, A::Var(m) if matches!(m.name.as_str(), "Option" | "List" | "Array" | "String" | "Result" | "BAREWire" | "PlatformConfig" | "AppConfig")) =>
            {
                let A::Var(m) = &obj.kind else {
                    unreachable!("checked by the guard")
                };
                if m.name != "Option" {
                    return self.node(
                        ExprKind::Var(format!("{}.{}", m.name, name.name)),
                        span,
                        &[],
                    );
                }
                self.node(ExprKind::Var(format!("Option.{}", name.name)), span, &[])
            }
            A::Dot(obj, name) => self.dot(obj, name, span),
            A::DotTypeApp(obj, name, args) => {
                let dotted = ast::Expr::new(A::Dot(obj.clone(), name.clone()), span);
                let n = match identifier_path(&dotted) {
                    // `M.f<T>` with `M` not a module in sight: name
                    // resolution says what `M` is (a value: E0415).
                    Some(path) if self.module_path(obj).is_none() => {
                        self.node(ExprKind::Var(path), span, &[])
                    }
                    _ => self.expr(&dotted),
                };
                // On a member (not a function of a module), name
                // resolution reports them (E0415).
                self.psg.set_explicit_type_args(n, args.clone());
                n
            }
            A::App(..) => {
                let (head, args) = flatten_app(e);
                self.apply(head, &args, span)
            }
            A::Binary(BinOp::PipeRight | BinOp::PipeLeft, a, b) => {
                let (f, x) = if matches!(e.kind, A::Binary(BinOp::PipeRight, ..)) {
                    (b, a)
                } else {
                    (a, b)
                };
                let (head, mut args) = flatten_app(f);
                args.push(x);
                let n = self.apply(head, &args, span);
                self.psg.set_piped(n);
                n
            }
            A::Binary(BinOp::Cons, h, t) => {
                let cons = cons_expr((**h).clone(), (**t).clone(), span);
                self.expr(&cons)
            }
            A::Binary(BinOp::Append, a, b) => {
                let app = app_expr(
                    app_expr(var_expr("List.append", span), (**a).clone()),
                    (**b).clone(),
                );
                self.expr(&app)
            }
            A::List(items) | A::Array(items)
                if items.iter().any(comprehension::is_comprehension) =>
            {
                let array = matches!(e.kind, A::Array(_));
                self.expr(&comprehension::desugar(items, array, span))
            }
            A::CeOnly(keyword, _) => {
                self.errors.push(BuildError::OutsideComputation {
                    keyword: keyword.clone(),
                    at: span,
                });
                self.node(ExprKind::Error, span, &[])
            }
            A::Yield(_) | A::YieldFrom(_) => {
                self.errors
                    .push(BuildError::YieldOutsideListExpression { at: span });
                self.node(ExprKind::Error, span, &[])
            }
            A::List(items) => {
                let list = items.iter().rev().fold(var_expr("[]", span), |tail, h| {
                    cons_expr(h.clone(), tail, span)
                });
                self.expr(&list)
            }
            A::Range(a, b) => {
                let app = app_expr(
                    app_expr(var_expr("List.range", span), (**a).clone()),
                    (**b).clone(),
                );
                self.expr(&app)
            }
            A::RangeStep(a, s, b, array) => {
                let f = if *array {
                    "Array.rangeStep"
                } else {
                    "List.rangeStep"
                };
                let app = app_expr(
                    app_expr(app_expr(var_expr(f, span), (**a).clone()), (**s).clone()),
                    (**b).clone(),
                );
                self.expr(&app)
            }
            A::ArrayRange(a, b) => {
                let app = app_expr(
                    app_expr(var_expr("Array.range", span), (**a).clone()),
                    (**b).clone(),
                );
                self.expr(&app)
            }
            A::Array(items) => {
                let kids: Vec<_> = items.iter().map(|i| self.expr(i)).collect();
                self.node(ExprKind::Array, span, &kids)
            }
            A::Binary(BinOp::ComposeRight, f, g) => self.compose(f, g, span),
            A::Binary(BinOp::ComposeLeft, g, f) => self.compose(f, g, span),
            A::Binary(op, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.node(ExprKind::Binary(*op), span, &[a, b])
            }
            A::Unary(UnOp::Neg, inner) => match &inner.kind {
                A::Int(v, s) => {
                    let lit = self.int_literal(*v, *s, true, span);
                    self.node(ExprKind::Lit(lit), span, &[])
                }
                A::Float(v, f32) => self.node(ExprKind::Lit(Literal::Float(-*v, *f32)), span, &[]),
                _ => {
                    let a = self.expr(inner);
                    self.node(ExprKind::Neg, span, &[a])
                }
            },
            A::If(c, t, el) => {
                let mut kids = vec![self.expr(c), self.expr(t)];
                if let Some(el) = el {
                    kids.push(self.expr(el));
                }
                self.node(ExprKind::If, span, &kids)
            }
            A::While(c, body) => {
                let c = self.expr(c);
                let body = self.expr(body);
                self.node(ExprKind::While, span, &[c, body])
            }
            A::ForIn(v, from, to, body) => {
                self.for_loop(v, from, to, body, ast::ForDirection::To, span)
            }
            A::ForTo(v, from, dir, to, body) => self.for_loop(v, from, to, body, *dir, span),
            A::ForEach(v, collection, body) => {
                let var = self.loop_var(v);
                let c = self.expr(collection);
                let body = self.expr(body);
                self.node(ExprKind::ForEach, span, &[var, c, body])
            }
            A::Let(decl, body) if decl.bindings.first().is_some_and(|b| b.pattern.is_some()) => {
                // `let (a, b) = e` then `rest`: `match e with (a, b) -> rest`.
                let b = &decl.bindings[0];
                let pattern = b.pattern.clone().expect("checked by the guard");
                let m = match_one(b.body.clone(), pattern, (**body).clone(), span);
                self.expr(&m)
            }
            A::Let(decl, body) => {
                let mut kids = self.let_decl(decl);
                kids.push(self.expr(body));
                self.node(ExprKind::Let, span, &kids)
            }
            A::Seq(items) => {
                let kids: Vec<_> = items.iter().map(|i| self.expr(i)).collect();
                self.node(ExprKind::Seq, span, &kids)
            }
            A::Tuple(items) => {
                let kids: Vec<_> = items.iter().map(|i| self.expr(i)).collect();
                self.node(ExprKind::Tuple, span, &kids)
            }
            A::Record(fields) => {
                let mut module = None;
                let names = fields
                    .iter()
                    .map(|(n, _)| match n.name.rsplit_once('.') {
                        Some((m, short)) => {
                            module.get_or_insert_with(|| m.to_string());
                            short.to_string()
                        }
                        None => n.name.clone(),
                    })
                    .collect();
                let kids: Vec<_> = fields.iter().map(|(_, e)| self.expr(e)).collect();
                let kind = ExprKind::Record {
                    fields: names,
                    module,
                };
                self.node(kind, span, &kids)
            }
            A::RecordUpdate(base, fields) => {
                let names = fields.iter().map(|(n, _)| n.name.clone()).collect();
                let mut kids = vec![self.expr(base)];
                kids.extend(fields.iter().map(|(_, e)| self.expr(e)));
                self.node(ExprKind::RecordUpdate(names), span, &kids)
            }
            A::Match(scrutinee, arms)
                if arms
                    .iter()
                    .any(|a| active::top_case(&a.pattern, &self.active).is_some()) =>
            {
                match active::desugar_match(scrutinee, arms, &self.active, span) {
                    Ok(e) => self.expr(&e),
                    Err(misuse) => {
                        let (message, at) = match misuse {
                            active::Misuse::TooManyArguments { case, at } => (
                                format!("`{case}` is given more patterns than its parameters and its result"),
                                at,
                            ),
                            active::Misuse::ParameterNotValue { at } => (
                                "an active pattern's argument must be a value (a literal or a name)".to_string(),
                                at,
                            ),
                        };
                        self.errors.push(BuildError::ActivePattern { message, at });
                        self.node(ExprKind::Error, span, &[])
                    }
                }
            }
            A::Match(scrutinee, arms) => {
                let mut kids = vec![self.expr(scrutinee)];
                kids.extend(self.arms(arms));
                self.node(ExprKind::Match, span, &kids)
            }
            A::TryWith(body, arms) => {
                let mut kids = vec![self.expr(body)];
                kids.extend(self.arms(arms));
                self.node(ExprKind::TryWith, span, &kids)
            }
            A::TryFinally(body, cleanup) => {
                let kids = [self.expr(body), self.expr(cleanup)];
                self.node(ExprKind::TryFinally, span, &kids)
            }
            A::Function(arms) => {
                let (params, body) = function_as_lambda(arms, span);
                self.expr(&ast::Expr::new(A::Lambda(params, Box::new(body)), span))
            }
            A::Lambda(params, body) => {
                self.groups += 1;
                let binding = ast::Binding {
                    type_params: Vec::new(),
                    pattern: None,
                    is_mutable: false,
                    name: ast::Ident {
                        name: "fun".into(),
                        span: Span::new(span.start as usize, span.start as usize + 3),
                    },
                    params: params.clone(),
                    return_type: None,
                    body: (**body).clone(),
                    span,
                };
                let b = self.binding(&binding, false, false, self.groups, false);
                self.node(ExprKind::Lambda, span, &[b])
            }
            A::Assign(target, value) => {
                let t = self.expr(target);
                let v = self.expr(value);
                self.node(ExprKind::Assign, span, &[t, v])
            }
            A::Index(a, i) => {
                let a = self.expr(a);
                let i = self.expr(i);
                self.node(ExprKind::Index, span, &[a, i])
            }
            A::Slice(a, from, to) => {
                let a = self.expr(a);
                let bound = |b: &mut Self, e: &Option<Box<ast::Expr>>, absent: u64| match e {
                    Some(e) => b.expr(e),
                    None => b.expr(&ast::Expr::new(A::Int(absent, IntSuffix::None), span)),
                };
                let from = bound(self, from, 0);
                let to = bound(self, to, i32::MAX as u64);
                self.node(ExprKind::Slice, span, &[a, from, to])
            }
            A::Upcast(inner, ty) => {
                let target = match &ty.kind {
                    ast::TypeExprKind::Named { name, args } if args.is_empty() => {
                        let short = name.name.rsplit('.').next().unwrap_or(&name.name);
                        self.interfaces
                            .contains_key(short)
                            .then(|| interfaces::view_member(short))
                    }
                    _ => None,
                };
                let e = match target {
                    Some(view) => ast::Expr::new(
                        A::Dot(
                            inner.clone(),
                            ast::Ident {
                                name: view,
                                span: ty.span,
                            },
                        ),
                        span,
                    ),
                    // Not an interface: the type checker sees an annotation.
                    None => ast::Expr::new(A::Typed(inner.clone(), ty.clone()), span),
                };
                self.expr(&e)
            }
            A::Object(interface, members) => {
                let names: Vec<&ast::Ident> = members.iter().map(|m| &m.name).collect();
                if !self.check_implementation(interface, &names) {
                    return self.node(ExprKind::Error, span, &[]);
                }
                let short = interface.name.rsplit('.').next().unwrap_or(&interface.name);
                let slots = self.interfaces.get(short).cloned().unwrap_or_default();
                let e = interfaces::object_expression(interface, &slots, members, span);
                self.expr(&e)
            }
            A::Typed(inner, ty) => {
                let a = self.expr(inner);
                self.node(ExprKind::Typed(ty.clone()), span, &[a])
            }
            A::Error => self.node(ExprKind::Error, span, &[]),
        }
    }

    /// `f >> g` is `let f' = f in let g' = g in fun x -> g' (f' x)`: both
    /// sides are evaluated once, when the composition is made, as in F#.
    /// The names contain `@`, so no program can refer to them.
    fn compose(&mut self, f: &ast::Expr, g: &ast::Expr, span: Span) -> NodeId {
        let ident = |name: &str| ast::Ident {
            name: name.to_string(),
            span,
        };
        let var = |name: &str| ast::Expr::new(A::Var(ident(name)), span);
        let app = |head: ast::Expr, arg: ast::Expr| {
            ast::Expr::new(A::App(Box::new(head), Box::new(arg)), span)
        };
        let lambda = ast::Expr::new(
            A::Lambda(
                vec![ast::Param::Named {
                    name: ident("x@compose"),
                    ty: None,
                }],
                Box::new(app(
                    var("g@compose"),
                    app(var("f@compose"), var("x@compose")),
                )),
            ),
            span,
        );
        let bind = |name: &str, value: &ast::Expr| let_decl(name, value.clone(), false, span);
        let inner = ast::Expr::new(
            A::Let(Box::new(bind("g@compose", g)), Box::new(lambda)),
            span,
        );
        let outer = ast::Expr::new(
            A::Let(Box::new(bind("f@compose", f)), Box::new(inner)),
            span,
        );
        self.expr(&outer)
    }

    fn apply(&mut self, head: &ast::Expr, args: &[&ast::Expr], span: Span) -> NodeId {
        let mut kids = vec![self.expr(head)];
        kids.extend(args.iter().map(|a| self.expr(a)));
        self.node(ExprKind::Apply, span, &kids)
    }

    fn loop_var(&mut self, var: &ast::Ident) -> NodeId {
        self.simple_binding(var, BindingRole::LoopVar)
    }

    fn for_loop(
        &mut self,
        var: &ast::Ident,
        from: &ast::Expr,
        to: &ast::Expr,
        body: &ast::Expr,
        dir: ast::ForDirection,
        span: Span,
    ) -> NodeId {
        let v = self.loop_var(var);
        let from = self.expr(from);
        let to = self.expr(to);
        let body = self.expr(body);
        self.node(ExprKind::For(dir), span, &[v, from, to, body])
    }

    fn int_literal(
        &mut self,
        value: u64,
        suffix: IntSuffix,
        negative: bool,
        span: Span,
    ) -> Literal {
        let (ty, max, name) = match suffix {
            IntSuffix::None => (IntTy::Int, i32::MAX as u64, "int"),
            IntSuffix::L => (IntTy::Int64, i64::MAX as u64, "int64"),
            IntSuffix::Uy => (IntTy::Byte, u8::MAX as u64, "byte"),
        };
        let limit = if negative && ty != IntTy::Byte {
            max + 1
        } else {
            max
        };
        if value > limit || (negative && ty == IntTy::Byte && value != 0) {
            self.errors.push(BuildError::LiteralOutOfRange {
                ty,
                type_name: name,
                at: span,
            });
            return Literal::Int(0, ty);
        }
        let v = value as i128;
        Literal::Int(if negative { -v } else { v } as i64, ty)
    }
}

/// `f a b` → (f, [a, b])
fn flatten_app(e: &ast::Expr) -> (&ast::Expr, Vec<&ast::Expr>) {
    let mut args = Vec::new();
    let mut head = e;
    while let A::App(f, a) = &head.kind {
        args.push(&**a);
        head = f;
    }
    args.reverse();
    (head, args)
}
