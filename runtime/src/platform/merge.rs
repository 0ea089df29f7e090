//! Combining sysfs, hwloc and CUDA into one [`Platform`].
//!
//! Nodes are the union of what the kernel and hwloc report, so memory-only
//! nodes hwloc leaves out still appear. For each field the more direct
//! source wins: sysfs for capacity, distances, HMAT figures and the
//! kernel's tiers; hwloc for memory subtypes and as the fallback for the
//! rest. A node's kind follows the rules in [`kind_of`].

use super::hwloc::{HwNode, HwlocView};
use super::sysfs::SysfsView;
use super::{DaxDevice, DaxMode, Gpu, MemoryKind, NumaNode, Platform};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn merge(sys: &SysfsView, hw: Option<&HwlocView>, cuda: Vec<Gpu>) -> Platform {
    let hw_node = |id: u32| hw.and_then(|h| h.nodes.iter().find(|n| n.id == id));
    let sys_node = |id: u32| sys.nodes.iter().find(|n| n.id == id);
    let ids: BTreeSet<u32> = sys
        .nodes
        .iter()
        .map(|n| n.id)
        .chain(hw.iter().flat_map(|h| h.nodes.iter().map(|n| n.id)))
        .collect();
    // Ordinary DRAM: nodes with CPUs whose memory is not onlined from a
    // DAX device (HBM can sit on a node with CPUs).
    let dram_bandwidth = sys
        .nodes
        .iter()
        .filter(|n| !n.cpus.is_empty())
        .filter(|n| memory_from_dax(sys, n.id, n.mem_total_bytes).is_none())
        .filter_map(|n| n.access.and_then(|a| a.read_bandwidth_mbps))
        .max();

    let mut numa_nodes = Vec::new();
    for id in ids {
        let (s, h) = (sys_node(id), hw_node(id));
        let dax = memory_from_dax(sys, id, s.and_then(|s| s.mem_total_bytes));
        let cpus = s
            .map(|s| s.cpus.clone())
            .or_else(|| h.map(|h| h.cpus.clone()))
            .unwrap_or_default();
        let mut distances = s.map(|s| s.distances.clone()).unwrap_or_default();
        if distances.is_empty() {
            if let Some(hw) = hw {
                distances = hw
                    .distances
                    .iter()
                    .filter(|((from, _), _)| *from == id)
                    .map(|((_, to), d)| (*to, *d))
                    .collect();
            }
        }
        let access = s
            .and_then(|s| s.access)
            .or_else(|| h.and_then(|h| h.access));
        let kind = kind_of(
            h,
            dax,
            &cpus,
            access.and_then(|a| a.read_bandwidth_mbps),
            dram_bandwidth,
        );
        let tier = sys
            .memory_tiers
            .iter()
            .find(|(_, nodes)| nodes.contains(&id))
            .map(|(tier, _)| *tier)
            .or_else(|| h.and_then(|h| h.memory_tier));
        numa_nodes.push(NumaNode {
            id,
            capacity_bytes: s
                .and_then(|s| s.mem_total_bytes)
                .or_else(|| h.map(|h| h.local_memory))
                .unwrap_or(0),
            kind,
            tier,
            distances,
            access,
            dax_device: dax
                .map(|d| d.name.clone())
                .or_else(|| h.and_then(|h| h.dax_device.clone())),
            hwloc_visible: hw.map(|_| h.is_some()),
            cpus,
        });
    }
    rank_tiers_if_unknown(&mut numa_nodes);

    let mut platform = Platform {
        source: String::new(),
        numa_nodes,
        dax_devices: sys.dax_devices.clone(),
        cxl_memdevs: sys.cxl_memdevs.clone(),
        cxl_regions: sys.cxl_regions.clone(),
        gpus: merge_gpus(sys, cuda),
        cxl_version: None,
        cxl_pooling: false,
        notes: sys.notes.clone(),
    };
    if let Some(hw) = hw {
        fill_devices_from_hwloc(&mut platform, hw);
    }
    platform
}

/// The `system-ram` DAX device that provides most of node `id`'s memory
/// (at least half of it). Hot-added memory can also join a node that has
/// its own DRAM; then the node stays what its DRAM is.
fn memory_from_dax(sys: &SysfsView, id: u32, capacity: Option<u64>) -> Option<&DaxDevice> {
    sys.dax_devices.iter().find(|d| {
        d.mode == DaxMode::SystemRam
            && d.target_node == Some(id)
            && capacity.is_none_or(|c| d.size_bytes >= c / 2)
    })
}

/// A platform from hwloc alone (an XML export with no sysfs tree).
pub(super) fn from_hwloc_only(hw: &HwlocView) -> Platform {
    merge(&SysfsView::default(), Some(hw), Vec::new())
}

/// Devices hwloc knows and sysfs did not give (XML-only platforms).
fn fill_devices_from_hwloc(platform: &mut Platform, hw: &HwlocView) {
    if platform.dax_devices.is_empty() {
        for (name, dax_type, size) in &hw.dax {
            let target = platform
                .numa_nodes
                .iter()
                .find(|n| n.dax_device.as_deref() == Some(name))
                .map(|n| n.id);
            platform.dax_devices.push(DaxDevice {
                name: name.clone(),
                target_node: target,
                size_bytes: size.unwrap_or(0),
                mode: if target.is_some() {
                    DaxMode::SystemRam
                } else {
                    DaxMode::Devdax
                },
                align_bytes: None,
                provider: match dax_type.as_deref() {
                    Some("NVM") => "nvdimm",
                    Some("SPM") => "hmem",
                    Some(t) if t.starts_with("CXL") => "cxl",
                    _ => "unknown",
                }
                .into(),
            });
        }
    }
    if platform.cxl_memdevs.is_empty() {
        platform.cxl_memdevs = hw
            .cxl_memdevs
            .iter()
            .map(|(name, ram, pmem)| super::CxlMemdev {
                name: name.clone(),
                ram_bytes: *ram,
                pmem_bytes: *pmem,
                serial: None,
                numa_node: None,
                device_type: 3,
            })
            .collect();
    }
    if platform.gpus.is_empty() {
        platform.gpus = hw
            .gpus
            .iter()
            .map(|g| Gpu {
                cuda_index: None,
                name: g.name.clone(),
                pci_address: g.pci_address.clone(),
                memory_bytes: g.memory_bytes,
                bar_bytes: None,
                bar_resizable: false,
                numa_node: None,
            })
            .collect();
    }
}

