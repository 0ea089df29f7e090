//! The seed's nine programs (`tests/seed_programs/`, copied from the
//! project's `shared/seed-programs/` with their expected output): how far
//! each gets. Each list below is exactly the programs that reach that
//! point today, so a change that loses one fails, and one that gains one
//! must add it (the measure of the product is all nine in `RUNNING`).

mod common;

use clef_frontend::SourceFile;
use clefc::pipeline::{compile, Goal, Stage};

/// Lexed, laid out and parsed: no syntax error, though some name a
/// feature that is not supported yet (E0303: computation expressions,
/// `&x`).
const PARSING: &[&str] = &[
    "01_platform",
    "02_numa",
    "03_counter_actor",
    "04_workers",
    "05_producer_consumer",
    "06_furnace",
    "07_accelerate",
    "08_pools",
    "09_parameters",
];

/// Parsed with nothing reported as not supported.
const PARSING_FULLY: &[&str] = &[
    "01_platform",
    "06_furnace",
    "07_accelerate",
    "08_pools",
    "09_parameters",
];

/// Checked without errors (names, types, placement).
const CHECKING: &[&str] = &[];

fn programs() -> Vec<(String, SourceFile)> {
    let dir = common::repo_root().join("clefc/tests/seed_programs");
    let mut out: Vec<(String, SourceFile)> = common::clef_files("clefc/tests/seed_programs")
        .into_iter()
        .map(|p| {
            let name = common::stem(&p);
            let text = std::fs::read_to_string(dir.join(format!("{name}.clef"))).expect("read");
            (name.clone(), SourceFile::new(format!("{name}.clef"), text))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 9, "the nine seed programs");
    out
}

/// Lexical (E01xx) and syntax (E03xx) diagnostics: `unsupported` says
/// whether "… is not supported" (E0303) counts.
fn syntax_errors(src: &SourceFile, unsupported: bool) -> Vec<String> {
    let c = compile(src, "Main", Goal::Emit(Stage::Types));
    c.diagnostics
        .iter()
        .filter(|d| d.code.starts_with("E01") || d.code.starts_with("E03"))
        .filter(|d| unsupported || d.code != "E0303")
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

#[test]
fn the_seed_programs_parse_as_far_as_recorded() {
    for (unsupported, expected) in [(false, PARSING), (true, PARSING_FULLY)] {
        let mut parsing = Vec::new();
        let mut report = String::new();
        for (name, src) in programs() {
            let errors = syntax_errors(&src, unsupported);
            if errors.is_empty() {
                parsing.push(name);
            } else {
                report.push_str(&format!("{name}: {}\n", errors.join("; ")));
            }
        }
        assert_eq!(
            parsing, expected,
            "programs that parse; the others:\n{report}"
        );
    }
}

#[test]
fn the_seed_programs_check_as_far_as_recorded() {
    let mut checking = Vec::new();
    for (name, src) in programs() {
        let c = compile(&src, "Main", Goal::Emit(Stage::Types));
        if !c.has_errors() {
            checking.push(name);
        }
    }
    assert_eq!(checking, CHECKING, "programs that check without errors");
}
