//! Platform description files: a machine written down instead of detected.
//!
//! The format is the [`Platform`] type itself, as JSON (`.json`, the same as
//! `clefc platform --json` prints, so a detected machine can be saved and
//! replayed) or TOML (`.toml`, `[[numa_nodes]]` tables). Parsing is strict:
//! unknown fields, wrong types and missing required fields are errors, and
//! the checks below reject descriptions no machine could have. Every error
//! names the file and the field.

use crate::platform::{Platform, PlatformError};
use std::collections::BTreeSet;
use std::path::Path;

impl Platform {
    /// Read and validate a description file.
    pub fn load_file(path: &Path) -> Result<Platform, PlatformError> {
        let error = |message: String| PlatformError::File {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
        let is_toml = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => true,
            Some("json") => false,
            _ => !text.trim_start().starts_with('{'),
        };
        let mut platform: Platform = if is_toml {
            toml::from_str(&text).map_err(|e| error(e.to_string().trim_end().to_string()))?
        } else {
            serde_json::from_str(&text).map_err(|e| error(e.to_string()))?
        };
        validate(&platform).map_err(error)?;
        platform.source = format!("file:{}", path.display());
        Ok(platform)
    }
}

/// Checks that serde's types cannot express.
pub fn validate(p: &Platform) -> Result<(), String> {
    if p.numa_nodes.is_empty() {
        return Err("numa_nodes: a machine has at least one NUMA node".into());
    }
    let mut ids = BTreeSet::new();
    let mut cpus_seen = BTreeSet::new();
    for (i, node) in p.numa_nodes.iter().enumerate() {
        if !ids.insert(node.id) {
            return Err(format!(
                "numa_nodes[{i}].id: node {} is listed twice",
                node.id
            ));
        }
        for cpu in &node.cpus {
            if !cpus_seen.insert(*cpu) {
                return Err(format!(
                    "numa_nodes[{i}].cpus: CPU {cpu} already belongs to another node"
                ));
            }
        }
    }
    for (i, node) in p.numa_nodes.iter().enumerate() {
        for (to, d) in &node.distances {
            if !ids.contains(to) {
                return Err(format!(
                    "numa_nodes[{i}].distances: node {to} is not one of the numa_nodes"
                ));
            }
            if *to == node.id && *d != 10 {
                return Err(format!(
                    "numa_nodes[{i}].distances: a node's distance to itself is 10, not {d}"
                ));
            }
            if *to != node.id && *d <= 10 {
                return Err(format!(
                    "numa_nodes[{i}].distances: distance {d} to node {to} must exceed the local 10"
                ));
            }
        }
    }
    let mut dax_names = BTreeSet::new();
    for (i, dax) in p.dax_devices.iter().enumerate() {
        if !dax_names.insert(dax.name.as_str()) {
            return Err(format!(
                "dax_devices[{i}].name: {} is listed twice",
                dax.name
            ));
        }
        if dax.mode == crate::platform::DaxMode::SystemRam
            && !dax.target_node.is_some_and(|n| ids.contains(&n))
        {
            return Err(format!(
                "dax_devices[{i}].target_node: a system-ram device must name one of the numa_nodes"
            ));
        }
    }
    for (i, node) in p.numa_nodes.iter().enumerate() {
        if let Some(dax) = &node.dax_device {
            if !p.dax_devices.is_empty() && !dax_names.contains(dax.as_str()) {
                return Err(format!(
                    "numa_nodes[{i}].dax_device: {dax} is not one of the dax_devices"
                ));
            }
        }
    }
    for (i, dev) in p.cxl_memdevs.iter().enumerate() {
        if dev.device_type != 2 && dev.device_type != 3 {
            return Err(format!(
                "cxl_memdevs[{i}].device_type: CXL memory devices are type 2 or 3, not {}",
                dev.device_type
            ));
        }
    }
    for (i, region) in p.cxl_regions.iter().enumerate() {
        if region.mode != "ram" && region.mode != "pmem" {
            return Err(format!(
                "cxl_regions[{i}].mode: expected \"ram\" or \"pmem\", found {:?}",
                region.mode
            ));
        }
    }
    for (i, gpu) in p.gpus.iter().enumerate() {
        if let Some(n) = gpu.numa_node {
            if !ids.contains(&n) {
                return Err(format!(
                    "gpus[{i}].numa_node: node {n} is not one of the numa_nodes"
                ));
            }
        }
    }
    Ok(())
}
