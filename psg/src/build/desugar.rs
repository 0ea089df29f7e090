//! Small AST rewrites the builder makes before it builds nodes: `let f =
//! fun …` and `function` as function bindings, conses, one-arm matches.

use clef_frontend::ast::{self, ExprKind as A};
use clef_frontend::Span;

/// `let f = fun x y -> e` is `let f x y = e`, and `let f = function arms`
/// is `let f x = match x with arms`: F# treats a binding whose body is a
/// syntactic function as a function (it is generalised, since the value
/// restriction does not apply, and compiled as a function, also under
/// `let rec`). Bindings with a pattern, `mutable` or a type annotation on
/// the whole stay values.
pub(super) fn as_function_binding(bnd: &ast::Binding) -> Option<ast::Binding> {
    if !bnd.params.is_empty()
        || bnd.pattern.is_some()
        || bnd.is_mutable
        || bnd.return_type.is_some()
    {
        return None;
    }
    let (params, body) = match &bnd.body.kind {
        ast::ExprKind::Lambda(params, body) => (params.clone(), (**body).clone()),
        ast::ExprKind::Function(arms) => function_as_lambda(arms, bnd.body.span),
        ast::ExprKind::OpValue(op) => match operator_lambda(*op, bnd.body.span).kind {
            ast::ExprKind::Lambda(params, body) => (params, *body),
            _ => unreachable!("an operator is a lambda"),
        },
        _ => return None,
    };
    Some(ast::Binding {
        params,
        body,
        ..bnd.clone()
    })
}

/// `function arms` is `fun x -> match x with arms`: the lambda's
/// parameters and body. The name contains `@`, so no program can use it.
pub(super) fn function_as_lambda(
    arms: &[ast::MatchArm],
    span: Span,
) -> (Vec<ast::Param>, ast::Expr) {
    let x = ast::Ident {
        name: "x@function".into(),
        span,
    };
    let body = ast::Expr::new(
        ast::ExprKind::Match(Box::new(var_expr("x@function", span)), arms.to_vec()),
        span,
    );
    (vec![ast::Param::Named { name: x, ty: None }], body)
}

/// `(op)` is `fun a b -> a op b`, so it types, applies partially and
/// inlines as a lambda does. (F#'s operators are inline functions; as a
/// value, the lambda is what they become.) The names contain `@`, so no
/// program can use them.
pub(super) fn operator_lambda(op: ast::BinOp, span: Span) -> ast::Expr {
    let param = |name: &str| ast::Param::Named {
        name: ast::Ident {
            name: name.into(),
            span,
        },
        ty: None,
    };
    let body = ast::Expr::new(
        A::Binary(
            op,
            Box::new(var_expr("a@operator", span)),
            Box::new(var_expr("b@operator", span)),
        ),
        span,
    );
    ast::Expr::new(
        A::Lambda(
            vec![param("a@operator"), param("b@operator")],
            Box::new(body),
        ),
        span,
    )
}

/// `let name = value` (`let mutable` with `mutable`), one binding, as
/// the desugarings write it.
pub(super) fn let_decl(name: &str, value: ast::Expr, mutable: bool, span: Span) -> ast::LetDecl {
    ast::LetDecl {
        attributes: Vec::new(),
        is_rec: false,
        is_use: false,
        bindings: vec![ast::Binding {
            type_params: Vec::new(),
            pattern: None,
            is_mutable: mutable,
            name: ast::Ident {
                name: name.into(),
                span,
            },
            params: Vec::new(),
            return_type: None,
            body: value,
            span,
        }],
        span,
    }
}

/// `a.b.c` written as names and dots: "a.b.c".
pub(super) fn identifier_path(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        A::Var(i) => Some(i.name.clone()),
        A::Dot(inner, n) => Some(format!("{}.{}", identifier_path(inner)?, n.name)),
        _ => None,
    }
}

pub(super) fn ident(name: &str, span: Span) -> ast::Ident {
    ast::Ident {
        name: name.to_string(),
        span,
    }
}

pub(super) fn expr(kind: A, span: Span) -> ast::Expr {
    ast::Expr::new(kind, span)
}

pub(super) fn var_expr(name: &str, span: Span) -> ast::Expr {
    ast::Expr::new(
        A::Var(ast::Ident {
            name: name.to_string(),
            span,
        }),
        span,
    )
}

pub(super) fn app_expr(f: ast::Expr, arg: ast::Expr) -> ast::Expr {
    let span = f.span.to(arg.span);
    ast::Expr::new(A::App(Box::new(f), Box::new(arg)), span)
}

/// `h :: t` as the union case `::` applied to `(h, t)`.
pub(super) fn cons_expr(h: ast::Expr, t: ast::Expr, span: Span) -> ast::Expr {
    app_expr(
        var_expr("::", span),
        ast::Expr::new(A::Tuple(vec![h, t]), span),
    )
}

pub(super) fn cons_pattern(h: ast::Pattern, t: ast::Pattern, span: Span) -> ast::Pattern {
    let name = ast::Ident {
        name: "::".into(),
        span,
    };
    let pair = ast::Pattern {
        kind: ast::PatternKind::Tuple(vec![h, t]),
        span,
    };
    ast::Pattern {
        kind: ast::PatternKind::Case(name, Box::new(pair)),
        span,
    }
}

/// `match scrutinee with pattern -> body`
pub(super) fn match_one(
    scrutinee: ast::Expr,
    pattern: ast::Pattern,
    body: ast::Expr,
    span: Span,
) -> ast::Expr {
    let arm = ast::MatchArm {
        pattern,
        guard: None,
        body,
        span,
    };
    ast::Expr::new(A::Match(Box::new(scrutinee), vec![arm]), span)
}
