//! The nesting limit: later stages walk the program recursively, so a
//! program nested deeper than [`MAX_NESTING`] levels is rejected here, with
//! a diagnostic, instead of exhausting the compiler's stack.
//!
//! Invariant: [`deepest`] is iterative (an explicit stack), so it runs in
//! time and memory linear in the program whatever its shape. A list
//! literal `[a; b; …]` counts one level per element, since it becomes a
//! chain of `::` cells.

use crate::ast::*;
use crate::diagnostics::{Diagnostic, Span};

/// The deepest nesting clefc accepts (expressions, patterns, and list
/// literals' elements).
pub const MAX_NESTING: usize = 25_000;

/// E0310 when some part of `file` is nested deeper than [`MAX_NESTING`].
pub fn check(file: &File) -> Option<Diagnostic> {
    let (depth, span) = deepest(file);
    (depth > MAX_NESTING).then(|| {
        Diagnostic::error(
            "E0310",
            format!("this expression is nested more than {MAX_NESTING} levels deep"),
            span,
        )
        .with_label(format!("{depth} levels deep here"))
        .with_help(
            "split it up: bind parts to names with `let`, and make long lists with an array \
             literal `[| … |]` or at run time (`List.init`)",
        )
    })
}

enum Node<'a> {
    Item(&'a Item),
    Expr(&'a Expr),
    Pattern(&'a Pattern),
    Let(&'a LetDecl),
}

/// The deepest nesting in `file` and where it is.
pub fn deepest(file: &File) -> (usize, Span) {
    let mut stack: Vec<(Node, usize)> = file.items.iter().map(|i| (Node::Item(i), 1)).collect();
    let mut best = (0, Span::default());
    while let Some((node, depth)) = stack.pop() {
        let next = depth + 1;
        match node {
            Node::Item(item) => match item {
                Item::NestedModule { items, .. } => {
                    stack.extend(items.iter().map(|i| (Node::Item(i), next)))
                }
                Item::Let(decl) => stack.push((Node::Let(decl), next)),
                Item::Do(e) => stack.push((Node::Expr(e), next)),
                Item::Module { .. } | Item::Open { .. } | Item::Type(_) => {}
            },
            Node::Let(decl) => {
                for b in &decl.bindings {
                    stack.push((Node::Expr(&b.body), next));
                    if let Some(p) = &b.pattern {
                        stack.push((Node::Pattern(p), next));
                    }
                    for p in &b.params {
                        if let Param::Pattern(p) = p {
                            stack.push((Node::Pattern(p), next));
                        }
                    }
                }
            }
            Node::Pattern(p) => {
                if depth > best.0 {
                    best = (depth, p.span);
                }
                push_pattern_children(p, next, &mut stack);
            }
            Node::Expr(e) => {
                if depth > best.0 {
                    best = (depth, e.span);
                }
                push_expr_children(e, next, &mut stack);
            }
        }
    }
    best
}

fn push_pattern_children<'a>(p: &'a Pattern, next: usize, stack: &mut Vec<(Node<'a>, usize)>) {
    use PatternKind as P;
    match &p.kind {
        P::Tuple(ps) => stack.extend(ps.iter().map(|p| (Node::Pattern(p), next))),
        P::List(ps) => stack.extend(
            ps.iter()
                .enumerate()
                .map(|(i, p)| (Node::Pattern(p), next + i)),
        ),
        P::Record(fields) => stack.extend(fields.iter().map(|(_, p)| (Node::Pattern(p), next))),
        P::Or(a, b) | P::Cons(a, b) => {
            stack.push((Node::Pattern(a), next));
            stack.push((Node::Pattern(b), next));
        }
        P::As(p, _) | P::Typed(p, _) | P::Case(_, p) => stack.push((Node::Pattern(p), next)),
        _ => {}
    }
}

fn push_expr_children<'a>(e: &'a Expr, next: usize, stack: &mut Vec<(Node<'a>, usize)>) {
    use ExprKind as E;
    let mut push = |e: &'a Expr| stack.push((Node::Expr(e), next));
    match &e.kind {
        E::Dot(a, _)
        | E::Unary(_, a)
        | E::Typed(a, _)
        | E::Upcast(a, _)
        | E::Yield(a)
        | E::YieldFrom(a)
        | E::CeOnly(_, a) => push(a),
        E::App(a, b)
        | E::Binary(_, a, b)
        | E::While(a, b)
        | E::ForEach(_, a, b)
        | E::Assign(a, b)
        | E::Range(a, b)
        | E::ArrayRange(a, b)
        | E::Index(a, b) => {
            push(a);
            push(b);
        }
        E::If(c, t, f) => {
            push(c);
            push(t);
            if let Some(f) = f {
                push(f);
            }
        }
        E::ForIn(_, a, b, c) | E::ForTo(_, a, _, b, c) | E::RangeStep(a, b, c, _) => {
            push(a);
            push(b);
            push(c);
        }
        E::Let(decl, body) => {
            push(body);
            stack.push((Node::Let(decl), next));
        }
        E::Seq(es) | E::Tuple(es) | E::Array(es) => es.iter().for_each(push),
        E::List(es) => stack.extend(
            es.iter()
                .enumerate()
                .map(|(i, e)| (Node::Expr(e), next + i)),
        ),
        E::Lambda(params, body) => {
            push(body);
            for p in params {
                if let Param::Pattern(p) = p {
                    stack.push((Node::Pattern(p), next));
                }
            }
        }
        E::Match(scrutinee, arms) => {
            push(scrutinee);
            push_arms(arms, next, stack);
        }
        E::Function(arms) => push_arms(arms, next, stack),
        E::TryWith(body, arms) => {
            push(body);
            push_arms(arms, next, stack);
        }
        E::TryFinally(body, cleanup) => {
            push(body);
            push(cleanup);
        }
        E::Slice(a, x, y) => {
            push(a);
            x.iter().chain(y.iter()).for_each(|e| push(e));
        }
        E::DotTypeApp(obj, _, _) => push(obj),
        E::Record(fields) => fields.iter().for_each(|(_, e)| push(e)),
        E::Object(_, members) => members.iter().for_each(|m| push(&m.body)),
        E::RecordUpdate(r, fields) => {
            push(r);
            fields.iter().for_each(|(_, e)| push(e));
        }
        E::Unit
        | E::Int(..)
        | E::Float(..)
        | E::Str(_)
        | E::Char(_)
        | E::Bool(_)
        | E::Var(_)
        | E::TypeApp(..)
        | E::OpValue(_)
        | E::Error => {}
    }
}

fn push_arms<'a>(arms: &'a [MatchArm], next: usize, stack: &mut Vec<(Node<'a>, usize)>) {
    for arm in arms {
        stack.push((Node::Pattern(&arm.pattern), next));
        stack.push((Node::Expr(&arm.body), next));
        if let Some(g) = &arm.guard {
            stack.push((Node::Expr(g), next));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(src: &str) -> bool {
        let parsed = crate::parse_source(src);
        let e0310 = parsed.diagnostics.iter().any(|d| d.code == "E0310");
        assert_eq!(e0310, parsed.file.items.is_empty());
        e0310
    }

    #[test]
    fn programs_nested_too_deeply_are_rejected_without_recursion() {
        // Far deeper than any recursive walk (or drop) could survive.
        assert!(rejected(&format!("let x = {}1\n", "-".repeat(200_000))));
        assert!(rejected(&format!(
            "let xs = [{}]\n",
            vec!["1"; 30_000].join("; ")
        )));
        assert!(!rejected(&format!("let x = {}1\n", "-".repeat(10_000))));
        assert!(!rejected("let x = 1 + 2\n"));
    }

    #[test]
    fn depth_counts_list_elements() {
        let list = format!("let xs = [{}]\n", vec!["1"; 500].join("; "));
        let d = deepest(&crate::parse_source(&list).file).0;
        assert!((500..510).contains(&d), "{d}");
    }
}
