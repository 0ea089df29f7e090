//! Real kernels on emulated machines: Debian's stock kernel boots under
//! QEMU (TCG) with a NUMA/HMAT topology, and with an emulated CXL Type 3
//! memory device; `barewire-probe` runs inside, detects the machine,
//! allocates on the far/CXL memory, writes and checks every word, and asks
//! the kernel (`move_pages`) where each page is. `scripts/qemu/run-guest`
//! builds the guests; `scripts/setup` installs QEMU, busybox, the ndctl
//! tools and unpacks the kernel.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Boots the guest; boots it again, up to three boots in all, if Debian's
/// guest kernel oopsed (6.1's `cxl_pmem` has crashed in its region-probe
/// error path on a slow, loaded CI machine). Each oopsed console goes to
/// stderr so the oops stays visible; the last boot's console is returned
/// (an oops there fails the test's checks).
fn boot(scenario: &str) -> String {
    let oopsed = |console: &str| console.contains("BUG: kernel") || console.contains("Oops:");
    let mut console = boot_once(scenario);
    for _ in 1..3 {
        if !oopsed(&console) {
            break;
        }
        eprintln!("the {scenario} guest kernel oopsed; booting it again. Its console:\n{console}");
        console = boot_once(scenario);
    }
    console
}

fn boot_once(scenario: &str) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(repo.join("scripts/qemu/run-guest"))
        .arg(scenario)
        .arg(env!("CARGO_BIN_EXE_barewire-probe"))
        .arg(work.path())
        .output()
        .expect("run scripts/qemu/run-guest (scripts/setup installs what it needs)");
    let console = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        console.contains("GUEST-DONE"),
        "the {scenario} guest did not finish:\n{console}\n{stderr}"
    );
    console
}

/// The platform JSON printed after `after` (a phase marker or the start).
fn platform_after(console: &str, after: &str) -> Value {
    let from = console.find(after).expect("phase marker");
    let text = &console[from..];
    let begin = text.find("PLATFORM-BEGIN\n").expect("platform printed") + 15;
    let end = text.find("\nPLATFORM-END").expect("platform end");
    serde_json::from_str(&text[begin..end]).expect("valid platform JSON")
}

fn has_line(console: &str, line: &str) {
    assert!(
        console.lines().any(|l| l.trim_end() == line),
        "missing line {line:?} in:\n{console}"
    );
}

#[test]
fn numa_guest_with_a_memory_only_node_and_hmat() {
    let console = boot("numa");
    let p = platform_after(&console, "GUEST-UP");
    let nodes = p["numa_nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{p:#}");
    assert_eq!(nodes[2]["id"], 2);
    assert_eq!(nodes[2]["cpus"], serde_json::json!([]));
    assert_eq!(nodes[0]["cpus"], serde_json::json!([0]));
    assert_eq!(
        nodes[2]["distances"],
        serde_json::json!({"0": 30, "1": 30, "2": 10})
    );
    // HMAT, as the firmware tables give it (latency 300 ns, 5 GiB/s).
    assert_eq!(nodes[2]["access"]["read_latency_ns"], 300);
    assert_eq!(nodes[2]["access"]["read_bandwidth_mbps"], 5120);
    assert_eq!(nodes[0]["access"]["read_latency_ns"], 10);
    assert!(nodes.iter().all(|n| n["hwloc_visible"] == true));

    // Far memory is the memory-only node; every page is there.
    has_line(
        &console,
        "ALLOC cxl_mem:4M -> cxl_mem on node 2 size=4 MiB pages=2:1024 verify=ok",
    );
    has_line(
        &console,
        "ALLOC node1:4M:strict -> node 1 on node 1 size=4 MiB pages=1:1024 verify=ok",
    );
    has_line(
        &console,
        "ALLOC node2:4M:strict -> node 2 on node 2 size=4 MiB pages=2:1024 verify=ok",
    );
    has_line(&console, "PROBE-EXIT 0");
    // The run's report agrees.
    has_line(
        &console,
        "  #1 (cxl_mem:4M): 4 MiB requested cxl_mem -> cxl_mem on node 2",
    );
    has_line(
        &console,
        "  #3 (node2:4M:strict): 4 MiB requested node 2 -> node 2 on node 2",
    );
    let report = &console[console.find("BAREWire allocation report").unwrap()..];
    assert!(
        report.contains("      sampled pages: node 2: 1024"),
        "{report}"
    );
}

#[test]
fn cxl_guest_devdax_then_system_ram() {
    let console = boot("cxl");
    assert!(!console.contains("STEP-FAILED"), "{console}");

    // Phase 1: the region exposed as a devdax device.
    let p = platform_after(&console, "PHASE devdax");
    let memdevs = p["cxl_memdevs"].as_array().unwrap();
    assert_eq!(memdevs.len(), 1, "{p:#}");
    assert_eq!(memdevs[0]["name"], "mem0");
    assert_eq!(memdevs[0]["pmem_bytes"], 256u64 << 20);
    let region = &p["cxl_regions"][0];
    assert_eq!(region["mode"], "pmem");
    assert_eq!(region["targets"], serde_json::json!(["decoder2.0 (mem0)"]));
    assert_eq!(region["dax_devices"], serde_json::json!(["dax0.0"]));
    let dax = &p["dax_devices"][0];
    assert_eq!(
        (&dax["name"], &dax["mode"], &dax["provider"]),
        (&"dax0.0".into(), &"devdax".into(), &"cxl".into())
    );
    assert_eq!(p["numa_nodes"].as_array().unwrap().len(), 1);
    has_line(
        &console,
        "ALLOC cxl_mem:2M -> cxl_mem on /dev/dax0.0 size=2 MiB pages=none:512 verify=ok",
    );

    // Phase 2: the same memory onlined as a CPU-less node in a slower tier.
    let p = platform_after(&console, "PHASE system-ram");
    let nodes = p["numa_nodes"].as_array().unwrap();
    let far = nodes
        .iter()
        .find(|n| n["kind"] == "CXL")
        .expect("a CXL node");
    let id = far["id"].as_u64().unwrap();
    assert_eq!(far["cpus"], serde_json::json!([]));
    assert_eq!(far["dax_device"], "dax0.0");
    assert!(far["tier"].as_u64() > nodes[0]["tier"].as_u64(), "{p:#}");
    assert_eq!(p["dax_devices"][0]["mode"], "system-ram");
    assert_eq!(p["dax_devices"][0]["target_node"], id);
    has_line(
        &console,
        &format!(
            "ALLOC cxl_mem:2M:strict -> cxl_mem on node {id} size=2 MiB pages={id}:512 verify=ok"
        ),
    );
    has_line(
        &console,
        &format!("  #1 (cxl_mem:2M:strict): 2 MiB requested cxl_mem -> cxl_mem on node {id}"),
    );
    let report = &console[console.rfind("BAREWire allocation report").unwrap()..];
    assert!(
        report.contains(&format!("      sampled pages: node {id}: 512")),
        "{report}"
    );
    assert_eq!(console.matches("PROBE-EXIT 0").count(), 2, "{console}");
}
