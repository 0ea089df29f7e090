//! Linux sysfs, read directly through a root path.
//!
//! Every read goes through [`Tree`], which joins paths onto the root, so the
//! same code reads this machine (`/`) or a recorded tree (a directory
//! holding `sys/` and `proc/`). A missing file means "the kernel does not
//! report this"; a file that exists but cannot be read or parsed becomes a
//! note naming the file, and the field it fed is left unknown. Only a tree
//! without a readable node list is an error.

use super::{AccessCharacteristics, CxlMemdev, CxlRegion, DaxDevice, DaxMode, PlatformError};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything sysfs says about memory, before merging with hwloc.
#[derive(Debug, Clone, Default)]
pub struct SysfsView {
    pub nodes: Vec<SysNode>,
    /// Kernel memory tier number → nodes in it.
    pub memory_tiers: BTreeMap<u32, Vec<u32>>,
    pub dax_devices: Vec<DaxDevice>,
    pub cxl_memdevs: Vec<CxlMemdev>,
    pub cxl_regions: Vec<CxlRegion>,
    pub pci_gpus: Vec<PciGpu>,
    pub notes: Vec<String>,
}

/// A node as `/sys/devices/system/node/nodeN` describes it.
#[derive(Debug, Clone, Default)]
pub struct SysNode {
    pub id: u32,
    pub cpus: Vec<u32>,
    pub mem_total_bytes: Option<u64>,
    /// Distance to each online node.
    pub distances: BTreeMap<u32, u32>,
    /// HMAT figures for the node's best initiator (`access0`), else for the
    /// best CPU initiator (`access1`).
    pub access: Option<AccessCharacteristics>,
}

/// A display or 3D controller on the PCI bus.
#[derive(Debug, Clone, Default)]
pub struct PciGpu {
    pub address: String,
    pub vendor: u16,
    pub device: u16,
    pub numa_node: Option<u32>,
    /// The largest prefetchable memory BAR, in bytes.
    pub bar_bytes: Option<u64>,
    /// A `resourceN_resize` attribute exists (Resizable BAR).
    pub bar_resizable: bool,
}

/// A sysfs tree under a root directory.
pub struct Tree {
    root: PathBuf,
    notes: RefCell<Vec<String>>,
}

impl Tree {
    pub fn new(root: &Path) -> Tree {
        Tree {
            root: root.to_path_buf(),
            notes: RefCell::new(Vec::new()),
        }
    }

    /// `rel` (like `sys/devices/system/node`) under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    fn note(&self, message: String) {
        self.notes.borrow_mut().push(message);
    }

    /// The trimmed contents of a file; `None` if it does not exist, or (with
    /// a note) if it cannot be read.
    pub fn read(&self, path: &Path) -> Option<String> {
        match std::fs::read_to_string(path) {
            // Some recorded trees keep a trailing NUL.
            Ok(s) => Some(
                s.trim_matches(|c: char| c.is_whitespace() || c == '\0')
                    .to_string(),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.note(format!(
                    "{}: unreadable ({e}); treated as unknown",
                    path.display()
                ));
                None
            }
        }
    }

    /// A file holding one integer, decimal or `0x` hexadecimal.
    pub fn read_int(&self, path: &Path) -> Option<i64> {
        let text = self.read(path)?;
        match parse_int(&text) {
            Some(v) => Some(v),
            None => {
                self.note(format!(
                    "{}: expected an integer, found {text:?}; treated as unknown",
                    path.display()
                ));
                None
            }
        }
    }

    /// Names of the entries of a directory, sorted naturally (`node2`
    /// before `node10`); empty if it does not exist.
    pub fn entries(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort_by_key(|n| natural_key(n));
        names
    }

    /// Where a symlink points, as written (sysfs links are relative).
    fn link_target(&self, path: &Path) -> Option<String> {
        std::fs::read_link(path)
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    }

    fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.notes.borrow_mut())
    }
}

fn natural_key(name: &str) -> (String, Vec<u64>) {
    let prefix: String = name.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let numbers = name[prefix.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    (prefix, numbers)
}

/// `42`, `-1` or `0x1f`.
pub fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else {
        t.parse().ok()
    }
}

