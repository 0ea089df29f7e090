//! Active patterns, desugared before the PSG is built:
//!
//! * `let (|Even|Odd|) n = if … then Even else Odd` is the function
//!   `|Even|Odd|` returning the prelude's `Choice`: its body's `Even` is
//!   `Choice1Of2 ()`, `Cel t` is `Choice1Of2 t` (as F# compiles it).
//!   `let (|Int|_|) s = …` (partial) returns an option, as written.
//! * A `match` (or `function`) whose arms use them at the top of their
//!   patterns becomes a chain over the scrutinee, bound once: consecutive
//!   arms of one total active pattern match its result (`| Even -> …`
//!   is `| Choice1Of2 _ -> …`); an arm of a partial one matches `Some`
//!   of its result; consecutive ordinary arms stay one `match`; each link
//!   falls through (`| _ ->`) to the rest of the chain, so arms are tried
//!   in order, as F# tries them. `Prefix "ab" rest` passes `"ab"` to the
//!   pattern's parameters and matches its result with `rest`.
//!
//! Invariant: the PSG sees only functions, `Choice` and option matches;
//! an active pattern nested inside another pattern is E0421.

use std::collections::HashMap;

use clef_frontend::ast::{self, ExprKind as A, PatternKind as P};
use clef_frontend::Span;

use super::desugar::{expr, ident, var_expr as var};

/// What a case name of an active pattern means.
#[derive(Debug, Clone)]
pub(super) struct ActiveCase {
    /// The function, `|Even|Odd|`.
    pub function: String,
    /// Its position among the pattern's cases, and how many there are.
    pub index: usize,
    pub count: usize,
    /// `(|Int|_|)`: returns an option.
    pub partial: bool,
    /// Parameters before the matched value (`(|Prefix|_|) p s`: one).
    pub params: usize,
}

/// The most cases a total active pattern may have (the prelude declares
/// `Choice` types up to this size).
pub(super) const MAX_CASES: usize = 4;

/// The `Choice` case for case `index` of `count` (`Choice1Of2`).
pub(super) fn choice_case(index: usize, count: usize) -> String {
    format!("Choice{}Of{count}", index + 1)
}

/// The cases named by an active pattern's function name (`|Even|Odd|`),
/// if it is one.
pub(super) fn cases_of(binding: &ast::Binding) -> Option<Vec<(String, ActiveCase)>> {
    let name = &binding.name.name;
    let inner = name.strip_prefix('|')?.strip_suffix('|')?;
    let parts: Vec<&str> = inner.split('|').collect();
    let partial = parts.len() == 2 && parts[1] == "_";
    let names: Vec<&str> = if partial { vec![parts[0]] } else { parts };
    let count = names.len();
    let params = binding.params.len().saturating_sub(1);
    Some(
        names
            .iter()
            .enumerate()
            .map(|(index, n)| {
                let case = ActiveCase {
                    function: name.clone(),
                    index,
                    count,
                    partial,
                    params,
                };
                (n.to_string(), case)
            })
            .collect(),
    )
}

/// A total active pattern's binding with its body's cases made `Choice`.
pub(super) fn definition(binding: &ast::Binding, cases: &[(String, ActiveCase)]) -> ast::Binding {
    if cases.first().is_none_or(|(_, c)| c.partial) {
        return binding.clone();
    }
    let map: HashMap<String, String> = cases
        .iter()
        .map(|(n, c)| (n.clone(), choice_case(c.index, c.count)))
        .collect();
    ast::Binding {
        body: super::classes::rewrite_cases(&binding.params, &binding.body, &map),
        ..binding.clone()
    }
}

/// The active pattern case at the top of `p`, with the patterns written
/// after its name.
pub(super) fn top_case<'a>(
    p: &'a ast::Pattern,
    active: &HashMap<String, ActiveCase>,
) -> Option<(&'a ast::Ident, ActiveCase, Vec<ast::Pattern>)> {
    let (name, args) = match &p.kind {
        P::Var(n) => (n, Vec::new()),
        P::Case(n, arg) => (n, vec![(**arg).clone()]),
        P::ActiveApp(n, args) => (n, args.clone()),
        _ => return None,
    };
    let case = active.get(&name.name)?;
    Some((name, case.clone(), args))
}

/// Why an active pattern use cannot be desugared.
pub(super) enum Misuse {
    /// More patterns after the name than parameters and a result.
    TooManyArguments { case: String, at: Span },
    /// A parameter written as a pattern that is not a value.
    ParameterNotValue { at: Span },
}

