//! `match` as a decision tree: the arms' patterns form a matrix (a row
//! per arm, a column per part of the scrutinee still to look at), and
//! the tree tests one column at a time, as in Maranget's "Compiling
//! pattern matching to good decision trees" (the first-row heuristic):
//! a union's tag is loaded and tested once and each case's branch goes
//! on with only the rows that can still match, so no part of the
//! scrutinee is tested twice on a path, and the last case left needs no
//! test.
//!
//! Invariants:
//! * The tree is built from the patterns alone, before any code, and is
//!   emitted only if it stays within [`MAX_NODES`] (or-patterns and
//!   wildcards copy rows); otherwise, and for matches with guards, the
//!   match lowers arm by arm (`matching.rs`).
//! * A part of the scrutinee (an occurrence) is loaded on the path that
//!   needs it, below the test that makes the load valid (a case's fields
//!   after its tag test).
//! * Each arm's body is lowered once, in its own block; every leaf that
//!   selects it writes the arm's variables first (the same variable on
//!   every path), then jumps there. Arms no leaf selects (rules that can
//!   never match) are not lowered.

use super::{Lowering, Val, R};
use crate::ir::{Block, IntCC, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use clef_frontend::Span;
use clef_psg::*;
use std::collections::HashMap;

/// The largest tree emitted (nodes: tests, leaves and failures).
const MAX_NODES: usize = 256;

/// A part of the scrutinee: the whole value, or slot `slot` of a part.
#[derive(Clone)]
struct Occurrence {
    parent: Option<(usize, usize)>,
    ty: Type,
}

#[derive(Clone)]
struct Row {
    /// One pattern per column; `None` matches anything.
    pats: Vec<Option<NodeId>>,
    arm: usize,
    /// Variables bound so far, and the occurrence each is bound to.
    binds: Vec<(NodeId, usize)>,
}

enum Test {
    /// A union case (its index).
    Case(usize),
    Lit(Literal),
}

enum Decision {
    Fail,
    Leaf {
        arm: usize,
        binds: Vec<(NodeId, usize)>,
    },
    Switch {
        occ: usize,
        /// Tested in order; without a default, the last one is not tested
        /// (the earlier ones failing decides it).
        branches: Vec<(Test, Decision)>,
        default: Option<Box<Decision>>,
    },
}

/// The tree being built: its occurrences and its size so far.
struct Tree {
    occs: Vec<Occurrence>,
    nodes: usize,
}

impl Lowering<'_, '_, '_> {
    /// Lower `match` through a decision tree, if its arms have no guards
    /// and the tree is small enough; `None` (nothing emitted) otherwise.
    pub(super) fn match_by_tree(
        &mut self,
        kids: &[NodeId],
        scrutinee: Val,
        scrutinee_ty: &Type,
        (done, result): (Block, Option<Value>),
        tail: bool,
        span: Span,
    ) -> R<Option<()>> {
        let arms: Vec<Vec<NodeId>> = kids[1..].iter().map(|&a| self.cx.psg.children(a)).collect();
        if arms.iter().any(|parts| parts.len() != 2) {
            return Ok(None);
        }
        let mut tree = Tree {
            occs: vec![Occurrence {
                parent: None,
                ty: scrutinee_ty.clone(),
            }],
            nodes: 0,
        };
        let rows = arms
            .iter()
            .enumerate()
            .map(|(arm, parts)| Row {
                pats: vec![Some(parts[0])],
                arm,
                binds: Vec::new(),
            })
            .collect();
        let Some(decision) = self.build(&mut tree, rows, vec![0]) else {
            return Ok(None);
        };
        let fail = self.b.create_block();
        let mut bodies: Vec<Option<Block>> = vec![None; arms.len()];
        let mut values = HashMap::from([(0, scrutinee)]);
        self.emit(&decision, &tree, &mut values, &mut bodies, fail)?;
        for (arm, body) in bodies.iter().enumerate() {
            let Some(body) = *body else { continue };
            self.switch_to(body);
            let r = self.expr(arms[arm][1], tail)?;
            if !self.filled {
                let args: Vec<Value> = r.filter(|_| result.is_some()).into_iter().collect();
                self.b.ins().jump(done, &args);
            }
        }
        self.switch_to(fail);
        self.fail(&rt::FAIL_MATCH, &[], span)?;
        Ok(Some(()))
    }

    /// Bring the rows to columns that each need a test: variables are
    /// recorded and become wildcards, typed and `as` patterns are taken
    /// apart, or-patterns split their row, and a column that some row
    /// takes apart as a tuple or record becomes one column per slot.
    /// `None` for a pattern the tree does not handle.
    fn normalise(
        &self,
        tree: &mut Tree,
        mut rows: Vec<Row>,
        mut cols: Vec<usize>,
    ) -> Option<(Vec<Row>, Vec<usize>)> {
        loop {
            let mut changed = false;
            let mut k = 0;
            while k < rows.len() {
                for (c, &col) in cols.iter().enumerate() {
                    let Some(p) = rows[k].pats[c] else { continue };
                    let kids = self.cx.psg.children(p);
                    match self.cx.psg.kind(p) {
                        NodeKind::Binding(_) => {
                            rows[k].binds.push((p, col));
                            rows[k].pats[c] = None;
                        }
                        NodeKind::Pattern(
                            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit),
                        ) => rows[k].pats[c] = None,
                        NodeKind::Pattern(PatternKind::Typed(_)) => rows[k].pats[c] = Some(kids[0]),
                        NodeKind::Pattern(PatternKind::As) => {
                            // `p as x`: x is bound to the same part.
                            if !matches!(self.cx.psg.kind(kids[1]), NodeKind::Binding(_)) {
                                return None;
                            }
                            rows[k].binds.push((kids[1], col));
                            rows[k].pats[c] = Some(kids[0]);
                        }
                        NodeKind::Pattern(PatternKind::Or) => {
                            let mut right = rows[k].clone();
                            rows[k].pats[c] = Some(kids[0]);
                            right.pats[c] = Some(kids[1]);
                            rows.insert(k + 1, right);
                        }
                        NodeKind::Pattern(_) => continue,
                        _ => return None,
                    }
                    changed = true;
                }
                k += 1;
            }
            // Tuples and records: one column per slot.
            let split = (0..cols.len()).find(|&c| {
                rows.iter().any(|r| {
                    r.pats[c].is_some_and(|p| {
                        matches!(
                            self.cx.psg.kind(p),
                            NodeKind::Pattern(PatternKind::Tuple | PatternKind::Record(_))
                        )
                    })
                })
            });
            if let Some(c) = split {
                let ty = tree.occs[cols[c]].ty.clone();
                let (names, types): (Vec<Option<String>>, Vec<Type>) = match &ty {
                    Type::Tuple(items) => (vec![None; items.len()], items.clone()),
                    _ => self
                        .cx
                        .record_fields(&ty)?
                        .into_iter()
                        .map(|(n, t)| (Some(n), t))
                        .unzip(),
                };
                let slots: Vec<usize> = types
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| tree.occur(cols[c], i, t))
                    .collect();
                for r in &mut rows {
                    let parts: Vec<Option<NodeId>> = match r.pats[c] {
                        None => vec![None; slots.len()],
                        Some(p) => {
                            let kids = self.cx.psg.children(p);
                            match self.cx.psg.kind(p) {
                                NodeKind::Pattern(PatternKind::Tuple)
                                    if kids.len() == slots.len() =>
                                {
                                    kids.into_iter().map(Some).collect()
                                }
                                NodeKind::Pattern(PatternKind::Record(fields)) => names
                                    .iter()
                                    .map(|n| {
                                        let at = fields.iter().position(|f| Some(f) == n.as_ref());
                                        at.and_then(|i| kids.get(i).copied())
                                    })
                                    .collect(),
                                _ => return None,
                            }
                        }
                    };
                    r.pats.splice(c..=c, parts);
                }
                cols.splice(c..=c, slots);
                changed = true;
            }
            if !changed {
                return Some((rows, cols));
            }
        }
    }

    fn build(&self, tree: &mut Tree, rows: Vec<Row>, cols: Vec<usize>) -> Option<Decision> {
        tree.nodes += 1;
        if tree.nodes > MAX_NODES {
            return None;
        }
        let (rows, cols) = self.normalise(tree, rows, cols)?;
        let Some(first) = rows.first() else {
            return Some(Decision::Fail);
        };
        let Some(c) = first.pats.iter().position(Option::is_some) else {
            return Some(Decision::Leaf {
                arm: first.arm,
                binds: first.binds.clone(),
            });
        };
        let occ = cols[c];
        let ty = tree.occs[occ].ty.clone();
        // The rows with no test in column c, without it (the default).
        let rest = |rows: &[Row]| -> Vec<Row> {
            rows.iter()
                .filter(|r| r.pats[c].is_none())
                .map(|r| {
                    let mut r = r.clone();
                    r.pats.remove(c);
                    r
                })
                .collect()
        };
        let mut without_c = cols.clone();
        without_c.remove(c);
        let lead = first.pats[c].expect("a test");
        let mut branches = Vec::new();
        let covered = match self.cx.psg.kind(lead) {
            NodeKind::Pattern(PatternKind::Case(_)) => {
                let cases = self.cx.union_cases(&ty)?;
                let mut listed: Vec<usize> = Vec::new();
                for r in &rows {
                    if let Some(p) = r.pats[c] {
                        let (_, index) = self.cx.psg.case(p)?;
                        if !listed.contains(&index) {
                            listed.push(index);
                        }
                    }
                }
                for index in listed.iter().copied() {
                    let (_, field_types) = cases.get(index)?.clone();
                    let fields: Vec<usize> = field_types
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| tree.occur(occ, 1 + i, t))
                        .collect();
                    let mut sub = Vec::new();
                    for r in &rows {
                        let parts = match r.pats[c] {
                            None => vec![None; fields.len()],
                            Some(p) if self.cx.psg.case(p)?.1 == index => {
                                self.case_arguments(p, fields.len())?
                            }
                            Some(_) => continue,
                        };
                        let mut r = r.clone();
                        r.pats.splice(c..=c, parts);
                        sub.push(r);
                    }
                    let mut sub_cols = cols.clone();
                    sub_cols.splice(c..=c, fields.iter().copied());
                    let d = self.build(tree, sub, sub_cols)?;
                    branches.push((Test::Case(index), d));
                }
                listed.len() == cases.len()
            }
            NodeKind::Pattern(PatternKind::Lit(_)) => {
                let mut listed: Vec<Literal> = Vec::new();
                for r in &rows {
                    if let Some(p) = r.pats[c] {
                        let NodeKind::Pattern(PatternKind::Lit(l)) = self.cx.psg.kind(p) else {
                            return None;
                        };
                        if !listed.contains(l) {
                            listed.push(l.clone());
                        }
                    }
                }
                for lit in &listed {
                    let mut sub = Vec::new();
                    for r in &rows {
                        let keep = match r.pats[c] {
                            None => true,
                            Some(p) => {
                                matches!(self.cx.psg.kind(p), NodeKind::Pattern(PatternKind::Lit(l)) if l == lit)
                            }
                        };
                        if keep {
                            let mut r = r.clone();
                            r.pats.remove(c);
                            sub.push(r);
                        }
                    }
                    let d = self.build(tree, sub, without_c.clone())?;
                    branches.push((Test::Lit(lit.clone()), d));
                }
                ty == Type::Bool && listed.len() == 2
            }
            _ => return None,
        };
        let default = if covered {
            None
        } else {
            Some(Box::new(self.build(tree, rest(&rows), without_c)?))
        };
        Some(Decision::Switch {
            occ,
            branches,
            default,
        })
    }

    /// The patterns of a case pattern's fields, one per field.
    fn case_arguments(&self, pat: NodeId, fields: usize) -> Option<Vec<Option<NodeId>>> {
        let Some(&arg) = self.cx.psg.children(pat).first() else {
            return Some(vec![None; fields]);
        };
        if fields == 1 {
            return Some(vec![Some(arg)]);
        }
        match self.cx.psg.kind(arg) {
            NodeKind::Pattern(PatternKind::Tuple) => {
                let kids = self.cx.psg.children(arg);
                (kids.len() == fields).then(|| kids.into_iter().map(Some).collect())
            }
            NodeKind::Pattern(PatternKind::Wildcard) => Some(vec![None; fields]),
            _ => None,
        }
    }

    /// The value of an occurrence on the current path, loaded (and kept
    /// for the rest of the path) at its first use.
    fn occurrence(&mut self, tree: &Tree, values: &mut HashMap<usize, Val>, occ: usize) -> R<Val> {
        if let Some(&v) = values.get(&occ) {
            return Ok(v);
        }
        let o = &tree.occs[occ];
        let (parent, slot) = o
            .parent
            .ok_or_else(|| internal("the scrutinee has a value"))?;
        let block = self
            .occurrence(tree, values, parent)?
            .ok_or_else(|| internal("a part of a value without one"))?;
        let v = self.load_slot(block, slot, &o.ty);
        values.insert(occ, v);
        Ok(v)
    }

    fn emit(
        &mut self,
        d: &Decision,
        tree: &Tree,
        values: &mut HashMap<usize, Val>,
        bodies: &mut [Option<Block>],
        fail: Block,
    ) -> R<()> {
        match d {
            Decision::Fail => {
                self.b.ins().jump(fail, &[]);
            }
            Decision::Leaf { arm, binds } => {
                for &(binding, occ) in binds {
                    let v = self.occurrence(tree, values, occ)?;
                    // The right side of an or-pattern sets the left's
                    // variable; every leaf of an arm sets the same one.
                    let target = self
                        .cx
                        .psg
                        .definition(binding)
                        .map_or(binding, BindingId::node);
                    self.store_place(target, v);
                }
                let body = *bodies[*arm].get_or_insert_with(|| self.b.create_block());
                self.b.ins().jump(body, &[]);
            }
            Decision::Switch {
                occ,
                branches,
                default,
            } => {
                let ty = tree.occs[*occ].ty.clone();
                let v = self.occurrence(tree, values, *occ)?;
                let v = v.ok_or_else(|| internal("a test on a value without one"))?;
                let tag = match branches.first() {
                    Some((Test::Case(..), _)) => Some(self.tag(v)),
                    _ => None,
                };
                for (k, (test, sub)) in branches.iter().enumerate() {
                    if k + 1 == branches.len() && default.is_none() {
                        // Every other possibility failed: no test.
                        return self.emit(sub, tree, values, bodies, fail);
                    }
                    let same = match test {
                        Test::Case(index) => {
                            let tag = tag.ok_or_else(|| internal("a case test without a tag"))?;
                            self.b.ins().icmp_imm_s(IntCC::Equal, tag, *index as i64)
                        }
                        Test::Lit(lit) => {
                            let expected = self
                                .literal(lit)?
                                .ok_or_else(|| internal("literal without a value"))?;
                            self.equal(&ty, v, expected)?
                        }
                    };
                    let (then_b, else_b) = (self.b.create_block(), self.b.create_block());
                    self.b.ins().brif(same, then_b, &[], else_b, &[]);
                    self.switch_to(then_b);
                    self.emit(sub, tree, &mut values.clone(), bodies, fail)?;
                    self.switch_to(else_b);
                }
                if let Some(d) = default {
                    self.emit(d, tree, values, bodies, fail)?;
                }
            }
        }
        Ok(())
    }
}

impl Tree {
    /// A new occurrence: slot `slot` of `parent`, of type `ty`.
    fn occur(&mut self, parent: usize, slot: usize, ty: Type) -> usize {
        self.occs.push(Occurrence {
            parent: Some((parent, slot)),
            ty,
        });
        self.occs.len() - 1
    }
}
