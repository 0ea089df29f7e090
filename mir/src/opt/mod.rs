//! Optimisations on the MIR. Each pass is one module with one entry
//! point; each keeps the MIR verifier's invariants and the program's
//! observable behaviour (what it prints, its exit code, its failure
//! messages), which the test suite checks by running every example built
//! with and without them (`-O0`).
//!
//! The pipeline ([`optimise`]):
//! 1. `devirtualise`: a call through a closure built in the same function
//!    calls its entry directly.
//! 2. `inline`: small functions are copied into their callers (closure
//!    entries included, so a closure applied where it is built becomes
//!    straight-line code).
//! 3. `scalar`: tuples, records and closures that do not escape the
//!    function (only their fields are read and written, possibly through
//!    variables that hold nothing else) become one variable per field; the
//!    allocation disappears.
//!
//! 4. `gvn`: value numbering over the dominator tree, and branches
//!    decided by a dominating branch on the same condition (a repeated
//!    bounds check).
//!
//! `simplify` (value forwarding through block parameters and variables)
//! runs before each, and the three repeat while they find work, as each
//! exposes more for the others (an inlined closure entry reads a block
//! that scalar replacement then removes, which exposes the closures
//! stored in it).

mod devirtualise;
mod gvn;
mod inline;
mod scalar;
mod simplify;

use crate::ir::*;

/// What the optimisations did, for tests and `--emit mir` readers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub devirtualised: usize,
    pub inlined: usize,
    pub scalarised: usize,
    /// Instructions merged and branches decided by value numbering.
    pub numbered: usize,
}

/// Optimise a whole program in place.
pub fn optimise(program: &mut Program) -> Stats {
    let mut stats = Stats::default();
    for _ in 0..4 {
        let d = devirtualise::run(program);
        let i = inline::run(program);
        let mut s = 0;
        for f in &mut program.functions {
            simplify::run(f);
            s += scalar::run(f);
        }
        stats.devirtualised += d;
        stats.inlined += i;
        stats.scalarised += s;
        if d + i + s == 0 {
            break;
        }
    }
    for f in &mut program.functions {
        simplify::run(f);
        stats.numbered += gvn::run(f);
        simplify::run(f);
    }
    stats
}

/// Every use of each value: (block, index of the instruction in the
/// block, or `None` for the terminator).
pub(crate) fn uses(f: &Function) -> Vec<Vec<(Block, Option<usize>)>> {
    let mut uses = vec![Vec::new(); f.values.len()];
    for &b in &f.layout {
        let data = f.block(b);
        for (k, &i) in data.insts.iter().enumerate() {
            for v in crate::verify::operands(&f.inst(i).kind) {
                uses[v.index()].push((b, Some(k)));
            }
        }
        if let Some(t) = &data.term {
            for v in crate::verify::term_operands(t) {
                uses[v.index()].push((b, None));
            }
        }
    }
    uses
}

/// The instruction defining a value, if an instruction does.
pub(crate) fn def_inst(f: &Function, v: Value) -> Option<&InstKind> {
    match f.values[v.index()].def {
        ValueDef::Inst(i) => Some(&f.inst(i).kind),
        ValueDef::Param(..) => None,
    }
}
