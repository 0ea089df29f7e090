//! The layout filter: F#'s offside rule for light syntax.
//!
//! Input: raw tokens from [`crate::lexer`]. Output: the same tokens with
//! virtual `VBegin` / `VSep` / `VEnd` tokens inserted, so the grammar never
//! looks at columns. This follows the shape of F#'s LexFilter:
//!
//! * A *context stack* holds offside blocks (with their column), open
//!   brackets, and the heads of `let` bindings.
//! * After a block opener — the `=` of a `let`, `then`, `else`, `do`, the
//!   `->` of `fun` or of a match arm — the
//!   next token opens a block at its column (`VBegin`).
//! * A token that starts a line at a block's column starts a new item of the
//!   block (`VSep`), unless it continues the previous one (`else`, `elif`,
//!   `and`, `then`, `do`, `in`, closers, and infix operators).
//! * A token that starts a line left of a block's column closes it (`VEnd`);
//!   infix operators may be offside by their length plus one. A `let` or
//!   lambda body whose first token is on its opener's line has its column at
//!   most one right of the enclosing block, so `let f = function` can put
//!   its arms below.
//! * Closing brackets, `in`, `elif` and `else` close the blocks they end
//!   even on the same line.
//!
//! Invariants of the output: `VBegin`/`VEnd` are balanced; the whole file is
//! one block; `VSep` only occurs directly inside a block. Also, a `-` glued
//! to its operand after whitespace becomes `PrefixMinus` (`f -1`).

use crate::diagnostics::{Diagnostic, Span};
use crate::lexer::{Tok, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    File,
    LetBody,
    /// The body of `fun … ->`.
    Lambda,
    /// The body of a match arm `| p ->`.
    Arm,
    /// The inside of `{ … }` (fields on their own lines are items), and the
    /// fields after `with` in `{ r with … }`.
    Brace,
    /// The right-hand side of `type T =`.
    TypeBody,
    /// The items of `module M =`.
    ModuleBody,
    Then,
    Else,
    Do,
    /// The body of `try`, up to its `with` or `finally`.
    Try,
    /// The body of `finally`.
    Finally,
}

#[derive(Debug, Clone, Copy)]
enum Ctx {
    Block {
        col: usize,
        kind: BlockKind,
    },
    /// An open bracket, waiting for its closer. `outer_col` is the column
    /// of the block it was opened in: a line starting at or left of it
    /// means the bracket was never closed.
    Bracket {
        closer: Closer,
        opener: Span,
        outer_col: Option<usize>,
        /// In a list or array literal, the column of its first element: a
        /// line starting there starts the next element (F# reads the new
        /// line as a `;`).
        item_col: Option<usize>,
        items: bool,
    },
    /// Between `let`/`and` and the `=` that opens the binding's body.
    LetHead {
        col: usize,
    },
    /// Between `for` and its `in` or `do`, whose `in` is not `let … in`.
    ForHead,
    /// Between `fun` and the `->` that opens the lambda's body.
    FunHead,
    /// Between `match` and its `with`.
    MatchHead,
    /// Under a `try` body: its `with` (then arms) or `finally` follows.
    TryHead,
    /// Between `type` and its `=`.
    TypeHead,
    /// Between `interface` and its `with` in a class body.
    InterfaceHead,
    /// After `module Name` on its line: an `=` there opens a nested module.
    ModuleHead,
    /// A match arm's pattern (and guard), up to the `->` that opens its body.
    PatHead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closer {
    Paren,
    Brack,
    ArrayBrack,
    Attr,
    End,
    Brace,
}

fn closer_of(tok: &Tok) -> Option<Closer> {
    match tok {
        Tok::RParen => Some(Closer::Paren),
        Tok::RBrack => Some(Closer::Brack),
        Tok::RArrayBrack => Some(Closer::ArrayBrack),
        Tok::RAttr => Some(Closer::Attr),
        Tok::End => Some(Closer::End),
        Tok::RBrace => Some(Closer::Brace),
        _ => None,
    }
}

fn closer_token(c: Closer) -> Tok {
    match c {
        Closer::Paren => Tok::RParen,
        Closer::Brack => Tok::RBrack,
        Closer::ArrayBrack => Tok::RArrayBrack,
        Closer::Attr => Tok::RAttr,
        Closer::End => Tok::End,
        Closer::Brace => Tok::RBrace,
    }
}

fn opener_of(tok: &Tok) -> Option<Closer> {
    match tok {
        Tok::LParen => Some(Closer::Paren),
        Tok::LBrack | Tok::DotLBrack => Some(Closer::Brack),
        Tok::LArrayBrack => Some(Closer::ArrayBrack),
        Tok::LAttr => Some(Closer::Attr),
        Tok::Begin => Some(Closer::End),
        Tok::LBrace => Some(Closer::Brace),
        _ => None,
    }
}

/// Tokens that continue the previous item when they start a line at the
/// block's column, instead of starting a new one.
fn continues_item(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Else
            | Tok::Elif
            | Tok::Then
            | Tok::Do
            | Tok::And
            | Tok::In
            | Tok::Bar
            | Tok::To
            | Tok::Downto
            | Tok::With
            | Tok::Finally
    ) || closer_of(tok).is_some()
        || tok.is_infix()
}

