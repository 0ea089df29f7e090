//! Memory residency in the types: `SharedBuffer<'T, 'space>`.
//!
//! Memory spaces (`cpu_mem`, `cxl_mem`, `gpu_mem`, `gpu_bar`, `unified`)
//! are measures of their own kind: a buffer's measure is exactly one space
//! or one variable, and a space never appears in a physical measure (E0534).
//! Unification of spaces is measure unification, so a buffer's space is
//! inferred along the data flow like any unit.
//!
//! Accessibility, checked at compile time: indexing a buffer requires its
//! space to be reachable from the domain the code runs in (the table in
//! docs/language.md). When the space is a variable the requirement waits;
//! a function generic in the space carries it in its scheme, and each use
//! checks it at the call (as F# checks member constraints). Requirements
//! still open at the end describe `allocateAuto` buffers for placement.

use super::{Infer, SpaceOrigin, TypeError};
use clef_frontend::ast::{TypeExpr, TypeExprKind};
use clef_frontend::Span;
use clef_psg::measure::{Measure, MeasureAtom};
use clef_psg::*;

use clef_psg::measure::MEMORY_SPACES as SPACES;

/// Where code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    Cpu,
    /// A `[<Kernel>]` function.
    Gpu,
}

impl Domain {
    pub fn name(self) -> &'static str {
        match self {
            Domain::Cpu => "CPU code",
            Domain::Gpu => "a GPU kernel",
        }
    }

    /// Whether code in this domain may read and write `space`.
    pub fn can_access(self, space: &str) -> bool {
        match self {
            Domain::Cpu => matches!(space, "cpu_mem" | "cxl_mem" | "gpu_bar" | "unified"),
            // cxl_mem needs a platform with coherent CXL Type 2 devices,
            // which the placement pass (with --platform) will know.
            Domain::Gpu => matches!(space, "gpu_mem" | "gpu_bar" | "unified"),
        }
    }
}

/// "The buffer's space must be reachable from `domain`", from an access at
/// `span`.
#[derive(Debug, Clone)]
pub struct SpaceRequirement {
    pub space: Measure,
    pub domain: Domain,
    pub span: Span,
    /// The generic function whose use carries the requirement, when the
    /// access is inside one (`None`: the buffer is indexed right here).
    pub through: Option<String>,
    /// For a requirement a generic function passed on: where it indexes.
    pub inside: Option<Span>,
}

/// One allocation site, for the residency report.
#[derive(Debug, Clone)]
pub struct AllocationSite {
    pub node: NodeId,
    pub elem: Type,
    pub space: Measure,
    pub auto: bool,
}

/// Whether the `Index` node `index` is written (`b.[i] <- v`) or read.
pub fn access_kind(psg: &Psg, index: NodeId) -> &'static str {
    let written = psg.parent(index).is_some_and(|p| {
        matches!(psg.expr(p), Some(ExprKind::Assign)) && psg.children(p).first() == Some(&index)
    });
    if written {
        "write"
    } else {
        "read"
    }
}

/// The single space a measure names, if it is one.
pub fn space_name(m: &Measure) -> Option<&str> {
    m.space()
}

pub fn is_space_atom(a: &MeasureAtom) -> bool {
    matches!(a, MeasureAtom::Base(b) if SPACES.contains(&b.as_str()))
}

