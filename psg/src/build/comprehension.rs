//! List and array expressions (`[ for x in xs -> f x ]`, `[| for … do
//! if … then yield … |]`) as the loops they mean: the F# spec's
//! translation of a list expression, specialised to building a list.
//!
//! The body runs once, as written; each `yield e` conses `e` onto an
//! accumulator (a mutable local whose name contains `@`, so no program
//! can name it), `yield! xs` conses every element of `xs`, and the
//! result is the accumulator reversed (for an array, then made an
//! array). Without any `yield`, the body's value in tail position is
//! yielded (F#'s implicit yield): the last expression of each `for` body,
//! of each `if` branch and of each match arm.
//!
//! Invariant: the rewrite does not enter lambdas or nested list and
//! array expressions, so a `yield` left there is reported where it
//! stands (E0416), as F# does; the accumulator is never captured.

use clef_frontend::ast::{self, ExprKind as A};
use clef_frontend::Span;

use super::desugar::{app_expr, cons_expr, let_decl, var_expr};

const ACC: &str = "acc@comprehension";
const ITEM: &str = "x@yield";

/// Whether an element of `[ … ]` makes it a list expression rather than
/// a list of elements: a loop, or a `yield` anywhere in it. (`[ yield 1;
/// yield! xs ]` is then one body of two statements.)
pub(super) fn is_comprehension(e: &ast::Expr) -> bool {
    matches!(
        e.kind,
        A::ForIn(..) | A::ForEach(..) | A::ForTo(..) | A::While(..)
    ) || contains_yield(e)
}

fn contains_yield(e: &ast::Expr) -> bool {
    match &e.kind {
        A::Yield(_) | A::YieldFrom(_) => true,
        A::ForIn(_, _, _, b) | A::ForEach(_, _, b) | A::ForTo(_, _, _, _, b) | A::While(_, b) => {
            contains_yield(b)
        }
        A::If(_, t, f) => contains_yield(t) || f.as_deref().is_some_and(contains_yield),
        A::Let(_, b) => contains_yield(b),
        A::Seq(items) => items.iter().any(contains_yield),
        A::Match(_, arms) => arms.iter().any(|a| contains_yield(&a.body)),
        _ => false,
    }
}

/// `[ items ]` (or `[| items |]` with `array`; the items are the body's
/// statements, as `;` separates them) as an expression that builds the
/// list.
pub(super) fn desugar(items: &[ast::Expr], array: bool, span: Span) -> ast::Expr {
    let body = match items {
        [one] => one.clone(),
        _ => ast::Expr::new(A::Seq(items.to_vec()), span),
    };
    let explicit = contains_yield(&body);
    let loop_ = rewrite(&body, explicit, true);
    let reversed = app_expr(var_expr("List.rev", span), var_expr(ACC, span));
    let result = if array {
        app_expr(var_expr("Array.ofList", span), reversed)
    } else {
        reversed
    };
    let acc = let_decl(ACC, ast::Expr::new(A::List(Vec::new()), span), true, span);
    ast::Expr::new(
        A::Let(
            Box::new(acc),
            Box::new(ast::Expr::new(A::Seq(vec![loop_, result]), span)),
        ),
        span,
    )
}

/// `acc <- e :: acc`
fn push(e: ast::Expr) -> ast::Expr {
    let span = e.span;
    ast::Expr::new(
        A::Assign(
            Box::new(var_expr(ACC, span)),
            Box::new(cons_expr(e, var_expr(ACC, span), span)),
        ),
        span,
    )
}

/// The body with its yields (explicit, or in tail position when there
/// are none) made pushes onto the accumulator.
fn rewrite(e: &ast::Expr, explicit: bool, tail: bool) -> ast::Expr {
    let span = e.span;
    let kind = match &e.kind {
        A::Yield(v) if explicit => return push((**v).clone()),
        A::YieldFrom(xs) if explicit => {
            let item = ast::Ident {
                name: ITEM.into(),
                span,
            };
            A::ForEach(item, xs.clone(), Box::new(push(var_expr(ITEM, span))))
        }
        A::ForIn(v, a, b, body) => A::ForIn(
            v.clone(),
            a.clone(),
            b.clone(),
            Box::new(rewrite(body, explicit, true)),
        ),
        A::ForEach(v, c, body) => A::ForEach(
            v.clone(),
            c.clone(),
            Box::new(rewrite(body, explicit, true)),
        ),
        A::ForTo(v, a, d, b, body) => A::ForTo(
            v.clone(),
            a.clone(),
            *d,
            b.clone(),
            Box::new(rewrite(body, explicit, true)),
        ),
        A::While(c, body) => A::While(c.clone(), Box::new(rewrite(body, explicit, true))),
        A::If(c, t, f) if explicit || tail => A::If(
            c.clone(),
            Box::new(rewrite(t, explicit, tail)),
            f.as_ref().map(|f| Box::new(rewrite(f, explicit, tail))),
        ),
        A::Let(d, body) => A::Let(d.clone(), Box::new(rewrite(body, explicit, tail))),
        A::Seq(items) => {
            let last = items.len().saturating_sub(1);
            A::Seq(
                items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| rewrite(item, explicit, tail && k == last))
                    .collect(),
            )
        }
        A::Match(scrutinee, arms) if explicit || tail => A::Match(
            scrutinee.clone(),
            arms.iter()
                .map(|a| ast::MatchArm {
                    body: rewrite(&a.body, explicit, tail),
                    ..a.clone()
                })
                .collect(),
        ),
        _ if !explicit && tail => return push(e.clone()),
        _ => return e.clone(),
    };
    ast::Expr::new(kind, span)
}
