//! What hwloc (through hwlocality) says about memory: NUMA nodes with their
//! cpusets, capacities and subtypes, the NUMA distance matrix, memory
//! attributes (bandwidth and latency per initiator), and the I/O devices
//! that matter for memory (DAX, CXL memory devices, GPUs).

use super::{AccessCharacteristics, HwlocSource, PlatformError};
use hwlocality::memory::attribute::MemoryAttribute;
use hwlocality::object::attributes::ObjectAttributes;
use hwlocality::object::types::ObjectType;
use hwlocality::object::TopologyObject;
use hwlocality::topology::builder::TypeFilter;
use hwlocality::Topology;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct HwlocView {
    pub nodes: Vec<HwNode>,
    /// NUMA distances by (from, to) OS node number.
    pub distances: BTreeMap<(u32, u32), u32>,
    /// DAX devices hwloc lists as OS devices: (name, DAX type, size).
    pub dax: Vec<(String, Option<String>, Option<u64>)>,
    /// CXL memory devices: (name, ram bytes, pmem bytes).
    pub cxl_memdevs: Vec<(String, u64, u64)>,
    pub gpus: Vec<HwGpu>,
}

#[derive(Debug, Clone, Default)]
pub struct HwNode {
    pub id: u32,
    pub cpus: Vec<u32>,
    pub local_memory: u64,
    /// hwloc's subtype: `DRAM`, `HBM`, `NVM`, `SPM`, `CXL-DRAM`…
    pub subtype: Option<String>,
    pub memory_tier: Option<u32>,
    pub dax_device: Option<String>,
    pub access: Option<AccessCharacteristics>,
}

#[derive(Debug, Clone, Default)]
pub struct HwGpu {
    pub name: String,
    pub pci_address: Option<String>,
    pub memory_bytes: Option<u64>,
}

/// Load a topology from `source` and read it.
pub fn read(source: &HwlocSource) -> Result<HwlocView, PlatformError> {
    let hw = |e: &dyn std::fmt::Display| PlatformError::Hwloc(e.to_string());
    let topology = match source {
        HwlocSource::Live => Topology::new().map_err(|e| hw(&e))?,
        HwlocSource::Xml(path) => {
            let file_error = |message: String| PlatformError::File {
                path: path.clone(),
                message,
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| file_error(format!("cannot read: {e}")))?;
            // hwloc's own error for a file that is not XML is an errno;
            // say what is wrong instead.
            if !text.contains("<topology") {
                return Err(file_error(
                    "not an hwloc XML topology (it has no <topology> element); make one with `lstopo --of xml FILE`".into(),
                ));
            }
            Topology::builder()
                .from_xml(&as_xml_v2(&text))
                .map_err(|e| file_error(format!("not an hwloc XML topology: {e}")))?
                .with_io_type_filter(TypeFilter::KeepAll)
                .map_err(|e| hw(&e))?
                .build()
                .map_err(|_| {
                    file_error(
                        "hwloc could not load it as a topology (is it a complete `lstopo --of xml` export?)".into(),
                    )
                })?
        }
        HwlocSource::None => return Err(PlatformError::Hwloc("not consulted".into())),
    };
    Ok(view_of(&topology))
}

fn info(obj: &TopologyObject, name: &str) -> Option<String> {
    obj.infos()
        .iter()
        .find(|i| i.name().to_bytes() == name.as_bytes())
        .map(|i| i.value().to_string_lossy().into_owned())
}

/// `11796032KiB` → bytes.
fn kib(text: &str) -> Option<u64> {
    text.strip_suffix("KiB")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|k| k * 1024)
}

