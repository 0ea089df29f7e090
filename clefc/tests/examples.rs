//! Builds every program in `examples/` with the real `clefc` binary, with
//! the MIR optimisations and without them (`-O0`), runs the executable,
//! and checks its stdout (`NAME.stdout`) and exit code (`NAME.exitcode`,
//! default 0): both builds must print what F# prints.

mod common;

use std::process::Command;

#[test]
fn examples_build_run_and_print_what_they_should() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let examples = common::clef_files("examples");
    assert!(
        examples.len() >= 8,
        "expected at least 8 examples, found {}",
        examples.len()
    );
    let mut failures = Vec::new();
    for src in &examples {
        for level in ["-O1", "-O0"] {
            let name = common::stem(src);
            let exe = out_dir.path().join(format!("{name}{level}"));
            let build = common::clefc_build_with(src, &exe, &[level]);
            if !build.status.success() {
                failures.push(format!(
                    "{name} {level}: build failed:\n{}",
                    String::from_utf8_lossy(&build.stderr)
                ));
                continue;
            }
            let run = Command::new(&exe).output().expect("run the example");
            let problems = common::check_run(&name, src, &run);
            failures.extend(problems.into_iter().map(|p| format!("{level}: {p}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Write `source` as `NAME.clef` in a temporary folder and `clefc run` it
/// with `args` after `--`.
fn run_program(name: &str, source: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join(format!("{name}.clef"));
    std::fs::write(&src, source).expect("write");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clefc"));
    cmd.arg("run").arg(&src);
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    cmd.output().expect("run clefc")
}

#[test]
fn run_passes_arguments_and_exit_code() {
    let out = run_program("args", "module Args\n\n[<EntryPoint>]\nlet main argv =\n    printfn \"%d %s\" argv.Length argv.[1]\n    argv.Length + 40\n", &["a", "bcd"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2 bcd\n");
    assert_eq!(out.status.code(), Some(42));
}

#[test]
fn runtime_failures_are_clean_messages() {
    let out = run_program("oob", "module Oob\n\n[<EntryPoint>]\nlet main argv =\n    printfn \"before\"\n    printfn \"%s\" argv.[5]\n    0\n", &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("index 5 is out of range for an array of length 0"),
        "{err}"
    );
    assert!(err.contains("oob.clef:6:18"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2_and_program_errors_exit_1() {
    let clefc = env!("CARGO_BIN_EXE_clefc");
    let out = Command::new(clefc)
        .args(["build"])
        .output()
        .expect("run clefc");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(clefc)
        .args(["check", "/nonexistent/x.clef"])
        .output()
        .expect("run clefc");
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("bad.clef");
    std::fs::write(&src, "let x = 1 + true\n").expect("write");
    let out = Command::new(clefc)
        .arg("check")
        .arg(&src)
        .output()
        .expect("run clefc");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0501]"));
}

#[test]
fn deeply_nested_programs_compile_without_crashing() {
    // The compiler's passes recurse on nesting; the driver runs them on a
    // thread with a large stack, so this must not overflow.
    let sum = vec!["1"; 20_000].join(" + ");
    let negs = "-".repeat(10_000);
    let parens = format!("{}1{}", "(1 + ".repeat(10_000), ")".repeat(10_000));
    let source =
        format!("let a = {sum}\nlet b = {negs}1\nlet c = {parens}\nprintfn \"%d %d %d\" a b c\n");
    let out = run_program("deep", &source, &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "20000 1 10001\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Peak resident set size of a finished child, in KiB (Linux `wait4`).
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives the rusage
fn run_measuring_peak_rss(exe: &std::path::Path) -> (std::process::ExitStatus, String, i64) {
    use std::os::unix::process::ExitStatusExt;
    let child = Command::new(exe)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.expect("stdout");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut out).expect("read stdout");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and `pid` is our unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    (
        std::process::ExitStatus::from_raw(status),
        out,
        usage.ru_maxrss,
    )
}

#[test]
fn allocation_churn_runs_in_bounded_memory() {
    // A million closures and strings made and dropped: about 150 MB in
    // all, so without a working collector the peak would be far above 32 MB.
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("churn");
    let src = common::repo_root().join("examples/allocation_churn.clef");
    common::build_ok(&src, &exe);
    let (status, out, peak_kib) = run_measuring_peak_rss(&exe);
    assert!(status.success());
    assert_eq!(out, "1000000 strings made\n");
    assert!(peak_kib < 32 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn incomplete_match_warns_at_compile_time_and_fails_cleanly_at_run_time() {
    let out = run_program("incomplete", "let sign n =\n    match n with\n    | 0 -> \"zero\"\n    | 1 -> \"one\"\n\nprintfn \"%s\" (sign 1)\nprintfn \"%s\" (sign 2)\n", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning[W0025]"), "{err}");
    assert!(err.contains("the value `2` is not matched"), "{err}");
    assert!(err.contains("the match cases were incomplete"), "{err}");
    assert!(err.contains("incomplete.clef:2:5"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn buffers_come_from_barewire_and_the_report_says_where() {
    let source = "[<EntryPoint>]\nlet main argv =\n    use far = BAREWire.allocate<int64, cxl_mem> 4096\n    use near = BAREWire.allocate<int64, cpu_mem> 16\n    far.[4095] <- 7L\n    near.[0] <- far.[4095]\n    printfn \"%d %d\" far.Length near.[0]\n    0\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("report.clef");
    std::fs::write(&src, source).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .arg("run")
        .arg(&src)
        .env("BAREWIRE_REPORT", "1")
        .output()
        .expect("run clefc");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4096 7\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BAREWire allocation report: 2 request(s)"),
        "{err}"
    );
    assert!(
        err.contains("report.clef:3:15): 32 KiB requested cxl_mem -> "),
        "{err}"
    );
    assert!(
        err.contains("report.clef:4:16): 128 B requested cpu_mem -> cpu_mem on node"),
        "{err}"
    );
    // On a machine without far memory the CXL request falls back, and the
    // report gives the reason; with far memory it lands there.
    let far_memory = std::fs::read_to_string("/sys/devices/system/node/has_cpu")
        .ok()
        .zip(std::fs::read_to_string("/sys/devices/system/node/has_memory").ok())
        .is_some_and(|(cpus, mem)| cpus.trim() != mem.trim());
    if !far_memory {
        assert!(err.contains("-> cpu_mem on node 0 [fallback]"), "{err}");
        assert!(
            err.contains("passed over: cxl_mem: no CXL or memory-only node"),
            "{err}"
        );
    }
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    // `clefc check x.clef --emit psg-dot | head -1`: stdout closes early.
    let src = common::repo_root().join("examples/gpu_unified_view.clef");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(["check", "--emit", "psg-dot"])
        .arg(&src)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run clefc");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_ne!(
        out.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// `--emit psg-dot` draws the program's own graph (with the prelude
/// definitions it uses as single nodes, and a legend of the memory-space
/// colours); `psg-dot-all` draws the prelude too.
#[test]
fn psg_dot_shows_the_program_and_the_prelude_only_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("small.clef");
    std::fs::write(
        &src,
        "let xs = List.map (fun x -> x + 1) [1; 2]\nprintfn \"%A\" xs\n",
    )
    .expect("write");
    let dot = |stage: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
            .args(["check", "--emit", stage])
            .arg(&src)
            .output()
            .expect("run clefc");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let nodes = |text: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with('n') && l.contains("[label="))
            .count()
    };
    let own = dot("psg-dot");
    let all = dot("psg-dot-all");
    assert!(
        own.contains("cluster_legend") && own.contains("cxl_mem"),
        "{own}"
    );
    assert!(
        own.contains("prelude: "),
        "the prelude's List.map is not shown:\n{own}"
    );
    assert!(
        nodes(&own) < 40,
        "{} nodes for a two-line program:\n{own}",
        nodes(&own)
    );
    assert!(
        nodes(&all) > 10 * nodes(&own),
        "psg-dot-all has {} nodes",
        nodes(&all)
    );
}

/// Loops whose bounds checks the optimiser decides ahead (loop
/// versioning) still fail where F# does: at the first index out of range,
/// after everything printed before it, with the same message at both
/// optimisation levels.
#[test]
fn versioned_loops_fail_at_the_first_index_out_of_range() {
    let src = "module Loops
let sumTo (a: int[]) (n: int) =
    let mutable s = 0
    for i in 0 .. n - 1 do
        s <- s + a.[i]
        printfn \"%d\" s
    s
let from (a: int[]) (k: int) =
    for i in k .. 1 do
        printfn \"at %d\" i
        printfn \"%d\" a.[i]
let fixedIndex (a: int[]) (j: int) =
    let mutable s = 0
    for i in 0 .. 2 do
        printfn \"step %d\" i
        s <- s + a.[j] * i
    s
[<EntryPoint>]
let main argv =
    let a = [| 1; 2; 3 |]
    printfn \"%d\" (sumTo a 3)
    from a 0
    printfn \"%d\" (fixedIndex a 2)
    match argv.[0] with
    | \"past\" -> printfn \"%d\" (sumTo a 4)
    | \"below\" -> from a -1
    | _ -> printfn \"%d\" (fixedIndex a 3)
    0
";
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("loops.clef");
    std::fs::write(&path, src).expect("write");
    let good = "1\n3\n6\n6\nat 0\n1\nat 1\n2\nstep 0\nstep 1\nstep 2\n9\n";
    let cases = [
        (
            "past",
            "1\n3\n6\n",
            "index 3 is out of range for an array of length 3",
            "loops.clef:5:18",
        ),
        (
            "below",
            "at -1\n",
            "index -1 is out of range for an array of length 3",
            "loops.clef:11:22",
        ),
        (
            "fixed",
            "step 0\n",
            "index 3 is out of range for an array of length 3",
            "loops.clef:16:18",
        ),
    ];
    for level in ["-O1", "-O0"] {
        let exe = dir.path().join(format!("loops{level}"));
        let build = common::clefc_build_with(&path, &exe, &[level]);
        assert!(
            build.status.success(),
            "{}",
            String::from_utf8_lossy(&build.stderr)
        );
        for (arg, printed, message, place) in cases {
            let run = Command::new(&exe).arg(arg).output().expect("run");
            let out = String::from_utf8_lossy(&run.stdout);
            let err = String::from_utf8_lossy(&run.stderr);
            assert_eq!(out, format!("{good}{printed}"), "{level} {arg}");
            assert!(
                err.contains(message) && err.contains(place),
                "{level} {arg}: {err}"
            );
            assert_eq!(run.status.code(), Some(1), "{level} {arg}");
        }
    }
}