/// Tokens after which an expression has ended (so a following `-` with no
/// space before it is binary subtraction).
fn ends_expression(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::CharLit(_)
            | Tok::True
            | Tok::False
            | Tok::RParen
            | Tok::RBrack
            | Tok::RArrayBrack
            | Tok::End
    )
}

pub use crate::diagnostics::LineIndex;

struct Filter {
    out: Vec<Token>,
    stack: Vec<Ctx>,
    /// A block opener was just seen: the next token opens a block.
    pending: Option<BlockKind>,
    diags: Vec<Diagnostic>,
    /// `module M = begin … end` bodies open: their `begin` and `end` are
    /// dropped, the indentation delimits the body as without them.
    module_begins: usize,
}

impl Filter {
    fn virt(&mut self, tok: Tok, at: u32) {
        self.out.push(Token {
            tok,
            span: Span { start: at, end: at },
        });
    }

    /// Pop contexts down to (and including) the first one `stop` accepts,
    /// closing blocks on the way; never pops past an open bracket that
    /// `stop` does not accept.
    fn pop_until(&mut self, at: u32, stop: impl Fn(&Ctx) -> bool) {
        let Some(pos) = self
            .stack
            .iter()
            .rposition(|c| stop(c) || matches!(c, Ctx::Bracket { .. }))
        else {
            return;
        };
        if !stop(&self.stack[pos]) {
            return;
        }
        while self.stack.len() > pos {
            if let Some(Ctx::Block { .. }) = self.stack.pop() {
                self.virt(Tok::VEnd, at);
            }
        }
    }

    /// Report a bracket that is never closed, and close it where the
    /// layout shows it should have ended.
    fn unclosed(&mut self, closer: Closer, opener: Span, at: u32) {
        self.stack.pop();
        let close = closer_token(closer);
        self.diags.push(
            Diagnostic::error("E0202", "this bracket is never closed", opener)
                .with_label("opened here")
                .with_help(format!(
                    "add the matching {close} before the line that ends the expression"
                )),
        );
        self.virt(close, at);
    }

    /// Column of the innermost enclosing block.
    fn block_col(&self) -> Option<usize> {
        self.stack.iter().rev().find_map(|c| match c {
            Ctx::Block { col, .. } => Some(*col),
            _ => None,
        })
    }

