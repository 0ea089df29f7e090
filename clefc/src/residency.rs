//! `--emit residency`: what residency inference decided for each buffer.
//!
//! One section per allocation site (source order): the call, the buffer's
//! type, its space (fixed by the program, inferred from where the buffer
//! goes, or left free for the placement pass) and, for buffers whose space
//! is left to inference, every access with its execution domain. Then every
//! binding whose type holds a buffer, with its space.

use clef_frontend::layout::LineIndex;
use clef_psg::{Builtin, Facts, NodeId, NodeKind, Psg, Type};
use std::fmt::Write;

pub fn listing(psg: &Psg, facts: &Facts, src: &str) -> String {
    let lines = LineIndex::new(src);
    let at = |span: clef_frontend::Span| {
        let (l, c) = lines.line_col(span.start);
        format!("{}:{}", l + 1, c + 1)
    };
    let mut out = String::new();
    let sites = in_source_order(psg, |n| facts.types.residency(n).is_some());
    let _ = writeln!(out, "allocation sites: {}", sites.len());
    for n in sites {
        let r = facts.types.residency(n).expect("filtered above");
        let call = match psg.builtin(n) {
            Some(Builtin::BufferAllocateAuto) => "BAREWire.allocateAuto",
            Some(Builtin::BufferCopy) => "BAREWire.copy",
            Some(Builtin::BufferMigrate) => "BAREWire.migrate",
            _ => "BAREWire.allocate",
        };
        let ty = match facts.ty(n) {
            Some(Type::Fun(_, result)) => result.display(),
            Some(t) => t.display(),
            None => "?".into(),
        };
        let space = match (&r.space, r.auto) {
            (Some(s), false) => format!("{s} (written in the program)"),
            (Some(s), true) => format!("{s} (inferred from where the buffer goes)"),
            (None, _) => {
                "free: the placement pass decides (until then the runtime uses cpu_mem)".into()
            }
        };
        let _ = writeln!(out, "{:<8} {call} : {ty}", at(psg.span(n)));
        let _ = writeln!(out, "         space: {space}");
        for (domain, span) in &r.accesses {
            let _ = writeln!(out, "         accessed at {} by {domain}", at(*span));
        }
    }
    let _ = writeln!(out, "buffers:");
    let bindings = in_source_order(psg, |n| {
        matches!(psg.kind(n), NodeKind::Binding(_)) && facts.ty(n).is_some_and(holds_buffer)
    });
    for n in bindings {
        let b = psg.binding(n).expect("filtered above");
        let ty = facts.ty(n).map(Type::display).unwrap_or_default();
        let _ = writeln!(out, "{:<8} {} : {ty}", at(b.name_span), b.name);
    }
    out
}

/// `--emit placement` and `--explain`: one line per allocation site (where,
/// size, domains, decision, fallback) and the reason in words.
pub fn placement_report(psg: &Psg, facts: &Facts, src: &str) -> String {
    let lines = LineIndex::new(src);
    let sites = in_source_order(psg, |n| facts.placement(n).is_some());
    let mut out = String::new();
    let _ = writeln!(out, "placement: {} allocation site(s)", sites.len());
    for n in sites {
        let p = facts.placement(n).expect("filtered above");
        let (l, c) = lines.line_col(psg.span(n).start);
        let size = p.size_bytes.map_or(
            "size known at run time".to_string(),
            barewire::platform::render::bytes,
        );
        let domains = if p.gpu_access { "CPU and GPU" } else { "CPU" };
        let decision = match &p.space {
            Some(space) if p.fallback.is_empty() => space.to_string(),
            Some(space) => {
                let fallback: Vec<&str> = p.fallback.iter().map(|s| s.name()).collect();
                format!("{space} (falls back to {})", fallback.join(", then "))
            }
            None if p.rule == "platform auto" || p.rule == "size known at run time" => {
                "at run time".to_string()
            }
            None => "cannot be placed".to_string(),
        };
        let _ = writeln!(
            out,
            "{}:{:<6} {size:>10}  {domains:<11}  -> {decision}",
            l + 1,
            c + 1
        );
        let _ = writeln!(out, "           rule: {}; {}", p.rule, p.reason);
    }
    out
}

/// `--emit coherency`: each CPU call of a GPU kernel, its mode, and the
/// operations inserted around it.
pub fn coherency_report(psg: &Psg, facts: &Facts, src: &str) -> String {
    let lines = LineIndex::new(src);
    let calls = in_source_order(psg, |n| facts.coherency(n).is_some());
    let mut out = String::new();
    let _ = writeln!(out, "coherency: {} hand-off(s)", calls.len());
    for n in calls {
        let c = facts.coherency(n).expect("filtered above");
        let (l, col) = lines.line_col(psg.span(n).start);
        let kernel = psg
            .children(n)
            .first()
            .and_then(|&h| psg.definition(h))
            .map_or("?".to_string(), |d| psg.info(d).name.clone());
        let mode = if c.hardware { "Hardware" } else { "Software" };
        let _ = writeln!(
            out,
            "{}:{} CPU -> `{kernel}` (GPU) -> CPU: {mode}",
            l + 1,
            col + 1
        );
        for (name, space, rule, reason) in &c.buffers {
            let _ = writeln!(out, "    {name} in {space}: {rule}; {reason}");
        }
        let ops =
            |v: &[clef_psg::SyncOp]| v.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ");
        if !c.hardware {
            let _ = writeln!(
                out,
                "    inserted: before [{}], after [{}]",
                ops(&c.before),
                ops(&c.after)
            );
        }
    }
    out
}

/// The nodes `keep` selects, in the order they appear in the source.
fn in_source_order(psg: &Psg, keep: impl Fn(NodeId) -> bool) -> Vec<NodeId> {
    let mut nodes: Vec<NodeId> = psg.graph.node_indices().filter(|&n| keep(n)).collect();
    nodes.sort_by_key(|&n| psg.span(n).start);
    nodes
}

fn holds_buffer(t: &Type) -> bool {
    match t {
        Type::Buffer(..) => true,
        Type::Fun(a, b) => holds_buffer(a) || holds_buffer(b),
        Type::Tuple(items) | Type::Named { args: items, .. } => items.iter().any(holds_buffer),
        Type::Array(t) => holds_buffer(t),
        _ => false,
    }
}
