//! `clefc explain` and the registry of codes it prints (docs/errors.md):
//! every code the compiler emits is explained, nothing else is, and each
//! section's first example really triggers its code.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Codes whose example cannot trigger them as written, and why.
const NOT_TRIGGERED_BY_EXAMPLE: &[(&str, &str)] = &[
    ("E0106", "every float literal the lexer accepts converts"),
    ("E0109", "needs bytes that are not UTF-8"),
    ("E0310", "needs 25,000 levels of nesting"),
    (
        "E0601",
        "eta-expansion leaves no unapplied builtin to report",
    ),
    ("E0602", "eta-expansion leaves no unapplied case to report"),
];

/// The codes written as string literals in the compiler's sources.
fn emitted_codes() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut codes = BTreeSet::new();
    let mut stack: Vec<_> = [
        "frontend/src",
        "psg/src",
        "passes/src",
        "mir/src",
        "codegen/src",
        "clefc/src",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                let bytes = text.as_bytes();
                for (i, _) in text.match_indices('"') {
                    let code = bytes.get(i + 1..i + 6);
                    let closed = bytes.get(i + 6) == Some(&b'"');
                    if let (Some(code), true) = (code, closed) {
                        let (letter, digits) = code.split_at(1);
                        if (letter == b"E" || letter == b"W")
                            && digits.iter().all(u8::is_ascii_digit)
                        {
                            codes.insert(String::from_utf8_lossy(code).into_owned());
                        }
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn every_emitted_code_is_explained_and_nothing_else() {
    let emitted = emitted_codes();
    let explained: BTreeSet<String> = clef_frontend::codes::entries()
        .iter()
        .map(|e| e.code.to_string())
        .collect();
    let missing: Vec<_> = emitted.difference(&explained).collect();
    let stale: Vec<_> = explained.difference(&emitted).collect();
    assert!(
        missing.is_empty(),
        "codes with no section in docs/errors.md: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "sections for codes nothing emits: {stale:?}"
    );
}

#[test]
fn each_example_triggers_its_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for entry in clef_frontend::codes::entries() {
        if NOT_TRIGGERED_BY_EXAMPLE
            .iter()
            .any(|(c, _)| *c == entry.code)
        {
            continue;
        }
        let Some(start) = entry.text.find("```fsharp\n") else {
            failures.push(format!("{}: no example", entry.code));
            continue;
        };
        let body = &entry.text[start + 10..];
        let example = &body[..body.find("```").unwrap_or(body.len())];
        let file = dir.path().join(format!("{}.clef", entry.code));
        std::fs::write(&file, example).expect("write the example");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clefc"));
        cmd.arg("check").arg(&file);
        // `// clefc check --platform edge` on the first line.
        if let Some(platform) = example
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// clefc check --platform "))
        {
            cmd.arg("--platform")
                .arg(platform.split_whitespace().next().unwrap_or(""));
        }
        let out = cmd.output().expect("run clefc check");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shown = format!("[{}]", entry.code);
        if !stderr.contains(&shown) {
            failures.push(format!("{}: its example reports:\n{stderr}", entry.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn explain_prints_a_section_and_rejects_unknown_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(["explain", "e0534"])
        .output()
        .expect("run clefc explain");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("E0534: "), "{text}");
    assert!(text.contains("```fsharp"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(["explain", "E9999"])
        .output()
        .expect("run clefc explain");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E9999"));
}
