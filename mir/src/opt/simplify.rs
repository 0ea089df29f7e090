//! Block merging and value forwarding, so later passes see where a value
//! comes from:
//! * a block whose only predecessor jumps to it is part of that block;
//! * a block parameter that receives the same value on every incoming
//!   edge (or itself, round a loop) is that value;
//! * a variable written once, where the write dominates every read, is
//!   the written value at each read; a read after a write in the same
//!   block is the value written last.
//!
//! Lowering makes both everywhere: every function's parameters go through
//! a loop header (for self tail calls) and into variables, and every `let`
//! is a variable. After inlining, the caller's arguments then flow
//! straight to their uses.
//!
//! * a write of a variable that nothing reads is dropped.
//!
//! Invariant kept: only reads are rewritten and only unread writes are
//! dropped; dead instructions stay until the back end drops them.

use crate::ir::*;
use crate::verify::{dominates, dominators};
use std::collections::HashMap;

/// Run both forwardings to a fixed point; returns how many values were
/// forwarded.
pub fn run(f: &mut Function) -> usize {
    let mut total = 0;
    // Each round enables the next; a few suffice (bounded, to be safe).
    for _ in 0..8 {
        let n = merge_blocks(f)
            + thread_branches(f)
            + forward_params(f)
            + forward_vars(f)
            + dead_writes(f);
        total += n;
        if n == 0 {
            break;
        }
    }
    total
}

/// Jump threading for short-circuit conditions: an empty block that only
/// branches on one of its parameters is skipped by each predecessor that
/// passes a value known on that edge (a constant, or the condition of the
/// predecessor's own branch, which is true on its `then` edge and false
/// on its `else` edge). `a && b` then branches on `a` straight to the
/// `else` side instead of through the join. Only a block whose parameters
/// are used by nothing but its own branch is skipped (a value it defines
/// must not be needed on a path that no longer passes through it). Only a block whose parameters
/// are used by nothing but its own branch is skipped (a value it defines
/// must not be needed on a path that no longer passes through it).
fn thread_branches(f: &mut Function) -> usize {
    let mut n = 0;
    // Most functions have no such block: find one before any analysis.
    let candidate = |d: &Block| {
        let data = f.block(*d);
        data.insts.is_empty()
            && matches!(&data.term, Some(Terminator::Brif(c, ..)) if data.params.contains(c))
    };
    if !f.layout.iter().any(candidate) {
        return 0;
    }
    let uses = super::uses(f);
    let preds = f.predecessors();
    for d in f.layout.clone() {
        let data = f.block(d);
        let Some(Terminator::Brif(c, t, ta, e, ea)) = data.term.clone() else {
            continue;
        };
        if !data.insts.is_empty() || Some(d) == f.entry() {
            continue;
        }
        // A predecessor that skips the block no longer passes through it,
        // so its parameters must mean nothing beyond its own branch.
        if data
            .params
            .iter()
            .any(|p| uses[p.index()].iter().any(|&(b, _)| b != d))
        {
            continue;
        }
        let Some(k) = data.params.iter().position(|&p| p == c) else {
            continue;
        };
        let params = data.params.clone();
        let mut from: Vec<Block> = preds.get(&d).cloned().unwrap_or_default();
        from.dedup();
        for p in from {
            let Some(term) = f.block(p).term.clone() else {
                continue;
            };
            let own = match &term {
                Terminator::Brif(pc, pt, _, pe, _) if pt != pe => Some((*pc, ())),
                _ => None,
            };
            let mut term = term;
            let mut changed = false;
            for (idx, (target, args)) in term.targets_mut().into_iter().enumerate() {
                if *target != d || args.len() != params.len() {
                    continue;
                }
                let a = args[k];
                let known = match super::def_inst(f, a) {
                    Some(InstKind::Iconst(_, v)) => Some(*v != 0),
                    _ => match own {
                        // True on the `then` edge (the first), false on the other.
                        Some((pc, _)) if pc == a => Some(idx == 0),
                        _ => None,
                    },
                };
                let Some(value) = known else { continue };
                let (to, to_args) = if value { (t, &ta) } else { (e, &ea) };
                let subst = |v: Value| params.iter().position(|&q| q == v).map_or(v, |i| args[i]);
                let new_args: Vec<Value> = to_args.iter().map(|&v| subst(v)).collect();
                *target = to;
                *args = new_args;
                changed = true;
            }
            if changed {
                f.blocks[p.index()].term = Some(term);
                n += 1;
            }
        }
    }
    if n > 0 {
        let reached: std::collections::HashSet<Block> =
            f.reverse_post_order().into_iter().collect();
        f.layout.retain(|b| reached.contains(b));
    }
    n
}

