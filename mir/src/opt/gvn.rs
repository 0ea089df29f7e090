//! Global value numbering over the dominator tree, and branches whose
//! condition is already known.
//!
//! * A pure instruction (constants, arithmetic, comparisons, conversions,
//!   addresses of data and functions, immutable loads) that computes what
//!   a dominating instruction already computed is replaced by it.
//! * A branch on a condition that a dominating branch already decided (we
//!   are below its `then` or `else` edge) jumps straight to the side it
//!   takes. So the second bounds check of `x.[i]` in a loop body, after
//!   numbering has made its comparison the first one's, disappears.
//!
//! * Below the `then` edge of `x & (2^k - 1) = 0`, `x` is known to be a
//!   multiple of 2^k, so a signed division of it by 2^j (j ≤ k) is exact:
//!   an arithmetic shift (the even case of collatz, `n / 2L` after
//!   `n % 2L = 0L`).
//!
//! * In `for i in s .. a.Length - 1` (`s` a constant ≥ 0), the bounds
//!   check of `a.[i]` is known to pass, and goes.
//!
//! Invariant kept: only pure instructions are merged (their values
//! depend on their operands alone), and a branch is only removed where
//! its condition's value is implied on every path that reaches it.

use crate::ir::*;
use crate::verify::dominators;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Key {
    op: u16,
    ty: Option<Ty>,
    a: u32,
    b: u32,
    imm: i64,
}

/// The number of a pure instruction (operands already numbered).
fn key(kind: &InstKind, resolve: &impl Fn(Value) -> Value) -> Option<Key> {
    use InstKind::*;
    let k = |op: u16, ty: Option<Ty>, a: Option<Value>, b: Option<Value>, imm: i64| Key {
        op,
        ty,
        a: a.map_or(u32::MAX, |v| resolve(v).0),
        b: b.map_or(u32::MAX, |v| resolve(v).0),
        imm,
    };
    Some(match *kind {
        Iconst(t, v) => k(1, Some(t), None, None, v),
        F32const(v) => k(2, None, None, None, i64::from(v.to_bits())),
        F64const(v) => k(3, None, None, None, v.to_bits() as i64),
        Binary(op, a, b) => k(100 + op as u16, None, Some(a), Some(b), 0),
        BinaryImm(op, a, i) => k(200 + op as u16, None, Some(a), None, i),
        Unary(op, a) => k(300 + op as u16, None, Some(a), None, 0),
        Convert(op, t, a) => k(400 + op as u16, Some(t), Some(a), None, 0),
        Icmp(cc, a, b) => k(500 + cc as u16, None, Some(a), Some(b), 0),
        IcmpImm(cc, a, i) => k(600 + cc as u16, None, Some(a), None, i),
        Fcmp(cc, a, b) => k(700 + cc as u16, None, Some(a), Some(b), 0),
        Load(t, a, off, Mem::Immutable) => k(800, Some(t), Some(a), None, i64::from(off)),
        DataAddr(d) => k(900, None, None, None, i64::from(d.0)),
        FuncAddr(g) => k(901, None, None, None, i64::from(g.0)),
        _ => return None,
    })
}