impl Infer<'_> {
    /// The prelude's memory spaces, as measures.
    pub(super) fn declare_spaces(&mut self) {
        for s in SPACES {
            self.spaces.insert(s.to_string(), Measure::base(s));
        }
    }

    /// The memory space written in `SharedBuffer<_, space>` or
    /// `allocate<_, space>`: a misspelt space is named as one (with the
    /// nearest space), not as an undeclared unit of measure.
    pub(super) fn space_of(&mut self, t: &TypeExpr) -> Measure {
        if let TypeExprKind::Named { name, args } = &t.kind {
            let known = self.measure_named(&name.name).is_some() || name.name == "_";
            if args.is_empty() && !known {
                // `cpu` for `cpu_mem`, `cxl_memory` for `cxl_mem`.
                let same_device = SPACES
                    .into_iter()
                    .find(|s| s.split('_').next() == name.name.split('_').next());
                let suggestion = crate::resolve::nearest(&name.name, SPACES).or(same_device);
                self.errors.push(TypeError::UnknownSpace {
                    name: name.name.clone(),
                    suggestion: suggestion.map(str::to_string),
                    at: t.span,
                });
                return self.fresh_measure();
            }
        }
        let m = self.measure_of(t);
        self.check_space(&m, t.span)
    }

    /// A buffer's space: one space or one variable (E0534 otherwise).
    pub(super) fn check_space(&mut self, m: &Measure, span: Span) -> Measure {
        let mut atoms = m.atoms();
        let ok = match (atoms.next(), atoms.next()) {
            (Some((a, 1)), None) => is_space_atom(a) || matches!(a, MeasureAtom::Var(_)),
            _ => false,
        };
        if ok {
            return m.clone();
        }
        self.errors.push(TypeError::NotASpace {
            measure: m.clone(),
            at: span,
        });
        self.fresh_measure()
    }

    /// A physical measure must not mention a memory space (E0534).
    pub(super) fn check_physical(&mut self, m: &Measure, span: Span) {
        if let Some((a, _)) = m.atoms().find(|(a, _)| is_space_atom(a)) {
            let MeasureAtom::Base(space) = a else { return };
            self.errors.push(TypeError::SpaceInMeasure {
                space: space.clone(),
                at: span,
            });
        }
    }

    /// `SharedBuffer<T, space>` in an annotation.
    pub(super) fn buffer_annotation(&mut self, elem: Type, space: Measure, span: Span) -> Type {
        let space = self.check_space(&space, span);
        Type::Buffer(Box::new(elem), space)
    }

    /// The type of `BAREWire.allocate` and friends at node `id`.
    pub(super) fn buffer_builtin(&mut self, id: NodeId, b: Builtin) -> Type {
        let args = self.psg.explicit_type_args(id).to_vec();
        let span = self.psg.span(id);
        let wanted = match b {
            Builtin::BufferAllocate => 2,
            _ => 1,
        };
        if args.len() != wanted {
            self.errors.push(TypeError::BufferTypeArgumentCount {
                builtin: b,
                wanted,
                given: args.len(),
                at: span,
            });
            return Type::Error;
        }
        let names_space = |t: &TypeExpr| matches!(&t.kind, TypeExprKind::Named { name, args } if args.is_empty() && SPACES.contains(&name.name.as_str()));
        if b == Builtin::BufferAllocate && names_space(&args[0]) && !names_space(&args[1]) {
            let (space, elem) = (&args[0], &args[1]);
            let src = clef_frontend::print::type_str;
            self.errors.push(TypeError::BufferTypeArgumentsSwapped {
                builtin: b,
                elem: src(elem),
                space: src(space),
                at: span,
                space_at: space.span,
            });
            return Type::Error;
        }
        match b {
            Builtin::BufferAllocate | Builtin::BufferAllocateAuto => {
                let elem = self.annotation(&args[0]);
                let space = if b == Builtin::BufferAllocate {
                    self.space_of(&args[1])
                } else {
                    self.fresh_measure()
                };
                self.allocation_sites.push(AllocationSite {
                    node: id,
                    elem: elem.clone(),
                    space: space.clone(),
                    auto: b == Builtin::BufferAllocateAuto,
                });
                Type::fun(Type::Int, Type::Buffer(Box::new(elem), space))
            }
            _ => {
                let dst = self.space_of(&args[0]);
                let elem = self.fresh();
                let src = self.fresh_measure();
                // A copy or a migration allocates: placement sees it too.
                self.allocation_sites.push(AllocationSite {
                    node: id,
                    elem: elem.clone(),
                    space: dst.clone(),
                    auto: false,
                });
                Type::fun(
                    Type::Buffer(Box::new(elem.clone()), src),
                    Type::Buffer(Box::new(elem), dst),
                )
            }
        }
    }

    /// Indexing a buffer in the current domain.
    pub(super) fn require_access(&mut self, space: &Measure, span: Span) {
        let r = SpaceRequirement {
            space: space.clone(),
            domain: self.domain,
            span,
            through: None,
            inside: None,
        };
        self.check_requirements(vec![r]);
    }

    /// Check every pending requirement again (after unifications that may
    /// have fixed their spaces).
    pub(super) fn check_space_requirements(&mut self) {
        let pending = std::mem::take(&mut self.space_requirements);
        self.check_requirements(pending);
    }

    /// Check `reqs`: report those whose space is known and not reachable,
    /// keep those whose space is still a variable.
    fn check_requirements(&mut self, reqs: Vec<SpaceRequirement>) {
        for r in reqs {
            let space = self.resolve_measure(&r.space);
            match space_name(&space) {
                Some(name) if r.domain.can_access(name) => {}
                Some(name) => {
                    let space = name.to_string();
                    self.errors.push(TypeError::Inaccessible {
                        domain: r.domain,
                        space,
                        at: r.span,
                        through: r.through,
                        inside: r.inside,
                    });
                }
                None => self
                    .space_requirements
                    .push(SpaceRequirement { space, ..r }),
            }
        }
    }

    /// Requirements on variables generalised with binding `b` travel with
    /// its scheme.
    pub(super) fn generalize_requirements(&mut self, b: NodeId, vars: &[TyVar]) {
        self.check_space_requirements();
        let pending = std::mem::take(&mut self.space_requirements);
        let mut kept = Vec::new();
        for r in pending {
            let mut rv = Vec::new();
            self.resolve_measure(&r.space).vars(&mut rv);
            // A variable local to the group just checked, and not in its
            // type, can never be fixed by later code: the requirement is
            // the placement pass's now (it is in the access log), and
            // checking it again would only cost time.
            let local = rv
                .iter()
                .all(|v| self.levels[v.0 as usize] > self.level && !vars.contains(v));
            if local && !rv.is_empty() {
                continue;
            }
            if rv.iter().any(|v| vars.contains(v)) {
                // One requirement per space and domain is enough.
                let space = self.resolve_measure(&r.space);
                let list = self.scheme_requirements.entry(b).or_default();
                if !list
                    .iter()
                    .any(|x| x.domain == r.domain && x.space == space)
                {
                    list.push(SpaceRequirement { space, ..r });
                }
            } else {
                kept.push(r);
            }
        }
        self.space_requirements = kept;
    }

    /// A use of `def` at `id`: its requirements, instantiated, apply here.
    pub(super) fn instantiate_requirements(
        &mut self,
        id: NodeId,
        def: NodeId,
        map: &std::collections::HashMap<TyVar, Type>,
    ) {
        let Some(reqs) = self.scheme_requirements.get(&def).cloned() else {
            return;
        };
        let name = self
            .psg
            .binding(def)
            .map_or(String::new(), |b| b.name.clone());
        let span = self.psg.span(id);
        let mut fresh = Vec::new();
        for r in reqs {
            let space = self
                .resolve_measure(&r.space)
                .substitute(&|v| match map.get(&v) {
                    Some(Type::Var(w)) => Some(Measure::var(*w)),
                    Some(Type::Measure(m)) => Some(m.clone()),
                    _ => None,
                });
            self.access_log.push((
                space.clone(),
                format!("{} (through `{name}`)", r.domain.name()),
                span,
            ));
            fresh.push(SpaceRequirement {
                space,
                domain: r.domain,
                span,
                through: Some(name.clone()),
                inside: Some(r.inside.unwrap_or(r.span)),
            });
        }
        self.check_requirements(fresh);
    }
}

