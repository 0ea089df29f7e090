//! Placement rules: where a buffer should live, as data.
//!
//! The compiler's placement pass and the runtime (for decisions left to
//! start-up with `--platform auto` or a size known only at run time) apply
//! the same table, [`RULES`], to the same facts about an allocation site.
//! The first rule that applies decides: the space to request (the
//! runtime's fallback chain still applies when the hardware is absent), and
//! the reason in words.

use crate::platform::Platform;
use crate::space::MemorySpace;
use MemorySpace::*;

/// What is known about an allocation site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFacts {
    /// The space the program wrote, or `None` when inference left it free.
    pub space: Option<MemorySpace>,
    /// Bytes, when the size is known (a constant at compile time, the real
    /// size at run time).
    pub size_bytes: Option<u64>,
    /// A GPU kernel indexes it.
    pub gpu_access: bool,
}

/// Tunables of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacementConfig {
    /// Buffers larger than this prefer far (CXL) memory. Default 512 MiB.
    pub large_threshold: u64,
}

impl Default for PlacementConfig {
    fn default() -> Self {
        PlacementConfig {
            large_threshold: 512 << 20,
        }
    }
}

/// A decision: the memory space to request and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub space: MemorySpace,
    /// What the runtime falls back to, in order, if the hardware is absent.
    pub fallback: Vec<MemorySpace>,
    /// The rule that decided.
    pub rule: &'static str,
    pub reason: String,
}

/// A rule's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Decided(Decision),
    /// Decided at run time, by the same rules (the size is not known yet).
    AtRunTime {
        rule: &'static str,
        reason: String,
    },
    /// No memory on the platform can satisfy the request.
    Unsatisfiable {
        rule: &'static str,
        reason: String,
    },
}

type Facts<'a> = (&'a SiteFacts, &'a Platform, &'a PlacementConfig);

/// One rule: when it applies and what it decides.
pub struct Rule {
    pub name: &'static str,
    /// The rule in words, for docs and `--explain`.
    pub summary: &'static str,
    pub applies: fn(Facts) -> bool,
    pub decide: fn(Facts) -> Verdict,
}

fn decided(space: MemorySpace, rule: &'static str, reason: String) -> Verdict {
    Verdict::Decided(Decision {
        space,
        fallback: space.fallback(),
        rule,
        reason,
    })
}

fn mib(bytes: u64) -> String {
    crate::render::bytes(bytes)
}

fn fixed_space((f, p, _): Facts) -> Verdict {
    const RULE: &str = "written space";
    let space = f.space.unwrap_or(CpuMem);
    let gpu = p
        .gpus
        .iter()
        .find(|g| g.cuda_index.is_some())
        .or(p.gpus.first());
    match space {
        GpuMem => match gpu {
            Some(g) => decided(
                GpuMem,
                RULE,
                format!("the program asks for GPU memory: {}", g.name),
            ),
            None => Verdict::Unsatisfiable {
                rule: RULE,
                reason: "the program asks for GPU device memory and the platform has no GPU".into(),
            },
        },
        GpuBar => match gpu {
            Some(g) if g.bar_resizable => decided(
                GpuBar,
                RULE,
                format!(
                    "CPU-visible GPU memory through the Resizable BAR of {}",
                    g.name
                ),
            ),
            Some(g) => decided(
                GpuBar,
                RULE,
                format!(
                    "{} has no Resizable BAR: pinned host memory mapped into the GPU",
                    g.name
                ),
            ),
            None => Verdict::Unsatisfiable {
                rule: RULE,
                reason: "the program asks for GPU BAR memory and the platform has no GPU".into(),
            },
        },
        Unified => match gpu {
            Some(g) => decided(
                Unified,
                RULE,
                format!("managed memory shared with {}", g.name),
            ),
            None => decided(
                CpuMem,
                RULE,
                "no GPU: unified memory is ordinary host memory".into(),
            ),
        },
        CxlMem if p.has_far_memory() => decided(
            CxlMem,
            RULE,
            "the program asks for CXL memory, and the platform has far memory".into(),
        ),
        CxlMem => decided(
            CpuMem,
            RULE,
            "the program asks for CXL memory; the platform has none, so local memory".into(),
        ),
        CpuMem => decided(CpuMem, RULE, "the program asks for local memory".into()),
    }
}

fn gpu_reader((_, p, _): Facts) -> Verdict {
    const RULE: &str = "read by a GPU kernel";
    match p.gpus.first() {
        Some(g) if g.bar_resizable => decided(
            GpuBar,
            RULE,
            format!(
                "a kernel reads it and {} has a Resizable BAR: CPU-visible GPU memory",
                g.name
            ),
        ),
        Some(g) => decided(
            Unified,
            RULE,
            format!(
                "a kernel reads it and {} has no Resizable BAR: managed memory",
                g.name
            ),
        ),
        None => decided(
            CpuMem,
            RULE,
            "a kernel reads it, but the platform has no GPU: kernels run on the CPU, local memory"
                .into(),
        ),
    }
}

fn large_buffer((f, p, c): Facts) -> Verdict {
    const RULE: &str = "large buffer";
    let size = f.size_bytes.unwrap_or(0);
    if p.has_far_memory() {
        decided(
            CxlMem,
            RULE,
            format!(
                "{} is over the {} threshold: far (CXL) memory",
                mib(size),
                mib(c.large_threshold)
            ),
        )
    } else {
        decided(
            CpuMem,
            RULE,
            format!(
                "{} is over the {} threshold, but the platform has no far memory: local memory",
                mib(size),
                mib(c.large_threshold)
            ),
        )
    }
}