/// Writes of variables nothing reads are removed (forwarding leaves them).
fn dead_writes(f: &mut Function) -> usize {
    let mut read = vec![false; f.vars.len()];
    for &b in &f.layout {
        for &i in &f.block(b).insts {
            if let InstKind::UseVar(v) = f.inst(i).kind {
                read[v.index()] = true;
            }
        }
    }
    let dead =
        |i: &Inst| matches!(f.insts[i.index()].kind, InstKind::DefVar(v, _) if !read[v.index()]);
    if !f.layout.iter().any(|b| f.block(*b).insts.iter().any(dead)) {
        return 0;
    }
    let mut n = 0;
    for b in f.layout.clone() {
        let insts = std::mem::take(&mut f.blocks[b.index()].insts);
        let kept: Vec<Inst> = insts
            .into_iter()
            .filter(|&i| match f.insts[i.index()].kind {
                InstKind::DefVar(v, _) if !read[v.index()] => {
                    n += 1;
                    false
                }
                _ => true,
            })
            .collect();
        f.blocks[b.index()].insts = kept;
    }
    n
}

/// A block that jumps to a block with no other predecessor absorbs it
/// (its parameters become the jump's arguments). Inlining leaves such
/// chains at every call it replaces.
fn merge_blocks(f: &mut Function) -> usize {
    let entry = f.entry();
    let mut preds: HashMap<Block, usize> = HashMap::new();
    for &b in &f.layout {
        if let Some(t) = &f.block(b).term {
            for (s, _) in t.successors() {
                *preds.entry(s).or_default() += 1;
            }
        }
    }
    let mut map = HashMap::new();
    let mut gone = std::collections::HashSet::new();
    for b in f.layout.clone() {
        if gone.contains(&b) {
            continue;
        }
        while let Some(Terminator::Jump(c, args)) = f.block(b).term.clone() {
            if c == b || Some(c) == entry || preds.get(&c) != Some(&1) || gone.contains(&c) {
                break;
            }
            for (&p, &a) in f.block(c).params.iter().zip(&args) {
                map.insert(p, a);
            }
            let moved = std::mem::take(&mut f.blocks[c.index()].insts);
            f.blocks[b.index()].insts.extend(moved);
            f.blocks[b.index()].term = f.blocks[c.index()].term.take();
            f.blocks[c.index()].params.clear();
            gone.insert(c);
        }
    }
    if gone.is_empty() {
        return 0;
    }
    f.layout.retain(|b| !gone.contains(b));
    f.replace_uses(&map);
    gone.len()
}

fn forward_params(f: &mut Function) -> usize {
    let entry = f.entry();
    if !f
        .layout
        .iter()
        .skip(1)
        .any(|b| !f.block(*b).params.is_empty())
    {
        return 0;
    }
    // Incoming arguments of each block's parameters.
    let mut incoming: HashMap<Block, Vec<Vec<Value>>> = HashMap::new();
    for &b in &f.layout {
        if let Some(t) = &f.block(b).term {
            for (s, args) in t.successors() {
                incoming.entry(s).or_default().push(args.to_vec());
            }
        }
    }
    let mut map = HashMap::new();
    let mut removed: Vec<(Block, usize)> = Vec::new();
    for &b in &f.layout {
        if Some(b) == entry {
            continue;
        }
        let Some(edges) = incoming.get(&b) else {
            continue;
        };
        for (k, &p) in f.block(b).params.iter().enumerate() {
            let mut same: Option<Value> = None;
            let mut ok = true;
            for args in edges {
                let a = args[k];
                if a == p {
                    continue;
                }
                match same {
                    None => same = Some(a),
                    Some(s) if s == a => {}
                    Some(_) => {
                        ok = false;
                        break;
                    }
                }
            }
            if let (true, Some(s)) = (ok, same) {
                map.insert(p, s);
                removed.push((b, k));
            }
        }
    }
    if map.is_empty() {
        return 0;
    }
    // Drop the parameters (highest index first) and their arguments.
    removed.sort_by_key(|r| std::cmp::Reverse(r.1));
    let preds = f.predecessors();
    for &(b, k) in &removed {
        f.blocks[b.index()].params.remove(k);
        let mut from = preds.get(&b).cloned().unwrap_or_default();
        from.dedup();
        for pb in from {
            if let Some(t) = &mut f.blocks[pb.index()].term {
                for (target, args) in t.targets_mut() {
                    if *target == b {
                        args.remove(k);
                    }
                }
            }
        }
    }
    // Renumber the remaining parameters' positions.
    for &(b, _) in &removed {
        for (k, &p) in f.blocks[b.index()].params.clone().iter().enumerate() {
            f.values[p.index()].def = ValueDef::Param(b, k);
        }
    }
    let n = map.len();
    f.replace_uses(&map);
    n
}

