//! The [`Platform`] value: the memory, devices and GPUs of one machine,
//! as detection (in the `barewire` runtime), a description file
//! ([`crate::file`]) or a preset ([`crate::presets`]) gives it. It
//! serialises to the JSON that `clefc platform --json` prints; that JSON is
//! a contract (see docs/runtime.md).

use crate::space::MemorySpace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The memory spaces of `SharedBuffer`, as the compiler names them.
pub const MEMORY_SPACES: [&str; 5] = [
    MemorySpace::CpuMem.name(),
    MemorySpace::CxlMem.name(),
    MemorySpace::GpuMem.name(),
    MemorySpace::GpuBar.name(),
    MemorySpace::Unified.name(),
];

/// The memory, devices and GPUs of one machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Where this description came from, e.g. `detected:/` or `file:x.toml`.
    #[serde(default)]
    pub source: String,
    /// Every memory node the kernel (or the description) reports, by id.
    pub numa_nodes: Vec<NumaNode>,
    #[serde(default)]
    pub dax_devices: Vec<DaxDevice>,
    #[serde(default)]
    pub cxl_memdevs: Vec<CxlMemdev>,
    #[serde(default)]
    pub cxl_regions: Vec<CxlRegion>,
    #[serde(default)]
    pub gpus: Vec<Gpu>,
    /// The CXL version the platform's fabric supports (`"2.0"`, `"3.0"`),
    /// when known (descriptions and presets; detection leaves it empty).
    #[serde(default)]
    pub cxl_version: Option<String>,
    /// CXL memory pooled between hosts (CXL 3).
    #[serde(default)]
    pub cxl_pooling: bool,
    /// Facts about detection itself: a source that was absent or unreadable
    /// and what was done instead.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One NUMA node: a target that memory can be allocated on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumaNode {
    /// The OS node number (`/sys/devices/system/node/nodeN`).
    pub id: u32,
    /// OS CPU numbers local to the node; empty for a memory-only node.
    #[serde(default)]
    pub cpus: Vec<u32>,
    pub capacity_bytes: u64,
    pub kind: MemoryKind,
    /// Memory tier: lower is faster. The kernel's `memory_tierN` number
    /// when the kernel has memory tiers, else hwloc's tier rank.
    #[serde(default)]
    pub tier: Option<u32>,
    /// Distance to each node by id (10 = local), as the kernel or hwloc
    /// reports them.
    #[serde(default)]
    pub distances: BTreeMap<u32, u32>,
    /// Bandwidth and latency from the best initiator, when the firmware
    /// (HMAT) reports them.
    #[serde(default)]
    pub access: Option<AccessCharacteristics>,
    /// The DAX device whose memory this node is (`system-ram` mode).
    #[serde(default)]
    pub dax_device: Option<String>,
    /// Whether hwloc reports this node (hwloc 2.9 leaves some memory-only
    /// nodes out); `None` when hwloc was not consulted.
    #[serde(default)]
    pub hwloc_visible: Option<bool>,
}

/// The kinds of memory a node can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MemoryKind {
    DRAM,
    HBM,
    CXL,
    PMEM,
    GPU,
    #[serde(rename = "unknown")]
    Unknown,
}

impl MemoryKind {
    pub fn name(self) -> &'static str {
        match self {
            MemoryKind::DRAM => "DRAM",
            MemoryKind::HBM => "HBM",
            MemoryKind::CXL => "CXL",
            MemoryKind::PMEM => "PMEM",
            MemoryKind::GPU => "GPU",
            MemoryKind::Unknown => "unknown",
        }
    }
}

/// HMAT-style access figures for a node, from its best initiator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessCharacteristics {
    /// MB/s.
    pub read_bandwidth_mbps: Option<u64>,
    pub write_bandwidth_mbps: Option<u64>,
    /// Nanoseconds.
    pub read_latency_ns: Option<u64>,
    pub write_latency_ns: Option<u64>,
}

/// A DAX device (`/sys/bus/dax/devices/daxX.Y`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaxDevice {
    pub name: String,
    /// The node its memory becomes (or would become) in `system-ram` mode;
    /// `None` when the kernel gives none.
    pub target_node: Option<u32>,
    pub size_bytes: u64,
    pub mode: DaxMode,
    /// Mapping alignment in bytes (2 MiB for most devices).
    #[serde(default)]
    pub align_bytes: Option<u64>,
    /// What provides the memory: `cxl`, `nvdimm`, `hmem` or `unknown`.
    #[serde(default = "unknown_string")]
    pub provider: String,
}

