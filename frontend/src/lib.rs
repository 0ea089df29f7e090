//! Clef front end: lexer, layout (offside rule), parser, AST, diagnostics.
//!
//! Pipeline: [`lexer::lex`] → [`layout::layout`] → [`parser::parse`]. Each
//! stage returns its diagnostics alongside its output and never panics on
//! any input.

pub mod ast;
pub mod codes;
pub mod depth;
pub mod diagnostics;
mod interpolation;
pub mod layout;
pub mod lexer;
pub mod parser;
pub mod print;

pub use diagnostics::{Diagnostic, InternalError, Severity, SourceFile, Span};

/// The result of running the whole front end on one file.
pub struct Parsed {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lex, lay out and parse a source text.
/// The syntax errors in `parse` that are not consequences of an offside
/// line (E0311) that `earlier` reports: from that line on, the offside
/// diagnostic says what to fix.
pub fn not_offside_consequences(earlier: &[Diagnostic], parse: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let offside = earlier
        .iter()
        .filter(|d| d.code == "E0311")
        .map(|d| d.span.start)
        .min();
    parse
        .into_iter()
        .filter(|d| offside.is_none_or(|at| d.span.start < at))
        .collect()
}

pub fn parse_source(src: &str) -> Parsed {
    let (tokens, mut diagnostics) = lexer::lex(src);
    let (tokens, layout_diags) = layout::layout(src, tokens);
    diagnostics.extend(layout_diags);
    let (file, parse_diags) = parser::parse(tokens);
    let parse_diags = not_offside_consequences(&diagnostics, parse_diags);
    diagnostics.extend(parse_diags);
    Parsed { file, diagnostics }
}
