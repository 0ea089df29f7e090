//! Placed allocation: memory on the residency a program asks for.
//!
//! A [`Request`] names a [`Residency`], a fallback chain and a [`Binding`].
//! The [`Allocator`] turns each residency into candidate [`Target`]s on its
//! [`Platform`] (see [`Allocator::candidates`] for the order), tries them,
//! and returns an [`Allocation`]: base, length, requested and actual
//! residency, the target, and why each earlier candidate was passed over.
//! Every allocation is recorded ([`registry`]); `BAREWIRE_REPORT=1` prints
//! the record at exit, with the nodes its pages are really on.
//!
//! Fallback when the request gives none (a strict request gets none):
//! `cxl_mem` → `cpu_mem`; `gpu_mem` → `unified` → `cpu_mem`; `gpu_bar` →
//! `unified` → `cpu_mem`; node N → `cpu_mem`; `unified` → `cpu_mem`.

mod devdax;
pub mod ffi;
pub mod numa;
pub mod pool;
pub mod registry;

use crate::platform::{cuda, DaxMode, Detect, DetectOptions, MemoryKind, Platform};
use std::fmt;
use std::sync::OnceLock;

/// Where a program wants memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Residency {
    /// The node of the CPU the request runs on.
    CpuLocal,
    /// A given NUMA node.
    Node(u32),
    /// CXL or other CPU-less far memory, or a devdax device.
    Cxl,
    /// GPU device memory.
    GpuMem,
    /// CPU-visible GPU memory (see [`Allocator::candidates`]).
    GpuBar,
    /// Memory reachable from CPU and GPU alike.
    Unified,
}

impl fmt::Display for Residency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Residency::CpuLocal => write!(f, "cpu_mem"),
            Residency::Node(n) => write!(f, "node {n}"),
            Residency::Cxl => write!(f, "cxl_mem"),
            Residency::GpuMem => write!(f, "gpu_mem"),
            Residency::GpuBar => write!(f, "gpu_bar"),
            Residency::Unified => write!(f, "unified"),
        }
    }
}

impl std::str::FromStr for Residency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "cpu_mem" => Residency::CpuLocal,
            "cxl_mem" => Residency::Cxl,
            "gpu_mem" => Residency::GpuMem,
            "gpu_bar" => Residency::GpuBar,
            "unified" => Residency::Unified,
            _ => match s.strip_prefix("node").map(|n| n.trim().parse()) {
                Some(Ok(n)) => Residency::Node(n),
                _ => return Err(format!(
                    "unknown residency {s:?} (expected cpu_mem, cxl_mem, gpu_mem, gpu_bar, unified or nodeN)"
                )),
            },
        })
    }
}

/// How firmly memory is tied to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// On the target or not at all: `MPOL_BIND`, pages faulted in up front
    /// so a shortage is an error now, not a crash later; no default
    /// fallback.
    Strict,
    /// On the target while it has room (`MPOL_PREFERRED`, first touch).
    Preferred,
}

/// An allocation request.
#[derive(Debug, Clone)]
pub struct Request {
    pub len: usize,
    pub residency: Residency,
    /// Residencies to try, in order, when `residency` cannot be met; `None`
    /// means the documented default (none for a strict request).
    pub fallback: Option<Vec<Residency>>,
    pub binding: Binding,
    /// A name for reports (a source location in compiled programs).
    pub label: Option<String>,
}

impl Request {
    pub fn new(len: usize, residency: Residency) -> Request {
        Request {
            len,
            residency,
            fallback: None,
            binding: Binding::Preferred,
            label: None,
        }
    }

    pub fn strict(mut self) -> Request {
        self.binding = Binding::Strict;
        self
    }