/// Number `f`'s values and fold decided branches; returns how many
/// instructions and branches went.
pub fn run(f: &mut Function) -> usize {
    let Some(entry) = f.entry() else { return 0 };
    let idom = dominators(f);
    let mut children: HashMap<Block, Vec<Block>> = HashMap::new();
    for &b in &f.layout {
        if let Some(&d) = idom.get(&b) {
            if d != b {
                children.entry(d).or_default().push(b);
            }
        }
    }
    let preds = f.predecessors();
    let mut map: HashMap<Value, Value> = HashMap::new();
    let mut table: HashMap<Key, Value> = HashMap::new();
    let mut known: HashMap<Value, bool> = HashMap::new();
    let mut removed = 0;
    // Depth-first over the dominator tree; each entry undoes its scope.
    // Values known to be multiples of 2^k, with k.
    let mut multiples: HashMap<Value, u32> = HashMap::new();
    // Loop counters known to be below an array's length: (counter, length).
    let mut below: Vec<(Value, Value)> = Vec::new();
    enum Step {
        Enter(Block),
        Leave(Vec<Key>, Option<Value>, Option<Value>, usize, Vec<Value>),
    }
    let mut stack = vec![Step::Enter(entry)];
    while let Some(step) = stack.pop() {
        let b = match step {
            Step::Enter(b) => b,
            Step::Leave(keys, cond, multiple, bounds, facts) => {
                below.truncate(bounds);
                for c in facts {
                    known.remove(&c);
                }
                for k in keys {
                    table.remove(&k);
                }
                if let Some(c) = cond {
                    known.remove(&c);
                }
                if let Some(x) = multiple {
                    multiples.remove(&x);
                }
                continue;
            }
        };
        // Entered through one edge of a branch: its condition is known here.
        let mut cond_here = None;
        if let Some([p]) = preds.get(&b).map(Vec::as_slice) {
            if let Some(Terminator::Brif(c, t, _, e, _)) = &f.block(*p).term {
                if t != e {
                    let c = resolve(&map, *c);
                    if let std::collections::hash_map::Entry::Vacant(slot) = known.entry(c) {
                        slot.insert(*t == b);
                        cond_here = Some(c);
                    }
                }
            }
        }
        let mut multiple_here = None;
        if let Some(c) = cond_here.filter(|c| known.get(c) == Some(&true)) {
            if let Some((x, k)) = low_bits_clear(f, c, &|v| resolve(&map, v)) {
                if let std::collections::hash_map::Entry::Vacant(slot) = multiples.entry(x) {
                    slot.insert(k);
                    multiple_here = Some(x);
                }
            }
        }
        let bounds_before = below.len();
        below.extend(counter_bounds(f, b, &preds, &|v| resolve(&map, v)));
        let mut facts = Vec::new();
        let mut keys = Vec::new();
        let insts = std::mem::take(&mut f.blocks[b.index()].insts);
        let mut kept = Vec::with_capacity(insts.len());
        for i in insts {
            // An exact division by a power of two is a shift.
            if let InstKind::Binary(BinaryOp::Sdiv, x, d) = f.insts[i.index()].kind {
                let x = resolve(&map, x);
                if let (Some(&k), Some(j)) = (multiples.get(&x), power_of_two(f, d)) {
                    if j <= k {
                        let ty = f.value_type(x);
                        let span = f.insts[i.index()].span;
                        let shift = f.new_inst(InstKind::Iconst(ty, i64::from(j)), Some(ty), span);
                        kept.push(shift);
                        let amount = f.inst(shift).result.expect("a constant");
                        f.insts[i.index()].kind = InstKind::Binary(BinaryOp::Sshr, x, amount);
                        removed += 1;
                    }
                }
            }
            // `i >= a.Length` for a counter of `0 .. a.Length - 1`: false.
            if let (InstKind::Icmp(IntCC::UnsignedGreaterThanOrEqual, x, l), Some(r)) =
                (&f.insts[i.index()].kind, f.insts[i.index()].result)
            {
                let (x, l) = (resolve(&map, *x), resolve(&map, *l));
                let counter = match super::def_inst(f, x) {
                    Some(InstKind::Convert(ConvOp::Sextend, Ty::I64, p)) => Some(resolve(&map, *p)),
                    _ => None,
                };
                if counter.is_some_and(|p| below.contains(&(p, l))) && !known.contains_key(&r) {
                    known.insert(r, false);
                    facts.push(r);
                }
            }
            let data = &f.insts[i.index()];
            let k = data
                .result
                .and_then(|_| key(&data.kind, &|v| resolve(&map, v)));
            match k {
                Some(k) => match table.get(&k) {
                    Some(&earlier) => {
                        map.insert(data.result.expect("keyed"), earlier);
                        removed += 1;
                    }
                    None => {
                        table.insert(k, data.result.expect("keyed"));
                        keys.push(k);
                        kept.push(i);
                    }
                },
                None => kept.push(i),
            }
        }
        f.blocks[b.index()].insts = kept;
        // A branch whose condition is decided becomes a jump.
        if let Some(Terminator::Brif(c, t, ta, e, ea)) = f.blocks[b.index()].term.clone() {
            if let Some(&value) = known.get(&resolve(&map, c)) {
                f.blocks[b.index()].term = Some(if value {
                    Terminator::Jump(t, ta)
                } else {
                    Terminator::Jump(e, ea)
                });
                removed += 1;
            }
        }
        stack.push(Step::Leave(
            keys,
            cond_here,
            multiple_here,
            bounds_before,
            facts,
        ));
        for &c in children
            .get(&b)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .rev()
        {
            stack.push(Step::Enter(c));
        }
    }
    f.replace_uses(&map);
    // Blocks no longer reached leave the layout.
    let reached: std::collections::HashSet<Block> = f.reverse_post_order().into_iter().collect();
    let before = f.layout.len();
    f.layout.retain(|b| reached.contains(b));
    removed + before - f.layout.len() + remove_unused(f)
}