/// The kind of a node's memory, by the first rule that applies:
/// 1. memory onlined from a DAX device: a CXL device's is `CXL`, an
///    NVDIMM's is `PMEM`, soft-reserved (`hmem`) memory is `HBM` when its
///    bandwidth beats every CPU node's, else `unknown`;
/// 2. hwloc's subtype: `DRAM`, `HBM`/`MCDRAM`, `NVM` → `PMEM`,
///    `CXL-*` → `CXL`, `GPU`;
/// 3. a node with CPUs is `DRAM`;
/// 4. otherwise `unknown` (a memory-only node with no provenance).
fn kind_of(
    h: Option<&HwNode>,
    dax: Option<&DaxDevice>,
    cpus: &[u32],
    bandwidth: Option<u64>,
    dram_bandwidth: Option<u64>,
) -> MemoryKind {
    if let Some(dax) = dax {
        match dax.provider.as_str() {
            "cxl" => return MemoryKind::CXL,
            "nvdimm" => return MemoryKind::PMEM,
            "hmem" => {
                if let (Some(bw), Some(dram)) = (bandwidth, dram_bandwidth) {
                    if bw > dram {
                        return MemoryKind::HBM;
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(subtype) = h.and_then(|h| h.subtype.as_deref()) {
        match subtype {
            "DRAM" => return MemoryKind::DRAM,
            "HBM" | "MCDRAM" => return MemoryKind::HBM,
            "NVM" => return MemoryKind::PMEM,
            "GPU" | "GPUMemory" => return MemoryKind::GPU,
            t if t.starts_with("CXL") => return MemoryKind::CXL,
            _ => {}
        }
    }
    if !cpus.is_empty() {
        return MemoryKind::DRAM;
    }
    MemoryKind::Unknown
}

/// When neither the kernel nor hwloc ranks nodes into tiers, rank them by
/// kind, densely over the kinds present (as hwloc 2.10 does): HBM, then
/// DRAM and GPU, then CXL and unknown memory-only nodes, then PMEM.
fn rank_tiers_if_unknown(nodes: &mut [NumaNode]) {
    if nodes.iter().any(|n| n.tier.is_some()) {
        return;
    }
    let class = |kind: MemoryKind| match kind {
        MemoryKind::HBM => 0,
        MemoryKind::DRAM | MemoryKind::GPU => 1,
        MemoryKind::CXL | MemoryKind::Unknown => 2,
        MemoryKind::PMEM => 3,
    };
    let present: BTreeSet<u32> = nodes.iter().map(|n| class(n.kind)).collect();
    for node in nodes {
        let c = class(node.kind);
        node.tier = Some(present.iter().take_while(|&&p| p < c).count() as u32);
    }
}

fn vendor_name(vendor: u16) -> &'static str {
    match vendor {
        0x10de => "NVIDIA",
        0x1002 => "AMD",
        0x8086 => "Intel",
        0x1af4 | 0x1234 => "virtual",
        _ => "unknown vendor",
    }
}

/// PCI display devices, with what CUDA says about the same devices (matched
/// by PCI address) and CUDA devices not seen on the PCI bus.
fn merge_gpus(sys: &SysfsView, cuda: Vec<Gpu>) -> Vec<Gpu> {
    let mut by_address: BTreeMap<String, Gpu> = BTreeMap::new();
    for pci in &sys.pci_gpus {
        by_address.insert(
            pci.address.to_lowercase(),
            Gpu {
                cuda_index: None,
                name: format!(
                    "{} {:04x}:{:04x}",
                    vendor_name(pci.vendor),
                    pci.vendor,
                    pci.device
                ),
                pci_address: Some(pci.address.clone()),
                memory_bytes: None,
                bar_bytes: pci.bar_bytes,
                bar_resizable: pci.bar_resizable,
                numa_node: pci.numa_node,
            },
        );
    }
    let mut unmatched = Vec::new();
    for gpu in cuda {
        match gpu
            .pci_address
            .as_ref()
            .and_then(|a| by_address.get_mut(&a.to_lowercase()))
        {
            Some(pci) => {
                pci.cuda_index = gpu.cuda_index;
                pci.name = gpu.name;
                pci.memory_bytes = gpu.memory_bytes;
            }
            None => unmatched.push(gpu),
        }
    }
    // Only devices that can hold memory matter here: keep PCI display
    // devices that CUDA knows, plus discrete-looking ones (a prefetchable
    // BAR of 256 MiB or more); an emulated VGA card is not a GPU.
    let mut gpus: Vec<Gpu> = by_address
        .into_values()
        .filter(|g| g.cuda_index.is_some() || g.bar_bytes.is_some_and(|b| b >= 256 << 20))
        .collect();
    gpus.extend(unmatched);
    gpus
}
