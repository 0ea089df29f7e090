//! `clefc platform`: this machine, a recorded tree, hwloc exports and
//! description files, as tables and as the JSON contract.

use std::path::Path;
use std::process::Command;

fn clefc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clefc"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("run clefc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("clefc platform --json prints JSON")
}

#[test]
fn this_machine_has_every_online_node() {
    let (code, out, err) = clefc(&["platform", "--json"]);
    assert_eq!(code, 0, "{err}");
    let p = json(&out);
    let online = std::fs::read_to_string("/sys/devices/system/node/online").unwrap_or("0".into());
    let ids: Vec<u64> = p["numa_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_u64().unwrap())
        .collect();
    let first: u64 = online
        .trim()
        .split(['-', ','])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ids[0], first);
    for key in ["id", "cpus", "capacity_bytes", "kind", "tier", "distances"] {
        assert!(p["numa_nodes"][0].get(key).is_some(), "{key} missing");
    }
    for key in ["dax_devices", "cxl_memdevs", "gpus"] {
        assert!(p[key].is_array(), "{key} missing");
    }
    let (code, table, _) = clefc(&["platform"]);
    assert_eq!(code, 0);
    assert!(table.starts_with("Machine (detected:/): "), "{table}");
}

#[test]
fn a_recorded_tree() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime/tests/topologies/sysfs/fakeheteromemtiers.tar.bz2");
    let ok = Command::new("tar")
        .arg("xjf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    let root = dir.path().join("fakeheteromemtiers");
    let (code, out, err) = clefc(&["platform", "--json", "--root", root.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let p = json(&out);
    let kinds: Vec<&str> = p["numa_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["DRAM", "DRAM", "HBM", "HBM", "PMEM", "PMEM", "PMEM"]
    );
    // hwloc read the same tree (HWLOC_FSROOT) and sees every node.
    assert!(
        p["numa_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["hwloc_visible"] == true),
        "{out}"
    );
    let (code, _, err) = clefc(&["platform", "--root", "/nonexistent"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent has no sys/ directory"), "{err}");
}

#[test]
fn description_files() {
    let (code, out, err) = clefc(&[
        "platform",
        "--platform",
        "examples/platforms/cxl-server.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("3 NUMA nodes (1 memory-only), 1 DAX device, 1 CXL memory device"),
        "{out}"
    );
    assert!(
        out.contains("node 2     CXL   256 GiB   22    none"),
        "{out}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"numa_nodes": [{"id": 0, "capacity_bytes": 1, "kind": "DRAM", "distances": {"0": 12}}]}"#).unwrap();
    let (code, _, err) = clefc(&["platform", "--platform", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "bad.json: numa_nodes[0].distances: a node's distance to itself is 10, not 12"
        ),
        "{err}"
    );
}