    pub fn fallback(mut self, chain: Vec<Residency>) -> Request {
        self.fallback = Some(chain);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Request {
        self.label = Some(label.into());
        self
    }

    /// The residencies to try, first the requested one.
    pub fn chain(&self) -> Vec<Residency> {
        let default = match (self.binding, self.residency) {
            (Binding::Strict, _) => vec![],
            (_, Residency::CpuLocal) => vec![],
            (_, Residency::GpuMem | Residency::GpuBar) => {
                vec![Residency::Unified, Residency::CpuLocal]
            }
            (_, Residency::Cxl | Residency::Node(_) | Residency::Unified) => {
                vec![Residency::CpuLocal]
            }
        };
        let mut chain = vec![self.residency];
        for r in self.fallback.clone().unwrap_or(default) {
            if !chain.contains(&r) {
                chain.push(r);
            }
        }
        chain
    }
}

/// A concrete place memory can come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Node(u32),
    Devdax { device: String },
    CudaDevice(u32),
    CudaPinnedHost(u32),
    CudaManaged(u32),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(n) => write!(f, "node {n}"),
            Target::Devdax { device } => write!(f, "/dev/{device}"),
            Target::CudaDevice(i) => write!(f, "cuda{i} device memory"),
            Target::CudaPinnedHost(i) => write!(f, "pinned host memory mapped into cuda{i}"),
            Target::CudaManaged(i) => write!(f, "cuda{i} managed memory"),
        }
    }
}

/// Why a request could not be met at all.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot allocate {len} bytes as {requested}: {}", reasons.join("; "))]
pub struct AllocError {
    pub requested: Residency,
    pub len: usize,
    /// One line per residency or target tried.
    pub reasons: Vec<String>,
}

enum Backing {
    Anonymous { mapped: usize },
    Devdax(devdax::Slice),
    Cuda(cuda::CuDevicePtr),
    CudaHost(*mut std::ffi::c_void),
}

/// Memory placed by the [`Allocator`]; released on drop.
pub struct Allocation {
    id: u64,
    base: *mut u8,
    len: usize,
    requested: Residency,
    actual: Residency,
    target: Target,
    backing: Backing,
}

// SAFETY: an Allocation owns its memory exclusively, like a Box<[u8]>.
unsafe impl Send for Allocation {}

impl Allocation {
    pub fn id(&self) -> u64 {
        self.id
    }
    pub fn as_ptr(&self) -> *mut u8 {
        self.base
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn requested(&self) -> Residency {
        self.requested
    }
    /// The residency that was met (the requested one, or a fallback).
    pub fn actual(&self) -> Residency {
        self.actual
    }
    pub fn target(&self) -> &Target {
        &self.target
    }
    /// Whether the memory reads as zero already (fresh anonymous mappings
    /// do; device-DAX and CUDA memory need clearing).
    pub fn zeroed(&self) -> bool {
        matches!(self.backing, Backing::Anonymous { .. })
    }

    /// Whether the CPU can read and write it through [`Allocation::as_ptr`].
    pub fn host_accessible(&self) -> bool {
        !matches!(self.backing, Backing::Cuda(_)) || matches!(self.target, Target::CudaManaged(_))
    }
    /// Pages per node now, from up to 4096 sampled pages (node-bound host
    /// memory only; `None` = not touched yet).
    pub fn placement(&self) -> Vec<(Option<u32>, usize)> {
        match self.mapped_range() {
            Some((base, len)) => numa::placement(base as *mut u8, len, 4096),
            None => Vec::new(),
        }
    }

    fn mapped_range(&self) -> Option<(usize, usize)> {
        match self.backing {
            Backing::Anonymous { mapped } => Some((self.base as usize, mapped)),
            _ => None,
        }
    }
    /// The memory as a byte slice, for host-accessible allocations.
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        // SAFETY: host-accessible memory of `len` bytes owned by self.
        self.host_accessible()
            .then(|| unsafe { std::slice::from_raw_parts_mut(self.base, self.len) })
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        registry::freed(self);
        match &self.backing {
            // SAFETY: our own mapping, no longer referenced.
            Backing::Anonymous { mapped } => unsafe { numa::unmap(self.base, *mapped) },
            Backing::Devdax(slice) => devdax::release(slice),
            Backing::Cuda(p) => {
                if let Ok(cuda) = cuda::driver() {
                    let _ = cuda.free_device(*p);
                }
            }
            Backing::CudaHost(p) => {
                if let Ok(cuda) = cuda::driver() {
                    // SAFETY: allocated by alloc_pinned_host, freed once.
                    let _ = unsafe { cuda.free_pinned_host(*p) };
                }
            }
        }
    }
}

