//! Scalar replacement of aggregates that do not escape.
//!
//! An *aggregate* is a collected allocation of a known size (a tuple,
//! record, union value or closure block) or a read of a variable that
//! holds only aggregates. It does not escape when every use of it is the
//! address of a field load or store, or a write into such a variable.
//! Aggregates connected through variables form a group; a group whose
//! members have one size and one type per field is replaced: each member
//! gets one variable per field, the allocation becomes zeroed field
//! variables (the collector zeroes memory too), a field load reads the
//! field's variable, a field store writes it, and copying an aggregate
//! through a variable copies its fields.
//!
//! So `let dx, dy, dz = …` and `r <- { r with X = r.X + 1 }` on a local
//! allocate nothing, and a closure applied where it is built (after
//! inlining) leaves no block behind.
//!
//! A group of several members (copies through variables) in which a field
//! is assigned after its allocation was filled (a `mutable` record field)
//! is left alone: the copies name one record.
//!
//! Invariant kept: memory that is not in such a group is untouched; a
//! group is replaced whole or not at all.

use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Largest aggregate replaced, in 8-byte slots.
const MAX_SLOTS: i64 = 16;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
enum Node {
    Value(Value),
    Var(Var),
}

/// Replace every non-escaping aggregate group of `f`; returns the number
/// of allocations removed.
pub fn run(f: &mut Function) -> usize {
    // Sizes of allocations with a constant size.
    let mut size: BTreeMap<Value, i64> = BTreeMap::new();
    let mut var_defs: BTreeMap<Var, Vec<Value>> = BTreeMap::new();
    let mut var_reads: BTreeMap<Var, Vec<Value>> = BTreeMap::new();
    for &b in &f.layout {
        for &i in &f.block(b).insts {
            let data = f.inst(i);
            match &data.kind {
                InstKind::Alloc(AllocKind::Collected, n) => {
                    if let Some(InstKind::Iconst(_, s)) = super::def_inst(f, *n) {
                        if *s > 0 && s % 8 == 0 && s / 8 <= MAX_SLOTS {
                            size.insert(data.result.expect("alloc result"), *s);
                        }
                    }
                }
                InstKind::DefVar(var, v) => var_defs.entry(*var).or_default().push(*v),
                InstKind::UseVar(var) => var_reads
                    .entry(*var)
                    .or_default()
                    .push(data.result.expect("read")),
                _ => {}
            }
        }
    }
    if size.is_empty() {
        return 0;
    }
    // Optimistic sets, shrunk to a fixed point.
    let mut vars: BTreeSet<Var> = var_defs
        .keys()
        .copied()
        .filter(|v| f.vars[v.index()] == Ty::I64)
        .collect();
    let uses = super::uses(f);
    loop {
        let aggregates: HashSet<Value> = aggregates_of(&size, &vars, &var_reads).collect();
        let mut failed_vars: HashSet<Var> = HashSet::new();
        for &v in &vars {
            if !var_defs[&v].iter().all(|x| aggregates.contains(x)) {
                failed_vars.insert(v);
            }
        }
        let mut failed_values: Vec<Value> = Vec::new();
        for &a in &aggregates {
            if !uses_ok(f, a, &uses[a.index()], &vars) {
                failed_values.push(a);
            }
        }
        for a in &failed_values {
            size.remove(a);
            // A read that escapes makes its variable fail.
            if let Some(InstKind::UseVar(v)) = super::def_inst(f, *a) {
                failed_vars.insert(*v);
            }
        }
        if failed_vars.is_empty() && failed_values.is_empty() {
            break;
        }
        vars.retain(|v| !failed_vars.contains(v));
    }
    let aggregates: Vec<Value> = aggregates_of(&size, &vars, &var_reads).collect();
    // Groups: aggregates and variables connected by writes and reads.
    let mut parent: HashMap<Node, Node> = HashMap::new();
    fn find(parent: &mut HashMap<Node, Node>, x: Node) -> Node {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let r = find(parent, p);
        parent.insert(x, r);
        r
    }
    let union = |parent: &mut HashMap<Node, Node>, a: Node, b: Node| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent.insert(ra, rb);
        }
    };
    for &v in &vars {
        for &x in &var_defs[&v] {
            union(&mut parent, Node::Var(v), Node::Value(x));
        }
        for &r in var_reads.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
            union(&mut parent, Node::Var(v), Node::Value(r));
        }
    }
    for &a in &aggregates {
        find(&mut parent, Node::Value(a));
    }
    // Per group: its size (from its allocations) and its field types.
    let mut group_size: HashMap<Node, Option<i64>> = HashMap::new();
    let mut group_fields: HashMap<Node, HashMap<i32, Option<Ty>>> = HashMap::new();
    let mut bad: HashSet<Node> = HashSet::new();
    let mut members: HashMap<Node, Vec<Node>> = HashMap::new();
    let mut nodes: Vec<Node> = parent.keys().copied().collect();
    nodes.sort();
    for n in nodes {
        let g = find(&mut parent, n);
        members.entry(g).or_default().push(n);
        if let Node::Value(v) = n {
            if let Some(&s) = size.get(&v) {
                let e = group_size.entry(g).or_insert(Some(s));
                if *e != Some(s) {
                    bad.insert(g);
                }
            }
        }
    }
    let initialising = initialising_stores(f);
    for &a in &aggregates {
        let g = find(&mut parent, Node::Value(a));
        for &(b, k) in &uses[a.index()] {
            let Some(k) = k else { continue };
            let i = f.block(b).insts[k];
            let (t, off) = match f.inst(i).kind {
                InstKind::Load(t, addr, off, _) if addr == a => (t, off),
                InstKind::Store(x, addr, off) if addr == a => {
                    // A `mutable` field assigned in a group of copies: the
                    // copies share one record, which fields per copy would
                    // not be.
                    if !initialising.contains(&i) && members[&g].len() > 1 {
                        bad.insert(g);
                    }
                    (f.value_type(x), off)
                }
                _ => continue,
            };
            let limit = group_size.get(&g).copied().flatten().unwrap_or(0);
            if off < 0 || off % 8 != 0 || i64::from(off) >= limit {
                bad.insert(g);
                continue;
            }
            let e = group_fields
                .entry(g)
                .or_default()
                .entry(off)
                .or_insert(Some(t));
            if *e != Some(t) {
                *e = None;
                bad.insert(g);
            }
        }
    }
    // Groups without an allocation (only variable reads) are left alone.
    // Sorted, so new variables are numbered the same on every run.
    let mut groups: Vec<Node> = members
        .keys()
        .copied()
        .filter(|g| !bad.contains(g) && group_size.get(g).copied().flatten().is_some())
        .collect();
    groups.sort();
    if groups.is_empty() {
        return 0;
    }
    // Field variables of every member.
    let mut field_vars: HashMap<Node, Vec<(i32, Var)>> = HashMap::new();
    let mut group_of: HashMap<Node, Node> = HashMap::new();
    for &g in &groups {
        let fields: Vec<(i32, Ty)> = {
            let mut v: Vec<(i32, Ty)> = group_fields
                .get(&g)
                .map(|m| m.iter().filter_map(|(&o, &t)| Some((o, t?))).collect())
                .unwrap_or_default();
            v.sort();
            v
        };
        for &m in &members[&g] {
            group_of.insert(m, g);
            let fv = fields
                .iter()
                .map(|&(o, t)| {
                    f.vars.push(t);
                    (o, Var(f.vars.len() as u32 - 1))
                })
                .collect();
            field_vars.insert(m, fv);
        }
    }
    let field = |fv: &HashMap<Node, Vec<(i32, Var)>>, n: Node, off: i32| -> Var {
        fv[&n]
            .iter()
            .find(|(o, _)| *o == off)
            .expect("a known field")
            .1
    };
    let mut removed = 0;
    for b in f.layout.clone() {
        let old = std::mem::take(&mut f.blocks[b.index()].insts);
        let mut new = Vec::with_capacity(old.len());
        for i in old {
            let data = f.inst(i).clone();
            let span = data.span;
            let result_node = data.result.map(Node::Value);
            match data.kind {
                InstKind::Alloc(..) if result_node.is_some_and(|n| group_of.contains_key(&n)) => {
                    // Zeroed fields, as the collector's memory is.
                    for &(_, var) in &field_vars[&result_node.expect("checked")] {
                        let zero = zero_inst(f, f.vars[var.index()], span);
                        new.push(zero);
                        let z = f.inst(zero).result.expect("a constant");
                        new.push(f.new_inst(InstKind::DefVar(var, z), None, span));
                    }
                    removed += 1;
                }
                InstKind::Load(_, a, off, _) if group_of.contains_key(&Node::Value(a)) => {
                    let var = field(&field_vars, Node::Value(a), off);
                    f.insts[i.index()].kind = InstKind::UseVar(var);
                    new.push(i);
                }
                InstKind::Store(x, a, off) if group_of.contains_key(&Node::Value(a)) => {
                    let var = field(&field_vars, Node::Value(a), off);
                    f.insts[i.index()].kind = InstKind::DefVar(var, x);
                    new.push(i);
                }
                InstKind::DefVar(v, a) if group_of.contains_key(&Node::Var(v)) => {
                    copy_fields(f, &field_vars, Node::Value(a), Node::Var(v), span, &mut new);
                }
                InstKind::UseVar(v) if group_of.contains_key(&Node::Var(v)) => {
                    let r = result_node.expect("a read has a result");
                    copy_fields(f, &field_vars, Node::Var(v), r, span, &mut new);
                }
                _ => new.push(i),
            }
        }
        f.blocks[b.index()].insts = new;
    }
    removed
}

