//! Arrays: a collected block `{ len: i64, elements }` (element size from
//! the element's machine type), bounds-checked access, and the builtins
//! that depend on the element type (`Array.zeroCreate`, `Array.sum`,
//! `Array.max`, `Array.min`, `List.sum`).

use super::{Lowering, Val, R};
use crate::ir::{types, IntCC, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use crate::values::{elem_size, machine_type};
use clef_frontend::Span;
use clef_psg::*;

impl Lowering<'_, '_, '_> {
    /// The address of element `index` of `array` minus the 8-byte header
    /// (so loads and stores use offset 8), after a bounds check.
    pub(super) fn element_address(
        &mut self,
        array: NodeId,
        index: NodeId,
        elem: &Type,
        span: Span,
    ) -> R<Value> {
        let arr = self.value(array, false)?;
        let idx = self.value(index, false)?;
        self.checked_element_address(array, arr, idx, elem, span)
    }

    /// The address of element `idx` of the array (or buffer) `arr`, the
    /// value of node `array`, after the bounds check.
    pub(super) fn checked_element_address(
        &mut self,
        array: NodeId,
        arr: Value,
        idx: Value,
        elem: &Type,
        span: Span,
    ) -> R<Value> {
        if matches!(self.type_of(array), Type::Buffer(..)) {
            return self.buffer_element_address(arr, idx, elem, span);
        }
        let idx64 = self.b.ins().sextend(types::I64, idx);
        let len = self.b.ins().load_immutable(types::I64, arr, 0);
        let out = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, idx64, len);
        self.check(out, &rt::FAIL_INDEX, &[idx64, len], span)?;
        let offset = self.b.ins().imul_imm_s(idx64, elem_size(elem) as i64);
        Ok(self.b.ins().iadd(arr, offset))
    }

    /// The body of an array type's relation function (F#'s structural
    /// `=` and `compare` on arrays): lengths first (the shorter array is
    /// the smaller), then elements in order until one differs.
    pub(super) fn array_relation_body(
        &mut self,
        t: &Type,
        a: Value,
        b: Value,
        equality: bool,
    ) -> R<Option<Value>> {
        let Type::Array(elem) = t else {
            return Ok(None);
        };
        let elem = (**elem).clone();
        let result_ty = if equality { types::I8 } else { types::I32 };
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, result_ty);
        let (la, lb) = (
            self.b.ins().load_immutable(types::I64, a, 0),
            self.b.ins().load_immutable(types::I64, b, 0),
        );
        let differ = if equality {
            self.b.ins().iconst(types::I8, 0)
        } else {
            let gt = self.b.ins().icmp(IntCC::SignedGreaterThan, la, lb);
            let lt = self.b.ins().icmp(IntCC::SignedLessThan, la, lb);
            let gt = self.b.ins().uextend(types::I32, gt);
            let lt = self.b.ins().uextend(types::I32, lt);
            self.b.ins().isub(gt, lt)
        };
        let same_length = self.b.create_block();
        let eq = self.b.ins().icmp(IntCC::Equal, la, lb);
        self.b.ins().brif(eq, same_length, &[], done, &[differ]);
        self.switch_to(same_length);
        let header = self.b.create_block();
        let i = self.b.append_block_param(header, types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().jump(header, &[zero]);
        self.switch_to(header);
        let all_same = self.b.ins().iconst(result_ty, i64::from(equality));
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, la);
        let body = self.b.create_block();
        self.b.ins().brif(more, body, &[], done, &[all_same]);
        self.switch_to(body);
        if let Some(ct) = machine_type(&elem) {
            let offset = self.b.ins().imul_imm_s(i, elem_size(&elem) as i64);
            let (pa, pb) = (self.b.ins().iadd(a, offset), self.b.ins().iadd(b, offset));
            let (x, y) = (self.b.ins().load(ct, pa, 8), self.b.ins().load(ct, pb, 8));
            let next = self.b.create_block();
            if equality {
                let same = self.equal(&elem, x, y)?;
                let no = self.b.ins().iconst(types::I8, 0);
                self.b.ins().brif(same, next, &[], done, &[no]);
            } else {
                let c = self.compare(&elem, x, y)?;
                self.b.ins().brif(c, done, &[c], next, &[]);
            }
            self.switch_to(next);
        }
        let step = self.b.ins().iadd_imm_s(i, 1);
        self.b.ins().jump(header, &[step]);
        self.switch_to(done);
        Ok(Some(result))
    }

    /// A new zeroed array of `len` (an i64) elements.
    fn alloc_array(&mut self, elem: &Type, len: Value) -> R<Value> {
        let bytes = self.b.ins().imul_imm_s(len, elem_size(elem) as i64);
        let size = self.b.ins().iadd_imm_s(bytes, 8);
        let arr = self.b.ins().alloc(size);
        self.b.ins().store(len, arr, 0);
        Ok(arr)
    }

    /// `[| a; b; … |]`
    pub(super) fn array_literal(&mut self, elem: &Type, values: &[Val]) -> R<Value> {
        let len = self.b.ins().iconst(types::I64, values.len() as i64);
        let arr = self.alloc_array(elem, len)?;
        let size = elem_size(elem) as i32;
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                self.b.ins().store(*v, arr, 8 + size * i as i32);
            }
        }
        Ok(arr)
    }

    pub(super) fn collection_builtin(
        &mut self,
        apply: NodeId,
        b: Builtin,
        args: &[NodeId],
    ) -> R<Val> {
        let span = self.cx.psg.span(apply);
        let result_ty = self.type_of(apply);
        match b {
            Builtin::ArrayZeroCreate => {
                let Type::Array(elem) = &result_ty else {
                    return Err(internal("zeroCreate of a non-array"));
                };
                let n = self.value(args[0], false)?;
                let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0);
                self.check(negative, &rt::FAIL_NEGATIVE_SIZE, &[], span)?;
                let len = self.b.ins().sextend(types::I64, n);
                Ok(Some(self.alloc_array(elem, len)?))
            }
            Builtin::ArrayLength => {
                let arr = self.value(args[0], false)?;
                let len = self.b.ins().load(types::I64, arr, 0);
                Ok(Some(self.b.ins().ireduce(types::I32, len)))
            }
            Builtin::ListSum => self.list_sum(args[0], &result_ty),
            Builtin::ListMapForward | Builtin::ListFilterForward => self.list_map_filter(b, args),
            _ => self.array_reduce(b, args[0], &result_ty, span),
        }
    }

    /// `Array.sum`, `Array.max`, `Array.min`: a loop over the elements.
    fn array_reduce(&mut self, b: Builtin, array: NodeId, elem: &Type, span: Span) -> R<Val> {
        let t = machine_type(elem).ok_or_else(|| internal("reducing an array of unit"))?;
        let arr = self.value(array, false)?;
        let (start, init) = if b == Builtin::ArraySum {
            (0, self.zero(t))
        } else {
            // max/min of an empty array is an error, as in F#.
            let len = self.b.ins().load(types::I64, arr, 0);
            let empty = self.b.ins().icmp_imm_s(IntCC::Equal, len, 0);
            self.check(empty, &rt::FAIL_EMPTY, &[], span)?;
            (1, self.b.ins().load(t, arr, 8))
        };
        let result = self.fold_elements(arr, elem, start, &[init], |l, _, x, state| {
            let (acc, x) = (
                state[0],
                x.ok_or_else(|| internal("element without a value"))?,
            );
            let next = match (b, elem.is_float()) {
                (Builtin::ArraySum, true) => l.b.ins().fadd(acc, x),
                (Builtin::ArraySum, false) => l.b.ins().iadd(acc, x),
                (Builtin::ArrayMax, true) => l.b.ins().fmax(acc, x),
                (Builtin::ArrayMin, true) => l.b.ins().fmin(acc, x),
                (Builtin::ArrayMax, false) if *elem == Type::Byte => l.b.ins().umax(acc, x),
                (Builtin::ArrayMin, false) if *elem == Type::Byte => l.b.ins().umin(acc, x),
                (Builtin::ArrayMax, false) => l.b.ins().smax(acc, x),
                _ => l.b.ins().smin(acc, x),
            };
            Ok(Some(vec![next]))
        })?;
        Ok(Some(result[0]))
    }

    /// A loop over an array's elements from index `from`: `step` gets the
    /// index, the element (`None` for unit) and the loop state, and gives
    /// the next state, or `None` when its code ended the block (`exit`).
    /// Returns the final state.
    pub(super) fn fold_elements(
        &mut self,
        arr: Value,
        elem: &Type,
        from: i64,
        state: &[Value],
        mut step: impl FnMut(&mut Self, Value, Val, &[Value]) -> R<Option<Vec<Value>>>,
    ) -> R<Vec<Value>> {
        let len = self.b.ins().load(types::I64, arr, 0);
        let start = self.b.ins().iconst(types::I64, from);
        self.loop_with(
            start,
            state,
            |l, i| Ok(l.b.ins().icmp(IntCC::SignedLessThan, i, len)),
            |l, i, state| {
                let offset = l.b.ins().imul_imm_s(i, elem_size(elem) as i64);
                let addr = l.b.ins().iadd(arr, offset);
                let x = machine_type(elem).map(|t| l.b.ins().load(t, addr, 8));
                let next = l.b.ins().iadd_imm_s(i, 1);
                Ok(step(l, i, x, state)?.map(|s| (next, s)))
            },
        )
    }

    /// A loop over a list's cells (`[1, head, tail]`, ended by the `[]`
    /// block, tag 0): `step` gets the head (`None` for unit) and the loop
    /// state, and gives the next state (or `None`, as for arrays).
    pub(super) fn fold_cells(
        &mut self,
        list: Value,
        elem: &Type,
        state: &[Value],
        mut step: impl FnMut(&mut Self, Val, &[Value]) -> R<Option<Vec<Value>>>,
    ) -> R<Vec<Value>> {
        self.loop_with(
            list,
            state,
            |l, cell| Ok(l.b.ins().load(types::I64, cell, 0)),
            |l, cell, state| {
                let x = l.load_slot(cell, 1, elem);
                let tail = l.b.ins().load(types::I64, cell, 16);
                Ok(step(l, x, state)?.map(|s| (tail, s)))
            },
        )
    }

    /// The loop both folds share: a header with a cursor and the state,
    /// `more` deciding whether to run `body` again, `body` giving the next
    /// cursor and state.
    pub(super) fn loop_with(
        &mut self,
        cursor: Value,
        state: &[Value],
        more: impl FnOnce(&mut Self, Value) -> R<Value>,
        body: impl FnOnce(&mut Self, Value, &[Value]) -> R<Option<(Value, Vec<Value>)>>,
    ) -> R<Vec<Value>> {
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let done = self.b.create_block();
        let cursor_t = self.b.value_type(cursor);
        let c = self.b.append_block_param(header, cursor_t);
        let mut params = Vec::new();
        let mut results = Vec::new();
        for &v in state {
            let t = self.b.value_type(v);
            params.push(self.b.append_block_param(header, t));
            results.push(self.b.append_block_param(done, t));
        }
        let args: Vec<Value> = std::iter::once(cursor)
            .chain(state.iter().copied())
            .collect();
        self.b.ins().jump(header, &args);
        self.switch_to(header);
        let go = more(self, c)?;
        let exit: Vec<Value> = params.to_vec();
        self.b.ins().brif(go, body_b, &[], done, &exit);
        self.switch_to(body_b);
        if let Some((next, next_state)) = body(self, c, &params)? {
            if !self.filled {
                let args: Vec<Value> = std::iter::once(next).chain(next_state).collect();
                self.b.ins().jump(header, &args);
            }
        }
        self.switch_to(done);
        Ok(results)
    }

    /// `for x in collection do body` over an array (by index) or a list
    /// (following the cons cells).
    pub(super) fn for_each(&mut self, kids: &[NodeId]) -> R<Val> {
        let (var, collection, body) = (kids[0], kids[1], kids[2]);
        let ct = self.type_of(collection);
        let c = self.value(collection, false)?;
        let run_body = |l: &mut Self, x: Val| -> R<Option<Vec<Value>>> {
            l.bind_local(var, x);
            l.expr(body, false)?;
            Ok((!l.filled).then(Vec::new))
        };
        match &ct {
            Type::Array(elem) => {
                self.fold_elements(c, elem, 0, &[], |l, _, x, _| run_body(l, x))?
            }
            Type::Named { args, .. } => {
                self.fold_cells(c, &args[0], &[], |l, x, _| run_body(l, x))?
            }
            _ => {
                return Err(internal(
                    "`for … in` over a value that is not a list or an array",
                ))
            }
        };
        Ok(None)
    }

    /// `List.map` / `List.filter`, building the result front to back: each
    /// new cell is linked into the previous cell's tail (or a stack slot
    /// for the first) before the list is returned, so there is one list
    /// and no reversal. Cells are `[1, head, tail]`; the end is the
    /// shared `[]` block.
    fn list_map_filter(&mut self, b: Builtin, args: &[NodeId]) -> R<Val> {
        let map = b == Builtin::ListMapForward;
        let Type::Fun(param, ret) = self.type_of(args[0]) else {
            return Err(internal("map/filter of a non-function"));
        };
        let f = self.value(args[0], false)?;
        let l = self.value(args[1], false)?;
        let nil = self.make_case(0, &[])?;
        // The first cell is linked into this slot; the collector scans the
        // stack, so the partial result stays alive.
        let slot = self.b.create_stack_slot(8);
        let first_link = self.b.ins().stack_addr(slot, 0);
        self.b.ins().store(nil, first_link, 0);
        self.fold_cells(l, &param, &[first_link], |l, x, state| {
            let link = state[0];
            let y = l.call_closure(f, &param, &ret, x);
            // Link a new cell holding `value` into `link`; the next link is
            // the new cell's tail slot.
            let append = |l: &mut Self, value: Val| -> R<Value> {
                let cell = l.alloc_block(&[None, value, Some(nil)])?;
                let one = l.b.ins().iconst(types::I64, 1);
                l.b.ins().store(one, cell, 0);
                l.b.ins().store(cell, link, 0);
                Ok(l.b.ins().iadd_imm_s(cell, 16))
            };
            if map {
                return Ok(Some(vec![append(l, y)?]));
            }
            let keep = y.ok_or_else(|| internal("filter predicate without a value"))?;
            let emit = l.b.create_block();
            let join = l.b.create_block();
            let next_link = l.b.append_block_param(join, types::I64);
            l.b.ins().brif(keep, emit, &[], join, &[link]);
            l.switch_to(emit);
            let appended = append(l, x)?;
            l.b.ins().jump(join, &[appended]);
            l.switch_to(join);
            Ok(Some(vec![next_link]))
        })?;
        let result_addr = self.b.ins().stack_addr(slot, 0);
        Ok(Some(self.b.ins().load(types::I64, result_addr, 0)))
    }

    /// `List.sum`: follow the cons cells.
    fn list_sum(&mut self, list: NodeId, elem: &Type) -> R<Val> {
        let t = machine_type(elem).ok_or_else(|| internal("summing a list of unit"))?;
        let l = self.value(list, false)?;
        let zero = self.zero(t);
        let result = self.fold_cells(l, elem, &[zero], |l, x, state| {
            let x = x.ok_or_else(|| internal("element without a value"))?;
            let next = if elem.is_float() {
                l.b.ins().fadd(state[0], x)
            } else {
                l.b.ins().iadd(state[0], x)
            };
            Ok(Some(vec![next]))
        })?;
        Ok(Some(result[0]))
    }
}
