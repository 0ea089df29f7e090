//! Placement: where each allocation goes.
//!
//! Input: the PSG and its types, in which each allocation site has its
//! residency (its space as inference left it, and the domains that index
//! it), and the target platform (`None` for `--platform auto`).
//! Output: the placement table, one entry per allocation site: the space to
//! request (or "at run time"), the runtime's fallback chain, and the rule
//! and reason in words. The rules are BAREWire's table
//! (`barewire::placement::RULES`), shared with the runtime, which applies
//! them at start-up to decisions left to it. A site no memory of an
//! explicit platform can serve is E0701.

use barewire_model::placement::{
    check_capacity, decide, Decision, PlacementConfig, SiteFacts, Verdict,
};
use barewire_model::platform::Platform;
use clef_frontend::ast::BinOp;
use clef_frontend::Diagnostic;
use clef_psg::*;
use std::collections::HashMap;

/// What the placement pass needs from the command line.
#[derive(Debug, Clone, Default)]
pub struct PlacementOptions {
    /// `None`: `--platform auto`.
    pub platform: Option<Platform>,
    pub config: PlacementConfig,
}

pub fn place(
    psg: &Psg,
    types: &TypeTable,
    options: &PlacementOptions,
) -> (HashMap<NodeId, Placement>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut placements = HashMap::new();
    let mut sites: Vec<NodeId> = types.residency_sites().collect();
    sites.sort();
    for site in sites {
        let residency = types.residency(site).expect("listed above");
        let elem_bytes = match types.ty(site) {
            Some(Type::Fun(_, buffer)) => match &**buffer {
                Type::Buffer(elem, _) => elem_size(elem),
                _ => 8,
            },
            _ => 8,
        };
        let elems = psg
            .parent(site)
            .and_then(|apply| constant_elements(psg, apply, 0));
        let facts = SiteFacts {
            space: residency.space,
            size_bytes: elems.map(|n| n.max(0) as u64 * elem_bytes),
            gpu_access: residency.accesses.iter().any(|(d, _)| d.contains("GPU")),
        };
        let auto_reason = "--platform auto: decided on the machine that runs it, by the same rules";
        let verdict = match (&options.platform, &facts.space) {
            (Some(platform), _) => check_capacity(
                decide(&facts, platform, &options.config),
                facts.size_bytes,
                platform,
            ),
            // On `auto`, a written space is kept (the runtime falls back if
            // the hardware is absent); a free one is decided at start-up.
            (None, Some(space)) => {
                let space = *space;
                Verdict::Decided(Decision {
                    space,
                    fallback: space.fallback(),
                    rule: "written space",
                    reason:
                        "the program asks for it; the runtime falls back if the hardware is absent"
                            .into(),
                })
            }
            (None, None) => Verdict::AtRunTime {
                rule: "platform auto",
                reason: auto_reason.into(),
            },
        };
        // (space, fallback, rule, reason); no space: decided at run time,
        // or (with a diagnostic) not at all.
        let (space, fallback, rule, reason) = match verdict {
            Verdict::Decided(d) => (Some(d.space), d.fallback, d.rule, d.reason),
            Verdict::AtRunTime { rule, reason } => (None, Vec::new(), rule, reason),
            Verdict::Unsatisfiable { rule, reason } => {
                diags.push(
                    Diagnostic::error(
                        "E0701",
                        format!(
                            "this allocation cannot be placed on {}",
                            platform_name(options.platform.as_ref())
                        ),
                        psg.span(site),
                    )
                    .with_label(reason.clone())
                    .with_help(if rule == "capacity" {
                        "allocate less, or compile for a platform with a memory this large (a description file, or `auto` to decide at run time)"
                    } else {
                        "compile for a platform that has the memory (`--platform datacenter-cxl2`, a description file, or `auto` to decide at run time), or allocate in `unified` or `cpu_mem`"
                    }),
                );
                (None, Vec::new(), rule, reason)
            }
        };
        let placement = Placement {
            space,
            fallback,
            rule: rule.to_string(),
            reason,
            size_bytes: facts.size_bytes,
            gpu_access: facts.gpu_access,
            large_threshold: options.config.large_threshold,
        };
        placements.insert(site, placement);
    }
    (placements, diags)
}

/// A platform as messages name it; a description file by its name only,
/// so messages stay the same wherever the file is.
fn platform_name(platform: Option<&Platform>) -> String {
    let Some(p) = platform else {
        return "this platform".into();
    };
    match p.source.strip_prefix("file:") {
        Some(path) => format!(
            "`{}`",
            std::path::Path::new(path)
                .file_name()
                .map_or(path.into(), |f| f.to_string_lossy())
        ),
        None => format!("`{}`", p.source),
    }
}

/// Bytes of one element of a buffer.
fn elem_size(t: &Type) -> u64 {
    match t.without_measure() {
        Type::Int | Type::Float32 => 4,
        Type::Int64 | Type::Float => 8,
        Type::Byte | Type::Bool => 1,
        _ => 8,
    }
}

/// The number of elements an allocation `apply` makes, when it is a
/// constant: the argument of `allocate`, or for `copy` and `migrate` the
/// size of the buffer they are given, when that names an allocation.
fn constant_elements(psg: &Psg, apply: NodeId, depth: u32) -> Option<i64> {
    if depth > 16 || !matches!(psg.expr(apply), Some(ExprKind::Apply)) {
        return None;
    }
    let kids = psg.children(apply);
    let arg = *kids.get(1)?;
    match psg.builtin(kids[0])? {
        Builtin::BufferAllocate | Builtin::BufferAllocateAuto => constant_int(psg, arg, 0),
        Builtin::BufferCopy | Builtin::BufferMigrate => {
            let def = psg.definition(arg)?.node();
            let info = psg.binding(def)?;
            if info.is_mutable || info.is_function() {
                return None;
            }
            let (_, value) = psg.function_parts(def);
            constant_elements(psg, value?, depth + 1)
        }
        _ => None,
    }
}

/// The value of an integer expression made of literals, arithmetic and
/// references to top-level values bound to such expressions.
fn constant_int(psg: &Psg, id: NodeId, depth: u32) -> Option<i64> {
    if depth > 16 {
        return None;
    }
    match psg.expr(id)? {
        ExprKind::Lit(Literal::Int(v, _)) => Some(*v),
        ExprKind::Typed(_) => constant_int(psg, psg.children(id)[0], depth + 1),
        ExprKind::Binary(op) => {
            let kids = psg.children(id);
            let (a, b) = (
                constant_int(psg, kids[0], depth + 1)?,
                constant_int(psg, kids[1], depth + 1)?,
            );
            match op {
                BinOp::Add => a.checked_add(b),
                BinOp::Sub => a.checked_sub(b),
                BinOp::Mul => a.checked_mul(b),
                BinOp::Div if b != 0 => a.checked_div(b),
                BinOp::Shl if (0..63).contains(&b) => a.checked_shl(b as u32),
                _ => None,
            }
        }
        ExprKind::Var(_) => {
            let def = psg.definition(id)?.node();
            let info = psg.binding(def)?;
            if info.is_mutable || info.is_function() || info.role != BindingRole::Let {
                return None;
            }
            let (_, value) = psg.function_parts(def);
            constant_int(psg, value?, depth + 1)
        }
        _ => None,
    }
}
