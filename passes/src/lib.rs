//! Compiler passes over the PSG. Each pass is one module with one entry
//! point; it reads the PSG, annotates it in place and returns diagnostics.
//! Order: [`resolve::resolve`] → [`eta::expand`] → [`typeck::infer`] →
//! [`patterns::check_matches`] → [`lower::lower`] →
//! [`escape::check_escapes`]; then, timed on its own by
//! the driver, [`placement::place`] and [`coherency::cohere`].

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
use clef_psg::Psg;

/// Run the passes in order, stopping after the first one that reports an
/// error (later passes assume the earlier invariants hold).
pub fn run_all(psg: &mut Psg, until_types: bool) -> Vec<Diagnostic> {
    let mut diags = resolve::resolve(psg);
    if diags.iter().any(|d| d.is_error()) {
        return diags;
    }
    eta::expand(psg);
    diags.extend(typeck::infer(psg));
    if until_types || diags.iter().any(|d| d.is_error()) {
        return diags;
    }
    diags.extend(patterns::check_matches(psg));
    diags.extend(lower::lower(psg));
    diags.extend(escape::check_escapes(psg));
    diags
}