/// A kernel CPU or node list such as `0-2,4,6,8-9`.
pub fn parse_list(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.trim().parse().ok()?),
        }
    }
    Some(out)
}

/// Read the whole tree under `root`.
pub fn read_tree(root: &Path) -> Result<SysfsView, PlatformError> {
    let tree = Tree::new(root);
    let nodes = read_nodes(&tree)?;
    let mut view = SysfsView {
        nodes,
        memory_tiers: read_memory_tiers(&tree),
        dax_devices: read_dax(&tree),
        cxl_memdevs: Vec::new(),
        cxl_regions: Vec::new(),
        pci_gpus: read_pci_gpus(&tree),
        notes: Vec::new(),
    };
    let (memdevs, regions) = read_cxl(&tree, &view.dax_devices);
    view.cxl_memdevs = memdevs;
    view.cxl_regions = regions;
    view.notes = tree.take_notes();
    Ok(view)
}

fn read_list(tree: &Tree, path: &Path) -> Option<Vec<u32>> {
    let text = tree.read(path)?;
    let list = parse_list(&text);
    if list.is_none() {
        tree.note(format!(
            "{}: not a list of numbers: {text:?}",
            path.display()
        ));
    }
    list
}

fn read_nodes(tree: &Tree) -> Result<Vec<SysNode>, PlatformError> {
    let dir = tree.path("sys/devices/system/node");
    let online_path = dir.join("online");
    let online = match tree.read(&online_path) {
        Some(text) => parse_list(&text).ok_or_else(|| PlatformError::File {
            path: online_path.clone(),
            message: format!("expected a node list such as `0-1,3`, found {text:?}"),
        })?,
        // Kernels without NUMA support have no node directory: one node.
        None if !dir.exists() => vec![0],
        None => {
            return Err(PlatformError::File {
                path: online_path,
                message: "missing: cannot tell which NUMA nodes are online".into(),
            })
        }
    };
    let mut nodes = Vec::new();
    for &id in &online {
        let node_dir = dir.join(format!("node{id}"));
        let cpus = read_list(tree, &node_dir.join("cpulist")).unwrap_or_default();
        let mem_total_bytes = read_node_memtotal(tree, &node_dir.join("meminfo"), id);
        let mut distances = BTreeMap::new();
        if let Some(text) = tree.read(&node_dir.join("distance")) {
            let values: Vec<Option<u32>> =
                text.split_whitespace().map(|v| v.parse().ok()).collect();
            if values.len() == online.len() && values.iter().all(Option::is_some) {
                distances = online
                    .iter()
                    .copied()
                    .zip(values.into_iter().flatten())
                    .collect();
            } else {
                tree.note(format!(
                    "{}: expected {} distances, found {text:?}; distances unknown",
                    node_dir.join("distance").display(),
                    online.len()
                ));
            }
        }
        let access = read_access(tree, &node_dir.join("access0/initiators"))
            .or_else(|| read_access(tree, &node_dir.join("access1/initiators")));
        nodes.push(SysNode {
            id,
            cpus,
            mem_total_bytes,
            distances,
            access,
        });
    }
    Ok(nodes)
}

fn read_node_memtotal(tree: &Tree, path: &Path, id: u32) -> Option<u64> {
    let text = tree.read(path)?;
    let found = node_meminfo_bytes(&text, id, "MemTotal");
    if found.is_none() {
        tree.note(format!(
            "{}: no `Node {id} MemTotal: … kB` line",
            path.display()
        ));
    }
    found
}

/// A field of a node's `meminfo` (`Node 0 MemFree:   123 kB`), in bytes.
pub fn node_meminfo_bytes(text: &str, id: u32, field: &str) -> Option<u64> {
    let prefix = format!("Node {id} {field}:");
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(&prefix)?;
        let kb: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kb * 1024)
    })
}

