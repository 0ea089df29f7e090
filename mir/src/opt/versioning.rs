//! Loop versioning for bounds checks: an innermost counted loop
//! (`for i in s .. e`, see [`super::loops`]) whose bounds checks can all
//! be decided before it starts runs in two versions. A test ahead of the
//! loop asks whether every index it checks stays inside its array; if so
//! the loop runs a copy with those checks gone, else the original, which
//! fails at the same iteration, with the same message, as before.
//!
//! A check can be decided ahead when its array length is known before
//! the loop (a value defined outside it, or an immutable load from one)
//! and its index is the counter (`i` in `[s, e]`: in bounds when `s >= 0`
//! and `e < len`) or a value defined outside the loop (`k < len`). That
//! covers `a.[i]` and `a.[k]` in `for i in 0 .. n - 1`, where `n` is not
//! known to be `a.Length`: n-body's and spectral-norm's inner loops.
//!
//! Invariants kept: the test ahead reads only values available before
//! the loop, and immutable loads (which may move, as the back end knows);
//! no value defined in the loop is used outside it (else it is left
//! alone), so the two versions need no merging of values; the copy keeps
//! every check not decided ahead. Only innermost loops of at most
//! [`MAX_INSTS`] instructions are copied, so code grows by a bounded
//! factor.

use crate::ir::*;
use crate::verify::{dominates, dominators};
use std::collections::{HashMap, HashSet};

/// The largest loop body copied.
const MAX_INSTS: usize = 400;

/// Version `f`'s loops; returns how many were versioned.
pub fn run(f: &mut Function) -> usize {
    if f.entry().is_none() {
        return 0;
    }
    let idom = dominators(f);
    let preds = f.predecessors();
    let mut block_of_inst = vec![None; f.insts.len()];
    for &b in &f.layout {
        for &i in &f.block(b).insts {
            block_of_inst[i.index()] = Some(b);
        }
    }
    let def_block = |f: &Function, v: Value| match f.values[v.index()].def {
        ValueDef::Param(b, _) => Some(b),
        ValueDef::Inst(i) => block_of_inst[i.index()],
    };
    let mut plans = Vec::new();
    for &h in &f.layout {
        let counters = super::loops::counters(f, h, &preds, &|v| v);
        let Some(c) = counters
            .into_iter()
            .find(|c| c.entries.len() == 1 && c.latches.len() == 1)
        else {
            continue;
        };
        if let Some(plan) = plan(f, h, c, &preds, &idom, &def_block) {
            plans.push(plan);
        }
    }
    let n = plans.len();
    for plan in plans {
        apply(f, plan);
    }
    n
}

/// A loop to version.
struct Plan {
    header: Block,
    entry: Block,
    /// The loop's blocks and its failure blocks, in layout order.
    region: Vec<Block>,
    /// The bounds checks decided ahead: the blocks ending in them.
    decided: Vec<Block>,
    /// What must hold for them to pass, as (index, length) pairs compared
    /// unsigned, each operand a value available ahead or an immutable
    /// load from one; and whether the counter's start must be >= 0.
    bounds: Vec<(Ahead, Ahead)>,
    start: Option<Value>,
}

/// A value the test ahead of the loop can compute.
#[derive(Clone, Copy, PartialEq)]
enum Ahead {
    Value(Value),
    /// `sextend.i64 v`.
    Widened(Value),
    /// `load.i64 immutable [v + offset]`.
    Loaded(Value, i32),
}

