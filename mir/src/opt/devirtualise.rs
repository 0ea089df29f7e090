//! Calls through closures built in the same function become direct
//! calls of the closure's entry.
//!
//! A closure is a collected block whose slot 0 holds its entry; it is
//! never written after it is built. So when the closure a call goes
//! through is an allocation of this function, and the function stores
//! exactly one value at that allocation's slot 0, the address of a known
//! function, the call is a call of that function with the same
//! arguments. The inliner can then copy the entry in, and the closure
//! block often disappears with scalar replacement.

use super::def_inst;
use crate::ir::*;
use std::collections::HashMap;

/// Devirtualise the calls of one function (`sig_of` gives a function's
/// signature); returns the number of calls changed.
pub fn run(f: &mut Function, sig_of: impl Fn(FuncId) -> Signature) -> usize {
    // The single store into slot 0 of each allocation, if single.
    let mut entry_of: HashMap<Value, Option<FuncId>> = HashMap::new();
    for &b in &f.layout {
        for &i in &f.block(b).insts {
            if let InstKind::Store(v, addr, 0) = f.inst(i).kind {
                if !matches!(def_inst(f, addr), Some(InstKind::Alloc(..))) {
                    continue;
                }
                let target = match def_inst(f, v) {
                    Some(InstKind::FuncAddr(g)) => Some(*g),
                    _ => None,
                };
                entry_of
                    .entry(addr)
                    .and_modify(|e| *e = None)
                    .or_insert(target);
            }
        }
    }
    let direct = |f: &Function, c: &Callee, args: &[Value]| -> Option<FuncId> {
        let Callee::Indirect(sig, e) = c else {
            return None;
        };
        let Some(InstKind::Load(Ty::I64, clo, 0, _)) = def_inst(f, *e) else {
            return None;
        };
        if args.first() != Some(clo) {
            return None;
        }
        let g = (*entry_of.get(clo)?)?;
        let want = sig_of(g);
        (want.params == sig.params && want.returns == sig.returns).then_some(g)
    };
    let mut n = 0;
    for bi in 0..f.layout.len() {
        let b = f.layout[bi];
        for k in 0..f.block(b).insts.len() {
            let i = f.block(b).insts[k];
            if let InstKind::Call(c, args) = &f.inst(i).kind {
                if let Some(g) = direct(f, c, args) {
                    if let InstKind::Call(c, _) = &mut f.insts[i.index()].kind {
                        *c = Callee::Func(g);
                        n += 1;
                    }
                }
            }
        }
        if let Some(Terminator::TailCall(c, args)) = &f.block(b).term {
            if let Some(g) = direct(f, c, args) {
                if let Some(Terminator::TailCall(c, _)) = &mut f.blocks[b.index()].term {
                    *c = Callee::Func(g);
                    n += 1;
                }
            }
        }
    }
    n
}
