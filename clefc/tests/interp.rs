//! `clefc interp`, the reference interpreter: every program in
//! `examples/` prints what its `NAME.stdout` says and ends with its
//! `NAME.exitcode`; failures say what the compiled program says; tail
//! calls run in constant stack, deep recursion works, and running out of
//! stack is `Stack overflow.`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Examples too slow for an unoptimised interpreter (hundreds of millions
/// of calls); they run in `cargo test --release`.
const SLOW_IN_DEBUG: &[&str] = &["fib_recursive"];

fn interp(src: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clefc"));
    cmd.arg("interp").arg(src);
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    cmd.output().expect("run clefc interp")
}

fn write(dir: &Path, name: &str, source: &str) -> std::path::PathBuf {
    let src = dir.join(format!("{name}.clef"));
    std::fs::write(&src, source).expect("write source");
    src
}

#[test]
fn examples_interpret_as_they_run() {
    let examples = common::clef_files("examples");
    assert!(examples.len() >= 30, "found {} examples", examples.len());
    let mut failures = Vec::new();
    for src in &examples {
        let name = common::stem(src);
        if cfg!(debug_assertions) && SLOW_IN_DEBUG.contains(&name.as_str()) {
            continue;
        }
        let run = interp(src, &[]);
        failures.extend(common::check_run(&name, src, &run));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Programs that end abnormally (or print tricky values): the interpreter
/// and the compiled program give the same stdout, stderr and exit code.
const SAME_AS_COMPILED: &[(&str, &str)] = &[
    ("failwith", "printfn \"before\"\nfailwith \"the reason\""),
    ("index", "let a = [| 1 |]\nprintfn \"%d\" 7\nprintfn \"%d\" a.[3]"),
    (
        "negative_index",
        "let a = [| 1; 2 |]\nlet i = -1\nprintfn \"%d\" a.[i]",
    ),
    ("div_by_zero", "let z = [| 0 |]\nprintfn \"%d\" (1 / z.[0])"),
    ("mod_by_zero", "let z = [| 0L |]\nprintfn \"%d\" (5L % z.[0])"),
    (
        "int_overflow",
        "let m = [| -2147483648; -1 |]\nprintfn \"%d\" (m.[0] / m.[1])",
    ),
    (
        "incomplete_match",
        "let f n =\n    match n with\n    | 0 -> \"zero\"\nprintfn \"%s\" (f 0)\nprintfn \"%s\" (f 1)",
    ),
    ("none_value", "let o : int option = None\nprintfn \"%d\" o.Value"),
    ("option_get", "let o : int option = None\nprintfn \"%d\" (Option.get o)"),
    ("empty_max", "let a : int[] = [||]\nprintfn \"%d\" (Array.max a)"),
    ("negative_size", "let n = -3\nlet a : int[] = Array.zeroCreate n\nprintfn \"%d\" a.Length"),
    ("list_head", "let l : int list = []\nprintfn \"%d\" (List.head l)"),
    ("exit_code", "printfn \"bye\"\nexit 7"),
    (
        "buffer_index",
        "[<EntryPoint>]\nlet main argv =\n    use b = BAREWire.allocate<int, cpu_mem> 2\n    b.[2] <- 1\n    0",
    ),
    (
        "numbers",
        "printfn \"%d %d %d\" (2147483647 + 1) (255uy + 1uy) (-9223372036854775808L - 1L)\nprintfn \"%d %d %d\" (int 3.99) (int -3.99) (int (0.0 / 0.0))\nprintfn \"%d %d\" (byte 300.0) (int 1e20)\nprintfn \"%f %.2f %A %A\" (1.0/3.0) 2.675 (float32 0.1) 1e20\nprintfn \"%s %s %s\" (string 1.0) (string 0.1f) (string 1e15)\nprintfn \"%d %d %d\" (1 <<< 33) (-8 >>> 1) (1uy <<< 9)\nprintfn \"%A %A\" (min (0.0 / 0.0) 1.0) (max 2 3)\nprintfn \"%d %d\" (-7 / 2) (-7 % 2)",
    ),
    (
        "structures",
        "type R = { A: int; B: string list }\ntype U = X | Y of int * float | Z of int option\nprintfn \"%A\" { A = 1; B = [\"x\"] }\nprintfn \"%A %A %A\" (Y (1, 2.0)) (Z (Some 3)) [| X |]\nprintfn \"%A\" (Some (1, \"a\"), [1; 2] < [1; 3], (1, 2) > (1, 1))\nlet s = sprintf \"%d-%s\" 4 \"x\"\nprintfn \"%s %d\" s s.Length",
    ),
];

#[test]
fn failures_and_values_match_the_compiled_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (name, source) in SAME_AS_COMPILED {
        let src = write(dir.path(), name, source);
        let exe = dir.path().join(name);
        common::build_ok(&src, &exe);
        let compiled = Command::new(&exe).output().expect("run the program");
        let interpreted = interp(&src, &[]);
        // The interpreter's stderr starts with the compiler's warnings.
        for (what, c, i) in [
            ("stdout", &compiled.stdout, &interpreted.stdout),
            ("stderr", &compiled.stderr, &interpreted.stderr),
        ] {
            let same = if what == "stdout" {
                c == i
            } else {
                i.ends_with(c)
            };
            if !same {
                failures.push(format!(
                    "{name}: {what} differs\n--- compiled\n{}--- interpreted\n{}",
                    String::from_utf8_lossy(c),
                    String::from_utf8_lossy(i)
                ));
            }
        }
        if compiled.status.code() != interpreted.status.code() {
            failures.push(format!(
                "{name}: exit code {:?} compiled, {:?} interpreted",
                compiled.status.code(),
                interpreted.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn tail_calls_run_in_constant_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = write(
        dir.path(),
        "tail",
        "let rec count n acc = if n = 0 then acc else count (n - 1) (acc + 1L)\n\
         let rec even n = if n = 0 then true else odd (n - 1)\n\
         and odd n = if n = 0 then false else even (n - 1)\n\
         let apply f x = f x\n\
         let rec viaClosure n = if n = 0 then 0 else apply viaClosure (n - 1)\n\
         printfn \"%d %b\" (count 10000000 0L) (even 1000001)\n\
         printfn \"%d\" (viaClosure 1000000)",
    );
    let out = interp(&src, &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "10000000 false\n0\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn deep_recursion_works_and_exhaustion_is_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = write(
        dir.path(),
        "deep",
        "let rec depth n = if n = 0 then 0 else 1 + depth (n - 1)\n\
         let rec build n = if n = 0 then [] else n :: build (n - 1)\n\
         printfn \"%d %d\" (depth 100000) (List.length (build 100000))\n\
         printfn \"%d\" (depth -1)",
    );
    let out = interp(&src, &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "100000 100000\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Stack overflow.\n"), "stderr: {stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn argv_and_exit_code_come_from_the_entry_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = write(
        dir.path(),
        "args",
        "[<EntryPoint>]\nlet main argv =\n    printfn \"%d %s\" argv.Length argv.[1]\n    argv.Length + 40\n",
    );
    let out = interp(&src, &["a", "bcd"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2 bcd\n");
    assert_eq!(out.status.code(), Some(42));
}

#[test]
fn programs_with_errors_are_reported_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = write(dir.path(), "bad", "printfn \"hi\"\nlet x : int = \"no\"\n");
    let out = interp(&src, &[]);
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0501"));
    assert_eq!(out.status.code(), Some(1));
    let missing = interp(&dir.path().join("missing.clef"), &[]);
    assert_eq!(missing.status.code(), Some(2));
}
