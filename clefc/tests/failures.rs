//! How compiled programs end when something goes wrong: a clear message on
//! stderr, a non-zero exit status below 128, and every line printed before
//! the failure still on stdout (stdout is a pipe here, so it is buffered).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn build(dir: &Path, name: &str, source: &str) -> PathBuf {
    let src = dir.join(format!("{name}.clef"));
    std::fs::write(&src, source).expect("write source");
    let exe = dir.join(name);
    common::build_ok(&src, &exe);
    exe
}

fn run(exe: &Path) -> Output {
    Command::new(exe).output().expect("run the program")
}

/// Each way a program can end abnormally, with what stderr must say and
/// the exit status.
const ABNORMAL_ENDS: &[(&str, &str, &str, i32)] = &[
    ("failwith", "failwith \"the reason\"", "the reason", 1),
    (
        "index",
        "let a = [| 1 |]\nprintfn \"%d\" a.[3]",
        "index 3 is out of range for an array of length 1",
        1,
    ),
    (
        "div_by_zero",
        "let z = [| 0 |]\nprintfn \"%d\" (1 / z.[0])",
        "attempted to divide by zero",
        1,
    ),
    (
        "int_overflow",
        "let m = [| -2147483648; -1 |]\nprintfn \"%d\" (m.[0] / m.[1])",
        "arithmetic operation resulted in an overflow",
        1,
    ),
    (
        "incomplete_match",
        "let f n =\n    match n with\n    | 0 -> \"zero\"\nprintfn \"%s\" (f 1)",
        "the match cases were incomplete",
        1,
    ),
    (
        "none_value",
        "let o : int option = None\nprintfn \"%d\" o.Value",
        "the option value was None",
        1,
    ),
    (
        "stack_overflow",
        "let rec down n = 1 + down (n + 1)\nprintfn \"%d\" (down 0)",
        "Stack overflow.",
        1,
    ),
    (
        "print_released_buffer",
        "let mutable saved = BAREWire.allocate<int, cpu_mem> 1\nlet keep (b: SharedBuffer<int, cpu_mem>) = saved <- b\nlet f () =\n    use b = BAREWire.allocate<int, cpu_mem> 4\n    keep b\nf ()\nprintfn \"%A\" saved",
        "cannot access the buffer: it was released",
        1,
    ),
    (
        "parse_int",
        "printfn \"%d\" (int \"12abc\")",
        "the input string '12abc' was not in a correct format",
        1,
    ),
    ("exit", "exit 3", "", 3),
];

#[test]
fn output_printed_before_any_abnormal_end_is_never_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (name, body, message, code) in ABNORMAL_ENDS {
        let source = format!("printfn \"first line\"\n{body}\nprintfn \"not reached\"\n");
        let out = run(&build(dir.path(), name, &source));
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if stdout != "first line\n" {
            failures.push(format!("{name}: stdout {stdout:?}"));
        }
        if !stderr.contains(message) {
            failures.push(format!("{name}: stderr lacks {message:?}:\n{stderr}"));
        }
        if out.status.code() != Some(*code) {
            failures.push(format!("{name}: status {:?}", out.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_stack_overflow_names_the_clef_function_that_was_running() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "let rec descend (n: int) : int = 1 + descend (n + 1)\n\
                  printfn \"start\"\n\
                  printfn \"%d\" (descend 0)\n";
    let out = run(&build(dir.path(), "descend", source));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "start\n");
    assert!(stderr.starts_with("Stack overflow.\n"), "{stderr}");
    assert!(
        stderr.contains("in the Clef function `descend`"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn recursion_100_000_frames_deep_works_with_the_default_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "let rec depth n = if n = 0 then 0 else 1 + depth (n - 1)\n\
                  printfn \"%d\" (depth 100000)\n\
                  printfn \"%d\" (depth 1000000)\n";
    let out = run(&build(dir.path(), "depth", source));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "100000\n1000000\n");
    assert!(out.status.success());
}

#[test]
fn clef_stack_size_sets_the_main_threads_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "let rec depth n = if n = 0 then 0 else 1 + depth (n - 1)\n\
                  printfn \"%d\" (depth 20000000)\n";
    let exe = build(dir.path(), "deeper", source);
    let small = Command::new(&exe)
        .env("CLEF_STACK_SIZE", "8m")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&small.stderr);
    assert!(stderr.contains("Stack overflow."), "{stderr}");
    assert_eq!(small.status.code(), Some(1));
    let large = Command::new(&exe)
        .env("CLEF_STACK_SIZE", "2g")
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&large.stdout), "20000000\n");
}

#[test]
fn an_allocation_beyond_memory_is_a_clean_out_of_memory_error() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "printfn \"first line\"\n\
                  let a : float[] = Array.zeroCreate 2000000000\n\
                  printfn \"%d\" a.Length\n";
    let exe = build(dir.path(), "oom", source);
    let mut cmd = Command::new(&exe);
    // SAFETY: setrlimit is async-signal-safe; 4 GiB of address space is
    // less than the 16 GB the array needs.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 30,
                rlim_max: 4 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let out = cmd.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "first line\n");
    assert!(
        stderr.contains("insufficient memory") && stderr.contains("16000000008 bytes"),
        "{stderr}"
    );
    assert!(!stderr.contains("GC Warning"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_stdout_ends_the_program_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "for i in 1 .. 1000000 do\n    printfn \"line %d\" i\n";
    let exe = build(dir.path(), "chatty", source);
    let mut child = Command::new(&exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read");
    // The reader is dropped here: the pipe is closed, as by `| head -1`.
    assert_eq!(first, "line 1\n");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    use std::os::unix::process::ExitStatusExt;
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}",
        out.status
    );
}