impl Infer<'_> {
    /// Write what inference found for each allocation site into the PSG,
    /// and reject element types a raw buffer cannot hold.
    pub(super) fn record_residency(&mut self) {
        let sites = std::mem::take(&mut self.allocation_sites);
        // The accesses by the space they resolved to.
        let mut by_space: std::collections::HashMap<Measure, Vec<(String, Span)>> =
            Default::default();
        for (m, who, at) in &self.access_log {
            by_space
                .entry(self.resolve_measure(m))
                .or_default()
                .push((who.clone(), *at));
        }
        for site in sites {
            let space = self.resolve_measure(&site.space);
            let elem = self.zonk(&site.elem);
            if !(elem.is_numeric() || matches!(elem, Type::Bool | Type::Var(_) | Type::Error)) {
                self.errors.push(TypeError::BufferElement {
                    elem: elem.clone(),
                    at: self.psg.span(site.node),
                });
            }
            // A fixed space: every buffer in it shares the measure, so the
            // log cannot tell them apart; follow the variable the buffer is
            // bound to instead.
            let mut accesses = if space_name(&space).is_some() && !site.auto {
                self.accesses_through_binding(site.node)
            } else {
                by_space.get(&space).cloned().unwrap_or_default()
            };
            accesses.sort_by_key(|(_, at)| at.start);
            accesses.dedup();
            self.table.set_residency(
                site.node,
                Residency {
                    space: space_name(&space).and_then(MemorySpace::from_name),
                    auto: site.auto,
                    accesses,
                },
            );
        }
    }

    /// Where the buffer made at allocation head `site` is indexed, found
    /// through the `let` that binds it: indexing in a function (CPU or
    /// kernel), or passing it to a `[<Kernel>]` function.
    fn accesses_through_binding(&self, site: NodeId) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        let Some(apply) = self.psg.parent(site) else {
            return out;
        };
        let Some(binding) = self.psg.parent(apply) else {
            return out;
        };
        let Some(binding) = self.psg.as_binding(binding) else {
            return out;
        };
        for u in self.psg.uses(binding) {
            let Some(parent) = self.psg.parent(u) else {
                continue;
            };
            match self.psg.expr(parent) {
                Some(ExprKind::Index) if self.psg.children(parent).first() == Some(&u) => {
                    let how = access_kind(self.psg, parent);
                    let who = format!("{} ({how})", self.domain_of(parent).name());
                    out.push((who, self.psg.span(u)));
                }
                Some(ExprKind::Apply) => {
                    let head = self.psg.children(parent)[0];
                    let kernel = self
                        .psg
                        .definition(head)
                        .is_some_and(|d| self.psg.info(d).is_kernel);
                    if kernel {
                        let name = self.psg.expr(head).map_or(String::new(), |e| match e {
                            ExprKind::Var(n) => n.clone(),
                            _ => String::new(),
                        });
                        let who = format!("{} (through `{name}`)", Domain::Gpu.name());
                        out.push((who, self.psg.span(parent)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The domain code at `node` runs in: GPU inside a `[<Kernel>]`.
    fn domain_of(&self, mut node: NodeId) -> Domain {
        while let Some(p) = self.psg.parent(node) {
            if let Some(b) = self.psg.binding(p) {
                if b.is_kernel {
                    return Domain::Gpu;
                }
            }
            node = p;
        }
        Domain::Cpu
    }

    /// Where a buffer's space came from: the allocation that made it, or
    /// the signature that declared it, following a variable to its binding.
    pub(super) fn space_origin(&self, mut at: NodeId) -> Option<(Span, SpaceOrigin)> {
        for _ in 0..8 {
            if let Some(b) = self.psg.builtin(at) {
                if b == Builtin::BufferAllocateAuto {
                    return Some((self.psg.span(at), SpaceOrigin::Inferred));
                }
                if matches!(
                    b,
                    Builtin::BufferAllocate | Builtin::BufferMigrate | Builtin::BufferCopy
                ) {
                    return Some((self.psg.span(at), SpaceOrigin::Fixed));
                }
            }
            match self.psg.kind(at) {
                NodeKind::Expr(ExprKind::Var(_)) => {
                    let def = self.psg.definition(at)?.node();
                    let info = self.psg.binding(def)?;
                    if let Some(a) = &info.annotation {
                        if info.role == BindingRole::Param {
                            return Some((a.span, SpaceOrigin::Declared));
                        }
                    }
                    at = *self.psg.children(def).last()?;
                }
                NodeKind::Expr(ExprKind::Apply) => at = *self.psg.children(at).first()?,
                _ => return None,
            }
        }
        None
    }
}