fn forward_vars(f: &mut Function) -> usize {
    let mut defs: Vec<Vec<(Block, usize, Value)>> = vec![Vec::new(); f.vars.len()];
    let mut reads: Vec<Vec<(Block, usize, Inst)>> = vec![Vec::new(); f.vars.len()];
    for &b in &f.layout {
        for (k, &i) in f.block(b).insts.iter().enumerate() {
            match f.inst(i).kind {
                InstKind::DefVar(var, v) => defs[var.index()].push((b, k, v)),
                InstKind::UseVar(var) => reads[var.index()].push((b, k, i)),
                _ => {}
            }
        }
    }
    if reads.iter().all(Vec::is_empty) {
        return 0;
    }
    // Dominators only when a variable written once is read in another block.
    let needs_dominators = defs
        .iter()
        .zip(&reads)
        .any(|(d, r)| matches!(d.as_slice(), [(db, ..)] if r.iter().any(|(rb, ..)| rb != db)));
    let idom = if needs_dominators {
        dominators(f)
    } else {
        HashMap::new()
    };
    let dominates = |a: Block, b: Block| dominates(&idom, a, b);
    let mut map = HashMap::new();
    // A read after a write or another read of the same variable, in the
    // same block or along a chain of single-predecessor blocks, is the
    // value written or read then.
    let preds = f.predecessors();
    let mut state_out: HashMap<Block, HashMap<Var, Value>> = HashMap::new();
    for b in f.reverse_post_order() {
        let mut state = match preds.get(&b).map(Vec::as_slice) {
            // The only successor of a jump takes its state; each side of a
            // branch gets a copy.
            Some([p]) if *p != b => match &f.block(*p).term {
                Some(Terminator::Jump(..)) => state_out.remove(p).unwrap_or_default(),
                _ => state_out.get(p).cloned().unwrap_or_default(),
            },
            _ => HashMap::new(),
        };
        for &i in &f.block(b).insts {
            match f.inst(i).kind {
                InstKind::DefVar(var, v) => {
                    state.insert(var, *map.get(&v).unwrap_or(&v));
                }
                InstKind::UseVar(var) => {
                    let r = f.inst(i).result.expect("a read");
                    match state.get(&var) {
                        Some(&v) => {
                            map.insert(r, v);
                        }
                        None => {
                            state.insert(var, r);
                        }
                    }
                }
                _ => {}
            }
        }
        state_out.insert(b, state);
    }
    for (var, d) in defs.iter().enumerate() {
        let [(db, dk, value)] = d.as_slice() else {
            continue;
        };
        if !idom.contains_key(db) {
            continue;
        }
        for &(rb, rk, i) in &reads[var] {
            let after = if rb == *db {
                rk > *dk
            } else {
                idom.contains_key(&rb) && dominates(*db, rb)
            };
            if after {
                if let Some(r) = f.inst(i).result {
                    map.insert(r, *value);
                }
            }
        }
    }
    if map.is_empty() {
        return 0;
    }
    // Reads now forwarded are removed, so the next round does not count them.
    let forwarded: std::collections::HashSet<Value> = map.keys().copied().collect();
    for &b in &f.layout.clone() {
        let insts = std::mem::take(&mut f.blocks[b.index()].insts);
        f.blocks[b.index()].insts = insts
            .into_iter()
            .filter(|&i| {
                !f.insts[i.index()]
                    .result
                    .is_some_and(|r| forwarded.contains(&r))
            })
            .collect();
    }
    let n = map.len();
    f.replace_uses(&map);
    n
}
