//! Coherency rules: how a hand-off between the CPU and a GPU kernel stays
//! coherent, as data. The compiler's coherency pass applies them to each
//! buffer a kernel call passes; the first rule that applies gives the mode
//! (Hardware: nothing to do; Software: the operations before and after).

use crate::platform::Platform;
use crate::space::MemorySpace::{self, *};

/// Operations that keep memory coherent across a hand-off when the
/// hardware does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncOp {
    /// Before the device reads: drain CPU stores (write-combining BAR
    /// writes, store buffers) with a fence.
    Fence,
    /// After a kernel: wait for it, so its writes are visible to the CPU.
    DeviceSync,
}

impl SyncOp {
    pub fn name(self) -> &'static str {
        match self {
            SyncOp::Fence => "fence",
            SyncOp::DeviceSync => "device-sync",
        }
    }
}

/// What a rule sees about one buffer crossing a hand-off.
pub struct Crossing<'a> {
    /// Its space, when the type fixes it.
    pub space: Option<MemorySpace>,
    /// `None` for `--platform auto`.
    pub platform: Option<&'a Platform>,
}

/// One rule of the coherency table.
pub struct CoherencyRule {
    pub name: &'static str,
    applies: fn(&Crossing) -> bool,
    pub before: &'static [SyncOp],
    pub after: &'static [SyncOp],
    pub reason: &'static str,
}

fn coherent_fabric(p: &Platform) -> bool {
    p.coherent_cxl_type2() || p.cxl_version.as_deref() == Some("3.0")
}

/// The table, in order; the first rule that applies decides. A rule with
/// no operations is a Hardware hand-off.
pub const RULES: &[CoherencyRule] = &[
    CoherencyRule {
        name: "no GPU",
        applies: |c| c.platform.is_some_and(|p| p.gpus.is_empty()),
        before: &[],
        after: &[],
        reason: "the platform has no GPU: kernels run on the CPU, in the same memory and caches",
    },
    CoherencyRule {
        name: "coherent fabric",
        applies: |c| {
            c.platform.is_some_and(coherent_fabric)
                && matches!(c.space, Some(Unified | GpuBar | CxlMem))
        },
        before: &[],
        after: &[],
        reason: "CXL 3 / a CXL Type 2 device keeps host and device caches coherent (CXL.cache)",
    },
    CoherencyRule {
        name: "device memory",
        applies: |c| c.space == Some(GpuMem),
        before: &[],
        after: &[],
        reason: "device memory: the CPU never reads it, so nothing crosses",
    },
    CoherencyRule {
        name: "BAR writes",
        applies: |c| c.space == Some(GpuBar),
        before: &[SyncOp::Fence],
        after: &[SyncOp::DeviceSync],
        reason: "CPU stores through the BAR are write-combined: fence before the kernel, wait for it after",
    },
    CoherencyRule {
        name: "managed memory",
        applies: |c| c.space == Some(Unified),
        before: &[],
        after: &[SyncOp::DeviceSync],
        reason: "managed memory: the CPU may touch it again only after the kernel has finished",
    },
    CoherencyRule {
        name: "space decided at run time",
        applies: |_| true,
        before: &[SyncOp::Fence],
        after: &[SyncOp::DeviceSync],
        reason: "the space is decided at run time: fence and wait (the runtime's syncs cost nothing without a GPU)",
    },
];

/// The rule for one crossing: the first of [`RULES`] that applies.
pub fn rule_for(crossing: &Crossing) -> &'static CoherencyRule {
    RULES
        .iter()
        .find(|r| (r.applies)(crossing))
        .expect("the last rule always applies")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(space: Option<MemorySpace>, preset: &str) -> &'static str {
        let p = Platform::preset(preset).unwrap();
        rule_for(&Crossing {
            space,
            platform: Some(&p),
        })
        .name
    }

    #[test]
    fn rules_on_the_presets() {
        assert_eq!(rule(Some(Unified), "edge"), "no GPU");
        assert_eq!(rule(Some(GpuBar), "workstation"), "BAR writes");
        assert_eq!(rule(Some(Unified), "workstation"), "managed memory");
        assert_eq!(rule(Some(GpuMem), "workstation"), "device memory");
        assert_eq!(rule(Some(CxlMem), "datacenter-cxl3"), "coherent fabric");
        assert_eq!(rule(None, "workstation"), "space decided at run time");
        let auto = rule_for(&Crossing {
            space: None,
            platform: None,
        });
        assert_eq!(auto.before, &[SyncOp::Fence]);
        assert_eq!(auto.after, &[SyncOp::DeviceSync]);
    }
}
