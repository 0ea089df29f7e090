//! Clef front end: lexer, layout (offside rule), parser, AST, diagnostics.
//!
//! Pipeline: [`lexer::lex`] → [`layout::layout`] → [`parser::parse`]. Each
//! stage returns its diagnostics alongside its output and never panics on
//! any input.

pub mod ast;
pub mod depth;
pub mod diagnostics;
pub mod layout;
pub mod lexer;
pub mod parser;
pub mod print;

pub use diagnostics::{Diagnostic, Severity, SourceFile, Span};

/// The result of running the whole front end on one file.
pub struct Parsed {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lex, lay out and parse a source text.
pub fn parse_source(src: &str) -> Parsed {
    let (tokens, mut diagnostics) = lexer::lex(src);
    let (tokens, layout_diags) = layout::layout(src, tokens);
    diagnostics.extend(layout_diags);
    let (file, parse_diags) = parser::parse(tokens);
    diagnostics.extend(parse_diags);
    Parsed { file, diagnostics }
}
