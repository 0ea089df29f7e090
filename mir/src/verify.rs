//! The MIR verifier: the invariants of [`crate::ir`], checked.
//!
//! * every laid-out block ends in one terminator, and each instruction
//!   sits in exactly one block;
//! * the entry block's parameters are the signature's;
//! * every value used is defined where it is used: earlier in the same
//!   block, or in a block that dominates it (unreachable blocks are only
//!   checked for local well-formedness);
//! * operand and result types agree (binary operands, stores into
//!   variables, jump arguments against block parameters, call arguments
//!   against the callee's signature, returned values against the
//!   function's).
//!
//! It runs after lowering and after each optimisation in debug builds and
//! tests (`clefc` does it when built with debug assertions).

use crate::ir::*;
use std::collections::HashMap;

/// Check every function of a program; the errors say which function,
/// block and instruction.
pub fn program(p: &Program) -> Result<(), String> {
    let mut errors = Vec::new();
    for f in &p.functions {
        if let Err(e) = function(p, f) {
            errors.push(format!("{} ({}): {e}", p.decl(f.id).name, f.title));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Immediate dominators of the blocks reachable from the entry
/// (Cooper, Harvey and Kennedy's iterative algorithm over reverse
/// post-order).
pub fn dominators(f: &Function) -> HashMap<Block, Block> {
    let order = f.reverse_post_order();
    if order.is_empty() {
        return HashMap::new();
    }
    const NONE: usize = usize::MAX;
    let mut rpo = vec![NONE; f.blocks.len()];
    for (i, &b) in order.iter().enumerate() {
        rpo[b.index()] = i;
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (i, &b) in order.iter().enumerate() {
        if let Some(t) = &f.block(b).term {
            for (s, _) in t.successors() {
                preds[rpo[s.index()]].push(i);
            }
        }
    }
    // Immediate dominators by reverse post-order number.
    let mut idom = vec![NONE; order.len()];
    idom[0] = 0;
    let mut changed = true;
    while changed {
        changed = false;
        for b in 1..order.len() {
            let mut new = NONE;
            for &p in &preds[b] {
                if idom[p] == NONE {
                    continue;
                }
                new = if new == NONE {
                    p
                } else {
                    let (mut x, mut y) = (new, p);
                    while x != y {
                        while x > y {
                            x = idom[x];
                        }
                        while y > x {
                            y = idom[y];
                        }
                    }
                    x
                };
            }
            if new != NONE && idom[b] != new {
                idom[b] = new;
                changed = true;
            }
        }
    }
    order
        .iter()
        .enumerate()
        .map(|(i, &b)| (b, order[idom[i]]))
        .collect()
}

/// Does `a` dominate `b` (immediate dominators from [`dominators`])?
pub fn dominates(idom: &HashMap<Block, Block>, a: Block, mut b: Block) -> bool {
    loop {
        if a == b {
            return true;
        }
        match idom.get(&b) {
            Some(&d) if d != b => b = d,
            _ => return false,
        }
    }
}

pub fn function(p: &Program, f: &Function) -> Result<(), String> {
    let entry = f.entry().ok_or("no blocks")?;
    let entry_types: Vec<Ty> = f
        .block(entry)
        .params
        .iter()
        .map(|&v| f.value_type(v))
        .collect();
    if entry_types != f.sig.params {
        return Err(format!(
            "entry parameters {entry_types:?} are not the signature's {:?}",
            f.sig.params
        ));
    }
    // Where each instruction is.
    let mut position: HashMap<Inst, (Block, usize)> = HashMap::new();
    for &b in &f.layout {
        for (k, &i) in f.block(b).insts.iter().enumerate() {
            if position.insert(i, (b, k)).is_some() {
                return Err(format!("{i} is in two places"));
            }
        }
        if f.block(b).term.is_none() {
            return Err(format!("{b} has no terminator"));
        }
    }
    let idom = dominators(f);
    let in_layout: std::collections::HashSet<Block> = f.layout.iter().copied().collect();
    let defined_at = |v: Value, b: Block, k: usize| -> Result<(), String> {
        let data = f
            .values
            .get(v.index())
            .ok_or(format!("{v} does not exist"))?;
        let (db, dk) = match data.def {
            ValueDef::Param(db, _) => (db, None),
            ValueDef::Inst(i) => {
                let &(db, dk) = position
                    .get(&i)
                    .ok_or(format!("{v} is defined by {i}, which is in no block"))?;
                (db, Some(dk))
            }
        };
        let ok = if db == b {
            dk.is_none_or(|dk| dk < k)
        } else if idom.contains_key(&b) {
            dominates(&idom, db, b)
        } else {
            true
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{v} is used in {b} where its definition does not dominate"
            ))
        }
    };
    let ty = |v: Value| f.value_type(v);
    let same = |a: Value, b: Value, what: &str| -> Result<(), String> {
        if ty(a) == ty(b) {
            Ok(())
        } else {
            Err(format!("{what}: {a} is {} but {b} is {}", ty(a), ty(b)))
        }
    };
    let check_call = |c: &Callee, args: &[Value]| -> Result<Option<Ty>, String> {
        let sig = match c {
            Callee::Func(g) | Callee::Runtime(g) => &p.decl(*g).sig,
            Callee::Indirect(s, v) => {
                if ty(*v) != Ty::I64 {
                    return Err(format!("indirect callee {v} is not a pointer"));
                }
                s
            }
        };
        let got: Vec<Ty> = args.iter().map(|&a| ty(a)).collect();
        if got != sig.params {
            return Err(format!(
                "call arguments {got:?}, callee takes {:?}",
                sig.params
            ));
        }
        Ok(sig.returns.first().copied())
    };
    for &b in &f.layout {
        let data = f.block(b);
        for (k, &i) in data.insts.iter().enumerate() {
            let inst = f.inst(i);
            for v in operands(&inst.kind) {
                defined_at(v, b, k).map_err(|e| format!("{i}: {e}"))?;
            }
            use InstKind::*;
            match &inst.kind {
                // A shift's amount may be of any integer type.
                Binary(BinaryOp::Ishl | BinaryOp::Sshr | BinaryOp::Ushr, ..) => {}
                Binary(_, a, c) => same(*a, *c, "binary operands")?,
                DefVar(var, v) if f.vars[var.index()] != ty(*v) => {
                    return Err(format!(
                        "{i}: {var} is {} but {v} is {}",
                        f.vars[var.index()],
                        ty(*v)
                    ));
                }
                Icmp(_, a, c) | Fcmp(_, a, c) => same(*a, *c, "comparison operands")?,
                Call(c, args) => {
                    let ret = check_call(c, args).map_err(|e| format!("{i}: {e}"))?;
                    if ret != inst.result.map(ty) {
                        return Err(format!("{i}: call result does not match the callee's"));
                    }
                }
                _ => {}
            }
        }
        let term = data.term.as_ref().expect("checked above");
        let k = data.insts.len();
        for v in term_operands(term) {
            defined_at(v, b, k).map_err(|e| format!("terminator of {b}: {e}"))?;
        }
        for (s, args) in term.successors() {
            if !in_layout.contains(&s) {
                return Err(format!("{b} jumps to {s}, which is not laid out"));
            }
            let want: Vec<Ty> = f.block(s).params.iter().map(|&v| ty(v)).collect();
            let got: Vec<Ty> = args.iter().map(|&v| ty(v)).collect();
            if want != got {
                return Err(format!("{b} passes {got:?} to {s}, which takes {want:?}"));
            }
        }
        match term {
            Terminator::Return(vals) => {
                let got: Vec<Ty> = vals.iter().map(|&v| ty(v)).collect();
                if got != f.sig.returns {
                    return Err(format!(
                        "{b} returns {got:?}, the signature says {:?}",
                        f.sig.returns
                    ));
                }
            }
            Terminator::TailCall(c, args) => {
                let ret = check_call(c, args).map_err(|e| format!("tail call in {b}: {e}"))?;
                if ret.into_iter().collect::<Vec<_>>() != f.sig.returns {
                    return Err(format!(
                        "tail call in {b} returns what the function does not"
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The values an instruction reads.
pub fn operands(kind: &InstKind) -> Vec<Value> {
    let mut v = Vec::new();
    kind.for_each_operand(|x| v.push(x));
    v
}

/// The values a terminator reads.
pub fn term_operands(t: &Terminator) -> Vec<Value> {
    let mut v = Vec::new();
    t.for_each_operand(|x| v.push(x));
    v
}
