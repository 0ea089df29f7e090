//! What memory this machine has: the [`Platform`] value.
//!
//! Detection combines three sources, each optional:
//! - hwloc (through hwlocality) for NUMA nodes, cpusets, capacities,
//!   memory subtypes, distance matrices and memory attributes;
//! - Linux sysfs, read directly through a root path ([`sysfs`]), for what
//!   hwloc 2.9 does not report: CXL memory devices, decoders and regions,
//!   DAX devices and their modes, the kernel's memory tiers, HMAT access
//!   classes, PCI GPUs and their (resizable) BARs, and memory-only nodes
//!   that hwloc hides;
//! - CUDA, loaded with `dlopen` at run time ([`cuda`]).
//!
//! A platform description file ([`file`]) can replace detection to
//! describe a machine that is not this one; `clefc --platform` uses the same
//! type. [`Platform`] serialises to the JSON that `clefc platform --json`
//! prints; that JSON is a contract (see docs/runtime.md).

pub mod cuda;
pub mod hwloc;
mod merge;
pub mod sysfs;

pub use barewire_model::platform::*;
pub use barewire_model::{file, presets, render};
use std::path::{Path, PathBuf};

/// Where detection reads the topology through hwloc.
#[derive(Debug, Clone)]
pub enum HwlocSource {
    /// This machine, as hwloc sees it (honours `HWLOC_FSROOT` etc.).
    Live,
    /// An hwloc XML export.
    Xml(PathBuf),
    /// Do not consult hwloc.
    None,
}

/// How to detect a platform.
#[derive(Debug, Clone)]
pub struct DetectOptions {
    /// The directory holding `sys/` and `proc/` (`/` for this machine).
    pub root: PathBuf,
    pub hwloc: HwlocSource,
    /// Whether to load CUDA (only meaningful for this machine).
    pub cuda: bool,
}

impl DetectOptions {
    /// This machine: sysfs at `/`, hwloc live, CUDA.
    pub fn this_machine() -> Self {
        DetectOptions {
            root: PathBuf::from("/"),
            hwloc: HwlocSource::Live,
            cuda: true,
        }
    }

    /// A recorded tree at `root`: sysfs only (optionally with hwloc's XML
    /// for the same machine).
    pub fn recorded(root: &Path) -> Self {
        DetectOptions {
            root: root.to_path_buf(),
            hwloc: HwlocSource::None,
            cuda: false,
        }
    }
}

/// Detection, for the [`Platform`] type of the model crate.
pub trait Detect: Sized {
    /// Detect the platform as `options` say.
    fn detect(options: &DetectOptions) -> Result<Self, PlatformError>;
    /// The platform described by an hwloc XML export alone.
    fn from_hwloc_xml(path: &Path) -> Result<Self, PlatformError>;
}

impl Detect for Platform {
    fn detect(options: &DetectOptions) -> Result<Platform, PlatformError> {
        let sys = sysfs::read_tree(&options.root)?;
        let (hw, mut notes) = match &options.hwloc {
            HwlocSource::None => (None, Vec::new()),
            source => match hwloc::read(source) {
                Ok(view) => (Some(view), Vec::new()),
                Err(e) => (None, vec![format!("hwloc unavailable ({e}); sysfs only")]),
            },
        };
        let cuda = if options.cuda {
            match cuda::probe() {
                Ok(gpus) => gpus,
                Err(why) => {
                    notes.push(format!("no CUDA GPUs: {why}"));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let mut platform = merge::merge(&sys, hw.as_ref(), cuda);
        platform.source = format!("detected:{}", options.root.display());
        platform.notes.splice(0..0, notes);
        Ok(platform)
    }

    fn from_hwloc_xml(path: &Path) -> Result<Platform, PlatformError> {
        let view = hwloc::read(&HwlocSource::Xml(path.to_path_buf()))?;
        let mut platform = merge::from_hwloc_only(&view);
        platform.source = format!("hwloc-xml:{}", path.display());
        Ok(platform)
    }
}
