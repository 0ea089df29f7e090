//! The parser: filtered tokens → AST, with the LALR(1) grammar in
//! `grammar.lalrpop`. Syntax errors become diagnostics (E03xx); the grammar
//! recovers at block items, so one run reports several errors.

use crate::ast::*;
use crate::diagnostics::{Diagnostic, Span};
use crate::lexer::{Tok, Token};
use lalrpop_util::{lalrpop_mod, ErrorRecovery, ParseError};

lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, dead_code)]
    grammar
);

pub fn sp(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

pub fn bin(op: BinOp, a: Expr, b: Expr, l: usize, r: usize) -> Expr {
    Expr::new(ExprKind::Binary(op, Box::new(a), Box::new(b)), sp(l, r))
}

/// `for (a, b) in xs do body`: a loop over a hidden variable whose body
/// matches it with the pattern (the only arm; a pattern that can fail is
/// an incomplete match, as F# warns).
pub fn for_pattern(p: Pattern, collection: Expr, body: Expr, span: Span) -> Expr {
    let var = Ident {
        name: "p@for".into(),
        span: p.span,
    };
    let arm = MatchArm {
        span: p.span.to(body.span),
        pattern: p,
        guard: None,
        body,
    };
    let matched = Expr::new(
        ExprKind::Match(
            Box::new(Expr::new(ExprKind::Var(var.clone()), var.span)),
            vec![arm],
        ),
        span,
    );
    Expr::new(
        ExprKind::ForEach(var, Box::new(collection), Box::new(matched)),
        span,
    )
}

/// `3.0<m>` as `(3.0 : float<m>)`; `at` is the span of `<m>`.
pub fn measured_literal(lit: Expr, base: &str, measure: TypeExpr, at: Span) -> Expr {
    let span = lit.span.to(at);
    let ty = TypeExpr {
        kind: TypeExprKind::Named {
            name: Ident {
                name: base.into(),
                span: lit.span,
            },
            args: vec![measure],
        },
        span: at,
    };
    Expr::new(ExprKind::Typed(Box::new(lit), ty), span)
}

/// An item of an offside block, before blocks become nested expressions.
pub enum BlockItem {
    Let(LetDecl),
    Expr(Expr),
}

/// Turn the items of a block into one expression: a `let` scopes over the
/// items after it, other items are sequenced.
pub fn build_block(items: Vec<BlockItem>, span: Span, diags: &mut Vec<Diagnostic>) -> Expr {
    let mut rest: Option<Expr> = None;
    for item in items.into_iter().rev() {
        rest = Some(match (item, rest) {
            (BlockItem::Expr(e), None) => e,
            (BlockItem::Expr(e), Some(next)) => {
                let span = e.span.to(next.span);
                match next.kind {
                    ExprKind::Seq(mut v) => {
                        v.insert(0, e);
                        Expr::new(ExprKind::Seq(v), span)
                    }
                    kind => Expr::new(
                        ExprKind::Seq(vec![
                            e,
                            Expr {
                                kind,
                                span: next.span,
                            },
                        ]),
                        span,
                    ),
                }
            }
            (BlockItem::Let(d), None) => {
                let at = d.bindings.first().map_or(d.span, |b| b.name.span);
                diags.push(
                    Diagnostic::error("E0304", "this block ends with a `let`", at)
                        .with_label("nothing uses this binding")
                        .with_help(
                            "a block's value is its last expression: add an expression after the `let`, \
                             for example `()` or the bound name",
                        ),
                );
                let end = d.span;
                Expr::new(
                    ExprKind::Let(Box::new(d), Box::new(Expr::new(ExprKind::Error, end))),
                    end,
                )
            }
            (BlockItem::Let(d), Some(next)) => {
                let span = d.span.to(next.span);
                Expr::new(ExprKind::Let(Box::new(d), Box::new(next)), span)
            }
        });
    }
    rest.unwrap_or_else(|| Expr::new(ExprKind::Error, span))
}

/// A record field label written before `=`: `X` or `Geo.X`, as one
/// identifier with dots.
pub fn field_label(label: &Expr) -> Option<Ident> {
    fn path(e: &Expr, out: &mut String) -> bool {
        match &e.kind {
            ExprKind::Var(i) => {
                out.push_str(&i.name);
                true
            }
            ExprKind::Dot(inner, n) if path(inner, out) => {
                out.push('.');
                out.push_str(&n.name);
                true
            }
            _ => false,
        }
    }
    let mut name = String::new();
    path(label, &mut name).then_some(Ident {
        name,
        span: label.span,
    })
}

/// What is wrong with a record label that [`field_label`] rejects.
pub fn not_a_field_label(span: Span) -> Diagnostic {
    Diagnostic::error("E0301", "expected a field name before `=`", span)
        .with_label("not a field name")
        .with_help("a record is written `{ Field = value; … }`")
}

pub fn recovery_diagnostic(e: ErrorRecovery<usize, Tok, Diagnostic>) -> Diagnostic {
    parse_error_diagnostic(e.error)
}

fn describe_expected(expected: &[String]) -> Option<String> {
    let mut names: Vec<String> = expected
        .iter()
        .filter_map(|e| {
            let name = e.trim_matches('"');
            Some(match name {
                "VBegin" | "VSep" | "PrefixMinus" => return None,
                "VEnd" => "end of block".to_string(),
                "Ident" => "identifier".to_string(),
                "Int" | "Float" | "Str" | "CharLit" | "TypeVar" | "FutureKeyword" => return None,
                other => format!("`{other}`"),
            })
        })
        .collect();
    names.dedup();
    if names.is_empty() {
        return None;
    }
    if names.len() > 6 {
        // Many continuations are possible: name the ones people forget.
        let starts_expression = expected.iter().any(|e| e == "Ident");
        let mut key: Vec<String> = ["then", "do", "in", "=", ")", "..", "to", "else"]
            .iter()
            .filter(|k| expected.iter().any(|e| e.trim_matches('"') == **k))
            .map(|k| format!("`{k}`"))
            .collect();
        if starts_expression {
            key.insert(0, "an expression".to_string());
        }
        return (!key.is_empty()).then(|| key.join(" or "));
    }
    Some(names.join(", "))
}

fn parse_error_diagnostic(e: ParseError<usize, Tok, Diagnostic>) -> Diagnostic {
    match e {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => {
            Diagnostic::error("E0301", "invalid token", sp(location, location + 1))
                .with_label("not expected here")
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let mut d =
                Diagnostic::error("E0302", "unexpected end of file", sp(location, location))
                    .with_label("the program ends here");
            if let Some(exp) = describe_expected(&expected) {
                d = d.with_help(format!("expected {exp}"));
            }
            d
        }
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => unexpected(l, tok, r, &expected),
        ParseError::ExtraToken { token: (l, tok, r) } => unexpected(l, tok, r, &[]),
    }
}

fn unexpected(l: usize, tok: Tok, r: usize, expected: &[String]) -> Diagnostic {
    let span = sp(l, r);
    match &tok {
        Tok::FutureKeyword(kw) => {
            return Diagnostic::error("E0303", format!("`{kw}` is not supported yet"), span)
                .with_label("not part of the Clef subset this compiler accepts")
                .with_help("see docs/language.md for the accepted subset");
        }
        Tok::Directive(d) => {
            return Diagnostic::error("E0303", format!("the directive `{d}` is not supported"), span)
                .with_label("a compiler directive")
                .with_help("`#light` and `#nowarn` are accepted; a program is one file, so `#r` and `#load` have nothing to refer to, and conditional compilation (`#if`) is not supported yet");
        }
        Tok::VSep => {
            let help = describe_expected(expected).map_or_else(
                || {
                    "finish the expression on the line above, or indent the continuation further"
                        .to_string()
                },
                |exp| format!("expected {exp} before the line ends"),
            );
            return Diagnostic::error("E0305", "unexpected new line", span)
                .with_label("the expression above is not finished")
                .with_help(help);
        }
        Tok::VEnd => {
            let help = describe_expected(expected).map_or_else(
                || {
                    "the block ended before its last construct was complete; check the indentation"
                        .to_string()
                },
                |exp| format!("expected {exp} before the block ends"),
            );
            return Diagnostic::error("E0306", "unexpected end of block", span)
                .with_label("the block ends here, by indentation or a closing token")
                .with_help(help);
        }
        _ => {}
    }
    let mut d =
        Diagnostic::error("E0301", format!("unexpected {tok}"), span).with_label("unexpected here");
    if let Some(exp) = describe_expected(expected) {
        d = d.with_help(format!("expected {exp}"));
    }
    d
}

/// `[<` `Measure` `>]` → one `MeasureAttr` token: a measure declaration
/// and a union both read `type X = Y`, and LALR(1) must know which it is in
/// before it reaches `Y`. (`M.f<…>`, a qualified name with type
/// arguments, is the grammar's: a dot followed by a name with them.)
///
/// And `name {` whose braces do not hold a record (`X = …`, `r with …`)
/// → `CeOpen(name)` `{`: a computation expression (`async { … }`), which
/// LALR(1) could not tell from applying `name` to a record.
fn join_tokens(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut in_type_head = false;
    for (i, t) in tokens.iter().enumerate() {
        let mut t = t.clone();
        let n = out.len();
        match t.tok {
            // (`[<Measure>] type N = kg m` is a measure.)
            Tok::Type => {
                in_type_head = !matches!(out.last().map(|t: &Token| &t.tok), Some(Tok::MeasureAttr))
            }
            Tok::Eq if in_type_head => {
                in_type_head = false;
                if abbreviation_body(&tokens[i + 1..]) {
                    t.tok = Tok::AbbrevEq;
                }
            }
            Tok::VBegin | Tok::VSep | Tok::VEnd => in_type_head = false,
            _ => {}
        }
        if t.tok == Tok::LBrace && n >= 1 && !record_body(&tokens[i + 1..]) {
            if let Tok::Ident(name) = &out[n - 1].tok {
                let name = name.clone();
                out[n - 1].tok = Tok::CeOpen(name);
            }
        }
        if t.tok == Tok::RAttr
            && n >= 2
            && out[n - 2].tok == Tok::LAttr
            && out[n - 1].tok == Tok::Ident("Measure".into())
        {
            let start = out[n - 2].span;
            out.truncate(n - 2);
            out.push(Token {
                tok: Tok::MeasureAttr,
                span: start.to(t.span),
            });
        } else {
            out.push(t);
        }
    }
    out
}

/// Whether the block after a type declaration's `=` is a type (an
/// abbreviation) rather than a record or union: a tuple, function,
/// array, generic or postfix-applied type (`int * int`, `int -> int`,
/// `int[]`, `Map<int, string>`, `int list`, `'a`). A bare name
/// (`type Id = int`) parses as a one-case union; the PSG builder decides.
fn abbreviation_body(after: &[Token]) -> bool {
    let mut depth = 0usize;
    let mut names = 0;
    let mut typey = false;
    let mut body = after.iter().skip_while(|t| t.tok == Tok::VBegin).peekable();
    if let Some(first) = body.peek() {
        // A class or interface body, not a type.
        if matches!(
            first.tok,
            Tok::Let
                | Tok::Do
                | Tok::Member
                | Tok::Static
                | Tok::Interface
                | Tok::Use
                | Tok::Abstract
        ) {
            return false;
        }
    }
    for t in body {
        match &t.tok {
            Tok::VBegin | Tok::LParen => depth += 1,
            Tok::VEnd | Tok::RParen if depth == 0 => break,
            Tok::VEnd | Tok::RParen => depth -= 1,
            Tok::VSep if depth == 0 => break,
            Tok::LBrace | Tok::Bar | Tok::Of => return false,
            Tok::Ident(_) => names += 1,
            Tok::Star | Tok::Arrow | Tok::LBrack | Tok::TypeVar(_) | Tok::Lt | Tok::TypeAppOpen => {
                typey = true
            }
            _ => {}
        }
    }
    typey || names > 1
}

/// Whether the tokens after a `{` begin a record's fields or update:
/// `X =`, `A.X =`, `r with`.
fn record_body(after: &[Token]) -> bool {
    let mut it = after
        .iter()
        .map(|t| &t.tok)
        .skip_while(|t| **t == Tok::VBegin);
    match it.next() {
        Some(Tok::Ident(_)) => {}
        // `{ new IShape with … }`: an object expression.
        Some(Tok::New) => return true,
        _ => return false,
    }
    loop {
        match it.next() {
            Some(Tok::Dot) => {
                if !matches!(it.next(), Some(Tok::Ident(_))) {
                    return false;
                }
            }
            Some(Tok::Eq | Tok::With) => return true,
            _ => return false,
        }
    }
}

/// Parse tokens that went through the layout filter.
#[allow(clippy::result_large_err)] // the token stream never fails
/// `a.Plus(b).Scale(2.0)`: a call written `f(args)` with no space before
/// the `(` binds tighter than the `.` after it, as F#'s high-precedence
/// application does. Where such a call is followed by a glued `.`, the
/// call and what it applies (the dotted chain before it, back to its
/// first name) get parentheses of their own: `(a.Plus(b)).Scale(2.0)`.
fn method_chains(tokens: Vec<Token>) -> Vec<Token> {
    let glued = |a: &Token, b: &Token| a.span.end == b.span.start;
    // Matching brackets, both ways.
    let mut partner = vec![usize::MAX; tokens.len()];
    let mut open = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.tok {
            Tok::LParen => open.push(i),
            Tok::RParen => {
                if let Some(o) = open.pop() {
                    partner[o] = i;
                    partner[i] = o;
                }
            }
            _ => {}
        }
    }
    // (position, token) to insert before the token at that position.
    let mut inserts: Vec<(usize, Tok)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.tok != Tok::LParen || i == 0 || partner[i] == usize::MAX {
            continue;
        }
        let close = partner[i];
        let callee_end = &tokens[i - 1];
        let is_callee =
            matches!(callee_end.tok, Tok::Ident(_) | Tok::RParen) && glued(callee_end, t);
        let dot_after = tokens
            .get(close + 1)
            .is_some_and(|d| d.tok == Tok::Dot && glued(&tokens[close], d));
        if !is_callee || !dot_after {
            continue;
        }
        // Back over the chain `x.M(…).N` to its first token.
        let mut start = i - 1;
        loop {
            if tokens[start].tok == Tok::RParen && partner[start] != usize::MAX {
                start = partner[start];
            }
            let glued_dot = start >= 2
                && tokens[start - 1].tok == Tok::Dot
                && glued(&tokens[start - 1], &tokens[start])
                && glued(&tokens[start - 2], &tokens[start - 1])
                && matches!(tokens[start - 2].tok, Tok::Ident(_) | Tok::RParen);
            let glued_call = start >= 1
                && tokens[start].tok == Tok::LParen
                && matches!(tokens[start - 1].tok, Tok::Ident(_) | Tok::RParen)
                && glued(&tokens[start - 1], &tokens[start]);
            if glued_dot {
                start -= 2;
            } else if glued_call {
                start -= 1;
            } else {
                break;
            }
        }
        inserts.push((start, Tok::LParen));
        inserts.push((close + 1, Tok::RParen));
    }
    if inserts.is_empty() {
        return tokens;
    }
    // Before a position: closers first (an earlier call's), then openers,
    // the outermost (earliest-starting chain) first.
    inserts.sort_by_key(|(at, tok)| (*at, *tok == Tok::LParen));
    let mut out = Vec::with_capacity(tokens.len() + inserts.len());
    let mut k = 0;
    for (i, t) in tokens.into_iter().enumerate() {
        while k < inserts.len() && inserts[k].0 == i {
            let at = t.span.start;
            out.push(Token {
                tok: inserts[k].1.clone(),
                span: Span { start: at, end: at },
            });
            k += 1;
        }
        out.push(t);
    }
    out
}

// The grammar's token stream is `Result<_, Diagnostic>` (lalrpop's
// user error type); no token is ever an error, so nothing large moves.
#[allow(clippy::result_large_err)]
pub fn parse(tokens: Vec<Token>) -> (File, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let iter = join_tokens(method_chains(tokens))
        .into_iter()
        .map(|t| Ok::<_, Diagnostic>((t.span.start as usize, t.tok, t.span.end as usize)));
    let result = grammar::FileParser::new().parse(&mut diags, iter);
    match result {
        Ok(file) => match crate::depth::check(&file) {
            None => (file, diags),
            Some(too_deep) => {
                diags.push(too_deep);
                // Dropping it would recurse as deep as it is nested.
                std::mem::forget(file);
                (File { items: Vec::new() }, diags)
            }
        },
        Err(e) => {
            diags.push(parse_error_diagnostic(e));
            (File { items: Vec::new() }, diags)
        }
    }
}