fn read_access(tree: &Tree, dir: &Path) -> Option<AccessCharacteristics> {
    if !dir.exists() {
        return None;
    }
    // The kernel reports 0 where the firmware gave no figure.
    let get = |name: &str| {
        tree.read_int(&dir.join(name))
            .filter(|&v| v > 0)
            .map(|v| v as u64)
    };
    let access = AccessCharacteristics {
        read_bandwidth_mbps: get("read_bandwidth"),
        write_bandwidth_mbps: get("write_bandwidth"),
        read_latency_ns: get("read_latency"),
        write_latency_ns: get("write_latency"),
    };
    let any = access.read_bandwidth_mbps.is_some()
        || access.write_bandwidth_mbps.is_some()
        || access.read_latency_ns.is_some()
        || access.write_latency_ns.is_some();
    any.then_some(access)
}

fn read_memory_tiers(tree: &Tree) -> BTreeMap<u32, Vec<u32>> {
    let dir = tree.path("sys/devices/virtual/memory_tiering");
    let mut tiers = BTreeMap::new();
    for name in tree.entries(&dir) {
        let Some(number) = name
            .strip_prefix("memory_tier")
            .and_then(|n| n.parse().ok())
        else {
            continue;
        };
        if let Some(nodes) = read_list(tree, &dir.join(&name).join("nodelist")) {
            tiers.insert(number, nodes);
        }
    }
    tiers
}

/// Which subsystem provides a device, from the path its sysfs link names.
fn provider_of(link: &str) -> &'static str {
    if link.contains("ACPI0017") || link.contains("nvdimm-bridge") || link.contains("/cxl") {
        "cxl"
    } else if link.contains("ndbus") {
        "nvdimm"
    } else if link.contains("hmem") {
        "hmem"
    } else {
        "unknown"
    }
}

fn read_dax(tree: &Tree) -> Vec<DaxDevice> {
    let dir = tree.path("sys/bus/dax/devices");
    let mut out = Vec::new();
    for name in tree.entries(&dir) {
        let dev = dir.join(&name);
        let mode = match tree.link_target(&dev.join("driver")) {
            Some(t) if t.ends_with("/kmem") => DaxMode::SystemRam,
            Some(_) => DaxMode::Devdax,
            None => DaxMode::Unbound,
        };
        let provider = tree
            .link_target(&dev)
            .map_or("unknown", |l| provider_of(&l))
            .to_string();
        out.push(DaxDevice {
            target_node: tree
                .read_int(&dev.join("target_node"))
                .filter(|&n| n >= 0)
                .map(|n| n as u32),
            size_bytes: tree.read_int(&dev.join("size")).unwrap_or(0).max(0) as u64,
            mode,
            align_bytes: tree
                .read_int(&dev.join("align"))
                .filter(|&a| a > 0)
                .map(|a| a as u64),
            provider,
            name,
        });
    }
    out
}

fn read_cxl(tree: &Tree, dax: &[DaxDevice]) -> (Vec<CxlMemdev>, Vec<CxlRegion>) {
    let dir = tree.path("sys/bus/cxl/devices");
    let mut memdevs = Vec::new();
    let mut regions = Vec::new();
    let size = |p: PathBuf| tree.read_int(&p).unwrap_or(0).max(0) as u64;
    for name in tree.entries(&dir) {
        let dev = dir.join(&name);
        if name.starts_with("mem") && name[3..].chars().all(|c| c.is_ascii_digit()) {
            memdevs.push(CxlMemdev {
                ram_bytes: size(dev.join("ram/size")),
                pmem_bytes: size(dev.join("pmem/size")),
                serial: tree.read(&dev.join("serial")),
                numa_node: tree
                    .read_int(&dev.join("numa_node"))
                    .filter(|&n| n >= 0)
                    .map(|n| n as u32),
                device_type: 3,
                name,
            });
        } else if name.starts_with("region") {
            let mode = tree.read(&dev.join("mode")).unwrap_or_else(|| {
                // Linux 6.1 has only persistent-memory regions, which carry
                // a uuid; volatile regions came later with a `mode` file.
                if dev.join("uuid").exists() {
                    "pmem"
                } else {
                    "ram"
                }
                .to_string()
            });
            let targets = tree
                .entries(&dev)
                .into_iter()
                .filter(|e| e.starts_with("target") && e[6..].chars().all(|c| c.is_ascii_digit()))
                .filter_map(|e| tree.read(&dev.join(e)))
                .filter(|t| !t.is_empty())
                .map(|decoder| match endpoint_memdev(tree, &dir, &decoder) {
                    Some(mem) => format!("{decoder} ({mem})"),
                    None => decoder,
                })
                .collect();
            let dax_devices = dax
                .iter()
                .filter(|d| {
                    tree.link_target(&tree.path("sys/bus/dax/devices").join(&d.name))
                        .is_some_and(|l| l.split('/').any(|c| c == name))
                })
                .map(|d| d.name.clone())
                .collect();
            regions.push(CxlRegion {
                size_bytes: size(dev.join("size")),
                mode,
                interleave_ways: tree
                    .read_int(&dev.join("interleave_ways"))
                    .map(|w| w as u32),
                targets,
                dax_devices,
                name,
            });
        }
    }
    (memdevs, regions)
}

