//! Lowering checks and facts codegen needs (closure-free functions).
//!
//! Input: the PSG and its types. Output:
//! * the captures table: every local function → the enclosing locals it
//!   reads; codegen passes them as extra leading arguments (lambda
//!   lifting). Capturing a `let mutable` is an error, as in F# (E0409).
//! * builtins are called with all their arguments (E0601) and not used as
//!   values (E0602); user functions may be partially applied or used as
//!   values, which codegen turns into closures.

use clef_frontend::{Diagnostic, Span};
use clef_psg::*;
use std::collections::{BTreeSet, HashMap};

pub fn lower(psg: &Psg, types: &TypeTable) -> (HashMap<NodeId, Vec<NodeId>>, Vec<LowerError>) {
    let mut diags = Vec::new();
    let Some(root) = psg.root else {
        return (HashMap::new(), diags);
    };
    check_calls(psg, types, root, &mut diags);
    let captures = compute_captures(psg, root, &mut diags);
    (captures, diags)
}

/// Defined at the top of a module (the program's, a nested one, or the
/// prelude).
fn is_top_level(psg: &Psg, id: NodeId) -> bool {
    psg.parent(id)
        .is_some_and(|p| matches!(psg.kind(p), NodeKind::Module(_)))
}

fn is_local_function(psg: &Psg, id: NodeId) -> bool {
    psg.binding(id).is_some_and(|b| b.is_function()) && !is_top_level(psg, id)
}

/// Builtins are compiled inline at their calls, so they must be called
/// with all their arguments (user functions may be partially applied and
/// used as values: they become closures).
fn check_calls(psg: &Psg, types: &TypeTable, root: NodeId, diags: &mut Vec<LowerError>) {
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let kids = psg.children(id);
        match psg.expr(id) {
            Some(ExprKind::Apply) => {
                let (head, args) = (kids[0], &kids[1..]);
                if let Some(b) = psg.builtin(head) {
                    check_builtin_call(psg, types, id, b, args.len(), diags);
                    if b == Builtin::Reraise && !directly_in_handler(psg, id) {
                        diags.push(LowerError::ReraiseOutsideHandler { at: psg.span(id) });
                    }
                } else if psg.case(head).is_none() {
                    stack.push(head);
                }
                stack.extend(args.iter().copied());
                continue;
            }
            Some(ExprKind::Var(name)) if psg.builtin(id).is_some_and(|b| b != Builtin::Sizeof) => {
                diags.push(LowerError::BuiltinAsValue {
                    name: name.clone(),
                    at: psg.span(id),
                });
            }
            Some(ExprKind::Var(name)) if case_has_fields(psg, id) => {
                diags.push(LowerError::CaseAsValue {
                    name: name.clone(),
                    at: psg.span(id),
                });
            }
            _ => {}
        }
        stack.extend(kids);
    }
}

/// Whether `n` is in the body of a `try … with` arm, not inside a
/// function, a lambda or a `try` body nested in it (F#'s rule for
/// `reraise`).
fn directly_in_handler(psg: &Psg, mut n: NodeId) -> bool {
    while let Some(p) = psg.parent(n) {
        match psg.kind(p) {
            NodeKind::Arm { .. } => {
                let is_body = psg.children(p).last() == Some(&n);
                let of_try = psg
                    .parent(p)
                    .is_some_and(|t| psg.expr(t) == Some(&ExprKind::TryWith));
                if of_try {
                    return is_body;
                }
            }
            NodeKind::Binding(b) if b.is_function() => return false,
            NodeKind::Expr(ExprKind::TryWith | ExprKind::TryFinally)
                if psg.children(p).first() == Some(&n) =>
            {
                return false
            }
            NodeKind::Module(_) => return false,
            _ => {}
        }
        n = p;
    }
    false
}

fn case_has_fields(psg: &Psg, var: NodeId) -> bool {
    let Some((decl, index)) = psg.case(var) else {
        return false;
    };
    psg.decl(decl)
        .cases
        .get(index)
        .is_some_and(|c| !c.fields.is_empty())
}

fn check_builtin_call(
    psg: &Psg,
    types: &TypeTable,
    apply: NodeId,
    b: Builtin,
    nargs: usize,
    diags: &mut Vec<LowerError>,
) {
    let arity = match b {
        Builtin::Printf | Builtin::Printfn | Builtin::Sprintf => {
            match types.format(apply) {
                Some(pieces) => {
                    1 + pieces
                        .iter()
                        .filter(|p| matches!(p, FormatPiece::Hole { .. }))
                        .count()
                }
                None => return, // format error already reported
            }
        }
        other => other.arity(),
    };
    if nargs < arity {
        diags.push(LowerError::PartialBuiltin {
            builtin: b,
            given: nargs,
            arity,
            at: psg.span(apply),
        });
    }
}

/// The function binding a node is lexically inside of, if any.
fn enclosing_functions(psg: &Psg, root: NodeId) -> HashMap<NodeId, NodeId> {
    let mut owner = HashMap::new();
    let mut stack: Vec<(NodeId, Option<NodeId>)> = vec![(root, None)];
    stack.extend(psg.prelude.map(|p| (p, None)));
    while let Some((id, f)) = stack.pop() {
        if let Some(f) = f {
            owner.insert(id, f);
        }
        let is_fn = psg.binding(id).is_some_and(|b| b.is_function());
        let inner = if is_fn { Some(id) } else { f };
        for k in psg.children(id) {
            stack.push((k, inner));
        }
    }
    owner
}

fn is_inside(owner: &HashMap<NodeId, NodeId>, mut node: NodeId, f: NodeId) -> bool {
    while let Some(&o) = owner.get(&node) {
        if o == f {
            return true;
        }
        node = o;
    }
    false
}