fn plan(
    f: &Function,
    h: Block,
    c: super::loops::Counter,
    preds: &HashMap<Block, Vec<Block>>,
    idom: &HashMap<Block, Block>,
    def_block: &impl Fn(&Function, Value) -> Option<Block>,
) -> Option<Plan> {
    let latch = c.latches[0];
    // The natural loop of the back edge latch -> h.
    let mut body: HashSet<Block> = HashSet::from([h]);
    let mut work = vec![latch];
    while let Some(b) = work.pop() {
        if body.insert(b) {
            work.extend(preds.get(&b).into_iter().flatten().copied());
        }
    }
    // Innermost (the only back edge is latch -> h), every block below h.
    for &b in &body {
        if !dominates(idom, h, b) {
            return None;
        }
        for (s, _) in f.block(b).term.as_ref()?.successors() {
            if body.contains(&s) && dominates(idom, s, b) && (s, b) != (h, latch) {
                return None;
            }
        }
    }
    if body.iter().map(|b| f.block(*b).insts.len()).sum::<usize>() > MAX_INSTS {
        return None;
    }
    // Failure blocks reached only from the loop belong to it.
    let mut region = body.clone();
    for &b in &body {
        for (s, _) in f.block(b).term.as_ref()?.successors() {
            if !body.contains(&s)
                && matches!(f.block(s).term, Some(Terminator::Trap))
                && preds[&s].iter().all(|p| body.contains(p))
            {
                region.insert(s);
            }
        }
    }
    // No value of the loop is read outside it.
    let inside = |v: Value| def_block(f, v).is_some_and(|b| region.contains(&b));
    for &b in f.layout.iter().filter(|b| !region.contains(b)) {
        let data = f.block(b);
        let mut escapes = false;
        for &i in &data.insts {
            f.inst(i).kind.for_each_operand(|v| escapes |= inside(v));
        }
        if let Some(t) = &data.term {
            t.for_each_operand(|v| escapes |= inside(v));
        }
        if escapes {
            return None;
        }
    }
    let ahead = |v: Value| -> Option<Ahead> {
        if !inside(v) {
            return Some(Ahead::Value(v));
        }
        match super::def_inst(f, v)? {
            InstKind::Convert(ConvOp::Sextend, Ty::I64, x) if !inside(*x) => {
                Some(Ahead::Widened(*x))
            }
            InstKind::Load(Ty::I64, a, off, Mem::Immutable) if !inside(*a) => {
                Some(Ahead::Loaded(*a, *off))
            }
            _ => None,
        }
    };
    let (mut decided, mut bounds, mut start) = (Vec::new(), Vec::new(), None);
    for &b in &f.layout {
        if !body.contains(&b) {
            continue;
        }
        let Some(Terminator::Brif(cond, fail, _, _, _)) = &f.block(b).term else {
            continue;
        };
        if !region.contains(fail) || body.contains(fail) || !inside(*cond) {
            continue;
        }
        let Some(InstKind::Icmp(IntCC::UnsignedGreaterThanOrEqual, x, len)) =
            super::def_inst(f, *cond)
        else {
            continue;
        };
        let Some(len) = ahead(*len) else { continue };
        let index = match super::def_inst(f, *x) {
            Some(InstKind::Convert(ConvOp::Sextend, Ty::I64, p)) if *p == c.param => {
                // A constant start needs no test.
                if !matches!(super::def_inst(f, c.start), Some(InstKind::Iconst(_, s)) if *s >= 0) {
                    start = Some(c.start);
                }
                Ahead::Widened(c.end)
            }
            _ => match ahead(*x) {
                Some(a) => a,
                None => continue,
            },
        };
        decided.push(b);
        if !bounds.contains(&(index, len)) {
            bounds.push((index, len));
        }
    }
    if decided.is_empty() {
        return None;
    }
    Some(Plan {
        header: h,
        entry: c.entries[0],
        region: f
            .layout
            .iter()
            .copied()
            .filter(|b| region.contains(b))
            .collect(),
        decided,
        bounds,
        start,
    })
}

