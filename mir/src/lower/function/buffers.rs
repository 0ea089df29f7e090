//! `SharedBuffer<'T, 'space>`: a pointer to the runtime's buffer header
//! (`runtime/src/buffers.rs`: `len` at 0, `data` at 8, `host` at 24). The
//! space decides the residency code passed to the runtime; it comes from
//! the node's type before measures are erased, under the instance's
//! substitution, so a function generic in the space allocates where each
//! instance says.

use super::{Lowering, Val, R};
use crate::ir::{types, IntCC, Residency, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use crate::values::elem_size;
use barewire_model::space::residency_code;
use barewire_model::MemorySpace;
use clef_frontend::Span;
use clef_psg::*;

impl Lowering<'_, '_, '_> {
    /// The memory space of the buffer type of `node` (`None` when
    /// inference left the space free).
    fn space(&self, node: NodeId) -> Option<MemorySpace> {
        let ty = self.cx.facts.ty(node).cloned().unwrap_or(Type::Unit);
        let ty = ty.map_vars(&|v| self.subst.get(&v).cloned());
        match ty {
            Type::Buffer(_, m) => m.space().and_then(MemorySpace::from_name),
            _ => None,
        }
    }

    fn buffer_elem(&self, node: NodeId) -> R<Type> {
        match self.type_of(node) {
            Type::Buffer(elem, _) => Ok(*elem),
            t => Err(internal(format!("buffer builtin on `{t}`"))),
        }
    }

    /// `BAREWire.allocate`, `allocateAuto`, `migrate` and `copy`.
    pub(super) fn buffer_builtin(&mut self, apply: NodeId, b: Builtin, args: &[NodeId]) -> R<Val> {
        let elem = self.buffer_elem(apply)?;
        let size = self.b.ins().iconst(types::I64, elem_size(&elem) as i64);
        // The placement pass's decision, on the allocation's head node.
        let head = self.cx.psg.children(apply).first().copied();
        let placement = head.and_then(|h| self.cx.facts.placement(h).cloned());
        let space = match &placement {
            Some(Placement {
                space: Some(space), ..
            }) => Some(*space),
            _ => self.space(apply),
        };
        let code = residency_code(space);
        let code_value = self.b.ins().iconst(types::I32, code as i64);
        let loc = self.cx.location(self.cx.psg.span(apply));
        let loc = self.string_ptr(&loc)?;
        let arg = self.value(args[0], false)?;
        let f = match b {
            Builtin::BufferAllocate | Builtin::BufferAllocateAuto => {
                let n = self.b.ins().sextend(types::I64, arg);
                if let Some(p @ Placement { space: None, .. }) = &placement {
                    // Decided at run time by BAREWire's copy of the rules.
                    let gpu = self.b.ins().iconst(types::I32, i64::from(p.gpu_access));
                    let threshold = self.b.ins().iconst(types::I64, p.large_threshold as i64);
                    let routine = self.cx.runtime_fn(&rt::BUFFER_NEW_POLICY);
                    let args = [n, size, gpu, threshold, loc];
                    return Ok(Some(self.b.ins().buffer_new(
                        Residency::Policy,
                        routine,
                        &args,
                    )));
                }
                let routine = self.cx.runtime_fn(&rt::BUFFER_NEW);
                let args = [n, size, code_value, loc];
                let residency = Residency::Space(space, code);
                return Ok(Some(self.b.ins().buffer_new(residency, routine, &args)));
            }
            Builtin::BufferMigrate => &rt::BUFFER_MIGRATE,
            _ => &rt::BUFFER_COPY,
        };
        self.runtime(f, &[arg, size, code_value, loc])
    }

    /// Like `element_address` for arrays (loads and stores at offset 8),
    /// for a buffer: bounds-checked, and only into memory the CPU can
    /// reach.
    pub(super) fn buffer_element_address(
        &mut self,
        buffer: Value,
        idx: Value,
        elem: &Type,
        span: Span,
    ) -> R<Value> {
        let idx64 = self.b.ins().sextend(types::I64, idx);
        let len = self.b.ins().load(types::I64, buffer, 0);
        let out = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, idx64, len);
        // A released or migrated buffer has length 0: its accesses fail
        // here too, and the runtime tells which it was.
        self.check(out, &rt::FAIL_BUFFER_INDEX, &[buffer, idx64, len], span)?;
        let host = self.b.ins().load(types::I64, buffer, 24);
        let device = self.b.ins().icmp_imm_s(IntCC::Equal, host, 0);
        self.check(device, &rt::FAIL_DEVICE_MEMORY, &[], span)?;
        let data = self.b.ins().load(types::I64, buffer, 8);
        let offset = self.b.ins().imul_imm_s(idx64, elem_size(elem) as i64);
        let addr = self.b.ins().iadd(data, offset);
        Ok(self.b.ins().iadd_imm_s(addr, -8))
    }

    /// `buf.Length`: the length header, once the buffer is known to be
    /// live (state 0 at offset 32; a released or migrated buffer fails).
    pub(super) fn buffer_length(&mut self, buffer: Value, span: Span) -> R<Value> {
        let state = self.b.ins().load(types::I64, buffer, 32);
        self.check(state, &rt::FAIL_BUFFER_ENDED, &[buffer], span)?;
        let len = self.b.ins().load(types::I64, buffer, 0);
        Ok(self.b.ins().ireduce(types::I32, len))
    }

    /// End the `use` scope of `bindings` (latest first): release a
    /// buffer, or call an object's `Dispose`.
    pub(super) fn dispose(&mut self, bindings: &[NodeId]) -> R<()> {
        for &bnd in bindings.iter().rev() {
            let is_use = self.cx.psg.binding(bnd).is_some_and(|i| i.is_use);
            if !is_use {
                continue;
            }
            if let Some(member) = self.cx.facts.types.disposal(bnd) {
                // An object implementing IDisposable: `x.Dispose ()`.
                let Some(&place) = self.places.get(&bnd) else {
                    continue;
                };
                let obj = self.load_place(place);
                let instance = self.instance_for(bnd, member)?;
                let func = self.cx.instances[instance].func;
                self.call_func(func, &[obj]);
                continue;
            }
            if !matches!(self.type_of(bnd), Type::Buffer(..)) {
                continue;
            }
            let Some(&place) = self.places.get(&bnd) else {
                continue;
            };
            let buf = self.load_place(place);
            let name_span = self.cx.psg.binding(bnd).map(|b| b.name_span);
            let loc = self.cx.location(name_span.unwrap_or(self.cx.psg.span(bnd)));
            let loc = self.string_ptr(&loc)?;
            self.runtime(&rt::BUFFER_FREE, &[buf, loc])?;
        }
        Ok(())
    }
}
