//! The driver never destroys a file: it refuses to write over its input or
//! over anything that is not an earlier executable, checks the output path
//! before compiling, writes atomically, and leaves no temporary files.
//! Inputs that are not programs get diagnostics or usage errors.

use std::path::Path;
use std::process::{Command, Output};

const PROGRAM: &str = "printfn \"hello\"\n";

fn clefc(args: &[&std::ffi::OsStr], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(args)
        .current_dir(cwd)
        .env("TMPDIR", cwd)
        .output()
        .expect("run clefc")
}

fn build(cwd: &Path, src: &str, out: Option<&str>) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), src.as_ref()];
    if let Some(out) = out {
        args.push("-o".as_ref());
        args.push(out.as_ref());
    }
    clefc(&args, cwd)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names in `dir` that clefc's temporary files use.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".clefc-out-") || n.starts_with("clefc-"))
        .collect()
}

#[test]
fn the_source_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("prog.clef"), PROGRAM).expect("write");
    std::os::unix::fs::symlink(d.join("prog.clef"), d.join("link")).expect("symlink");
    std::fs::write(d.join("noext"), PROGRAM).expect("write");
    let absolute = d.join("prog.clef").display().to_string();
    for (src, out) in [
        ("prog.clef", Some("prog.clef")),
        ("prog.clef", Some("./prog.clef")),
        ("prog.clef", Some("link")),
        ("./prog.clef", Some(absolute.as_str())),
        ("noext", None),
    ] {
        let o = build(d, src, out);
        assert_eq!(o.status.code(), Some(2), "{src} -o {out:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_to_string(d.join("prog.clef")).unwrap(),
        PROGRAM
    );
    assert_eq!(std::fs::read_to_string(d.join("noext")).unwrap(), PROGRAM);
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

#[test]
fn only_an_earlier_executable_is_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("prog.clef"), PROGRAM).expect("write");
    std::fs::write(d.join("notes.txt"), "keep me\n").expect("write");
    let o = build(d, "prog.clef", Some("notes.txt"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not an executable"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("notes.txt")).unwrap(),
        "keep me\n"
    );
    // A first build, then a rebuild over it: both fine.
    for _ in 0..2 {
        let o = build(d, "prog.clef", Some("prog"));
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let run = Command::new(d.join("prog")).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "hello\n");
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

#[test]
fn a_failed_build_leaves_the_previous_executable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("prog.clef"), PROGRAM).expect("write");
    assert!(build(d, "prog.clef", Some("prog")).status.success());
    let before = std::fs::read(d.join("prog")).expect("read");
    std::fs::write(d.join("prog.clef"), "let x = 1 + true\n").expect("write");
    let o = build(d, "prog.clef", Some("prog"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(d.join("prog")).expect("read"), before);
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

#[test]
fn unwritable_outputs_are_usage_errors_before_compiling() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("prog.clef"), PROGRAM).expect("write");
    std::fs::create_dir(d.join("sub")).expect("mkdir");
    for (out, says) in [
        ("sub", "is a directory"),
        ("missing/prog", "does not exist"),
        ("/proc/prog", "cannot write the executable to /proc/prog"),
    ] {
        let o = build(d, "prog.clef", Some(out));
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{out}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("cannot open output file"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn an_interrupted_build_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // Large enough that compiling takes a while.
    let body: String = (0..3000)
        .map(|i| format!("let f{i} x = x * {i} + 1\nprintfn \"%d\" (f{i} 2)\n"))
        .collect();
    std::fs::write(d.join("big.clef"), body).expect("write");
    for delay_ms in [50, 300, 800] {
        let child = Command::new(env!("CARGO_BIN_EXE_clefc"))
            .args(["build", "big.clef", "-o", "big"])
            .current_dir(d)
            .env("TMPDIR", d)
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let status = child.wait_with_output().expect("wait").status;
        assert!(
            status.code() == Some(130) || status.success(),
            "{delay_ms} ms: {status:?}"
        );
        assert!(leftovers(d).is_empty(), "{delay_ms} ms: {:?}", leftovers(d));
        // Either the whole executable or none.
        if let Ok(bytes) = std::fs::read(d.join("big")) {
            assert!(status.success() && bytes.starts_with(b"\x7fELF"));
        }
    }
}

#[test]
fn inputs_that_are_not_programs_get_diagnostics_or_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(
        d.join("latin1.clef"),
        b"let s = \"caf\xe9\"\nprintfn \"%s\" s\n",
    )
    .expect("write");
    let o = clefc(&["check".as_ref(), "latin1.clef".as_ref()], d);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[E0109]"), "{err}");
    assert!(err.contains("latin1.clef:1:13"), "{err}");
    assert!(err.contains("clefc reads UTF-8 source text"), "{err}");

    std::fs::write(d.join("empty.clef"), "").expect("write");
    std::fs::write(d.join("comments.clef"), "// nothing\n(* here *)\n").expect("write");
    for name in ["empty.clef", "comments.clef"] {
        let o = clefc(&["check".as_ref(), name.as_ref()], d);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    }
    std::fs::write(d.join("nul.clef"), b"let x = 1\n\0\n").expect("write");
    let o = clefc(&["check".as_ref(), "nul.clef".as_ref()], d);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nul.clef:2:1"), "{}", stderr(&o));

    let o = clefc(&["check".as_ref(), ".".as_ref()], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    let o = clefc(&["check".as_ref(), "absent.clef".as_ref()], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read absent.clef"),
        "{}",
        stderr(&o)
    );
}

/// Every linker the driver may pick makes the same working program: cc's
/// default always, and `mold` and `ld.lld` where installed
/// (`scripts/setup` installs mold).
#[test]
fn each_available_linker_links_a_working_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("linked.clef");
    std::fs::write(
        &src,
        "let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nprintfn \"%d\" (fib 20)\n",
    )
    .unwrap();
    let installed = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut linkers = vec!["default"];
    if installed("mold") {
        linkers.push("mold");
    }
    if installed("ld.lld") {
        linkers.push("lld");
    }
    for linker in linkers {
        let exe = dir.path().join(format!("linked_{linker}"));
        let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
            .arg("build")
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .env("CLEFC_LINKER", linker)
            .output()
            .expect("run clefc");
        assert!(out.status.success(), "{linker}: {}", stderr(&out));
        let run = Command::new(&exe).output().expect("run the program");
        assert_eq!(String::from_utf8_lossy(&run.stdout), "6765\n", "{linker}");
    }
}

