//! Real faults in a process that runs the runtime's handlers
//! (`barewire-probe --fault KIND`): each ends with a clear message naming
//! what happened, exit status 1, and the output printed before it intact.

use std::process::Command;

fn fault(kind: &str) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_barewire-probe"))
        .args(["--fault", kind])
        .output()
        .expect("run barewire-probe");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn check(kind: &str, expected: &[&str]) {
    let (stdout, stderr, code) = fault(kind);
    assert_eq!(stdout, "printed before the fault\n", "{kind}: {stderr}");
    for e in expected {
        assert!(stderr.contains(e), "{kind}: expected {e:?} in:\n{stderr}");
    }
    assert_eq!(code, Some(1), "{kind}: {stderr}");
}

#[test]
fn a_read_of_a_protected_buffer_names_the_allocation() {
    check(
        "segv-in-buffer",
        &[
            "SIGSEGV",
            "in BAREWire allocation #",
            "probe buffer",
            "cpu_mem",
        ],
    );
}

#[test]
fn a_wild_read_is_a_segfault_outside_any_allocation() {
    check(
        "segv-wild",
        &["SIGSEGV", "0x10", "not in any BAREWire allocation"],
    );
}

#[test]
fn a_mapping_that_went_away_is_a_bus_error() {
    check("bus-truncated", &["SIGBUS", "mapping went away"]);
}

#[test]
fn endless_recursion_is_a_stack_overflow_on_the_main_thread() {
    check("stack", &["Stack overflow.", "main thread's stack"]);
}

#[test]
fn endless_recursion_is_a_stack_overflow_on_other_threads() {
    check(
        "stack-thread",
        &["Stack overflow.", "this thread's stack is"],
    );
}