/// The allocations still candidates, and the reads of candidate variables.
fn aggregates_of<'a>(
    size: &'a BTreeMap<Value, i64>,
    vars: &'a BTreeSet<Var>,
    var_reads: &'a BTreeMap<Var, Vec<Value>>,
) -> impl Iterator<Item = Value> + 'a {
    size.keys().copied().chain(
        vars.iter()
            .flat_map(|v| var_reads.get(v).into_iter().flatten().copied()),
    )
}

/// Does every use of aggregate `a` keep it from escaping?
/// The stores that fill an allocation right after it (nothing else in
/// between): what makes a record, as opposed to assigning its field later.
fn initialising_stores(f: &Function) -> HashSet<Inst> {
    let mut init = HashSet::new();
    for &b in &f.layout {
        let mut current = None;
        for &i in &f.block(b).insts {
            match &f.inst(i).kind {
                InstKind::Alloc(..) => current = f.inst(i).result,
                InstKind::Store(_, addr, _) if Some(*addr) == current => {
                    init.insert(i);
                }
                _ => current = None,
            }
        }
    }
    init
}

fn uses_ok(f: &Function, a: Value, uses: &[(Block, Option<usize>)], vars: &BTreeSet<Var>) -> bool {
    uses.iter().all(|&(b, k)| {
        let Some(k) = k else { return false };
        match f.inst(f.block(b).insts[k]).kind {
            InstKind::Load(_, addr, _, _) => addr == a,
            InstKind::Store(x, addr, _) => addr == a && x != a,
            InstKind::DefVar(v, _) => vars.contains(&v),
            _ => false,
        }
    })
}

fn zero_inst(f: &mut Function, t: Ty, span: Option<clef_frontend::Span>) -> Inst {
    let kind = match t {
        Ty::F32 => InstKind::F32const(0.0),
        Ty::F64 => InstKind::F64const(0.0),
        t => InstKind::Iconst(t, 0),
    };
    f.new_inst(kind, Some(t), span)
}

/// `to`'s fields := `from`'s fields.
fn copy_fields(
    f: &mut Function,
    field_vars: &HashMap<Node, Vec<(i32, Var)>>,
    from: Node,
    to: Node,
    span: Option<clef_frontend::Span>,
    out: &mut Vec<Inst>,
) {
    for (&(_, src), &(_, dst)) in field_vars[&from].iter().zip(&field_vars[&to]) {
        let t = f.vars[src.index()];
        let read = f.new_inst(InstKind::UseVar(src), Some(t), span);
        let v = f.inst(read).result.expect("a read");
        out.push(read);
        out.push(f.new_inst(InstKind::DefVar(dst, v), None, span));
    }
}