/// The runtime archive is written once into the cache and reused; a cache
/// that cannot be written does not stop the build.
#[test]
fn the_runtime_archive_is_cached_once_and_optional() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("cached.clef");
    std::fs::write(&src, PROGRAM).unwrap();
    let cache = dir.path().join("cache");
    let build_with = |cache_home: &Path, exe: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
            .arg("build")
            .arg(&src)
            .arg("-o")
            .arg(dir.path().join(exe))
            .env("XDG_CACHE_HOME", cache_home)
            .output()
            .expect("run clefc");
        assert!(out.status.success(), "{}", stderr(&out));
        let run = Command::new(dir.path().join(exe)).output().expect("run");
        assert_eq!(String::from_utf8_lossy(&run.stdout), "hello\n");
    };
    build_with(&cache, "first");
    let archives = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(cache.join("clefc"))
            .expect("the cache was made")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let once = archives();
    assert_eq!(once.len(), 1, "{once:?}");
    assert!(once[0].starts_with("libbarewire-") && once[0].ends_with(".a"));
    // Not written again: a rewrite renames a new file into place.
    let inode = || {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(cache.join("clefc").join(&once[0]))
            .unwrap()
            .ino()
    };
    let written = inode();
    build_with(&cache, "second");
    assert_eq!(archives(), once);
    assert_eq!(written, inode(), "the cached archive was rewritten");
    // A cache path that is a file, not a directory: the archive goes to
    // the link's temporary directory instead.
    let not_a_dir = dir.path().join("not_a_dir");
    std::fs::write(&not_a_dir, "x").unwrap();
    build_with(&not_a_dir, "third");
}
