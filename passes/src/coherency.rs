//! Coherency: how each hand-off between execution domains stays coherent.
//!
//! Input: the PSG, its types and the target platform (`None` for `auto`).
//! A hand-off is a call of a `[<Kernel>]` function from CPU code: the
//! buffers passed go from the CPU to the GPU and come back. For each buffer
//! argument the first rule of [`RULES`] that applies gives the mode:
//! Hardware (the platform keeps the memory coherent; nothing is inserted)
//! or Software (explicit operations at the boundary).
//! Output: the coherency table, one entry per such call: its mode, the
//! rule per buffer, and the operations to run before (a fence) and after
//! (a wait for the device) the call, which lowering emits around it as
//! runtime calls. The PSG is not changed: the operations are data. Where
//! the hardware keeps coherence there are none, so the call compiles to
//! the call alone.

use barewire::platform::Platform;
use clef_frontend::Diagnostic;
use clef_psg::*;
use std::collections::HashMap;

/// What a rule sees about one buffer crossing a hand-off.
struct Crossing<'a> {
    /// Its space, when the type fixes it.
    space: Option<&'a str>,
    platform: Option<&'a Platform>,
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
                && matches!(c.space, Some("unified" | "gpu_bar" | "cxl_mem"))
        },
        before: &[],
        after: &[],
        reason: "CXL 3 / a CXL Type 2 device keeps host and device caches coherent (CXL.cache)",
    },
    CoherencyRule {
        name: "device memory",
        applies: |c| c.space == Some("gpu_mem"),
        before: &[],
        after: &[],
        reason: "device memory: the CPU never reads it, so nothing crosses",
    },
    CoherencyRule {
        name: "BAR writes",
        applies: |c| c.space == Some("gpu_bar"),
        before: &[SyncOp::Fence],
        after: &[SyncOp::DeviceSync],
        reason: "CPU stores through the BAR are write-combined: fence before the kernel, wait for it after",
    },
    CoherencyRule {
        name: "managed memory",
        applies: |c| c.space == Some("unified"),
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

pub fn cohere(
    psg: &Psg,
    types: &TypeTable,
    platform: Option<&Platform>,
) -> (HashMap<NodeId, Coherency>, Vec<Diagnostic>) {
    let mut table = HashMap::new();
    // Most programs have no kernel: then there is no hand-off to look for.
    let any_kernel = psg
        .graph
        .node_indices()
        .any(|n| psg.binding(n).is_some_and(|b| b.is_kernel));
    if !any_kernel {
        return (table, Vec::new());
    }
    let calls: Vec<NodeId> = psg
        .graph
        .node_indices()
        .filter(|&n| is_kernel_call(psg, n) && !inside_kernel(psg, n))
        .collect();
    for call in calls {
        let kids = psg.children(call);
        let mut buffers = Vec::new();
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for &arg in &kids[1..] {
            let Some(Type::Buffer(_, m)) = types.ty(arg) else {
                continue;
            };
            let crossing = Crossing {
                space: m.space(),
                platform,
            };
            let rule = RULES
                .iter()
                .find(|r| (r.applies)(&crossing))
                .expect("the last rule always applies");
            let name = match psg.expr(arg) {
                Some(ExprKind::Var(v)) => v.clone(),
                _ => "(expression)".into(),
            };
            let space = m
                .space()
                .map_or("decided at run time".to_string(), str::to_string);
            buffers.push((name, space, rule.name.to_string(), rule.reason.to_string()));
            for op in rule.before {
                if !before.contains(op) {
                    before.push(*op);
                }
            }
            for op in rule.after {
                if !after.contains(op) {
                    after.push(*op);
                }
            }
        }
        if buffers.is_empty() {
            continue;
        }
        let hardware = before.is_empty() && after.is_empty();
        table.insert(
            call,
            Coherency {
                hardware,
                buffers,
                before,
                after,
            },
        );
    }
    (table, Vec::new())
}

fn is_kernel_call(psg: &Psg, n: NodeId) -> bool {
    matches!(psg.expr(n), Some(ExprKind::Apply))
        && psg
            .children(n)
            .first()
            .and_then(|&head| psg.definition(head))
            .and_then(|d| psg.binding(d))
            .is_some_and(|b| b.is_kernel)
}

fn inside_kernel(psg: &Psg, mut n: NodeId) -> bool {
    while let Some(p) = psg.parent(n) {
        if psg.binding(p).is_some_and(|b| b.is_kernel) {
            return true;
        }
        n = p;
    }
    false
}
