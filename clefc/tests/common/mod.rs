//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.clef` files of a folder (relative to the repository root), sorted.
pub fn clef_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "clef"))
        .collect();
    files.sort();
    files
}

pub fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// `clefc build SRC -o EXE` with the real binary.
pub fn clefc_build(src: &Path, exe: &Path) -> std::process::Output {
    clefc_build_with(src, exe, &[])
}

/// `clefc build` with extra flags (`-O0`).
pub fn clefc_build_with(src: &Path, exe: &Path, flags: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_clefc"))
        .arg("build")
        .args(flags)
        .arg(src)
        .arg("-o")
        .arg(exe)
        .output()
        .expect("run clefc build")
}

/// Build `src` into `exe`; a failed build fails the test, showing why.
pub fn build_ok(src: &Path, exe: &Path) {
    let out = clefc_build(src, exe);
    assert!(
        out.status.success(),
        "{}: {}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An example's expected stdout and exit code (`NAME.stdout`,
/// `NAME.exitcode`, default 0).
pub fn expected_run(src: &Path) -> (String, i32) {
    let out = std::fs::read_to_string(src.with_extension("stdout"))
        .unwrap_or_else(|_| panic!("{}: the .stdout file is missing", src.display()));
    let code = std::fs::read_to_string(src.with_extension("exitcode"))
        .map(|s| s.trim().parse().expect("exit code is a number"))
        .unwrap_or(0);
    (out, code)
}

/// Differences between a run and an example's expectations, as messages.
pub fn check_run(name: &str, src: &Path, run: &std::process::Output) -> Vec<String> {
    let (expected_out, expected_code) = expected_run(src);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let mut failures = Vec::new();
    if stdout != expected_out {
        failures.push(format!(
            "{name}: stdout differs\n--- expected\n{expected_out}--- actual\n{stdout}"
        ));
    }
    if run.status.code() != Some(expected_code) {
        failures.push(format!(
            "{name}: exit code {:?}, expected {expected_code}; stderr:\n{}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    failures
}
