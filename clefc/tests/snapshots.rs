//! Snapshot tests (insta), one file per fixture and stage, under the
//! repository's `snapshots/` folder. Each snapshot holds the source and the
//! stage's output (or rendered diagnostics) in sections. The fixture folders
//! are walked with `insta::glob!`, so one failing snapshot does not hide the
//! others: every mismatch of a folder is reported before the test fails.

mod common;

use clef_frontend::SourceFile;
use clefc::pipeline::{compile, compile_for, Goal, Outcome, PlacementOptions, Stage};

fn settings(dir: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(common::repo_root().join("snapshots").join(dir));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    // Named by the fixture, as before `glob!` walked the folders.
    s.remove_snapshot_suffix();
    s.remove_input_file();
    s
}

/// The repository folder `dir`, as `glob!` wants it (relative to this file).
fn from_here(dir: &str) -> String {
    format!("../../{dir}")
}

fn load(path: &std::path::Path, display_dir: &str) -> SourceFile {
    let text = std::fs::read_to_string(path).expect("read fixture");
    SourceFile::new(format!("{display_dir}/{}.clef", common::stem(path)), text)
}

/// The examples whose CLIF is kept as a snapshot: each shows a lowering
/// concept (checked arithmetic, tail calls, closures and lambda lifting,
/// pattern matching, unions, records, bounds checks, monomorphisation,
/// structured printing, buffers and their release, coherency syncs). The
/// other examples' machine code is tested by running them.
const CLIF_EXAMPLES: [&str; 12] = [
    "int_arith",
    "fib_recursive",
    "closures",
    "local_functions",
    "tuples_and_matching",
    "unions",
    "records",
    "arrays",
    "generics",
    "structured_printing",
    "use_scoped_buffers",
    "gpu_unified_view",
];

/// Examples whose optimised MIR is kept: closures applied where they are
/// built, records and tuples taken apart, matches, placed buffers.
const MIR_EXAMPLES: [&str; 4] = [
    "closures",
    "records",
    "tuples_and_matching",
    "use_scoped_buffers",
];

/// Every example's PSG and types; the MIR and CLIF of the chosen few. (Tokens and
/// syntax trees are checked per phase in `phases.rs`.)
#[test]
fn example_stages() {
    for name in CLIF_EXAMPLES {
        assert!(
            common::repo_root()
                .join(format!("examples/{name}.clef"))
                .exists(),
            "CLIF_EXAMPLES names a missing example {name}"
        );
    }
    insta::glob!(from_here("examples"), "*.clef", |path| {
        let name = common::stem(path);
        let src = load(path, "examples");
        let mut stages = vec![("psg", Stage::Psg), ("types", Stage::Types)];
        if MIR_EXAMPLES.contains(&name.as_str()) {
            stages.push(("mir", Stage::Mir));
        }
        if CLIF_EXAMPLES.contains(&name.as_str()) {
            stages.push(("clif", Stage::Clif));
        }
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
    });
}

