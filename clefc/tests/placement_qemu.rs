//! A binary built with `--platform auto` adapts to the machine that runs
//! it: its large buffer lands on the CXL node inside the emulated CXL guest
//! (`scripts/qemu/run-guest cxl`), and on the local node here. Where the
//! pages are is the kernel's answer (`move_pages`, sampled page by page in
//! the `BAREWIRE_REPORT`).

use std::path::Path;
use std::process::Command;

fn build(dir: &Path) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/large_buffer_auto.clef");
    let exe = dir.join("large_buffer_auto");
    let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args([
            "build",
            "--platform",
            "auto",
            "--large-threshold",
            "1048576",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run clefc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

const SUM: &str = "sum 34359607296";

#[test]
fn auto_placement_on_this_machine_and_in_a_cxl_guest() {
    let dir = tempfile::tempdir().unwrap();
    let exe = build(dir.path());

    // Here (no far memory on this kind of machine): the local node.
    let out = Command::new(&exe)
        .env("BAREWIRE_REPORT", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), SUM);
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("placed at run time: 2 MiB is over the 1 MiB threshold"),
        "{report}"
    );
    let has_far = std::fs::read_to_string("/sys/devices/system/node/has_cpu").ok()
        != std::fs::read_to_string("/sys/devices/system/node/has_memory").ok();
    if !has_far {
        assert!(
            report.contains("but the platform has no far memory: local memory"),
            "{report}"
        );
        assert!(report.contains("-> cpu_mem on node 0"), "{report}");
        assert!(report.contains("sampled pages: node 0: 512"), "{report}");
    }

    // In the CXL guest, after the region is onlined as a memory-only node.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(repo.join("scripts/qemu/run-guest"))
        .args(["cxl", "-"])
        .arg(work.path())
        .env("CLEF_PROGRAM", &exe)
        .output()
        .expect("run scripts/qemu/run-guest");
    let console = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let at = console.find("PHASE clef-program").unwrap_or_else(|| {
        panic!(
            "no program phase:\n{console}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let run = &console[at..];
    assert!(run.contains(SUM), "{run}");
    assert!(run.contains("CLEF-EXIT 0"), "{run}");
    assert!(
        run.contains("2 MiB is over the 1 MiB threshold: far (CXL) memory"),
        "{run}"
    );
    // The far node is node 1 in this guest; every page is there.
    assert!(
        run.contains("2 MiB requested cxl_mem -> cxl_mem on node 1"),
        "{run}"
    );
    assert!(run.contains("sampled pages: node 1: 512"), "{run}");
}
