//! The platform for people: a table in the spirit of `lstopo`.

use crate::platform::{NumaNode, Platform};
use std::fmt::Write;

/// `1.5 GiB`, `512 MiB`, `0 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    format!(
        "{} {}",
        text.strip_suffix(".0").unwrap_or(&text),
        UNITS[unit]
    )
}

/// A CPU list in the kernel's notation: `0-3,8`.
pub fn cpu_list(cpus: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < cpus.len() {
        let start = cpus[i];
        let mut end = start;
        while i + 1 < cpus.len() && cpus[i + 1] == end + 1 {
            i += 1;
            end = cpus[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            let _ = write!(out, "{start}");
        } else {
            let _ = write!(out, "{start}-{end}");
        }
        i += 1;
    }
    out
}

fn access(node: &NumaNode) -> (String, String) {
    let a = node.access;
    let bw = a
        .and_then(|a| a.read_bandwidth_mbps)
        .map_or("-".into(), |b| format!("{b} MB/s"));
    let lat = a
        .and_then(|a| a.read_latency_ns)
        .map_or("-".into(), |l| format!("{l} ns"));
    (bw, lat)
}

/// The whole platform as text.
pub fn render(p: &Platform) -> String {
    let mut out = String::new();
    let cpuless = p.cpuless_nodes().count();
    let _ = writeln!(
        out,
        "Machine ({}): {} NUMA node{}{}, {} DAX device{}, {} CXL memory device{}, {} GPU{}",
        p.source,
        p.numa_nodes.len(),
        plural(p.numa_nodes.len()),
        if cpuless > 0 {
            format!(" ({cpuless} memory-only)")
        } else {
            String::new()
        },
        p.dax_devices.len(),
        plural(p.dax_devices.len()),
        p.cxl_memdevs.len(),
        plural(p.cxl_memdevs.len()),
        p.gpus.len(),
        plural(p.gpus.len()),
    );
    let ids: Vec<u32> = p.numa_nodes.iter().map(|n| n.id).collect();
    let rows: Vec<Vec<String>> = p
        .numa_nodes
        .iter()
        .map(|n| {
            let (bw, lat) = access(n);
            let dist = ids
                .iter()
                .map(|to| n.distances.get(to).map_or("-".into(), |d| d.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                format!("node {}", n.id),
                n.kind.name().to_string(),
                bytes(n.capacity_bytes),
                n.tier.map_or("-".into(), |t| t.to_string()),
                if n.cpus.is_empty() {
                    "none".into()
                } else {
                    cpu_list(&n.cpus)
                },
                bw,
                lat,
                dist,
                n.dax_device.clone().unwrap_or_default()
                    + if n.hwloc_visible == Some(false) {
                        " (hidden from hwloc)"
                    } else {
                        ""
                    },
            ]
        })
        .collect();
    let header = [
        "NUMA node",
        "kind",
        "capacity",
        "tier",
        "CPUs",
        "read bw",
        "latency",
        "distances",
        "from",
    ]
    .map(String::from)
    .to_vec();
    table(&mut out, header, rows);

    if !p.dax_devices.is_empty() {
        let _ = writeln!(out, "\nDAX devices");
        let rows = p
            .dax_devices
            .iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    d.mode.name().to_string(),
                    bytes(d.size_bytes),
                    d.target_node.map_or("none".into(), |t| format!("node {t}")),
                    d.provider.clone(),
                ]
            })
            .collect();
        table(
            &mut out,
            ["device", "mode", "size", "target", "provider"]
                .map(String::from)
                .to_vec(),
            rows,
        );
    }
    if !p.cxl_memdevs.is_empty() {
        let _ = writeln!(out, "\nCXL memory devices");
        let rows = p
            .cxl_memdevs
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    format!("type {}", m.device_type),
                    bytes(m.ram_bytes),
                    bytes(m.pmem_bytes),
                    m.numa_node.map_or("-".into(), |n| format!("node {n}")),
                ]
            })
            .collect();
        table(
            &mut out,
            ["device", "type", "volatile", "persistent", "host bridge"]
                .map(String::from)
                .to_vec(),
            rows,
        );
    }
    if !p.cxl_regions.is_empty() {
        let _ = writeln!(out, "\nCXL regions");
        let rows = p
            .cxl_regions
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.mode.clone(),
                    bytes(r.size_bytes),
                    r.targets.join(", "),
                    r.dax_devices.join(", "),
                ]
            })
            .collect();
        table(
            &mut out,
            ["region", "mode", "size", "targets", "DAX"]
                .map(String::from)
                .to_vec(),
            rows,
        );
    }
    let _ = writeln!(out, "\nGPUs");
    if p.gpus.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let rows = p
            .gpus
            .iter()
            .map(|g| {
                vec![
                    g.cuda_index.map_or("-".into(), |i| format!("cuda{i}")),
                    g.name.clone(),
                    g.pci_address.clone().unwrap_or_else(|| "-".into()),
                    g.memory_bytes.map_or("-".into(), bytes),
                    g.bar_bytes.map_or("-".into(), bytes),
                    if g.bar_resizable { "yes" } else { "no" }.into(),
                ]
            })
            .collect();
        table(
            &mut out,
            ["GPU", "name", "PCI", "memory", "BAR", "resizable BAR"]
                .map(String::from)
                .to_vec(),
            rows,
        );
    }
    for note in &p.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Left-aligned columns, two spaces apart, indented by two.
fn table(out: &mut String, header: Vec<String>, rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lists() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(512 << 20), "512 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
        assert_eq!(cpu_list(&[0, 1, 2, 4, 6, 7]), "0-2,4,6-7");
        assert_eq!(cpu_list(&[]), "");
    }
}
