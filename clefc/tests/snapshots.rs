//! Snapshot tests (insta), one file per fixture and stage, under the
//! repository's `snapshots/` folder. Each snapshot holds the source and the
//! stage's output (or rendered diagnostics) in sections.

mod common;

use clef_frontend::SourceFile;
use clefc::pipeline::{compile, Goal, Outcome, Stage};

fn settings(dir: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(common::repo_root().join("snapshots").join(dir));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn load(path: &std::path::Path, display_dir: &str) -> SourceFile {
    let text = std::fs::read_to_string(path).expect("read fixture");
    SourceFile::new(format!("{display_dir}/{}.clef", common::stem(path)), text)
}

#[test]
fn example_stages() {
    let stages = [
        ("tokens", Stage::Tokens),
        ("ast", Stage::Ast),
        ("psg", Stage::Psg),
        ("types", Stage::Types),
        ("clif", Stage::Clif),
    ];
    for path in common::clef_files("examples") {
        let name = common::stem(&path);
        let src = load(&path, "examples");
        for (stage_name, stage) in stages {
            let c = compile(&src, "Main", Goal::Emit(stage));
            let output = match &c.outcome {
                Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
                _ => panic!(
                    "{name}: stage {stage_name} failed:\n{}",
                    src.render(&c.diagnostics)
                ),
            };
            let snapshot = format!(
                "----- SOURCE\n{}\n----- {}\n{output}",
                src.text,
                stage_name.to_uppercase()
            );
            settings("examples")
                .bind(|| insta::assert_snapshot!(format!("{name}@{stage_name}"), snapshot));
        }
    }
}

#[test]
fn invalid_programs_report_diagnostics() {
    let fixtures = common::clef_files("snapshots/fixtures/invalid");
    assert!(
        fixtures.len() >= 30,
        "expected at least 30 invalid fixtures, found {}",
        fixtures.len()
    );
    for path in fixtures {
        let name = common::stem(&path);
        let src = load(&path, "fixtures/invalid");
        let c = compile(&src, "Main", Goal::Object);
        assert!(c.has_errors(), "{name} should be rejected");
        let rendered = src.render(&c.diagnostics);
        for d in c.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(
                d.code.starts_with('E') && d.code.len() == 5,
                "{name}: bad code {}",
                d.code
            );
            assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
        }
        let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
        settings("invalid").bind(|| insta::assert_snapshot!(name.clone(), snapshot));
    }
}

/// A corpus of accepted and rejected programs: `FIXTURES/accepted/*.clef`
/// snapshot the source and `stage`'s output, `FIXTURES/rejected/*.clef` the
/// rendered diagnostics (every error with help text).
fn corpus(fixtures: &str, snapshots: &str, stage: Stage, section: &str, at_least: usize) {
    let accepted = common::clef_files(&format!("{fixtures}/accepted"));
    let rejected = common::clef_files(&format!("{fixtures}/rejected"));
    assert!(
        accepted.len() + rejected.len() >= at_least,
        "expected at least {at_least} fixtures in {fixtures}"
    );
    let shown = fixtures.trim_start_matches("snapshots/");
    for path in accepted {
        let name = common::stem(&path);
        let src = load(&path, &format!("{shown}/accepted"));
        let c = compile(&src, "Main", Goal::Emit(stage));
        let output = match &c.outcome {
            Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
            _ => panic!("{name} should be accepted:\n{}", src.render(&c.diagnostics)),
        };
        let snapshot = format!("----- SOURCE\n{}\n----- {section}\n{output}", src.text);
        settings(snapshots).bind(|| insta::assert_snapshot!(format!("ok_{name}"), snapshot));
    }
    for path in rejected {
        let name = common::stem(&path);
        let src = load(&path, &format!("{shown}/rejected"));
        let c = compile(&src, "Main", Goal::Check);
        assert!(c.has_errors(), "{name} should be rejected");
        for d in c.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
        }
        let rendered = src.render(&c.diagnostics);
        let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
        settings(snapshots).bind(|| insta::assert_snapshot!(format!("err_{name}"), snapshot));
    }
}

/// Units of measure, as F# documents them: accepted programs with their
/// inferred types, rejected ones with their diagnostics.
#[test]
fn units_of_measure_conformance() {
    corpus(
        "snapshots/fixtures/measures",
        "measures",
        Stage::Types,
        "TYPES",
        40,
    );
}

/// Memory residency: accepted programs with what residency inference found
/// (`--emit residency`), rejected ones with their diagnostics.
#[test]
fn residency_corpus() {
    corpus(
        "snapshots/fixtures/residency",
        "residency",
        Stage::Residency,
        "RESIDENCY",
        20,
    );
}