/// `match scrutinee with arms` where some arm uses an active pattern.
pub(super) fn desugar_match(
    scrutinee: &ast::Expr,
    arms: &[ast::MatchArm],
    active: &HashMap<String, ActiveCase>,
    span: Span,
) -> Result<ast::Expr, Misuse> {
    let v = "v@active";
    let rest = chain(v, arms, active, span)?;
    let bind = super::desugar::let_decl(v, scrutinee.clone(), false, scrutinee.span);
    Ok(expr(A::Let(Box::new(bind), Box::new(rest)), span))
}

fn chain(
    v: &str,
    arms: &[ast::MatchArm],
    active: &HashMap<String, ActiveCase>,
    span: Span,
) -> Result<ast::Expr, Misuse> {
    let Some(first) = arms.first() else {
        // Nothing matched: an empty match fails as an incomplete one.
        return Ok(expr(A::Match(Box::new(var(v, span)), Vec::new()), span));
    };
    let (mut link_arms, taken, scrutinee) = match top_case(&first.pattern, active) {
        None => {
            let n = arms
                .iter()
                .take_while(|a| top_case(&a.pattern, active).is_none())
                .count();
            (arms[..n].to_vec(), n, var(v, span))
        }
        Some((_, case, _)) => {
            // Arms of the same pattern with the same arguments share one
            // call: a total pattern's arms, one after another.
            let mut call_args: Option<Vec<ast::Expr>> = None;
            let mut out = Vec::new();
            for arm in arms {
                let Some((name, c, args)) = top_case(&arm.pattern, active) else {
                    break;
                };
                if c.function != case.function || (case.partial && !out.is_empty()) {
                    break;
                }
                if args.len() > c.params + 1 {
                    return Err(Misuse::TooManyArguments {
                        case: name.name.clone(),
                        at: arm.pattern.span,
                    });
                }
                let params = args[..c.params.min(args.len())]
                    .iter()
                    .map(value_of)
                    .collect::<Result<Vec<_>, _>>()?;
                match &call_args {
                    None => call_args = Some(params),
                    Some(p) if *p == params => {}
                    Some(_) => break,
                }
                let result = args.get(c.params).cloned().unwrap_or(ast::Pattern {
                    kind: P::Wildcard,
                    span: arm.pattern.span,
                });
                let wrapper = if c.partial {
                    "Some".to_string()
                } else {
                    choice_case(c.index, c.count)
                };
                let pattern = ast::Pattern {
                    kind: P::Case(ident(&wrapper, name.span), Box::new(result)),
                    span: arm.pattern.span,
                };
                out.push(ast::MatchArm {
                    pattern,
                    ..arm.clone()
                });
            }
            let mut call = var(&case.function, span);
            for a in call_args.unwrap_or_default() {
                call = expr(A::App(Box::new(call), Box::new(a)), span);
            }
            call = expr(A::App(Box::new(call), Box::new(var(v, span))), span);
            let n = out.len();
            (out, n, call)
        }
    };
    let rest = &arms[taken..];
    if !rest.is_empty() {
        link_arms.push(ast::MatchArm {
            pattern: ast::Pattern {
                kind: P::Wildcard,
                span,
            },
            guard: None,
            body: chain(v, rest, active, span)?,
            span,
        });
    }
    Ok(expr(A::Match(Box::new(scrutinee), link_arms), span))
}

/// A parameter of a parameterised active pattern, written as a pattern:
/// the value it denotes.
fn value_of(p: &ast::Pattern) -> Result<ast::Expr, Misuse> {
    let span = p.span;
    let kind = match &p.kind {
        P::Var(n) => A::Var(n.clone()),
        P::Unit => A::Unit,
        P::Int(v, s) if *v < 0 => A::Unary(
            ast::UnOp::Neg,
            Box::new(expr(A::Int(v.unsigned_abs() as u64, *s), span)),
        ),
        P::Int(v, s) => A::Int(*v as u64, *s),
        P::Float(v, f) => A::Float(*v, *f),
        P::Str(s) => A::Str(s.clone()),
        P::Char(c) => A::Char(*c),
        P::Bool(b) => A::Bool(*b),
        P::Tuple(items) => A::Tuple(items.iter().map(value_of).collect::<Result<_, _>>()?),
        _ => return Err(Misuse::ParameterNotValue { at: span }),
    };
    Ok(expr(kind, span))
}
