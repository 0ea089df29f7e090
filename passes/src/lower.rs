//! Lowering checks and facts codegen needs (closure-free functions).
//!
//! Input: a typed PSG. Output:
//! * every local function records in `ann.captures` the enclosing locals
//!   it reads; codegen passes them as extra leading arguments (lambda
//!   lifting). Capturing a `let mutable` is an error, as in F# (E0409).
//! * every call is *saturated*: a named function or builtin applied to
//!   exactly its parameters. Partial application and functions as values
//!   need closures, which this version does not have (E0601, E0602).

use clef_frontend::Diagnostic;
use clef_psg::*;
use std::collections::{BTreeSet, HashMap};

pub fn lower(psg: &mut Psg) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let Some(root) = psg.root else { return diags };
    check_calls(psg, root, &mut diags);
    compute_captures(psg, root, &mut diags);
    diags
}

fn is_local_function(psg: &Psg, root: NodeId, id: NodeId) -> bool {
    psg.binding(id).is_some_and(|b| b.is_function()) && psg.parent(id) != Some(root)
}

fn check_calls(psg: &Psg, root: NodeId, diags: &mut Vec<Diagnostic>) {
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let kids = psg.children(id);
        match psg.expr(id) {
            Some(ExprKind::Apply) => {
                let (head, args) = (kids[0], &kids[1..]);
                check_saturated(psg, id, head, args.len(), diags);
                stack.extend(args.iter().copied());
                if psg.expr(head) != Some(&ExprKind::Var(String::new()))
                    && !matches!(psg.expr(head), Some(ExprKind::Var(_)))
                {
                    stack.push(head);
                }
                continue;
            }
            Some(ExprKind::Var(name)) => {
                let def = psg.definition(id);
                let is_fn = def
                    .and_then(|d| psg.binding(d))
                    .is_some_and(|b| b.is_function());
                if is_fn || psg.node(id).ann.builtin.is_some() {
                    diags.push(
                        Diagnostic::error("E0602", format!("`{name}` is a function used as a value"), psg.span(id))
                            .with_label("functions must be called here")
                            .with_help("closures and first-class functions come in a later version; call the function with all its arguments"),
                    );
                }
            }
            _ => {}
        }
        stack.extend(kids);
    }
}

fn check_saturated(
    psg: &Psg,
    apply: NodeId,
    head: NodeId,
    nargs: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let name = match psg.expr(head) {
        Some(ExprKind::Var(n)) => n.clone(),
        _ => {
            diags.push(
                Diagnostic::error(
                    "E0602",
                    "only named functions can be applied",
                    psg.span(head),
                )
                .with_label("this expression computes a function")
                .with_help(
                    "first-class functions come in a later version; call a named function directly",
                ),
            );
            return;
        }
    };
    let arity = if let Some(b) = psg.node(head).ann.builtin {
        match b {
            Builtin::Printf | Builtin::Printfn => match &psg.node(apply).ann.format {
                Some(pieces) => {
                    1 + pieces
                        .iter()
                        .filter(|p| matches!(p, FormatPiece::Hole { .. }))
                        .count()
                }
                None => return, // format error already reported
            },
            other => other.arity(),
        }
    } else {
        match psg.definition(head).and_then(|d| psg.binding(d)) {
            Some(b) if b.is_function() => b.arity,
            Some(b) => {
                // A `let` holding a function was reported where it was
                // bound; a parameter of function type is reported here.
                if b.role == BindingRole::Param
                    && psg.ty(head).is_some_and(|t| matches!(t, Type::Fun(..)))
                {
                    diags.push(
                        Diagnostic::error(
                            "E0602",
                            format!("`{name}` holds a function value"),
                            psg.span(head),
                        )
                        .with_label("calling a function value")
                        .with_help("first-class functions come in a later version"),
                    );
                }
                return; // not a function: the type checker reported it
            }
            None => return,
        }
    };
    if nargs < arity {
        diags.push(
            Diagnostic::error("E0601", format!("`{name}` is partially applied ({nargs} of {arity} arguments)"), psg.span(apply))
                .with_label("missing arguments")
                .with_help("partial application needs closures, which come in a later version; pass every argument"),
        );
    } else if nargs > arity {
        diags.push(
            Diagnostic::error(
                "E0601",
                format!("`{name}` takes {arity} arguments but is given {nargs}"),
                psg.span(apply),
            )
            .with_label("too many arguments")
            .with_help("a function's result cannot be applied again until closures are supported"),
        );
    }
}

/// The function binding a node is lexically inside of, if any.
fn enclosing_functions(psg: &Psg, root: NodeId) -> HashMap<NodeId, NodeId> {
    let mut owner = HashMap::new();
    let mut stack: Vec<(NodeId, Option<NodeId>)> = vec![(root, None)];
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

fn compute_captures(psg: &mut Psg, root: NodeId, diags: &mut Vec<Diagnostic>) {
    let owner = enclosing_functions(psg, root);
    let functions: Vec<NodeId> = psg
        .graph
        .node_indices()
        .filter(|&n| is_local_function(psg, root, n))
        .collect();
    // Direct captures and local functions called, per local function.
    let mut captures: HashMap<NodeId, BTreeSet<NodeId>> = HashMap::new();
    let mut calls: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for &f in &functions {
        let mut caps = BTreeSet::new();
        let mut called = Vec::new();
        let mut stack = psg.children(f);
        while let Some(id) = stack.pop() {
            if let Some(def) = psg.definition(id) {
                let top_level = psg.parent(def) == Some(root);
                if is_local_function(psg, root, def) {
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
    for &f in &functions {
        let caps: Vec<NodeId> = captures[&f].iter().copied().collect();
        for &c in &caps {
            if let Some(info) = psg.binding(c).filter(|b| b.is_mutable) {
                let fname = psg.binding(f).map_or(String::new(), |b| b.name.clone());
                let fspan = psg.binding(f).map_or(psg.span(f), |b| b.name_span);
                diags.push(
                    Diagnostic::error(
                        "E0409",
                        format!("the mutable variable `{}` cannot be captured by the local function `{fname}`", info.name),
                        fspan,
                    )
                    .with_label("this function reads it")
                    .with_secondary(info.name_span, "declared `mutable` here")
                    .with_help("as in F#, local functions cannot capture mutable locals: pass the value as a parameter"),
                );
            }
        }
        psg.node_mut(f).ann.captures = caps;
    }
}