/// The rules, in order; the first that applies decides.
pub const RULES: &[Rule] = &[
    Rule {
        name: "written space",
        summary: "a space the program wrote is kept; GPU spaces need a GPU (else a compile-time error on an explicit platform), cxl_mem without far memory and unified without a GPU become local memory",
        applies: |(f, _, _)| f.space.is_some(),
        decide: fixed_space,
    },
    Rule {
        name: "read by a GPU kernel",
        summary: "a buffer a kernel indexes goes to gpu_bar with Resizable BAR, else unified memory, else (no GPU) local memory",
        applies: |(f, _, _)| f.gpu_access,
        decide: gpu_reader,
    },
    Rule {
        name: "size known at run time",
        summary: "a buffer whose size is not a constant is placed at run time by these rules",
        applies: |(f, _, _)| f.size_bytes.is_none(),
        decide: |_| Verdict::AtRunTime {
            rule: "size known at run time",
            reason: "its size is known only at run time: placed at start of the allocation by the same rules".into(),
        },
    },
    Rule {
        name: "large buffer",
        summary: "a buffer over the threshold (512 MiB by default) prefers far (CXL) memory when the platform has it",
        applies: |(f, _, c)| f.size_bytes.is_some_and(|s| s > c.large_threshold),
        decide: large_buffer,
    },
    Rule {
        name: "local by default",
        summary: "everything else goes to the local NUMA node",
        applies: |_| true,
        decide: |_| decided(CpuMem, "local by default", "a small buffer: the local NUMA node".into()),
    },
];

/// The largest single memory of `platform` that a request for `space`
/// (or, failing it, its fallback chain) could be served from, with its
/// name; `None` when the platform says nothing of capacities.
pub fn largest_memory_for(space: MemorySpace, platform: &Platform) -> Option<(u64, String)> {
    let mut best: Option<(u64, String)> = None;
    let mut consider = |bytes: u64, what: String| {
        if bytes > 0 && best.as_ref().is_none_or(|(b, _)| bytes > *b) {
            best = Some((bytes, what));
        }
    };
    for s in std::iter::once(space).chain(space.fallback()) {
        match s {
            GpuMem => {
                for g in &platform.gpus {
                    consider(
                        g.memory_bytes.unwrap_or(0),
                        format!("the memory of {}", g.name),
                    );
                }
            }
            CxlMem => {
                for n in platform.cpuless_nodes() {
                    consider(n.capacity_bytes, format!("node {}", n.id));
                }
                for d in &platform.dax_devices {
                    consider(d.size_bytes, d.name.clone());
                }
            }
            // cpu_mem, pinned host memory (gpu_bar without a BAR) and
            // managed memory come from nodes with CPUs.
            CpuMem | GpuBar | Unified => {
                for n in platform.numa_nodes.iter().filter(|n| !n.cpus.is_empty()) {
                    consider(n.capacity_bytes, format!("node {}", n.id));
                }
                if s == Unified {
                    for g in &platform.gpus {
                        consider(
                            g.memory_bytes.unwrap_or(0),
                            format!("the memory of {}", g.name),
                        );
                    }
                }
            }
        }
    }
    best
}

/// A decision for a buffer of known size checked against the platform's
/// memories: a buffer larger than every memory that could hold it (the
/// space and its fallbacks) cannot be placed.
pub fn check_capacity(verdict: Verdict, size: Option<u64>, platform: &Platform) -> Verdict {
    let (Verdict::Decided(d), Some(size)) = (&verdict, size) else {
        return verdict;
    };
    match largest_memory_for(d.space, platform) {
        Some((largest, what)) if size > largest => Verdict::Unsatisfiable {
            rule: "capacity",
            reason: format!(
                "{} is more than any memory that could hold it (the largest is {what}, {})",
                mib(size),
                mib(largest)
            ),
        },
        _ => verdict,
    }
}

/// Apply the rules.
pub fn decide(facts: &SiteFacts, platform: &Platform, config: &PlacementConfig) -> Verdict {
    let input = (facts, platform, config);
    let rule = RULES
        .iter()
        .find(|r| (r.applies)(input))
        .expect("the last rule always applies");
    (rule.decide)(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(space: Option<&str>, size: Option<u64>, gpu: bool) -> SiteFacts {
        SiteFacts {
            space: space.map(|s| MemorySpace::from_name(s).unwrap()),
            size_bytes: size,
            gpu_access: gpu,
        }
    }

    fn space_on(preset: &str, f: &SiteFacts) -> Result<&'static str, String> {
        let p = Platform::preset(preset).unwrap();
        match decide(f, &p, &PlacementConfig::default()) {
            Verdict::Decided(d) => Ok(d.space.name()),
            Verdict::AtRunTime { .. } => Err("run time".into()),
            Verdict::Unsatisfiable { reason, .. } => Err(reason),
        }
    }

    #[test]
    fn the_rules_on_the_presets() {
        let big = facts(None, Some(1 << 30), false);
        assert_eq!(space_on("datacenter-cxl2", &big), Ok("cxl_mem"));
        assert_eq!(space_on("workstation", &big), Ok("cpu_mem"));
        let small = facts(None, Some(4096), false);
        assert_eq!(space_on("datacenter-cxl2", &small), Ok("cpu_mem"));
        let kernel = facts(None, Some(4096), true);
        assert_eq!(space_on("workstation", &kernel), Ok("gpu_bar"));
        assert_eq!(space_on("datacenter-cxl2", &kernel), Ok("unified"));
        assert_eq!(space_on("edge", &kernel), Ok("cpu_mem"));
        assert!(space_on("edge", &facts(Some("gpu_mem"), Some(64), false)).is_err());
        assert_eq!(
            space_on("edge", &facts(Some("cxl_mem"), Some(64), false)),
            Ok("cpu_mem")
        );
        assert_eq!(
            space_on("edge", &facts(None, None, false)),
            Err("run time".into())
        );
    }
}
