//! Tuples, records and `match`: blocks of slots, pattern tests, and
//! structural equality and ordering.

use super::{Lowering, Val, R};
use crate::ir::{types, Block, FloatCC, IntCC, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use crate::values::machine_type;
use clef_frontend::Span;
use clef_psg::*;

impl Lowering<'_, '_, '_> {
    /// A collected block of 8-byte slots holding `values` (unit: an empty
    /// slot): tuples, and closures' environments.
    pub(super) fn alloc_block(&mut self, values: &[Val]) -> R<Value> {
        let size = self
            .b
            .ins()
            .iconst(types::I64, 8 * values.len().max(1) as i64);
        let block = self.b.ins().alloc(size);
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                self.b.ins().store(*v, block, 8 * i as i32);
            }
        }
        Ok(block)
    }

    /// Slot `i` of a block, as a value of type `t`.
    /// Field `i` of a record: fixed when the record was made, at an
    /// address valid wherever the record is (so it may move out of loops).
    /// A `mutable` field is read where it stands (it may have been
    /// assigned since the record was made).
    pub(super) fn load_field(
        &mut self,
        record: Value,
        record_ty: &Type,
        i: usize,
        t: &Type,
    ) -> Val {
        if self.cx.field_is_mutable(record_ty, i) {
            return self.load_slot(record, i, t);
        }
        machine_type(t).map(|ct| self.b.ins().load_immutable(ct, record, 8 * i as i32))
    }

    pub(super) fn load_slot(&mut self, block: Value, i: usize, t: &Type) -> Val {
        machine_type(t).map(|ct| self.b.ins().load(ct, block, 8 * i as i32))
    }

    /// `match`: each arm tests its pattern (falling to the next arm on a
    /// mismatch), binds its variables, checks its guard, and produces its
    /// value; after the last arm, the program stops with "the match cases
    /// were incomplete". On a union, an arm whose case is the only one no
    /// earlier arm has taken whole (case pattern, irrefutable fields, no
    /// guard) does not test the tag: `| Nil -> … | Node (l, r) -> …`
    /// tests it once.
    pub(super) fn match_expr(
        &mut self,
        kids: &[NodeId],
        ty: &Type,
        tail: bool,
        span: Span,
    ) -> R<Val> {
        let scrutinee_ty = self.type_of(kids[0]);
        let v = self.expr(kids[0], false)?;
        let done = self.b.create_block();
        let result = machine_type(ty).map(|t| self.b.append_block_param(done, t));
        if self
            .match_by_tree(kids, v, &scrutinee_ty, (done, result), tail, span)?
            .is_some()
        {
            self.switch_to(done);
            return Ok(result);
        }
        let cases = self.cx.union_cases(&scrutinee_ty).map_or(0, |c| c.len());
        let mut taken = vec![false; cases];
        for &arm in &kids[1..] {
            let parts = self.cx.psg.children(arm);
            let next = self.b.create_block();
            let case = self.top_case(parts[0]);
            let known = case.is_some_and(|(_, index)| {
                index < cases && (0..cases).all(|k| k == index || taken[k])
            });
            match case {
                Some((pat, index)) if parts.len() == 2 && self.case_fields_irrefutable(pat) => {
                    if let Some(slot) = taken.get_mut(index) {
                        *slot = true;
                    }
                }
                _ => {}
            }
            if known {
                let (pat, _) = case.expect("known implies a case");
                self.test_case(pat, v, &scrutinee_ty, next, true)?;
            } else {
                self.test_pattern(parts[0], v, &scrutinee_ty, next)?;
            }
            self.guard_and_body(&parts, next, (done, result), tail)?;
        }
        self.fail(&rt::FAIL_MATCH, &[], span)?;
        self.switch_to(done);
        Ok(result)
    }

    /// After an arm's pattern matched: its guard (false: on to `next`),
    /// then its body, whose value goes to `done`; continues in `next`.
    pub(super) fn guard_and_body(
        &mut self,
        parts: &[NodeId],
        next: Block,
        (done, result): (Block, Val),
        tail: bool,
    ) -> R<()> {
        if parts.len() == 3 {
            let g = self.value(parts[1], false)?;
            let body = self.b.create_block();
            self.b.ins().brif(g, body, &[], next, &[]);
            self.switch_to(body);
        }
        let r = self.expr(*parts.last().expect("an arm has a body"), tail)?;
        if !self.filled {
            let args: Vec<Value> = r.filter(|_| result.is_some()).into_iter().collect();
            self.b.ins().jump(done, &args);
        }
        self.switch_to(next);
        Ok(())
    }

    /// Test `v` (of type `t`) against a pattern, binding its variables;
    /// on a mismatch, jump to `fail`. Continues in the success block.
    pub(super) fn test_pattern(&mut self, pat: NodeId, v: Val, t: &Type, fail: Block) -> R<()> {
        let kids = self.cx.psg.children(pat);
        match self.cx.psg.kind(pat).clone() {
            NodeKind::Binding(_) => match self.cx.psg.definition(pat).map(BindingId::node) {
                // The right side of an or-pattern sets the left's variable.
                Some(left) => self.store_place(left, v),
                None => self.bind_local(pat, v),
            },
            NodeKind::Pattern(kind) => match kind {
                PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => {}
                PatternKind::Lit(lit) => {
                    let v = v.ok_or_else(|| internal("literal pattern on a unit value"))?;
                    let expected = self
                        .literal(&lit)?
                        .ok_or_else(|| internal("literal without a value"))?;
                    let same = self.equal(t, v, expected)?;
                    let cont = self.b.create_block();
                    self.b.ins().brif(same, cont, &[], fail, &[]);
                    self.switch_to(cont);
                }
                PatternKind::Tuple => {
                    let Type::Tuple(items) = t else {
                        return Err(internal("tuple pattern on a non-tuple"));
                    };
                    let block = v.ok_or_else(|| internal("tuple without a value"))?;
                    for (i, (&k, it)) in kids.iter().zip(items).enumerate() {
                        let x = self.load_slot(block, i, it);
                        self.test_pattern(k, x, it, fail)?;
                    }
                }
                PatternKind::Or => {
                    let right = self.b.create_block();
                    let join = self.b.create_block();
                    self.test_pattern(kids[0], v, t, right)?;
                    self.b.ins().jump(join, &[]);
                    self.switch_to(right);
                    self.test_pattern(kids[1], v, t, fail)?;
                    self.b.ins().jump(join, &[]);
                    self.switch_to(join);
                }
                PatternKind::As => {
                    self.test_pattern(kids[0], v, t, fail)?;
                    self.test_pattern(kids[1], v, t, fail)?;
                }
                PatternKind::Typed(_) => self.test_pattern(kids[0], v, t, fail)?,
                PatternKind::Case(_) => self.test_case(pat, v, t, fail, false)?,
                PatternKind::Record(names) => {
                    let fields = self
                        .cx
                        .record_fields(t)
                        .ok_or_else(|| internal("record pattern on a non-record"))?;
                    let block = v.ok_or_else(|| internal("record without a value"))?;
                    for (name, &k) in names.iter().zip(&kids) {
                        let i = fields
                            .iter()
                            .position(|(f, _)| f == name)
                            .ok_or_else(|| internal("unknown field"))?;
                        let x = self.load_slot(block, i, &fields[i].1);
                        self.test_pattern(k, x, &fields[i].1, fail)?;
                    }
                }
            },
            _ => return Err(internal("not a pattern")),
        }
        Ok(())
    }

    /// An arm's pattern when it is a union case pattern (possibly typed):
    /// the case pattern and the case's index.
    fn top_case(&self, pat: NodeId) -> Option<(NodeId, usize)> {
        match self.cx.psg.kind(pat) {
            NodeKind::Pattern(PatternKind::Case(_)) => {
                self.cx.psg.case(pat).map(|(_, index)| (pat, index))
            }
            NodeKind::Pattern(PatternKind::Typed(_)) => {
                self.top_case(*self.cx.psg.children(pat).first()?)
            }
            _ => None,
        }
    }

    /// Whether a case pattern's fields match whatever they hold.
    fn case_fields_irrefutable(&self, pat: NodeId) -> bool {
        self.cx
            .psg
            .children(pat)
            .iter()
            .all(|&k| self.irrefutable(k))
    }

    /// Whether a pattern matches every value of its type (variables,
    /// `_`, `()`, and tuples, records, `as` and typed patterns of those).
    fn irrefutable(&self, pat: NodeId) -> bool {
        let kids = self.cx.psg.children(pat);
        match self.cx.psg.kind(pat) {
            NodeKind::Binding(_) => true,
            NodeKind::Pattern(
                PatternKind::Wildcard
                | PatternKind::Lit(Literal::Unit)
                | PatternKind::Tuple
                | PatternKind::Record(_)
                | PatternKind::As
                | PatternKind::Typed(_),
            ) => kids.iter().all(|&k| self.irrefutable(k)),
            _ => false,
        }
    }

    /// The types of the slots of a tuple or record type, which compare
    /// slot by slot.
    pub(super) fn slot_types(&self, t: &Type) -> Option<Vec<Type>> {
        match t {
            Type::Tuple(items) => Some(items.clone()),
            _ => self
                .cx
                .record_fields(t)
                .map(|fs| fs.into_iter().map(|(_, t)| t).collect()),
        }
    }

    /// Slot-by-slot equality (an i8) or ordering (an i32: -1, 0, 1) of two
    /// blocks whose slots from `first` on have types `items`.
    pub(super) fn slots_relation(
        &mut self,
        items: &[Type],
        a: Value,
        b: Value,
        first: usize,
        equality: bool,
    ) -> R<Value> {
        let result_ty = if equality { types::I8 } else { types::I32 };
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, result_ty);
        for (i, it) in items.iter().enumerate() {
            let (Some(x), Some(y)) = (
                self.load_slot(a, first + i, it),
                self.load_slot(b, first + i, it),
            ) else {
                continue;
            };
            let next = self.b.create_block();
            if equality {
                let same = self.equal(it, x, y)?;
                let no = self.b.ins().iconst(types::I8, 0);
                self.b.ins().brif(same, next, &[], done, &[no]);
            } else {
                let c = self.compare(it, x, y)?;
                self.b.ins().brif(c, done, &[c], next, &[]);
            }
            self.switch_to(next);
        }
        let end = self.b.ins().iconst(result_ty, i64::from(equality));
        self.b.ins().jump(done, &[end]);
        self.switch_to(done);
        Ok(result)
    }

    /// Structural equality (F#'s `=`) of two values of type `t`: an i8.
    pub(super) fn equal(&mut self, t: &Type, a: Value, b: Value) -> R<Value> {
        if let Some(items) = self.slot_types(t) {
            return self.slots_relation(&items, a, b, 0, true);
        }
        if let Some(v) = self.union_relation(t, a, b, true)? {
            return Ok(v);
        }
        Ok(match t {
            Type::String => {
                let c = self
                    .runtime(&rt::STRING_COMPARE, &[a, b])?
                    .ok_or_else(|| internal("compare"))?;
                self.b.ins().icmp_imm_s(IntCC::Equal, c, 0)
            }
            t if t.is_float() => self.b.ins().fcmp(FloatCC::Equal, a, b),
            _ => self.b.ins().icmp(IntCC::Equal, a, b),
        })
    }

    /// Ordering (F#'s `compare`) of two values of type `t`: -1, 0 or 1 as
    /// an i32. Tuples and records compare slot by slot.
    pub(super) fn compare(&mut self, t: &Type, a: Value, b: Value) -> R<Value> {
        if let Some(items) = self.slot_types(t) {
            return self.slots_relation(&items, a, b, 0, false);
        }
        if let Some(v) = self.union_relation(t, a, b, false)? {
            return Ok(v);
        }
        if *t == Type::String {
            return self
                .runtime(&rt::STRING_COMPARE, &[a, b])?
                .ok_or_else(|| internal("compare"));
        }
        let (gt, lt) = if t.is_float() {
            (
                self.b.ins().fcmp(FloatCC::GreaterThan, a, b),
                self.b.ins().fcmp(FloatCC::LessThan, a, b),
            )
        } else {
            let signed = !matches!(t, Type::Byte | Type::Bool);
            let (g, l) = if signed {
                (IntCC::SignedGreaterThan, IntCC::SignedLessThan)
            } else {
                (IntCC::UnsignedGreaterThan, IntCC::UnsignedLessThan)
            };
            (self.b.ins().icmp(g, a, b), self.b.ins().icmp(l, a, b))
        };
        let gt = self.b.ins().uextend(types::I32, gt);
        let lt = self.b.ins().uextend(types::I32, lt);
        Ok(self.b.ins().isub(gt, lt))
    }
}
