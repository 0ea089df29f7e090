//! The memory spaces a `SharedBuffer` can live in.

use std::fmt;

/// A memory space, as the type `SharedBuffer<'T, space>` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemorySpace {
    /// The local NUMA node's DRAM.
    CpuMem,
    /// Far memory: a CXL expander or another memory-only node, or devdax.
    CxlMem,
    /// GPU device memory (`cuMemAlloc`).
    GpuMem,
    /// Host memory the GPU reads through its BAR (pinned, write-combined).
    GpuBar,
    /// CUDA managed memory, migrated on demand.
    Unified,
}

/// The residency code of a buffer whose space is left to the runtime's
/// placement at start of the allocation.
pub const LEFT_TO_PLACEMENT: i32 = 6;

/// The residency code for a space, or [`LEFT_TO_PLACEMENT`].
pub fn residency_code(space: Option<MemorySpace>) -> i32 {
    space.map_or(LEFT_TO_PLACEMENT, MemorySpace::residency_code)
}

impl MemorySpace {
    pub const ALL: [MemorySpace; 5] = [
        MemorySpace::CpuMem,
        MemorySpace::CxlMem,
        MemorySpace::GpuMem,
        MemorySpace::GpuBar,
        MemorySpace::Unified,
    ];

    /// The name programs write (`cxl_mem`).
    pub const fn name(self) -> &'static str {
        match self {
            MemorySpace::CpuMem => "cpu_mem",
            MemorySpace::CxlMem => "cxl_mem",
            MemorySpace::GpuMem => "gpu_mem",
            MemorySpace::GpuBar => "gpu_bar",
            MemorySpace::Unified => "unified",
        }
    }

    pub fn from_name(name: &str) -> Option<MemorySpace> {
        MemorySpace::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The buffer runtime's residency code (see the runtime's
    /// `buffers.rs`); generated code passes it to the allocator, and
    /// [`LEFT_TO_PLACEMENT`] when no space is decided.
    pub const fn residency_code(self) -> i32 {
        match self {
            MemorySpace::CpuMem => 0,
            MemorySpace::CxlMem => 2,
            MemorySpace::GpuMem => 3,
            MemorySpace::GpuBar => 4,
            MemorySpace::Unified => 5,
        }
    }

    /// What the runtime falls back to, in order, when the hardware for
    /// this space is absent (`alloc::Request`).
    pub fn fallback(self) -> Vec<MemorySpace> {
        match self {
            MemorySpace::CxlMem | MemorySpace::Unified => vec![MemorySpace::CpuMem],
            MemorySpace::GpuMem | MemorySpace::GpuBar => {
                vec![MemorySpace::Unified, MemorySpace::CpuMem]
            }
            MemorySpace::CpuMem => vec![],
        }
    }
}

impl fmt::Display for MemorySpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_codes_are_distinct() {
        for s in MemorySpace::ALL {
            assert_eq!(MemorySpace::from_name(s.name()), Some(s));
        }
        assert_eq!(MemorySpace::from_name("cxl_memory"), None);
        let mut codes: Vec<i32> = MemorySpace::ALL
            .iter()
            .map(|s| s.residency_code())
            .collect();
        codes.dedup();
        assert_eq!(codes.len(), 5);
    }

    #[test]
    fn fallbacks_end_in_cpu_memory() {
        for s in MemorySpace::ALL {
            let chain = s.fallback();
            assert!(chain.is_empty() == (s == MemorySpace::CpuMem));
            assert!(chain.last().is_none_or(|l| *l == MemorySpace::CpuMem));
        }
    }
}
