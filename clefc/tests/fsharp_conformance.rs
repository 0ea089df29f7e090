//! The F# conformance corpus: each program in `clefc/tests/fsharp/`
//! exercises behaviour the F# documentation describes (its header says
//! where), and `NAME.stdout` is what F# prints, worked out from that
//! documentation and FSharp.Core's sources, never from clefc's output.
//! Every program is built with the real `clefc` and run.
//!
//! `fsharp/pending/` holds programs clefc does not get right yet (see its
//! README); they are not run here.

mod common;

use std::process::Command;

#[test]
fn fsharp_programs_print_what_fsharp_prints() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let programs = common::clef_files("clefc/tests/fsharp");
    assert!(
        programs.len() >= 80,
        "expected at least 80 conformance programs, found {}",
        programs.len()
    );
    let mut failures = Vec::new();
    for src in &programs {
        let name = common::stem(src);
        let header = std::fs::read_to_string(src).expect("read program");
        if !header.lines().take(6).any(|l| l.starts_with("//")) {
            failures.push(format!("{name}: no header saying where F# documents it"));
        }
        let exe = out_dir.path().join(&name);
        let build = common::clefc_build(src, &exe);
        if !build.status.success() {
            failures.push(format!(
                "{name}: build failed:\n{}",
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }
        let run = Command::new(&exe).output().expect("run the program");
        failures.extend(common::check_run(&name, src, &run));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
