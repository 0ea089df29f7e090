//! Compiler passes over the PSG. Each pass is one module with one entry
//! point. Name resolution ([`resolve::resolve`]) and the eta-expansion
//! after it ([`eta::expand`]) finish constructing the PSG; every pass
//! after them reads the PSG without writing it and returns its own table,
//! kept in [`clef_psg::Facts`]. Order: [`typeck::infer`] →
//! [`patterns::check_matches`] → [`lower::lower`] →
//! [`escape::check_escapes`]; then, timed on its own by the driver,
//! [`placement::place`] and [`coherency::cohere`].

pub mod coherency;
pub mod escape;
pub mod eta;
pub mod format;
pub mod lower;
pub mod patterns;
pub mod placement;
pub mod resolve;
pub mod scope;
pub mod typeck;

use clef_frontend::Diagnostic;
use clef_psg::{Facts, Psg};

/// The PSG of a small program that parses cleanly, for the passes' tests.
#[cfg(test)]
pub(crate) fn psg_of(src: &str) -> Psg {
    use clef_frontend::{layout, lexer, parser};
    let (tokens, _) = lexer::lex(src);
    let (tokens, _) = layout::layout(src, tokens);
    let (file, diags) = parser::parse(tokens);
    assert!(diags.is_empty(), "{diags:?}");
    let (psg, diags) = clef_psg::build::build(&file, "Main");
    assert!(diags.is_empty(), "{diags:?}");
    psg
}

/// Finish constructing the PSG (resolution, eta-expansion), then run the
/// passes in order, stopping after the first one that reports an error
/// (later passes assume the earlier invariants hold).
pub fn run_all(psg: &mut Psg, until_types: bool) -> (Facts, Vec<Diagnostic>) {
    let mut facts = Facts::default();
    let mut diags: Vec<Diagnostic> = resolve::resolve(psg)
        .iter()
        .map(resolve::ResolveError::to_diagnostic)
        .collect();
    if diags.iter().any(|d| d.is_error()) {
        return (facts, diags);
    }
    eta::expand(psg);
    let psg: &Psg = psg;
    let (types, errors) = typeck::infer(psg);
    facts.types = types;
    diags.extend(errors.iter().map(typeck::TypeError::to_diagnostic));
    if until_types || diags.iter().any(|d| d.is_error()) {
        return (facts, diags);
    }
    let (missing, d) = patterns::check_matches(psg, &facts.types);
    facts.missing_cases = missing;
    diags.extend(d);
    let (captures, errors) = lower::lower(psg, &facts.types);
    facts.captures = captures;
    diags.extend(errors.iter().map(lower::LowerError::to_diagnostic));
    diags.extend(escape::check_escapes(psg, &facts.types));
    (facts, diags)
}
