//! Detection against recorded real machines (`tests/topologies/`, from
//! hwloc's test suite): sysfs captures read through a root path, and hwloc
//! XML exports. Where hwloc's own view of the same machine is recorded, the
//! runtime's view must agree with it.

use barewire::platform::{
    render, DaxMode, Detect, DetectOptions, HwlocSource, MemoryKind, Platform, PlatformError,
};
use std::path::{Path, PathBuf};
use std::process::Command;

fn topologies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/topologies")
}

/// Unpack a recorded sysfs tree; returns the temporary directory and the
/// tree's root inside it.
fn unpack(archive: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let status = Command::new("tar")
        .arg("xjf")
        .arg(topologies().join("sysfs").join(archive))
        .arg("-C")
        .arg(dir.path())
        .status()
        .expect("tar (with bzip2) must be installed: scripts/setup does it");
    assert!(status.success(), "unpacking {archive}");
    let root = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.join("sys").is_dir())
        .expect("the archive holds one tree with sys/");
    (dir, root)
}

fn snapshot(name: &str, mut platform: Platform) {
    platform.source = name.to_string();
    let text = format!(
        "{}\n---- JSON ----\n{}\n",
        render::render(&platform),
        platform.to_json()
    );
    insta::with_settings!({
        snapshot_path => "../../snapshots/platform",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// hwloc's view of `fakeheteromemtiers`, from its recorded `lstopo`
/// console output: (os index, subtype, local MiB, DAX device).
fn console_nodes(console: &str) -> Vec<(u32, String, u64, Option<String>)> {
    console
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line.strip_prefix("NUMANode(")?;
            let (subtype, rest) = rest.split_once(')')?;
            let field = |key: &str| {
                rest.split([' ', '(', ')'])
                    .find_map(|w| w.strip_prefix(key))
                    .map(str::to_string)
            };
            let id = field("P#")?.parse().ok()?;
            let local = field("local=")?.strip_suffix("MiB")?.parse().ok()?;
            Some((id, subtype.to_string(), local, field("DAXDevice=")))
        })
        .collect()
}

#[test]
fn fakeheteromemtiers_agrees_with_hwloc() {
    let (_dir, root) = unpack("fakeheteromemtiers.tar.bz2");
    let p = Platform::detect(&DetectOptions::recorded(&root)).unwrap();
    let console =
        std::fs::read_to_string(topologies().join("sysfs/fakeheteromemtiers.console")).unwrap();
    let expected = console_nodes(&console);
    assert_eq!(expected.len(), 7, "the console lists 7 nodes");
    let ids: Vec<u32> = p.numa_nodes.iter().map(|n| n.id).collect();
    let mut expected_ids: Vec<u32> = expected.iter().map(|e| e.0).collect();
    expected_ids.sort();
    assert_eq!(ids, expected_ids);
    for (id, subtype, local_mib, dax) in &expected {
        let node = p.node(*id).unwrap();
        let kind = match subtype.as_str() {
            "DRAM" => MemoryKind::DRAM,
            "HBM" => MemoryKind::HBM,
            "NVM" => MemoryKind::PMEM,
            other => panic!("unexpected subtype {other}"),
        };
        assert_eq!(node.kind, kind, "node {id}");
        // lstopo rounds to the nearest MiB.
        assert_eq!(
            (node.capacity_bytes + (1 << 19)) >> 20,
            *local_mib,
            "node {id} capacity"
        );
        assert_eq!(node.dax_device.as_ref(), dax.as_ref(), "node {id} DAX");
    }
    assert_eq!(p.cpuless_nodes().count(), 4);
    // Every DAX device, with its mode and target; devdax ones feed no node.
    assert_eq!(p.dax_devices.len(), 8);
    let dax0 = &p.dax_devices[0];
    assert_eq!(
        (
            dax0.name.as_str(),
            dax0.mode,
            dax0.target_node,
            dax0.size_bytes
        ),
        ("dax0.0", DaxMode::Devdax, Some(3), 512 << 20)
    );
    assert!(p
        .dax_devices
        .iter()
        .filter(|d| d.mode == DaxMode::SystemRam)
        .all(|d| p
            .node(d.target_node.unwrap())
            .unwrap()
            .dax_device
            .as_deref()
            == Some(&d.name)));
    snapshot("fakeheteromemtiers", p);
}

#[test]
fn dax_machine_agrees_with_hwloc_xml() {
    let name = "32em64t-2n8c+dax+nvme+mic+dimms";
    let (_dir, root) = unpack(&format!("{name}.tar.bz2"));
    let xml = topologies().join(format!("sysfs/{name}.hwloc.xml"));
    let ours = Platform::detect(&DetectOptions::recorded(&root)).unwrap();
    let hwloc = Platform::from_hwloc_xml(&xml).unwrap();
    assert_eq!(ours.numa_nodes.len(), hwloc.numa_nodes.len());
    for (a, b) in ours.numa_nodes.iter().zip(&hwloc.numa_nodes) {
        assert_eq!(
            (a.id, &a.cpus, a.capacity_bytes),
            (b.id, &b.cpus, b.capacity_bytes)
        );
        assert_eq!(a.distances, b.distances, "node {}", a.id);
    }
    for dax in &hwloc.dax_devices {
        let mine = ours.dax_devices.iter().find(|d| d.name == dax.name);
        let mine = mine.unwrap_or_else(|| panic!("{} missing", dax.name));
        assert_eq!(mine.size_bytes, dax.size_bytes, "{}", dax.name);
    }
    // With hwloc's view of the same tree merged in, every node is visible
    // to hwloc and the fields agree.
    let merged = Platform::detect(&DetectOptions {
        hwloc: HwlocSource::Xml(xml),
        ..DetectOptions::recorded(&root)
    })
    .unwrap();
    assert!(merged
        .numa_nodes
        .iter()
        .all(|n| n.hwloc_visible == Some(true)));
    snapshot("32em64t-2n8c-dax", merged);
}

#[test]
fn hwloc_xml_exports() {
    let xml = |f: &str| Platform::from_hwloc_xml(&topologies().join("hwloc-xml").join(f)).unwrap();

    let cxl = xml("cxlmem+dax.v2.xml");
    let mut memdevs: Vec<_> = cxl
        .cxl_memdevs
        .iter()
        .map(|m| (m.name.as_str(), m.ram_bytes >> 20, m.pmem_bytes >> 20))
        .collect();
    memdevs.sort();
    assert_eq!(
        memdevs,
        [
            ("mem0", 0, 256),
            ("mem1", 256, 256),
            ("mem2", 256, 0),
            ("mem3", 256, 0)
        ]
    );
    assert_eq!(cxl.dax_devices.len(), 1);
    snapshot("cxlmem+dax", cxl);

    let hetero = xml("64intel64-heteromem.xml");
    let kinds = |p: &Platform, k| p.numa_nodes.iter().filter(|n| n.kind == k).count();
    assert_eq!(
        (
            kinds(&hetero, MemoryKind::DRAM),
            kinds(&hetero, MemoryKind::HBM)
        ),
        (4, 4)
    );
    let hbm = hetero
        .numa_nodes
        .iter()
        .find(|n| n.kind == MemoryKind::HBM)
        .unwrap();
    assert_eq!(hbm.access.unwrap().read_bandwidth_mbps, Some(90000));
    assert!(hetero
        .numa_nodes
        .iter()
        .all(|n| n.tier == Some(if n.kind == MemoryKind::HBM { 0 } else { 1 })));
    snapshot("64intel64-heteromem", hetero);

    let distances = xml("16amd64-4distances.xml");
    assert_eq!(distances.numa_nodes.len(), 8);
    assert!(distances.numa_nodes.iter().all(|n| n.distances.len() == 8));
    snapshot("16amd64-4distances", distances);

    let gpu = xml("32em64t-2n8c2t-pci-normalio.xml");
    assert_eq!(gpu.gpus.len(), 1);
    assert_eq!(gpu.gpus[0].memory_bytes, Some(11796032 * 1024));
    assert_eq!(gpu.gpus[0].pci_address.as_deref(), Some("0000:84:00.0"));
    snapshot("32em64t-pci-gpu", gpu);

    let memattrs = xml("8intel64-4n2t-memattrs.xml");
    assert_eq!(memattrs.numa_nodes.len(), 4);
    // Only node 1 has a (standard) bandwidth attribute; custom attributes
    // are not bandwidth.
    let bandwidths: Vec<_> = memattrs
        .numa_nodes
        .iter()
        .map(|n| n.access.and_then(|a| a.read_bandwidth_mbps))
        .collect();
    assert_eq!(bandwidths, [None, Some(20), None, None]);
    snapshot("8intel64-memattrs", memattrs);
}

#[test]
fn odd_sysfs_contents_become_notes_naming_the_file() {
    let (_dir, root) = unpack("fakeheteromemtiers.tar.bz2");
    let node1 = root.join("sys/devices/system/node/node1");
    // A file that cannot be read (a directory where a file should be) and
    // one with garbage in it.
    std::fs::remove_file(node1.join("meminfo")).unwrap();
    std::fs::create_dir(node1.join("meminfo")).unwrap();
    std::fs::write(root.join("sys/bus/dax/devices/dax0.0/size"), "lots\n").unwrap();
    let p = Platform::detect(&DetectOptions::recorded(&root)).unwrap();
    assert_eq!(p.node(1).unwrap().capacity_bytes, 0);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("node1/meminfo: unreadable")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("dax0.0/size: expected an integer, found \"lots\"")),
        "{:?}",
        p.notes
    );
    // Without a node list there is nothing to detect: an error naming it.
    std::fs::write(root.join("sys/devices/system/node/online"), "zero\n").unwrap();
    match Platform::detect(&DetectOptions::recorded(&root)) {
        Err(PlatformError::File { path, message }) => {
            assert!(path.ends_with("sys/devices/system/node/online"));
            assert!(message.contains("\"zero\""), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn description_files_round_trip_and_fail_with_the_field() {
    let (_dir, root) = unpack("fakeheteromemtiers.tar.bz2");
    let detected = Platform::detect(&DetectOptions::recorded(&root)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("machine.json");
    std::fs::write(&json, detected.to_json()).unwrap();
    let loaded = Platform::load_file(&json).unwrap();
    assert_eq!(
        Platform {
            source: String::new(),
            ..loaded
        },
        Platform {
            source: String::new(),
            ..detected.clone()
        }
    );

    let bad = |name: &str, text: &str| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        match Platform::load_file(&path) {
            Err(e) => {
                let e = e.to_string();
                assert!(e.starts_with(&path.display().to_string()), "{e}");
                e
            }
            Ok(p) => panic!("{name} loaded: {p:?}"),
        }
    };
    let node = |extra: &str| {
        format!("[[numa_nodes]]\nid = 0\ncapacity_bytes = 1024\nkind = \"DRAM\"\n{extra}")
    };
    assert!(bad("unknown.toml", &node("colour = \"red\"\n")).contains("unknown field `colour`"));
    assert!(bad("kind.toml", &node("").replace("DRAM", "SRAM")).contains("unknown variant `SRAM`"));
    assert!(bad("twice.toml", &format!("{}{}", node(""), node("")))
        .contains("numa_nodes[1].id: node 0 is listed twice"));
    assert!(bad("dist.toml", &node("distances = { 0 = 10, 3 = 20 }\n"))
        .contains("numa_nodes[0].distances: node 3 is not one of the numa_nodes"));
    assert!(bad("empty.json", "{\"numa_nodes\": []}")
        .contains("numa_nodes: a machine has at least one NUMA node"));
    assert!(bad("type.json", "{\"numa_nodes\": [{\"id\": \"zero\"}]}").contains("invalid type"));
}