/// Drop pure instructions whose results nothing reads (the comparisons
/// of decided branches, the loads feeding them); returns how many.
fn remove_unused(f: &mut Function) -> usize {
    let mut reads = vec![0u32; f.values.len()];
    for &b in &f.layout {
        for &i in &f.block(b).insts {
            f.inst(i).kind.for_each_operand(|v| reads[v.index()] += 1);
        }
        if let Some(t) = &f.block(b).term {
            t.for_each_operand(|v| reads[v.index()] += 1);
        }
    }
    let pure_unread = |f: &Function, reads: &[u32], i: Inst| {
        let data = f.inst(i);
        data.result.is_some_and(|r| reads[r.index()] == 0) && key(&data.kind, &|v| v).is_some()
    };
    let mut removed = 0;
    // Blocks in reverse layout order, instructions last to first: most
    // chains (a load feeding a comparison) go in one sweep.
    loop {
        let before = removed;
        for k in (0..f.layout.len()).rev() {
            let b = f.layout[k];
            let insts = std::mem::take(&mut f.blocks[b.index()].insts);
            let mut gone = vec![false; insts.len()];
            for j in (0..insts.len()).rev() {
                if pure_unread(f, &reads, insts[j]) {
                    f.inst(insts[j])
                        .kind
                        .for_each_operand(|v| reads[v.index()] -= 1);
                    gone[j] = true;
                    removed += 1;
                }
            }
            f.blocks[b.index()].insts = insts
                .into_iter()
                .zip(gone)
                .filter_map(|(i, gone)| (!gone).then_some(i))
                .collect();
        }
        if removed == before {
            return removed;
        }
    }
}

/// The parameters of `b` that count a `for i in s .. a.Length - 1` loop
/// with a constant `s ≥ 0` (see [`super::loops`]), with the length
/// `a.Length` they stay below: the counter is in `[s, end]` and
/// `end = len - 1` (the length of an array fits an `int`, so narrowing it
/// to `int` is exact).
fn counter_bounds(
    f: &Function,
    b: Block,
    preds: &HashMap<Block, Vec<Block>>,
    resolve: &impl Fn(Value) -> Value,
) -> Vec<(Value, Value)> {
    let def = |v: Value| super::def_inst(f, resolve(v));
    let mut out = Vec::new();
    for c in super::loops::counters(f, b, preds, resolve) {
        if !matches!(def(c.start), Some(InstKind::Iconst(_, v)) if *v >= 0) {
            continue;
        }
        // end = int (len) - 1, len an immutable length load.
        let Some(InstKind::Binary(BinaryOp::Isub, r, one)) = def(c.end) else {
            continue;
        };
        if !matches!(def(*one), Some(InstKind::Iconst(_, 1))) {
            continue;
        }
        let Some(InstKind::Convert(ConvOp::Ireduce, Ty::I32, len)) = def(*r) else {
            continue;
        };
        let len = resolve(*len);
        if matches!(
            def(len),
            Some(InstKind::Load(Ty::I64, _, 0, Mem::Immutable))
        ) {
            out.push((c.param, len));
        }
    }
    out
}

/// `j` when `v` is the constant 2^j (j ≥ 1).
fn power_of_two(f: &Function, v: Value) -> Option<u32> {
    match super::def_inst(f, v)? {
        InstKind::Iconst(_, c) if *c > 1 && c & (c - 1) == 0 => Some(c.trailing_zeros()),
        _ => None,
    }
}

/// When condition `c` is `x & (2^k - 1) == 0`: `x` and `k`.
fn low_bits_clear(
    f: &Function,
    c: Value,
    resolve: &impl Fn(Value) -> Value,
) -> Option<(Value, u32)> {
    let constant = |v: Value| match super::def_inst(f, v) {
        Some(InstKind::Iconst(_, c)) => Some(*c),
        _ => None,
    };
    let masked = match super::def_inst(f, c)? {
        InstKind::Icmp(IntCC::Equal, a, z) if constant(*z) == Some(0) => *a,
        InstKind::IcmpImm(IntCC::Equal, a, 0) => *a,
        _ => return None,
    };
    let (x, mask) = match super::def_inst(f, masked)? {
        InstKind::Binary(BinaryOp::Band, x, m) => (*x, constant(*m)?),
        InstKind::BinaryImm(ImmOp::BandImm, x, m) => (*x, *m),
        _ => return None,
    };
    let k = (mask + 1).trailing_zeros();
    (mask > 0 && (mask + 1) & mask == 0).then_some((resolve(x), k))
}

fn resolve(map: &HashMap<Value, Value>, mut v: Value) -> Value {
    while let Some(&w) = map.get(&v) {
        v = w;
    }
    v
}