fn compute_captures(
    psg: &Psg,
    root: NodeId,
    diags: &mut Vec<LowerError>,
) -> HashMap<NodeId, Vec<NodeId>> {
    let owner = enclosing_functions(psg, root);
    let functions: Vec<NodeId> = psg
        .graph
        .node_indices()
        .filter(|&n| is_local_function(psg, n))
        .collect();
    // Direct captures and local functions called, per local function.
    let mut captures: HashMap<NodeId, BTreeSet<NodeId>> = HashMap::new();
    let mut calls: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for &f in &functions {
        let mut caps = BTreeSet::new();
        let mut called = Vec::new();
        let mut stack = psg.children(f);
        while let Some(id) = stack.pop() {
            if let Some(def) = psg.definition(id).map(BindingId::node) {
                let top_level = is_top_level(psg, def);
                if is_local_function(psg, def) {
                    called.push(def);
                } else if !top_level && !is_inside(&owner, def, f) {
                    caps.insert(def);
                }
            }
            stack.extend(psg.children(id));
        }
        captures.insert(f, caps);
        calls.insert(f, called);
    }
    // What a called local function captures, the caller must supply.
    let mut changed = true;
    while changed {
        changed = false;
        for &f in &functions {
            let mut add = Vec::new();
            for g in &calls[&f] {
                for &c in &captures[g] {
                    if !is_inside(&owner, c, f) && !captures[&f].contains(&c) {
                        add.push(c);
                    }
                }
            }
            if !add.is_empty() {
                changed = true;
                captures
                    .get_mut(&f)
                    .expect("every function has an entry")
                    .extend(add);
            }
        }
    }
    let mut table = HashMap::new();
    for &f in &functions {
        let caps: Vec<NodeId> = captures[&f].iter().copied().collect();
        for &c in &caps {
            if let Some(info) = psg.binding(c).filter(|b| b.is_mutable) {
                let fname = psg.binding(f).map_or(String::new(), |b| b.name.clone());
                let fspan = psg.binding(f).map_or(psg.span(f), |b| b.name_span);
                diags.push(LowerError::CapturedMutable {
                    variable: info.name.clone(),
                    declared: info.name_span,
                    function: (fname != "fun").then_some(fname),
                    at: fspan,
                });
            }
        }
        if !caps.is_empty() {
            table.insert(f, caps);
        }
    }
    table
}

/// Lowering's errors, as data: the code comes from the variant and the
/// words from [`LowerError::to_diagnostic`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LowerError {
    /// A builtin used as a value where eta-expansion could not apply it.
    BuiltinAsValue { name: String, at: Span },
    /// A union case with fields used as a value, likewise.
    CaseAsValue { name: String, at: Span },
    /// A builtin given fewer arguments than it takes.
    PartialBuiltin {
        builtin: Builtin,
        given: usize,
        arity: usize,
        at: Span,
    },
    /// `reraise ()` outside a `with` handler (or inside a function or a
    /// `try` body within one).
    ReraiseOutsideHandler { at: Span },
    /// A closure that reads a `let mutable` of an enclosing function
    /// (`function`: `None` for a lambda).
    CapturedMutable {
        variable: String,
        declared: Span,
        function: Option<String>,
        at: Span,
    },
}

impl LowerError {
    pub fn code(&self) -> &'static str {
        match self {
            LowerError::BuiltinAsValue { .. } | LowerError::CaseAsValue { .. } => "E0602",
            LowerError::PartialBuiltin { .. } => "E0601",
            LowerError::CapturedMutable { .. } => "E0409",
            LowerError::ReraiseOutsideHandler { .. } => "E0603",
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            LowerError::BuiltinAsValue { name, at } => Diagnostic::error(
                code,
                format!("the builtin `{name}` cannot be used as a value yet"),
                *at,
            )
            .with_label("builtins must be called here")
            .with_help(format!("wrap it in a lambda: `fun x -> {name} x`")),
            LowerError::CaseAsValue { name, at } => Diagnostic::error(
                code,
                format!("the union case `{name}` cannot be used as a function value yet"),
                *at,
            )
            .with_label("a case with fields must be applied here")
            .with_help(format!("wrap it in a lambda: `fun x -> {name} x`")),
            LowerError::PartialBuiltin {
                builtin,
                given,
                arity,
                at,
            } => Diagnostic::error(
                code,
                format!(
                    "the builtin `{}` is partially applied ({given} of {arity} arguments)",
                    builtin.name()
                ),
                *at,
            )
            .with_label("missing arguments")
            .with_help(
                "wrap it in a lambda that passes every argument, e.g. `fun x -> printfn \"%d\" x`",
            ),
            LowerError::ReraiseOutsideHandler { at } => Diagnostic::error(
                code,
                "`reraise ()` may only be called directly in a `with` handler",
                *at,
            )
            .with_label("not in the body of a `try … with` arm")
            .with_help(
                "to pass an exception on from elsewhere, bind it (`with e -> …`) and `raise e`",
            ),
            LowerError::CapturedMutable {
                variable,
                declared,
                function,
                at,
            } => {
                let by = match function {
                    Some(f) => format!("the local function `{f}`"),
                    None => "a lambda".to_string(),
                };
                Diagnostic::error(
                    code,
                    format!("the mutable variable `{variable}` cannot be captured by {by}"),
                    *at,
                )
                .with_label("this function reads it")
                .with_secondary(*declared, "declared `mutable` here")
                .with_help("as in F#, closures cannot capture mutable locals: pass the value as a parameter, or copy it into an immutable `let` first")
            }
        }
    }
}