fn apply(f: &mut Function, plan: Plan) {
    let h = plan.header;
    let span = f.block(h).insts.first().and_then(|&i| f.inst(i).span);
    // The copy: blocks, parameters and results first (a use may come
    // before its definition in layout order), then operands and targets.
    let mut blocks: HashMap<Block, Block> = HashMap::new();
    let mut values: HashMap<Value, Value> = HashMap::new();
    for &b in &plan.region {
        let nb = f.new_block();
        f.blocks[nb.index()].cold = f.block(b).cold;
        blocks.insert(b, nb);
        for k in 0..f.block(b).params.len() {
            let p = f.block(b).params[k];
            let np = f.append_block_param(nb, f.value_type(p));
            values.insert(p, np);
        }
        for k in 0..f.block(b).insts.len() {
            let i = f.block(b).insts[k];
            let data = f.inst(i).clone();
            let ty = data.result.map(|r| f.value_type(r));
            let ni = f.new_inst(data.kind, ty, data.span);
            if let (Some(r), Some(nr)) = (data.result, f.inst(ni).result) {
                values.insert(r, nr);
            }
            f.blocks[nb.index()].insts.push(ni);
        }
        f.blocks[nb.index()].term = f.block(b).term.clone();
    }
    let map = |v: &mut Value| {
        if let Some(&w) = values.get(v) {
            *v = w;
        }
    };
    for (&b, &nb) in &blocks {
        for k in 0..f.block(nb).insts.len() {
            let i = f.block(nb).insts[k];
            f.insts[i.index()].kind.for_each_operand_mut(map);
        }
        let mut term = f.blocks[nb.index()]
            .term
            .take()
            .expect("a terminated block");
        if plan.decided.contains(&b) {
            // The check passes: straight to its in-bounds side.
            if let Terminator::Brif(_, _, _, e, ea) = term {
                term = Terminator::Jump(e, ea);
            }
        }
        for v in term.operands_mut() {
            map(v);
        }
        for (t, _) in term.targets_mut() {
            if let Some(&nt) = blocks.get(t) {
                *t = nt;
            }
        }
        f.blocks[nb.index()].term = Some(term);
    }
    // The test ahead, on the entry edge.
    let test = f.new_block();
    let mut insts = Vec::new();
    let mut emit = |f: &mut Function, kind: InstKind, ty: Ty| {
        let i = f.new_inst(kind, Some(ty), span);
        insts.push(i);
        f.inst(i).result.expect("a result")
    };
    let mut conds = Vec::new();
    if let Some(s) = plan.start {
        let ty = f.value_type(s);
        let zero = emit(f, InstKind::Iconst(ty, 0), ty);
        conds.push(emit(
            f,
            InstKind::Icmp(IntCC::SignedGreaterThanOrEqual, s, zero),
            Ty::I8,
        ));
    }
    let mut value = |f: &mut Function, a: Ahead| match a {
        Ahead::Value(v) => v,
        Ahead::Widened(v) => emit(f, InstKind::Convert(ConvOp::Sextend, Ty::I64, v), Ty::I64),
        Ahead::Loaded(v, off) => emit(f, InstKind::Load(Ty::I64, v, off, Mem::Immutable), Ty::I64),
    };
    let mut pairs = Vec::new();
    for &(index, len) in &plan.bounds {
        pairs.push((value(f, index), value(f, len)));
    }
    for (index, len) in pairs {
        conds.push(emit(
            f,
            InstKind::Icmp(IntCC::UnsignedLessThan, index, len),
            Ty::I8,
        ));
    }
    let mut all = conds[0];
    for &c in &conds[1..] {
        all = emit(f, InstKind::Binary(BinaryOp::Band, all, c), Ty::I8);
    }
    f.blocks[test.index()].insts = insts;
    let entry_term = f.blocks[plan.entry.index()]
        .term
        .as_mut()
        .expect("a terminated block");
    let mut args = Vec::new();
    for (t, a) in entry_term.targets_mut() {
        if *t == h {
            *t = test;
            args = std::mem::take(a);
        }
    }
    f.blocks[test.index()].term = Some(Terminator::Brif(all, blocks[&h], args.clone(), h, args));
    // Laid out: the test, the copy (the fast path falls through), then
    // the original.
    let at = f.layout.iter().position(|&b| b == h).expect("laid out");
    let mut ahead = vec![test];
    ahead.extend(plan.region.iter().map(|b| blocks[b]));
    f.layout.splice(at..at, ahead);
}