/// The memory device behind an endpoint decoder: the decoder's link runs
/// through `…/endpointN/decoderN.M`, and `endpointN/uport` names `memX`.
fn endpoint_memdev(tree: &Tree, dir: &Path, decoder: &str) -> Option<String> {
    let link = tree.link_target(&dir.join(decoder))?;
    let endpoint = link.split('/').rfind(|c| c.starts_with("endpoint"))?;
    let uport = tree.link_target(&dir.join(endpoint).join("uport"))?;
    uport.rsplit('/').next().map(str::to_string)
}

fn read_pci_gpus(tree: &Tree) -> Vec<PciGpu> {
    let dir = tree.path("sys/bus/pci/devices");
    let mut out = Vec::new();
    for address in tree.entries(&dir) {
        let dev = dir.join(&address);
        let class = tree.read_int(&dev.join("class")).unwrap_or(0);
        // Display controllers: VGA (0x0300), 3D (0x0302), other (0x0380).
        if class >> 16 != 0x03 {
            continue;
        }
        let files = tree.entries(&dev);
        let bar_resizable = files
            .iter()
            .any(|f| f.starts_with("resource") && f.ends_with("_resize"));
        out.push(PciGpu {
            vendor: tree.read_int(&dev.join("vendor")).unwrap_or(0) as u16,
            device: tree.read_int(&dev.join("device")).unwrap_or(0) as u16,
            numa_node: tree
                .read_int(&dev.join("numa_node"))
                .filter(|&n| n >= 0)
                .map(|n| n as u32),
            bar_bytes: tree
                .read(&dev.join("resource"))
                .and_then(|text| largest_prefetchable_bar(&text)),
            bar_resizable,
            address,
        });
    }
    out
}

/// The PCI `resource` file: one `start end flags` line per region; BARs
/// are lines 0–5. A prefetchable memory BAR has flags 0x200 and 0x2000.
fn largest_prefetchable_bar(text: &str) -> Option<u64> {
    const IORESOURCE_MEM: u64 = 0x200;
    const IORESOURCE_PREFETCH: u64 = 0x2000;
    text.lines()
        .take(6)
        .filter_map(|line| {
            let v: Vec<u64> = line
                .split_whitespace()
                .filter_map(|f| parse_int(f).map(|x| x as u64))
                .collect();
            let (start, end, flags) = (*v.first()?, *v.get(1)?, *v.get(2)?);
            let prefetchable_mem = flags & IORESOURCE_MEM != 0 && flags & IORESOURCE_PREFETCH != 0;
            (prefetchable_mem && end > start).then(|| end - start + 1)
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(parse_list("0-2,4,6,8-9"), Some(vec![0, 1, 2, 4, 6, 8, 9]));
        assert_eq!(parse_list(""), Some(vec![]));
        assert_eq!(parse_list("3-1"), None);
        assert_eq!(parse_list("a"), None);
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("0x10000000"), Some(0x1000_0000));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("x"), None);
    }

    #[test]
    fn bars() {
        let resource = "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n\
                        0x0000006000000000 0x00000067ffffffff 0x000000000014220c\n\
                        0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
        assert_eq!(largest_prefetchable_bar(resource), Some(32 << 30));
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["node10", "node2", "node1"];
        v.sort_by_key(|n| natural_key(n));
        assert_eq!(v, ["node1", "node2", "node10"]);
    }
}