fn unknown_string() -> String {
    "unknown".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DaxMode {
    /// A character device (`/dev/daxX.Y`) mapped by programs.
    #[serde(rename = "devdax")]
    Devdax,
    /// Onlined as ordinary memory of a NUMA node (the `kmem` driver).
    #[serde(rename = "system-ram")]
    SystemRam,
    /// Bound to no driver.
    #[serde(rename = "unbound")]
    Unbound,
}

impl DaxMode {
    pub fn name(self) -> &'static str {
        match self {
            DaxMode::Devdax => "devdax",
            DaxMode::SystemRam => "system-ram",
            DaxMode::Unbound => "unbound",
        }
    }
}

/// A CXL memory device (`/sys/bus/cxl/devices/memX`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CxlMemdev {
    pub name: String,
    pub ram_bytes: u64,
    pub pmem_bytes: u64,
    #[serde(default)]
    pub serial: Option<String>,
    /// The node of the host bridge it hangs off.
    #[serde(default)]
    pub numa_node: Option<u32>,
    /// CXL device type: 2 (coherent accelerator memory) or 3 (expander).
    #[serde(default = "type3")]
    pub device_type: u8,
}

fn type3() -> u8 {
    3
}

/// A CXL region (`/sys/bus/cxl/devices/regionN`): decoded host physical
/// memory backed by one or more memory devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CxlRegion {
    pub name: String,
    pub size_bytes: u64,
    /// `ram` or `pmem`.
    pub mode: String,
    #[serde(default)]
    pub interleave_ways: Option<u32>,
    /// Endpoint decoders (and through them memory devices) it spans.
    #[serde(default)]
    pub targets: Vec<String>,
    /// DAX devices made from it.
    #[serde(default)]
    pub dax_devices: Vec<String>,
}

/// A GPU: from PCI sysfs, from CUDA, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    /// CUDA device ordinal, when CUDA sees it.
    #[serde(default)]
    pub cuda_index: Option<u32>,
    pub name: String,
    /// PCI address `dddd:bb:dd.f`, when known.
    #[serde(default)]
    pub pci_address: Option<String>,
    /// Device memory, when known (CUDA reports it).
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// Size of the CPU-visible VRAM aperture (the largest prefetchable BAR).
    #[serde(default)]
    pub bar_bytes: Option<u64>,
    /// Whether the device supports Resizable BAR.
    #[serde(default)]
    pub bar_resizable: bool,
    /// The node the device is attached to.
    #[serde(default)]
    pub numa_node: Option<u32>,
}

/// An error while detecting or loading a platform: it names the file and,
/// where there is one, the field.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("hwloc: {0}")]
    Hwloc(String),
    #[error("{0}")]
    Invalid(String),
}

impl Platform {
    pub fn node(&self, id: u32) -> Option<&NumaNode> {
        self.numa_nodes.iter().find(|n| n.id == id)
    }

    /// Whether a GPU kernel may touch CXL memory coherently: the platform
    /// has a CXL Type 2 (coherent accelerator) device.
    pub fn coherent_cxl_type2(&self) -> bool {
        self.cxl_memdevs.iter().any(|d| d.device_type == 2)
    }

    /// Far memory a `cxl_mem` request can use: a CXL or other memory-only
    /// node, or a devdax device.
    pub fn has_far_memory(&self) -> bool {
        self.numa_nodes
            .iter()
            .any(|n| n.capacity_bytes > 0 && (n.kind == MemoryKind::CXL || n.cpus.is_empty()))
            || self.dax_devices.iter().any(|d| d.mode == DaxMode::Devdax)
    }

    /// Nodes with memory but no CPUs (how CXL expanders and other far
    /// memory appear to Linux).
    pub fn cpuless_nodes(&self) -> impl Iterator<Item = &NumaNode> {
        self.numa_nodes.iter().filter(|n| n.cpus.is_empty())
    }

    /// The JSON that `clefc platform --json` prints.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a Platform always serialises")
    }
}
