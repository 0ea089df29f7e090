//! No stage takes time or memory out of proportion to its input: huge
//! and deeply nested programs each compile or get a diagnostic, never a
//! crash, within a bounded peak memory (measured with `wait4`; a bound on
//! memory, not a timed test).

use std::process::{Command, Stdio};

/// `clefc build` on `source` (every stage, code generation and linking
/// included): exit code, stderr, peak RSS in MiB.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives the rusage
fn check(name: &str, source: &str) -> (i32, String, i64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{name}.clef"));
    std::fs::write(&path, source).expect("write");
    let child = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .arg("build")
        .arg(&path)
        .arg("-o")
        .arg(dir.path().join(name))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn clefc");
    let pid = child.id() as libc::pid_t;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.expect("stderr"), &mut stderr).expect("read");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and `pid` is our unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    (code, stderr, usage.ru_maxrss / 1024)
}

fn compiles_or_is_diagnosed(name: &str, source: &str, max_mib: i64) {
    let (code, stderr, peak) = check(name, source);
    let head: String = stderr.chars().take(400).collect();
    assert!(
        code == 0 || (code == 1 && stderr.contains("error[E")),
        "{name}: exit {code}: {head}"
    );
    assert!(!stderr.contains("panicked"), "{name}: {head}");
    assert!(peak < max_mib, "{name}: peak memory {peak} MiB");
}

#[test]
fn a_one_megabyte_line() {
    let sum = vec!["1"; 250_000].join(" + ");
    compiles_or_is_diagnosed("line", &format!("let x = {sum}\nprintfn \"%d\" x\n"), 512);
}

#[test]
fn ten_thousand_nested_parentheses() {
    let parens = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    compiles_or_is_diagnosed(
        "parens",
        &format!("let x = {parens}\nprintfn \"%d\" x\n"),
        512,
    );
}

#[test]
fn a_union_of_100_000_cases() {
    let cases: String = (0..100_000).map(|i| format!("    | C{i}\n")).collect();
    let source = format!(
        "type U =\n{cases}let f u = match u with C0 -> 0 | _ -> 1\nprintfn \"%d\" (f C5)\n"
    );
    compiles_or_is_diagnosed("union", &source, 512);
}

#[test]
fn a_ten_megabyte_string_literal() {
    let source = format!(
        "let s = \"{}\"\nprintfn \"%d\" s.Length\n",
        "a".repeat(10_000_000)
    );
    compiles_or_is_diagnosed("string", &source, 512);
}

#[test]
fn a_list_literal_of_100_000_elements() {
    let items: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let source = format!(
        "let xs = [{}]\nprintfn \"%d\" (List.length xs)\n",
        items.join("; ")
    );
    compiles_or_is_diagnosed("list", &source, 512);
}

#[test]
fn an_array_literal_of_100_000_elements() {
    let items: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let source = format!(
        "let xs = [| {} |]\nprintfn \"%d\" xs.Length\n",
        items.join("; ")
    );
    compiles_or_is_diagnosed("array", &source, 1024);
}