/// Allocates on a platform's memory.
pub struct Allocator {
    platform: Platform,
}

impl Allocator {
    pub fn new(platform: Platform) -> Allocator {
        Allocator { platform }
    }

    /// The allocator for this machine, detected on first use.
    pub fn global() -> &'static Allocator {
        static GLOBAL: OnceLock<Allocator> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let platform = Platform::detect(&DetectOptions::this_machine()).unwrap_or_else(|e| {
                // No usable sysfs: one node, nothing else, and say why.
                let mut p: Platform = serde_json::from_str(
                    r#"{"numa_nodes":[{"id":0,"capacity_bytes":0,"kind":"DRAM"}]}"#,
                )
                .expect("a valid minimal platform");
                p.notes
                    .push(format!("detection failed ({e}); assuming one node"));
                p
            });
            Allocator::new(platform)
        })
    }

    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The targets that can serve `residency`, best first:
    /// - `cpu_mem`: the node of the calling CPU;
    /// - node N: that node, if it exists and has memory;
    /// - `cxl_mem`: CXL nodes, then other CPU-less nodes in a slower tier
    ///   than the local node (nearest first), then devdax devices (those
    ///   made from CXL first);
    /// - `gpu_mem`: each CUDA GPU's device memory;
    /// - `gpu_bar`: pinned host memory mapped into the first CUDA GPU
    ///   (BAREWire does not map VRAM through the BAR itself yet);
    /// - `unified`: CUDA managed memory.
    pub fn candidates(&self, residency: Residency) -> Result<Vec<Target>, String> {
        let p = &self.platform;
        let cuda_gpus: Vec<u32> = p.gpus.iter().filter_map(|g| g.cuda_index).collect();
        let targets = match residency {
            Residency::CpuLocal => vec![Target::Node(numa::current_node())],
            Residency::Node(n) => match p.node(n) {
                Some(node) if node.capacity_bytes > 0 => vec![Target::Node(n)],
                Some(_) => return Err(format!("node {n} has no memory")),
                None => return Err(format!("node {n} does not exist on this machine")),
            },
            Residency::Cxl => {
                let local = numa::current_node();
                let local_tier = p.node(local).and_then(|n| n.tier);
                let distance = |id: u32| {
                    p.node(local)
                        .and_then(|n| n.distances.get(&id).copied())
                        .unwrap_or(u32::MAX)
                };
                let mut cxl: Vec<_> = p
                    .numa_nodes
                    .iter()
                    .filter(|n| n.kind == MemoryKind::CXL && n.capacity_bytes > 0)
                    .map(|n| n.id)
                    .collect();
                cxl.sort_by_key(|&id| distance(id));
                let mut far: Vec<_> = p
                    .numa_nodes
                    .iter()
                    .filter(|n| {
                        n.cpus.is_empty()
                            && n.kind != MemoryKind::CXL
                            && n.kind != MemoryKind::HBM
                            && n.capacity_bytes > 0
                            && (n.tier.is_none() || local_tier.is_none() || n.tier >= local_tier)
                    })
                    .map(|n| n.id)
                    .collect();
                far.sort_by_key(|&id| distance(id));
                let mut dax: Vec<_> = p
                    .dax_devices
                    .iter()
                    .filter(|d| d.mode == DaxMode::Devdax && d.size_bytes > 0)
                    .collect();
                dax.sort_by_key(|d| d.provider != "cxl");
                let targets: Vec<Target> = cxl
                    .into_iter()
                    .chain(far)
                    .map(Target::Node)
                    .chain(dax.into_iter().map(|d| Target::Devdax {
                        device: d.name.clone(),
                    }))
                    .collect();
                if targets.is_empty() {
                    return Err("no CXL or memory-only node and no devdax device".into());
                }
                targets
            }
            Residency::GpuMem | Residency::GpuBar | Residency::Unified if cuda_gpus.is_empty() => {
                let why = p.notes.iter().find(|n| n.starts_with("no CUDA GPUs: "));
                return Err(why.map_or("no CUDA GPU".into(), |n| n.clone()));
            }
            Residency::GpuMem => cuda_gpus.into_iter().map(Target::CudaDevice).collect(),
            Residency::GpuBar => vec![Target::CudaPinnedHost(cuda_gpus[0])],
            Residency::Unified => vec![Target::CudaManaged(cuda_gpus[0])],
        };
        Ok(targets)
    }

    /// Allocate as `request` says, falling back along its chain.
    pub fn allocate(&self, request: &Request) -> Result<Allocation, AllocError> {
        let mut reasons = Vec::new();
        let len = request.len.max(1);
        for residency in request.chain() {
            let targets = match self.candidates(residency) {
                Ok(t) => t,
                Err(why) => {
                    reasons.push(format!("{residency}: {why}"));
                    continue;
                }
            };
            for target in targets {
                match self.place(&target, len, request.binding) {
                    Ok((base, backing)) => {
                        let allocation = Allocation {
                            id: registry::next_id(),
                            base,
                            len: request.len,
                            requested: request.residency,
                            actual: residency,
                            target,
                            backing,
                        };
                        registry::allocated(&allocation, request, &reasons);
                        return Ok(allocation);
                    }
                    Err(why) => reasons.push(format!("{residency} on {target}: {why}")),
                }
            }
        }
        let error = AllocError {
            requested: request.residency,
            len: request.len,
            reasons,
        };
        registry::failed(request, &error);
        Err(error)
    }

    fn place(
        &self,
        target: &Target,
        len: usize,
        binding: Binding,
    ) -> Result<(*mut u8, Backing), String> {
        let strict = binding == Binding::Strict;
        match target {
            Target::Node(node) => {
                if strict {
                    if let Some(free) = numa::node_free_bytes(*node) {
                        if (len as u64) > free {
                            return Err(format!("only {free} bytes free, {len} needed"));
                        }
                    }
                }
                let mapped = numa::round_up(len, numa::page_size());
                let base = numa::map_anonymous(mapped).map_err(|e| format!("mmap: {e}"))?;
                let bound = numa::bind(base, mapped, *node, strict)
                    .map_err(|e| format!("mbind: {e}"))
                    .and_then(|()| {
                        if strict {
                            numa::populate(base, mapped).map_err(|e| format!("populating: {e}"))
                        } else {
                            Ok(())
                        }
                    });
                match bound {
                    Ok(()) => Ok((base, Backing::Anonymous { mapped })),
                    Err(e) => {
                        // SAFETY: our own fresh mapping.
                        unsafe { numa::unmap(base, mapped) };
                        Err(e)
                    }
                }
            }
            Target::Devdax { device } => {
                let dax = self
                    .platform
                    .dax_devices
                    .iter()
                    .find(|d| &d.name == device)
                    .ok_or("unknown device")?;
                let slice = devdax::take(dax, len)?;
                Ok((slice.base, Backing::Devdax(slice)))
            }
            Target::CudaDevice(i) => {
                let p = cuda::driver()?.alloc_device(*i, len)?;
                Ok((p as *mut u8, Backing::Cuda(p)))
            }
            Target::CudaManaged(i) => {
                let p = cuda::driver()?.alloc_managed(*i, len)?;
                Ok((p as *mut u8, Backing::Cuda(p)))
            }
            Target::CudaPinnedHost(i) => {
                let p = cuda::driver()?.alloc_pinned_host(*i, len)?;
                Ok((p as *mut u8, Backing::CudaHost(p)))
            }
        }
    }
}

/// Allocate on this machine (the global allocator).
pub fn allocate(request: &Request) -> Result<Allocation, AllocError> {
    Allocator::global().allocate(request)
}
