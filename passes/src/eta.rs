//! Eta-expansion of builtins and union cases used as function values.
//!
//! Input: a resolved PSG. Output: every builtin and every union case with
//! fields is applied to all its arguments. Where the program uses one as a
//! value (`List.map Some xs`, `List.iter (printfn "%d") xs`, `min 3`), the
//! use becomes a lambda that takes the missing arguments and makes the full
//! application (`fun x -> Some x`), as F# itself compiles them. The node
//! keeps its id (it becomes the lambda); the nodes of the lambda are new.

use crate::format::parse_format;
use clef_psg::*;

pub fn expand(psg: &mut Psg) {
    let candidates: Vec<NodeId> = psg.graph.node_indices().collect();
    for id in candidates {
        match psg.expr(id) {
            Some(ExprKind::Apply) => {
                let kids = psg.children(id);
                if let Some(needed) = arity(psg, kids[0], &kids[1..]) {
                    if kids.len() - 1 < needed {
                        expand_node(psg, id, needed - (kids.len() - 1), true);
                    }
                }
            }
            Some(ExprKind::Var(_)) if !is_applied(psg, id) => {
                if let Some(needed) = arity(psg, id, &[]) {
                    if needed > 0 {
                        expand_node(psg, id, needed, false);
                    }
                }
            }
            _ => {}
        }
    }
}

/// How many arguments a builtin or union case takes, if `head` names one
/// that can be expanded (`printf`s need their literal format).
fn arity(psg: &Psg, head: NodeId, args: &[NodeId]) -> Option<usize> {
    if let Some((decl, index)) = psg.case(head) {
        let fields = &psg.decl(decl).cases.get(index)?.fields;
        return Some(usize::from(!fields.is_empty()));
    }
    match psg.builtin(head)? {
        Builtin::Sizeof => None,
        Builtin::Printf | Builtin::Printfn | Builtin::Sprintf => {
            let fmt = args.first()?;
            let Some(ExprKind::Lit(Literal::Str(s))) = psg.expr(*fmt) else {
                return None;
            };
            let pieces = parse_format(s).ok()?;
            Some(
                1 + pieces
                    .iter()
                    .filter(|p| matches!(p, FormatPiece::Hole { .. }))
                    .count(),
            )
        }
        b => Some(b.arity()),
    }
}

/// Whether `var` is the function of an application.
fn is_applied(psg: &Psg, var: NodeId) -> bool {
    psg.parent(var).is_some_and(|p| {
        psg.expr(p) == Some(&ExprKind::Apply) && psg.children(p).first() == Some(&var)
    })
}

/// Turn `node` (an application missing `missing` arguments, or a bare
/// name) into `fun a1 … an -> head given… a1 … an`.
fn expand_node(psg: &mut Psg, node: NodeId, missing: usize, is_apply: bool) {
    let span = psg.span(node);
    let (head, given) = if is_apply {
        let kids = psg.take_children(node);
        (kids[0], kids[1..].to_vec())
    } else {
        // The name moves to a new node, with what resolution found.
        let head = psg.add_node(psg.kind(node).clone(), span);
        psg.set_builtin(head, psg.builtin(node));
        psg.set_case(head, psg.case(node));
        psg.set_explicit_type_args(head, psg.explicit_type_args(node).to_vec());
        psg.set_builtin(node, None);
        psg.set_case(node, None);
        psg.set_explicit_type_args(node, Vec::new());
        (head, Vec::new())
    };
    let binding = psg.add_node(
        NodeKind::Binding(BindingInfo {
            name: "fun".into(),
            role: BindingRole::Let,
            arity: missing,
            ..BindingInfo::name_only(String::new(), BindingRole::Let, span)
        }),
        span,
    );
    let mut params = Vec::new();
    for i in 0..missing {
        let p = psg.add_node(
            NodeKind::Binding(BindingInfo::name_only(
                format!("eta@{i}"),
                BindingRole::Param,
                span,
            )),
            span,
        );
        psg.add_child(binding, p);
        params.push(p);
    }
    let call = psg.add_node(NodeKind::Expr(ExprKind::Apply), span);
    psg.add_child(call, head);
    for g in given {
        psg.add_child(call, g);
    }
    for (i, &p) in params.iter().enumerate() {
        let v = psg.add_node(NodeKind::Expr(ExprKind::Var(format!("eta@{i}"))), span);
        let param = psg.as_binding(p).expect("a parameter is a binding");
        psg.add_definition(v, param);
        psg.add_child(call, v);
    }
    psg.add_child(binding, call);
    psg.node_mut(node).kind = NodeKind::Expr(ExprKind::Lambda);
    psg.add_child(node, binding);
}
