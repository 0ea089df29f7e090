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

/// Units of measure, as F# documents them: accepted programs with their
/// inferred types, rejected ones with their diagnostics.
#[test]
fn units_of_measure_conformance() {
    let accepted = common::clef_files("snapshots/fixtures/measures/accepted");
    let rejected = common::clef_files("snapshots/fixtures/measures/rejected");
    assert!(
        accepted.len() + rejected.len() >= 40,
        "expected at least 40 measure fixtures"
    );
    for path in accepted {
        let name = common::stem(&path);
        let src = load(&path, "fixtures/measures/accepted");
        let c = compile(&src, "Main", Goal::Emit(Stage::Types));
        let types = match &c.outcome {
            Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
            _ => panic!("{name} should be accepted:\n{}", src.render(&c.diagnostics)),
        };
        let snapshot = format!("----- SOURCE\n{}\n----- TYPES\n{types}", src.text);
        settings("measures").bind(|| insta::assert_snapshot!(format!("ok_{name}"), snapshot));
    }
    for path in rejected {
        let name = common::stem(&path);
        let src = load(&path, "fixtures/measures/rejected");
        let c = compile(&src, "Main", Goal::Check);
        assert!(c.has_errors(), "{name} should be rejected");
        for d in c.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
        }
        let rendered = src.render(&c.diagnostics);
        let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
        settings("measures").bind(|| insta::assert_snapshot!(format!("err_{name}"), snapshot));
    }
}

/// Memory residency: accepted programs with what residency inference found
/// (`--emit residency`), rejected ones with their diagnostics.
#[test]
fn residency_corpus() {
    let accepted = common::clef_files("snapshots/fixtures/residency/accepted");
    let rejected = common::clef_files("snapshots/fixtures/residency/rejected");
    assert!(
        accepted.len() + rejected.len() >= 20,
        "expected at least 20 residency fixtures"
    );
    for path in accepted {
        let name = common::stem(&path);
        let src = load(&path, "fixtures/residency/accepted");
        let c = compile(&src, "Main", Goal::Emit(Stage::Residency));
        let listing = match &c.outcome {
            Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
            _ => panic!("{name} should be accepted:\n{}", src.render(&c.diagnostics)),
        };
        let snapshot = format!("----- SOURCE\n{}\n----- RESIDENCY\n{listing}", src.text);
        settings("residency").bind(|| insta::assert_snapshot!(format!("ok_{name}"), snapshot));
    }
    for path in rejected {
        let name = common::stem(&path);
        let src = load(&path, "fixtures/residency/rejected");
        let c = compile(&src, "Main", Goal::Check);
        assert!(c.has_errors(), "{name} should be rejected");
        for d in c.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
        }
        let rendered = src.render(&c.diagnostics);
        let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
        settings("residency").bind(|| insta::assert_snapshot!(format!("err_{name}"), snapshot));
    }
}
