//! Differential testing: random programs (`generator.rs`) are compiled and
//! run, and also run by the reference interpreter (`clefc interp`); their
//! stdout and exit status must be identical. Any difference is a bug in one
//! of the two, kept as a regression fixture once found and fixed
//! (`examples/differential_*.clef`).
//!
//! `DIFF_PROGRAMS=N` runs N programs (default 150), `DIFF_SEED=S` starts at
//! seed S (default 0), `DIFF_SHOW=1` prints each program:
//! `DIFF_PROGRAMS=5000 DIFF_SEED=100000 cargo test -p clefc --test differential`.

#[path = "../common/mod.rs"]
mod common;
mod generator;

use std::process::{Command, Output};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clefc(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(args)
        .output()
        .expect("run clefc")
}

#[test]
fn compiled_programs_agree_with_the_reference_interpreter() {
    let count = env_u64("DIFF_PROGRAMS", 150);
    let first = env_u64("DIFF_SEED", 0);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for seed in first..first + count {
        let source = generator::program(seed);
        if std::env::var_os("DIFF_SHOW").is_some() {
            eprintln!("--- seed {seed}\n{source}");
        }
        let src = dir.path().join(format!("p{seed}.clef"));
        std::fs::write(&src, &source).expect("write");
        let exe = dir.path().join(format!("p{seed}"));
        let build = common::clefc_build(&src, &exe);
        if !build.status.success() {
            failures.push(format!(
                "seed {seed}: the generated program does not compile:\n{source}\n{}",
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }
        let compiled = Command::new(&exe).output().expect("run the program");
        let interpreted = clefc(&["interp".as_ref(), src.as_ref()]);
        if compiled.stdout != interpreted.stdout
            || compiled.status.code() != interpreted.status.code()
        {
            failures.push(format!(
                "seed {seed}: compiled and interpreted runs differ\n{source}\n--- compiled ({:?})\n{}\n{}--- interpreted ({:?})\n{}\n{}",
                compiled.status.code(),
                String::from_utf8_lossy(&compiled.stdout),
                String::from_utf8_lossy(&compiled.stderr),
                interpreted.status.code(),
                String::from_utf8_lossy(&interpreted.stdout),
                String::from_utf8_lossy(&interpreted.stderr),
            ));
        } else if compiled.status.code() != Some(0) && !source.contains("\n// fails\n") {
            failures.push(format!(
                "seed {seed}: the program failed (it should run to the end):\n{source}\n{}",
                String::from_utf8_lossy(&compiled.stderr)
            ));
        }
        if failures.len() >= 5 {
            break;
        }
        let done = seed - first + 1;
        if done.is_multiple_of(100) {
            eprintln!("{done} programs, {} differences", failures.len());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