    /// Offside processing for a token that starts a line at column `col`.
    fn offside(&mut self, tok: &Tok, col: usize, at: u32, span: Span) {
        // The column of the innermost block this line closed.
        let mut closed: Option<usize> = None;
        loop {
            match self.stack.last() {
                Some(Ctx::Block { col: bcol, kind }) if *bcol > col && *kind != BlockKind::File => {
                    let infix_ok = tok.is_infix() && col + tok.infix_len() + 1 >= *bcol;
                    if infix_ok {
                        return;
                    }
                    closed = Some(*bcol);
                    self.stack.pop();
                    self.virt(Tok::VEnd, at);
                }
                Some(Ctx::LetHead { col: lcol }) if *lcol >= col => {
                    self.stack.pop();
                }
                // A `try` whose body ended without `with` or `finally`:
                // the parser reports it; the layout goes on.
                Some(Ctx::TryHead) if !matches!(tok, Tok::With | Tok::Finally) => {
                    self.stack.pop();
                }
                // `module A.B` and `[<Measure>] type kg` (no `=`) end with
                // their line.
                Some(Ctx::ModuleHead | Ctx::TypeHead | Ctx::InterfaceHead) => {
                    self.stack.pop();
                }
                Some(&Ctx::Bracket {
                    closer,
                    opener,
                    outer_col: Some(ocol),
                    ..
                }) if col <= ocol && closer_of(tok) != Some(closer) => {
                    self.unclosed(closer, opener, at);
                }
                _ => break,
            }
        }
        // A line at the column of a list's first element starts the next
        // element, if the line above ended one (not with `;`, `+`, `(`).
        if let Some(&Ctx::Bracket {
            item_col: Some(icol),
            ..
        }) = self.stack.last()
        {
            let element_ended = self.out.last().is_some_and(|t| {
                ends_expression(&t.tok)
                    || matches!(t.tok, Tok::RBrace | Tok::VEnd | Tok::TypeAppClose)
            });
            if icol == col && closer_of(tok).is_none() && !tok.is_infix() && element_ended {
                self.virt(Tok::Semi, at);
            }
        }
        // After an attribute, or a `;` ending the line above (`{ A = 1;`
        // then `B = 2 }`), the line needs no separator of its own.
        let prev_separates = matches!(
            self.out.last(),
            Some(Token {
                tok: Tok::RAttr | Tok::Semi,
                ..
            })
        );
        if let Some(&Ctx::Block { col: bcol, kind }) = self.stack.last() {
            // Among items (a file's, a module's, a class's), `do` starts
            // one: `do printfn "…"`.
            let item_do = *tok == Tok::Do
                && matches!(
                    kind,
                    BlockKind::File | BlockKind::ModuleBody | BlockKind::TypeBody
                );
            if bcol == col && (!continues_item(tok) || item_do) && !prev_separates {
                self.virt(Tok::VSep, at);
            }
            // A line left of the block it closed but right of the block
            // around it belongs to neither: F#'s "possible incorrect
            // indentation" (FS0058), which would otherwise surface as a
            // confusing syntax error further on.
            if let Some(inner) = closed {
                let continues = continues_item(tok) || closer_of(tok).is_some() || tok.is_infix();
                if bcol < col && !continues {
                    self.diags.push(
                        Diagnostic::error("E0311", "this line is offside: it is indented less than the block above it, and more than the block around that", span)
                            .with_label(format!("starts at column {}", col + 1))
                            .with_help(format!(
                                "indent it to column {} to continue the block above, or to column {} to start a new item of the enclosing block",
                                inner + 1,
                                bcol + 1
                            )),
                    );
                }
            }
        }
    }
}

/// The innermost construct waiting for a `with` is a `try` body (not a
/// `match` head or a bracket inside it).
fn try_body_open(f: &Filter) -> bool {
    for c in f.stack.iter().rev() {
        match c {
            Ctx::Block {
                kind: BlockKind::Try,
                ..
            } => return true,
            Ctx::MatchHead | Ctx::Bracket { .. } => return false,
            _ => {}
        }
    }
    false
}

/// A `|` here continues a pattern (or-pattern) or lists union cases; it
/// neither ends an arm's body nor starts a new arm.
fn in_pattern_or_type_body(f: &Filter) -> bool {
    matches!(
        f.stack.last(),
        Some(
            Ctx::PatHead
                | Ctx::Block {
                    kind: BlockKind::TypeBody,
                    ..
                }
        )
    )
}

/// `Box<Box<int>>`: the lexer reads `>>` (composition); where it closes two
/// levels of type arguments, it is two `>`.
fn split_nested_closers(tokens: Vec<Token>, lines: &LineIndex) -> Vec<Token> {
    // (index, the token after the `>`): `>>` closing two levels, and `>]`
    // closing a literal's measure inside a list (`[1.0<m>]`).
    let mut splits: Vec<(usize, Tok)> = Vec::new();
    for i in 0..tokens.len() {
        if !glued_type_arguments(&tokens, i) {
            continue;
        }
        let line = lines.line_col(tokens[i].span.start).0;
        let mut depth = 1i32;
        let mut pending = Vec::new();
        for (j, t) in tokens.iter().enumerate().skip(i + 1) {
            if lines.line_col(t.span.start).0 != line {
                break;
            }
            match t.tok {
                Tok::Lt => depth += 1,
                Tok::Gt => depth -= 1,
                Tok::Compose if depth >= 2 => {
                    depth -= 2;
                    pending.push((j, Tok::Gt));
                }
                Tok::RAttr if depth == 1 => {
                    depth = 0;
                    pending.push((j, Tok::RBrack));
                }
                ref t if is_type_argument_token(t) => {}
                _ => break,
            }
            if depth == 0 {
                splits.extend(pending);
                break;
            }
        }
    }
    if splits.is_empty() {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len() + splits.len());
    for (j, t) in tokens.into_iter().enumerate() {
        if let Some((_, second)) = splits.iter().find(|(k, _)| *k == j) {
            let s = t.span.start as usize;
            out.push(Token {
                tok: Tok::Gt,
                span: Span::new(s, s + 1),
            });
            out.push(Token {
                tok: second.clone(),
                span: Span::new(s + 1, s + 2),
            });
        } else {
            out.push(t);
        }
    }
    out
}

