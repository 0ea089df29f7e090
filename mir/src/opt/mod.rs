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
//! 4. `gvn`: value numbering over the dominator tree, and branches
//!    decided by a dominating branch on the same condition (a repeated
//!    bounds check).
//! 5. `versioning`: an inner counted loop whose remaining bounds checks
//!    can be decided before it starts runs without them when a test
//!    ahead says they all pass (and as before otherwise); `gvn` runs
//!    again over a function with copied loops.
//!
//! `simplify` (value forwarding through block parameters and variables)
//! runs before each, and the first three repeat while they find work, as each
//! exposes more for the others (an inlined closure entry reads a block
//! that scalar replacement then removes, which exposes the closures
//! stored in it).

mod devirtualise;
mod gvn;
mod inline;
mod loops;
mod scalar;
mod simplify;
mod versioning;

use crate::ir::*;

/// Optimise a whole program in place.
pub fn optimise(program: &mut Program) {
    // Functions changed since they were last simplified.
    let mut dirty = vec![true; program.functions.len()];
    // Functions simplified since scalar replacement last saw them.
    let mut unscalarised = vec![true; program.functions.len()];
    for _ in 0..4 {
        for k in 0..program.functions.len() {
            if dirty[k] {
                simplify::run(&mut program.functions[k]);
                dirty[k] = false;
                unscalarised[k] = true;
            }
        }
        let decls = program.funcs.clone();
        let mut changed = 0;
        for (f, d) in program.functions.iter_mut().zip(&mut dirty) {
            let n = devirtualise::run(f, |g| decls[g.index()].sig.clone());
            changed += n;
            *d |= n > 0;
        }
        for (k, n) in inline::run(program).into_iter().enumerate() {
            dirty[k] |= n > 0;
            changed += n;
        }
        for k in 0..program.functions.len() {
            let f = &mut program.functions[k];
            if dirty[k] {
                simplify::run(f);
                dirty[k] = false;
                unscalarised[k] = true;
            }
            if unscalarised[k] {
                let n = scalar::run(f);
                changed += n;
                dirty[k] = n > 0;
                unscalarised[k] = false;
            }
        }
        if changed == 0 {
            break;
        }
    }
    for (f, d) in program.functions.iter_mut().zip(&dirty) {
        if *d {
            simplify::run(f);
        }
        let mut numbered = gvn::run(f);
        // After numbering, so checks it already removed are not copied.
        if versioning::run(f) > 0 {
            numbered += gvn::run(f);
        }
        if numbered > 0 {
            simplify::run(f);
        }
    }
}

/// Every use of each value: (block, index of the instruction in the
/// block, or `None` for the terminator).
pub(crate) fn uses(f: &Function) -> Vec<Vec<(Block, Option<usize>)>> {
    let mut uses = vec![Vec::new(); f.values.len()];
    for &b in &f.layout {
        let data = f.block(b);
        for (k, &i) in data.insts.iter().enumerate() {
            f.inst(i)
                .kind
                .for_each_operand(|v| uses[v.index()].push((b, Some(k))));
        }
        if let Some(t) = &data.term {
            t.for_each_operand(|v| uses[v.index()].push((b, None)));
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
