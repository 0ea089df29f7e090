//! Interpolated strings (`$"…{expr}…"`): the lexer reads one as text and
//! holes ([`interp_lit`]), then turns it into the tokens of `("…" +
//! string (hole) + …)` ([`interpolation`]), each hole lexed where it
//! stands in the file so that its tokens and diagnostics keep their
//! places.

use crate::diagnostics::{Diagnostic, Span};
use crate::lexer::{escaped, lex, skip_to_string_end, LexError, Tok, Token};

/// A piece of an interpolated string: text, or a hole's expression (its
/// source and where that starts in the file).
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    Text(String),
    Hole(usize, String),
}

/// `$"text {expr} …"`: text with F#'s escapes (and `{{`, `}}`), holes up
/// to their matching `}`.
pub(crate) fn interp_lit(lex: &mut logos::Lexer<Tok>) -> Result<Vec<InterpPart>, LexError> {
    let base = lex.span().end;
    let rest = lex.remainder();
    let bytes = rest.as_bytes();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                lex.bump(i + 1);
                if !text.is_empty() || parts.is_empty() {
                    parts.push(InterpPart::Text(text));
                }
                return Ok(parts);
            }
            '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                // The hole runs to the `}` that closes it.
                let start = i + 1;
                let mut depth = 0usize;
                let mut end = None;
                let mut in_string = false;
                for (j, &b) in bytes.iter().enumerate().skip(start) {
                    // A string literal inside the hole (`{f "x"}`).
                    if in_string {
                        if b == b'"' && bytes.get(j.wrapping_sub(1)) != Some(&b'\\') {
                            in_string = false;
                        }
                        continue;
                    }
                    match b {
                        b'"' => in_string = true,
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' if depth > 0 => depth -= 1,
                        b'}' if depth > 0 => depth -= 1,
                        b'}' => {
                            end = Some(j);
                            break;
                        }
                        b':' if depth == 0
                            && bytes.get(j + 1) != Some(&b':')
                            && bytes.get(j.wrapping_sub(1)) != Some(&b':') =>
                        {
                            lex.bump(skip_to_string_end(rest, j));
                            return Err(LexError::InterpolationFormat);
                        }
                        b'\n' => break,
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    lex.bump(rest.len());
                    return Err(LexError::UnterminatedString);
                };
                if !text.is_empty() {
                    parts.push(InterpPart::Text(std::mem::take(&mut text)));
                }
                parts.push(InterpPart::Hole(base + start, rest[start..end].to_string()));
                while chars.peek().is_some_and(|&(k, _)| k <= end) {
                    chars.next();
                }
            }
            '\\' => match escaped(lex, rest, chars.next())? {
                Some(e) => text.push(e),
                None => break,
            },
            c => text.push(c),
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString)
}

/// The tokens of `("text" + string (hole) + …)` for an interpolated
/// string: the holes lexed where they stand in the file, so their tokens
/// and diagnostics keep their places; the tokens around them are empty,
/// at the holes' edges. (`string@interpolation` is the builtin `string`,
/// by a name no program can shadow.)
pub(crate) fn interpolation(
    parts: Vec<InterpPart>,
    span: Span,
    tokens: &mut Vec<Token>,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |p: usize| Span::new(p, p);
    let start = span.start as usize;
    tokens.push(Token {
        tok: Tok::LParen,
        span: at(start),
    });
    for (k, part) in parts.into_iter().enumerate() {
        if k > 0 {
            tokens.push(Token {
                tok: Tok::Plus,
                span: at(start),
            });
        }
        match part {
            InterpPart::Text(s) => tokens.push(Token {
                tok: Tok::Str(s),
                span: at(start),
            }),
            InterpPart::Hole(offset, src) => {
                let open = at(offset);
                tokens.push(Token {
                    tok: Tok::Ident("string@interpolation".into()),
                    span: open,
                });
                tokens.push(Token {
                    tok: Tok::LParen,
                    span: open,
                });
                let (inner, errors) = lex(&src);
                let shift = |s: Span| Span::new(s.start as usize + offset, s.end as usize + offset);
                tokens.extend(inner.into_iter().map(|t| Token {
                    span: shift(t.span),
                    ..t
                }));
                diags.extend(errors.into_iter().map(|d| Diagnostic {
                    span: shift(d.span),
                    ..d
                }));
                tokens.push(Token {
                    tok: Tok::RParen,
                    span: at(offset + src.len()),
                });
            }
        }
    }
    tokens.push(Token {
        tok: Tok::RParen,
        span: at(span.end as usize),
    });
}