/// A `<` at `i` glued to what it applies to: a name (`f<int>`) or a
/// numeric literal (`3.0<m/s>`, `1024L<bytes>`).
fn glued_type_arguments(tokens: &[Token], i: usize) -> bool {
    i > 0
        && tokens[i].tok == Tok::Lt
        && matches!(
            tokens[i - 1].tok,
            Tok::Ident(_) | Tok::Int(_) | Tok::Float(_)
        )
        && tokens[i - 1].span.end == tokens[i].span.start
}

/// Tokens that may stand between type-argument brackets, measures included
/// (`m/s^-2`, `1/s`, `float<_>`).
fn is_type_argument_token(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Ident(_)
            // `f<Geo.Point>`, `3.0<Geo.m>`: qualified names.
            | Tok::Dot
            | Tok::TypeVar(_)
            | Tok::Comma
            | Tok::Star
            | Tok::Arrow
            | Tok::LBrack
            | Tok::RBrack
            | Tok::LParen
            | Tok::RParen
            | Tok::Slash
            | Tok::Hat
            | Tok::Minus
            | Tok::Int(_)
            | Tok::Underscore
    )
}

/// If the `<` at `i` is glued to a name and starts explicit type
/// arguments (`f<int * string>`), the index of the `>` that closes them.
fn type_arguments_close(tokens: &[Token], i: usize, lines: &LineIndex) -> Option<usize> {
    if !glued_type_arguments(tokens, i) {
        return None;
    }
    let line = lines.line_col(tokens[i].span.start).0;
    let mut depth = 1;
    for (j, t) in tokens.iter().enumerate().skip(i + 1) {
        if lines.line_col(t.span.start).0 != line {
            return None;
        }
        match t.tok {
            Tok::Lt => depth += 1,
            Tok::Gt => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            ref t if is_type_argument_token(t) => {}
            _ => return None,
        }
    }
    None
}

