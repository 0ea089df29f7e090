//! Arrays: a collected block `{ len: i64, elements }` (element size from
//! the element's machine type), bounds-checked access, and the builtins
//! that depend on the element type (`Array.zeroCreate`, `Array.sum`,
//! `Array.max`, `Array.min`, `List.sum`).

use super::{Lowering, Val, R};
use crate::internal;
use crate::runtime_abi as rt;
use crate::values::{clif_type, elem_size};
use clef_frontend::Span;
use clef_psg::*;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, BlockArg, InstBuilder, MemFlagsData, Value};

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
        let idx64 = self.b.ins().sextend(types::I64, idx);
        let len = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), arr, 0);
        let out = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, idx64, len);
        self.check(out, &rt::FAIL_INDEX, &[idx64, len], span)?;
        let offset = self.b.ins().imul_imm_s(idx64, elem_size(elem) as i64);
        Ok(self.b.ins().iadd(arr, offset))
    }

    /// A new zeroed array of `len` (an i64) elements.
    fn alloc_array(&mut self, elem: &Type, len: Value) -> R<Value> {
        let bytes = self.b.ins().imul_imm_s(len, elem_size(elem) as i64);
        let size = self.b.ins().iadd_imm_s(bytes, 8);
        let arr = self
            .runtime(&rt::ALLOC, &[size])?
            .ok_or_else(|| internal("allocation without a result"))?;
        self.b.ins().store(MemFlagsData::trusted(), len, arr, 0);
        Ok(arr)
    }

    /// `[| a; b; … |]`
    pub(super) fn array_literal(&mut self, elem: &Type, values: &[Val]) -> R<Value> {
        let len = self.b.ins().iconst(types::I64, values.len() as i64);
        let arr = self.alloc_array(elem, len)?;
        let size = elem_size(elem) as i32;
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), *v, arr, 8 + size * i as i32);
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
        let span = self.cg.psg.span(apply);
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
                let len = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), arr, 0);
                Ok(Some(self.b.ins().ireduce(types::I32, len)))
            }
            Builtin::ListSum => self.list_sum(args[0], &result_ty),
            Builtin::ListMapForward | Builtin::ListFilterForward => {
                self.list_map_filter(b, args, &result_ty)
            }
            _ => self.array_reduce(b, args[0], &result_ty, span),
        }
    }

    /// `Array.sum`, `Array.max`, `Array.min`: a loop over the elements.
    fn array_reduce(&mut self, b: Builtin, array: NodeId, elem: &Type, span: Span) -> R<Val> {
        let t = clif_type(elem).ok_or_else(|| internal("reducing an array of unit"))?;
        let arr = self.value(array, false)?;
        let len = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), arr, 0);
        let size = elem_size(elem) as i64;
        let (start, init) = if b == Builtin::ArraySum {
            (0, self.zero(t))
        } else {
            // max/min of an empty array is an error, as in F#.
            let empty = self.b.ins().icmp_imm_s(IntCC::Equal, len, 0);
            self.check(empty, &rt::FAIL_EMPTY, &[], span)?;
            (1, self.b.ins().load(t, MemFlagsData::trusted(), arr, 8))
        };
        let header = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        let i = self.b.append_block_param(header, types::I64);
        let acc = self.b.append_block_param(header, t);
        let result = self.b.append_block_param(done, t);
        let start = self.b.ins().iconst(types::I64, start);
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(start), BlockArg::Value(init)]);
        self.switch_to(header);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, len);
        self.b
            .ins()
            .brif(more, body, &[], done, &[BlockArg::Value(acc)]);
        self.switch_to(body);
        let offset = self.b.ins().imul_imm_s(i, size);
        let addr = self.b.ins().iadd(arr, offset);
        let x = self.b.ins().load(t, MemFlagsData::trusted(), addr, 8);
        let next_acc = match (b, elem.is_float()) {
            (Builtin::ArraySum, true) => self.b.ins().fadd(acc, x),
            (Builtin::ArraySum, false) => self.b.ins().iadd(acc, x),
            (Builtin::ArrayMax, true) => self.b.ins().fmax(acc, x),
            (Builtin::ArrayMin, true) => self.b.ins().fmin(acc, x),
            (Builtin::ArrayMax, false) if *elem == Type::Byte => self.b.ins().umax(acc, x),
            (Builtin::ArrayMin, false) if *elem == Type::Byte => self.b.ins().umin(acc, x),
            (Builtin::ArrayMax, false) => self.b.ins().smax(acc, x),
            _ => self.b.ins().smin(acc, x),
        };
        let next_i = self.b.ins().iadd_imm_s(i, 1);
        self.b.ins().jump(
            header,
            &[BlockArg::Value(next_i), BlockArg::Value(next_acc)],
        );
        self.switch_to(done);
        Ok(Some(result))
    }

    /// `for x in collection do body` over an array (by index) or a list
    /// (following the cons cells).
    pub(super) fn for_each(&mut self, kids: &[NodeId]) -> R<Val> {
        let (var, collection, body) = (kids[0], kids[1], kids[2]);
        let ct = self.type_of(collection);
        let c = self.value(collection, false)?;
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let done = self.b.create_block();
        let cursor = self.b.append_block_param(header, types::I64);
        match &ct {
            Type::Array(elem) => {
                let elem = (**elem).clone();
                let len = self.b.ins().load(types::I64, MemFlagsData::trusted(), c, 0);
                let zero = self.b.ins().iconst(types::I64, 0);
                self.b.ins().jump(header, &[BlockArg::Value(zero)]);
                self.switch_to(header);
                let more = self.b.ins().icmp(IntCC::SignedLessThan, cursor, len);
                self.b.ins().brif(more, body_b, &[], done, &[]);
                self.switch_to(body_b);
                let offset = self.b.ins().imul_imm_s(cursor, elem_size(&elem) as i64);
                let addr = self.b.ins().iadd(c, offset);
                let x = clif_type(&elem)
                    .map(|t| self.b.ins().load(t, MemFlagsData::trusted(), addr, 8));
                self.bind_local(var, x);
                self.expr(body, false)?;
                if !self.filled {
                    let next = self.b.ins().iadd_imm_s(cursor, 1);
                    self.b.ins().jump(header, &[BlockArg::Value(next)]);
                }
            }
            Type::Named { args, .. } => {
                let elem = args[0].clone();
                self.b.ins().jump(header, &[BlockArg::Value(c)]);
                self.switch_to(header);
                let tag = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), cursor, 0);
                self.b.ins().brif(tag, body_b, &[], done, &[]);
                self.switch_to(body_b);
                let x = self.load_slot(cursor, 1, &elem);
                self.bind_local(var, x);
                let tail = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), cursor, 16);
                self.expr(body, false)?;
                if !self.filled {
                    self.b.ins().jump(header, &[BlockArg::Value(tail)]);
                }
            }
            _ => {
                return Err(internal(
                    "`for … in` over a value that is not a list or an array",
                ))
            }
        }
        self.switch_to(done);
        Ok(None)
    }

    /// `List.map` / `List.filter`, building the result front to back: each
    /// new cell is linked into the previous cell's tail (or a stack slot
    /// for the first) before the list is returned, so there is one list
    /// and no reversal. Cells are `[1, head, tail]`; the end is the
    /// shared `[]` block.
    fn list_map_filter(&mut self, b: Builtin, args: &[NodeId], result_ty: &Type) -> R<Val> {
        let map = b == Builtin::ListMapForward;
        let fty = self.type_of(args[0]);
        let Type::Fun(param, ret) = fty else {
            return Err(internal("map/filter of a non-function"));
        };
        let Type::Named { args: out_args, .. } = result_ty else {
            return Err(internal("map/filter result"));
        };
        let out_elem = out_args[0].clone();
        let f = self.value(args[0], false)?;
        let l = self.value(args[1], false)?;
        let nil = self.make_case(0, &[])?;
        // The first cell is linked into this slot; the collector scans the
        // stack, so the partial result stays alive.
        let slot = self.b.create_sized_stack_slot(ir::StackSlotData::new(
            ir::StackSlotKind::ExplicitSlot,
            8,
            3,
        ));
        let first_link = self.b.ins().stack_addr(types::I64, slot, 0);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), nil, first_link, 0);
        let header = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        let node = self.b.append_block_param(header, types::I64);
        let link = self.b.append_block_param(header, types::I64);
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(l), BlockArg::Value(first_link)]);
        self.switch_to(header);
        let tag = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), node, 0);
        self.b.ins().brif(tag, body, &[], done, &[]);
        self.switch_to(body);
        let x = self.load_slot(node, 1, &param);
        let tail = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), node, 16);
        let y = self.call_closure(f, &param, &ret, x);
        let emit = self.b.create_block();
        let skip = self.b.create_block();
        if map {
            self.b.ins().jump(emit, &[]);
        } else {
            let keep = y.ok_or_else(|| internal("filter predicate without a value"))?;
            self.b.ins().brif(keep, emit, &[], skip, &[]);
        }
        self.switch_to(emit);
        let value = if map { y } else { x };
        let cell = self.alloc_block(&[None, value, Some(nil)])?;
        let one = self.b.ins().iconst(types::I64, 1);
        self.b.ins().store(MemFlagsData::trusted(), one, cell, 0);
        self.b.ins().store(MemFlagsData::trusted(), cell, link, 0);
        let next_link = self.b.ins().iadd_imm_s(cell, 16);
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(tail), BlockArg::Value(next_link)]);
        self.switch_to(skip);
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(tail), BlockArg::Value(link)]);
        self.switch_to(done);
        let _ = &out_elem;
        let result_addr = self.b.ins().stack_addr(types::I64, slot, 0);
        Ok(Some(self.b.ins().load(
            types::I64,
            MemFlagsData::trusted(),
            result_addr,
            0,
        )))
    }

    /// `List.sum`: follow the cons cells (`[tag, head, tail]`).
    fn list_sum(&mut self, list: NodeId, elem: &Type) -> R<Val> {
        let t = clif_type(elem).ok_or_else(|| internal("summing a list of unit"))?;
        let l = self.value(list, false)?;
        let header = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        let node = self.b.append_block_param(header, types::I64);
        let acc = self.b.append_block_param(header, t);
        let result = self.b.append_block_param(done, t);
        let zero = self.zero(t);
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(l), BlockArg::Value(zero)]);
        self.switch_to(header);
        let tag = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), node, 0);
        self.b
            .ins()
            .brif(tag, body, &[], done, &[BlockArg::Value(acc)]);
        self.switch_to(body);
        let x = self.b.ins().load(t, MemFlagsData::trusted(), node, 8);
        let tail = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), node, 16);
        let next = if elem.is_float() {
            self.b.ins().fadd(acc, x)
        } else {
            self.b.ins().iadd(acc, x)
        };
        self.b
            .ins()
            .jump(header, &[BlockArg::Value(tail), BlockArg::Value(next)]);
        self.switch_to(done);
        Ok(Some(result))
    }
}