#[test]
fn invalid_programs_report_diagnostics() {
    let fixtures = common::clef_files("snapshots/fixtures/invalid");
    assert!(
        fixtures.len() >= 30,
        "expected at least 30 invalid fixtures, found {}",
        fixtures.len()
    );
    insta::glob!(from_here("snapshots/fixtures/invalid"), "*.clef", |path| {
        let name = common::stem(path);
        let src = load(path, "fixtures/invalid");
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
    });
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
    insta::glob!(
        from_here(&format!("{fixtures}/accepted")),
        "*.clef",
        |path| {
            let name = common::stem(path);
            let src = load(path, &format!("{shown}/accepted"));
            let c = compile(&src, "Main", Goal::Emit(stage));
            let output = match &c.outcome {
                Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
                _ => panic!("{name} should be accepted:\n{}", src.render(&c.diagnostics)),
            };
            let snapshot = format!("----- SOURCE\n{}\n----- {section}\n{output}", src.text);
            settings(snapshots).bind(|| insta::assert_snapshot!(format!("ok_{name}"), snapshot));
        }
    );
    insta::glob!(
        from_here(&format!("{fixtures}/rejected")),
        "*.clef",
        |path| {
            let name = common::stem(path);
            let src = load(path, &format!("{shown}/rejected"));
            let c = compile(&src, "Main", Goal::Check);
            assert!(c.has_errors(), "{name} should be rejected");
            for d in c.diagnostics.iter().filter(|d| d.is_error()) {
                assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
            }
            let rendered = src.render(&c.diagnostics);
            let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
            settings(snapshots).bind(|| insta::assert_snapshot!(format!("err_{name}"), snapshot));
        }
    );
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

/// The presets every example is placed for.
const PRESETS: [&str; 3] = ["workstation", "datacenter-cxl2", "edge"];

/// Each example containing `marker`, compiled for each preset to `stage`:
/// its output, or the diagnostics when it fails. Returns how many.
fn examples_for_presets(marker: &str, stage: Stage, snapshots: &str, section: &str) -> usize {
    let mut seen = 0;
    for path in common::clef_files("examples") {
        let name = common::stem(&path);
        let src = load(&path, "examples");
        if !src.text.contains(marker) {
            continue;
        }
        seen += 1;
        for preset in PRESETS {
            let options = PlacementOptions {
                platform: barewire::platform::Platform::preset(preset),
                ..PlacementOptions::default()
            };
            let c = compile_for(&src, "Main", Goal::Emit(stage), &options);
            let output = match &c.outcome {
                Some(Outcome::Emitted(text)) if !c.has_errors() => text.clone(),
                _ => src.render(&c.diagnostics),
            };
            let snapshot = format!(
                "----- SOURCE\n{}\n----- {section} ({preset})\n{output}",
                src.text
            );
            settings(snapshots)
                .bind(|| insta::assert_snapshot!(format!("{name}@{preset}"), snapshot));
        }
    }
    seen
}

/// Every example that allocates buffers, placed for three presets.
#[test]
fn examples_placed_for_presets() {
    let n = examples_for_presets(
        "BAREWire.allocate",
        Stage::Placement,
        "placement",
        "PLACEMENT",
    );
    assert!(n >= 4, "expected at least 4 examples with buffers");
}

/// Unsatisfiable placements and conflicting requirements, each for the
/// platform its first line names (`// platform: NAME-OR-FILE`).
#[test]
fn unsatisfiable_placements_report_diagnostics() {
    insta::glob!(
        from_here("snapshots/fixtures/placement"),
        "*.clef",
        |path| {
            let name = common::stem(path);
            let src = load(path, "fixtures/placement");
            let platform = src
                .text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("// platform: "))
                .expect("first line names the platform")
                .trim();
            let platform = if platform.ends_with(".toml") {
                let file = path.parent().unwrap().join(platform);
                barewire::platform::Platform::load_file(&file).expect("description file")
            } else {
                barewire::platform::Platform::preset(platform).expect("preset")
            };
            let options = PlacementOptions {
                platform: Some(platform),
                ..PlacementOptions::default()
            };
            let c = compile_for(&src, "Main", Goal::Check, &options);
            assert!(c.has_errors(), "{name} should be rejected");
            for d in c.diagnostics.iter().filter(|d| d.is_error()) {
                assert!(d.help.is_some(), "{name}: {} has no help text", d.code);
            }
            let rendered = src.render(&c.diagnostics);
            let snapshot = format!("----- SOURCE\n{}\n----- DIAGNOSTICS\n{rendered}", src.text);
            settings("placement").bind(|| insta::assert_snapshot!(format!("err_{name}"), snapshot));
        }
    );
}

/// Every example that calls a GPU kernel: its hand-offs for three presets
/// (the report, then the PSG with the inserted operations).
#[test]
fn examples_coherency_for_presets() {
    let n = examples_for_presets("[<Kernel>]", Stage::Coherency, "coherency", "COHERENCY");
    assert!(n >= 1, "expected an example with a kernel");
}

/// The CLIF of `main` in `gpu_unified_view` on a platform where the
/// hand-off is Hardware-coherent (`datacenter-cxl3`: no call besides the
/// kernel's) and where it is not (`workstation`: a device sync after it).
#[test]
fn hardware_coherent_handoff_compiles_to_no_call() {
    let path = common::repo_root().join("examples/gpu_unified_view.clef");
    let src = load(&path, "examples");
    let main_clif = |preset: &str| {
        let options = PlacementOptions {
            platform: barewire::platform::Platform::preset(preset),
            ..PlacementOptions::default()
        };
        let c = compile_for(&src, "Main", Goal::Emit(Stage::Clif), &options);
        let Some(Outcome::Emitted(clif)) = c.outcome else {
            panic!("{}", src.render(&c.diagnostics))
        };
        let start = clif.find("; main :").expect("main's CLIF");
        // The function ends with its closing brace on a line of its own.
        let end = clif[start..]
            .find("\n}\n")
            .map_or(clif.len(), |e| start + e + 2);
        clif[start..end].to_string()
    };
    let hardware = main_clif("datacenter-cxl3");
    let software = main_clif("workstation");
    assert!(!hardware.contains("barewire_sync"), "{hardware}");
    assert!(software.contains("barewire_sync_device"), "{software}");
    settings("coherency").bind(|| {
        insta::assert_snapshot!("gpu_unified_view_main@datacenter-cxl3.clif", hardware);
        insta::assert_snapshot!("gpu_unified_view_main@workstation.clif", software);
    });
}