/// Run the offside rule over a token stream.
pub fn layout(src: &str, tokens: Vec<Token>) -> (Vec<Token>, Vec<Diagnostic>) {
    let lines = LineIndex::new(src);
    let tokens = split_nested_closers(tokens, &lines);
    let mut f = Filter {
        out: Vec::with_capacity(tokens.len() * 5 / 4 + 2),
        stack: Vec::new(),
        pending: Some(BlockKind::File),
        diags: Vec::new(),
        module_begins: 0,
    };
    let mut prev: Option<(usize, Token)> = None; // (line, token)
                                                 // Indices of `>` tokens that close explicit type arguments.
                                                 // Outermost ones only, so in increasing order: the front is the next.
    let mut type_app_close: std::collections::VecDeque<usize> = Default::default();
    for (i, token) in tokens.iter().enumerate() {
        let (line, col) = lines.line_col(token.span.start);
        let at = token.span.start;
        let mut tok = token.tok.clone();
        let starts_line = prev.as_ref().is_none_or(|(pl, _)| *pl < line);

        // `module M = begin … end` (F#'s verbose syntax, accepted in light
        // syntax): the offside rule delimits the body; the keywords go.
        if tok == Tok::Begin && f.pending == Some(BlockKind::ModuleBody) {
            f.module_begins += 1;
            continue;
        }
        if tok == Tok::End
            && f.module_begins > 0
            && !f.stack.iter().any(|c| {
                matches!(
                    c,
                    Ctx::Bracket {
                        closer: Closer::End,
                        ..
                    }
                )
            })
        {
            f.module_begins -= 1;
            continue;
        }

        // The first element of a list or array literal sets its column.
        if let Some(Ctx::Bracket {
            item_col: item @ None,
            items: true,
            ..
        }) = f.stack.last_mut()
        {
            if closer_of(&tok).is_none() {
                *item = Some(col);
            }
        }
        if let Some(kind) = f.pending.take() {
            // The opener's token was the previous one: this token sets the
            // block's column.
            let mut block_col = col;
            if starts_line && kind != BlockKind::File {
                if let Some(outer) = f.block_col() {
                    // The body of an `else` or a match arm that ends its
                    // line may start at the column of the block around
                    // (`if c then a else` / `b`), as F# accepts.
                    let undented_ok =
                        col == outer && matches!(kind, BlockKind::Else | BlockKind::Arm);
                    if col <= outer && !undented_ok {
                        // Recover as if it were indented by one, so the next
                        // line at the outer column ends this block.
                        block_col = outer + 1;
                        f.diags.push(
                            Diagnostic::error("E0201", "this block is not indented", token.span)
                                .with_label("expected to start right of the enclosing block")
                                .with_help(format!(
                                    "indent the block further than column {}, where the enclosing block starts",
                                    outer + 1
                                )),
                        );
                    }
                }
            } else if matches!(kind, BlockKind::LetBody | BlockKind::Lambda) {
                // A binding's or lambda's body that starts on its opener's
                // line (`let f = function`, `let g = fun x ->`) may continue on later lines
                // indented less than its first token, down to one column
                // right of the enclosing block: F#'s permitted undentation.
                if let Some(outer) = f.block_col() {
                    block_col = col.min(outer + 1);
                }
            }
            f.stack.push(Ctx::Block {
                col: block_col,
                kind,
            });
            f.virt(Tok::VBegin, at);
        } else if starts_line {
            f.offside(&tok, col, at, token.span);
        }

        // Tokens that close blocks on the same line.
        if let Some(closer) = closer_of(&tok) {
            f.pop_until(
                at,
                |c| matches!(c, Ctx::Bracket { closer: k, .. } if *k == closer),
            );
        }
        let in_for_head = matches!(f.stack.last(), Some(Ctx::ForHead));
        match tok {
            Tok::In | Tok::Do if in_for_head => {
                f.stack.pop();
            }
            Tok::In => f.pop_until(at, |c| {
                matches!(
                    c,
                    Ctx::Block {
                        kind: BlockKind::LetBody,
                        ..
                    }
                )
            }),
            // On its own line, the offside rule has already closed the
            // `then` block; on the line of `then …`, close it here.
            Tok::Elif | Tok::Else if !starts_line => f.pop_until(at, |c| {
                matches!(
                    c,
                    Ctx::Block {
                        kind: BlockKind::Then,
                        ..
                    }
                )
            }),
            // `try f x with _ -> 0` on one line: the `with` (or `finally`)
            // ends the `try` body, unless it belongs to a `match` or a
            // record expression inside it.
            Tok::With | Tok::Finally if !starts_line && try_body_open(&f) => f.pop_until(at, |c| {
                matches!(
                    c,
                    Ctx::Block {
                        kind: BlockKind::Try,
                        ..
                    }
                )
            }),
            // `match x with | A -> a | B -> b` on one line: a `|` after an
            // arm's body starts the next arm.
            Tok::Bar if !starts_line && !in_pattern_or_type_body(&f) => f.pop_until(at, |c| {
                matches!(
                    c,
                    Ctx::Block {
                        kind: BlockKind::Arm,
                        ..
                    }
                )
            }),
            Tok::Do => {
                // `do` ends the condition of `while`/`for`, which opens no
                // block; nothing to close.
            }
            _ => {}
        }

        if tok == Tok::Minus {
            let glued_after = tokens
                .get(i + 1)
                .is_some_and(|n| n.span.start == token.span.end);
            let space_before = prev
                .as_ref()
                .is_none_or(|(_, p)| p.span.end < token.span.start);
            let after_operand = prev.as_ref().is_some_and(|(_, p)| ends_expression(&p.tok));
            if glued_after && (space_before || !after_operand) {
                tok = Tok::PrefixMinus;
            }
        }

        // `f<int>`: a `<` glued to a name, closed on the same line by a
        // `>` with only type tokens between, opens type arguments.
        if type_app_close.front() == Some(&i) {
            type_app_close.pop_front();
            tok = Tok::TypeAppClose;
        } else if tok == Tok::Lt && type_app_close.back().is_none_or(|&c| c < i) {
            if let Some(close) = type_arguments_close(&tokens, i, &lines) {
                tok = Tok::TypeAppOpen;
                type_app_close.push_back(close);
            }
        }

        // `a[i]` (no space before `[`) indexes, as `a.[i]` does (F# 6).
        // (`T[]`, an array type, keeps its `[`.)
        if tok == Tok::LBrack
            && tokens.get(i + 1).is_none_or(|n| n.tok != Tok::RBrack)
            && prev.as_ref().is_some_and(|(_, p)| {
                p.span.end == token.span.start
                    && matches!(p.tok, Tok::Ident(_) | Tok::RParen | Tok::RBrack)
            })
        {
            tok = Tok::DotLBrack;
        }

        // Openers.
        if let Some(closer) = opener_of(&tok) {
            let outer_col = f.block_col();
            f.stack.push(Ctx::Bracket {
                closer,
                opener: token.span,
                outer_col,
                item_col: None,
                items: matches!(tok, Tok::LBrack | Tok::LArrayBrack),
            });
        }
        match tok {
            Tok::Let | Tok::Use | Tok::And | Tok::LetBang | Tok::UseBang | Tok::Member => {
                f.stack.push(Ctx::LetHead { col })
            }
            Tok::For => f.stack.push(Ctx::ForHead),
            Tok::Fun => f.stack.push(Ctx::FunHead),
            Tok::Match | Tok::MatchBang => f.stack.push(Ctx::MatchHead),
            Tok::Try => {
                f.stack.push(Ctx::TryHead);
                f.pending = Some(BlockKind::Try);
            }
            Tok::With if matches!(f.stack.last(), Some(Ctx::TryHead)) => {
                f.stack.pop();
                f.stack.push(Ctx::PatHead);
            }
            Tok::Finally if matches!(f.stack.last(), Some(Ctx::TryHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::Finally);
            }
            Tok::Type => f.stack.push(Ctx::TypeHead),
            Tok::Interface => f.stack.push(Ctx::InterfaceHead),
            Tok::With if matches!(f.stack.last(), Some(Ctx::InterfaceHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::TypeBody);
            }
            Tok::Module => f.stack.push(Ctx::ModuleHead),
            Tok::Eq if matches!(f.stack.last(), Some(Ctx::ModuleHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::ModuleBody);
            }
            Tok::Eq if matches!(f.stack.last(), Some(Ctx::TypeHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::TypeBody);
            }
            Tok::LBrace => f.pending = Some(BlockKind::Brace),
            Tok::With
                if matches!(
                    f.stack.last(),
                    Some(Ctx::Block {
                        kind: BlockKind::Brace,
                        ..
                    })
                ) =>
            {
                f.pending = Some(BlockKind::Brace)
            }
            Tok::With if matches!(f.stack.last(), Some(Ctx::MatchHead)) => {
                f.stack.pop();
                f.stack.push(Ctx::PatHead);
            }
            Tok::Function => f.stack.push(Ctx::PatHead),
            // A `|` starts an arm's pattern, or continues one (or-pattern).
            Tok::Bar if !in_pattern_or_type_body(&f) => f.stack.push(Ctx::PatHead),
            Tok::Arrow if matches!(f.stack.last(), Some(Ctx::PatHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::Arm);
            }
            Tok::Arrow if matches!(f.stack.last(), Some(Ctx::FunHead)) => {
                f.stack.pop();
                f.pending = Some(BlockKind::Lambda);
            }
            Tok::Eq if matches!(f.stack.last(), Some(Ctx::LetHead { .. })) => {
                f.stack.pop();
                f.pending = Some(BlockKind::LetBody);
            }
            Tok::Then => f.pending = Some(BlockKind::Then),
            Tok::Else => f.pending = Some(BlockKind::Else),
            Tok::Do => f.pending = Some(BlockKind::Do),
            _ => {}
        }

        f.out.push(Token {
            tok,
            span: token.span,
        });
        prev = Some((line, token.clone()));
    }
    let end = src.len() as u32;
    if let Some(kind) = f.pending.take() {
        // An opener at the very end: give it an empty block so the parser
        // reports "expected an expression" at the end of the file.
        if kind == BlockKind::File {
            return (f.out, f.diags);
        }
        f.virt(Tok::VBegin, end);
        f.virt(Tok::VEnd, end);
    }
    while let Some(c) = f.stack.last().copied() {
        match c {
            Ctx::Block { .. } => {
                f.stack.pop();
                f.virt(Tok::VEnd, end);
            }
            Ctx::Bracket { closer, opener, .. } => f.unclosed(closer, opener, end),
            _ => {
                f.stack.pop();
            }
        }
    }
    (f.out, f.diags)
}