fn view_of(topology: &Topology) -> HwlocView {
    let mut view = HwlocView::default();
    let bandwidth = MemoryAttribute::read_bandwidth(topology);
    let bandwidth_any = MemoryAttribute::bandwidth(topology);
    let latency = MemoryAttribute::read_latency(topology);
    let latency_any = MemoryAttribute::latency(topology);
    let write_bandwidth = MemoryAttribute::write_bandwidth(topology);
    let write_latency = MemoryAttribute::write_latency(topology);
    // The best value over all initiators: highest bandwidth, lowest latency.
    let best = |attr: &MemoryAttribute<'_>, node: &TopologyObject, higher: bool| {
        let (_, values) = attr.initiators(node).ok()?;
        if higher {
            values.into_iter().filter(|&v| v > 0).max()
        } else {
            values.into_iter().filter(|&v| v > 0).min()
        }
    };
    for node in topology.objects_with_type(ObjectType::NUMANode) {
        let Some(id) = node.os_index() else { continue };
        let cpus = node
            .cpuset()
            .map(|set| set.iter_set().map(|i| usize::from(i) as u32).collect())
            .unwrap_or_default();
        let local_memory = match node.attributes() {
            Some(ObjectAttributes::NUMANode(numa)) => numa.local_memory().map_or(0, |m| m.get()),
            _ => 0,
        };
        let access = AccessCharacteristics {
            read_bandwidth_mbps: best(&bandwidth, node, true)
                .or_else(|| best(&bandwidth_any, node, true)),
            write_bandwidth_mbps: best(&write_bandwidth, node, true),
            read_latency_ns: best(&latency, node, false)
                .or_else(|| best(&latency_any, node, false)),
            write_latency_ns: best(&write_latency, node, false),
        };
        let has_access = access.read_bandwidth_mbps.is_some() || access.read_latency_ns.is_some();
        view.nodes.push(HwNode {
            id: id as u32,
            cpus,
            local_memory,
            subtype: node.subtype().map(|s| s.to_string_lossy().into_owned()),
            memory_tier: info(node, "MemoryTier").and_then(|t| t.parse().ok()),
            dax_device: info(node, "DAXDevice"),
            access: has_access.then_some(access),
        });
    }
    view.nodes.sort_by_key(|n| n.id);

    if let Ok(matrices) = topology.distances(None) {
        // The first matrix between NUMA nodes (hwloc puts the OS's one, or
        // the firmware's latency matrix, first).
        if let Some(matrix) = matrices.iter().find(|m| {
            m.objects()
                .all(|o| o.is_some_and(|o| o.object_type() == ObjectType::NUMANode))
        }) {
            let ids: Vec<Option<u32>> = matrix
                .objects()
                .map(|o| o.and_then(|o| o.os_index()).map(|i| i as u32))
                .collect();
            for ((a, b), d) in matrix.enumerate_distances() {
                if let (Some(Some(a)), Some(Some(b))) = (ids.get(a), ids.get(b)) {
                    view.distances.insert((*a, *b), d as u32);
                }
            }
        }
    }

    for dev in topology.objects_with_type(ObjectType::OSDevice) {
        let name = dev
            .name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let subtype = dev.subtype().map(|s| s.to_string_lossy().into_owned());
        if let Some(dax_type) = info(dev, "DAXType") {
            view.dax.push((
                name,
                Some(dax_type),
                info(dev, "Size").and_then(|s| kib(&s)),
            ));
        } else if subtype.as_deref() == Some("CXLMem") {
            let ram = info(dev, "CXLRAMSize").and_then(|s| kib(&s)).unwrap_or(0);
            let pmem = info(dev, "CXLPMEMSize").and_then(|s| kib(&s)).unwrap_or(0);
            view.cxl_memdevs.push((name, ram, pmem));
        } else if subtype.as_deref() == Some("CUDA") || info(dev, "CUDAGlobalMemorySize").is_some()
        {
            view.gpus.push(HwGpu {
                name: info(dev, "GPUModel").unwrap_or_else(|| name.clone()),
                pci_address: pci_address_of(dev),
                memory_bytes: info(dev, "CUDAGlobalMemorySize").and_then(|s| kib(&s)),
            });
        }
    }
    view
}

fn pci_address_of(obj: &TopologyObject) -> Option<String> {
    let parent = obj.parent()?;
    match parent.attributes() {
        Some(ObjectAttributes::PCIDevice(pci)) => Some(format!(
            "{:04x}:{:02x}:{:02x}.{:x}",
            pci.domain(),
            pci.bus_id(),
            pci.bus_device(),
            pci.function()
        )),
        _ => None,
    }
}

/// hwloc 3 writes `<topology version="3.0">`, which hwloc 2.9 refuses
/// although everything read here has the same form in both versions (OS
/// device types, which changed, are not used). Such exports are read as
/// version 2.0.
fn as_xml_v2(text: &str) -> std::borrow::Cow<'_, str> {
    match text.find("<topology version=\"3.") {
        Some(at) => {
            let end = text[at..].find('>').map_or(text.len(), |e| at + e);
            let mut fixed = String::with_capacity(text.len());
            fixed.push_str(&text[..at]);
            fixed.push_str("<topology version=\"2.0\"");
            fixed.push_str(&text[end..]);
            std::borrow::Cow::Owned(fixed)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}
