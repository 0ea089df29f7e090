//! Coherency: how each hand-off between execution domains stays coherent.
//!
//! Input: the PSG, its types and the target platform (`None` for `auto`).
//! A hand-off is a call of a `[<Kernel>]` function from CPU code: the
//! buffers passed go from the CPU to the GPU and come back. For each buffer
//! argument the first rule of the model's table
//! (`barewire_model::coherency::RULES`) that applies gives the mode:
//! Hardware (the platform keeps the memory coherent; nothing is inserted)
//! or Software (explicit operations at the boundary).
//! Output: the coherency table, one entry per such call: its mode, the
//! rule per buffer, and the operations to run before (a fence) and after
//! (a wait for the device) the call, which lowering emits around it as
//! runtime calls. The PSG is not changed: the operations are data. Where
//! the hardware keeps coherence there are none, so the call compiles to
//! the call alone.

use barewire_model::coherency::{rule_for, Crossing};
use barewire_model::platform::Platform;
use barewire_model::MemorySpace;
use clef_frontend::Diagnostic;
use clef_psg::*;
use std::collections::HashMap;

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
            let rule = rule_for(&Crossing {
                space: m.space().and_then(MemorySpace::from_name),
                platform,
            });
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
            .is_some_and(|d| psg.info(d).is_kernel)
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
