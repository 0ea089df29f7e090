//! Exceptions: `raise`, `reraise ()`, `try … with` and `try … finally`
//! (the runtime's side, and why it is safe, is `barewire::exceptions`).
//!
//! A `try` body becomes a function of its own, the *try function*
//! (`clef_try_N`): its parameters are the runtime handler record (a stack
//! slot of the enclosing function) and the locals the body uses. It
//! enters the handler, calls `setjmp`, and on the first return runs the
//! body, leaves the handler and returns the body's value; on the second
//! (an exception was raised) it returns a zero at once, using no value.
//! The enclosing function calls it, then reads the handler's exception
//! slot: null means the body returned; otherwise the `with` arms are
//! tested against the exception (none matching raises it again), or the
//! `finally` code runs and raises it again.
//!
//! A `let mutable` the body uses is passed by address: copied into a
//! stack slot before the call and read back after it (both ways out), so
//! an assignment made before the exception is seen by the handler, as in
//! F#. Inside the try function such a local is a place in memory
//! ([`Place::Addr`]); a `try` nested in it passes the same address on.

use super::{Lowering, Place, Val, R};
use crate::builder::FunctionBuilder;
use crate::ir::{types, CallConv, Function, IntCC, Linkage, Signature, Ty, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use crate::values::machine_type;
use barewire_model::exceptions::{HANDLER_BYTES, HANDLER_JMP_BUF};
use clef_psg::*;
use std::collections::{BTreeSet, HashMap};

/// A local the try body uses, as the try function receives it.
enum Capture {
    /// An immutable local: its value.
    Value(NodeId, Ty),
    /// A `let mutable` of the enclosing function: the address of a stack
    /// slot holding it (copied in and out around the call).
    Copied(NodeId, crate::ir::Var, Ty),
    /// A local that is already in memory (in an enclosing try
    /// function): its address, passed on.
    Address(NodeId, crate::ir::Var, Ty),
}

impl Lowering<'_, '_, '_> {
    /// `raise e`: never returns; code after it is unreachable.
    pub(super) fn raise(&mut self, exn: Value, apply: NodeId) -> R<Val> {
        self.runtime(&rt::RAISE, &[exn])?;
        self.b.ins().trap();
        let dead = self.b.create_block();
        self.switch_to(dead);
        let t = self.type_of(apply);
        Ok(machine_type(&t).map(|ct| self.zero(ct)))
    }

    /// `reraise ()`: the exception the innermost handler caught.
    pub(super) fn reraise(&mut self, apply: NodeId) -> R<Val> {
        let exn = *self
            .caught
            .last()
            .ok_or_else(|| internal("`reraise` outside a handler"))?;
        self.raise(exn, apply)
    }

    /// `try body with arms`.
    pub(super) fn try_with(&mut self, id: NodeId, kids: &[NodeId], tail: bool) -> R<Val> {
        let ty = self.type_of(id);
        let (value, exn) = self.run_try_body(id, kids[0])?;
        let done = self.b.create_block();
        let result = machine_type(&ty).map(|t| self.b.append_block_param(done, t));
        let handler = self.b.create_block();
        let threw = self.b.ins().icmp_imm_s(IntCC::NotEqual, exn, 0);
        let normal: Vec<Value> = value.into_iter().collect();
        self.b.ins().brif(threw, handler, &[], done, &normal);
        self.b.set_cold_block(handler);
        self.switch_to(handler);
        let exn_ty = self.type_of_exn();
        self.caught.push(exn);
        let arms = self.handler_arms(&kids[1..], exn, &exn_ty, (done, result), tail);
        self.caught.pop();
        arms?;
        self.switch_to(done);
        Ok(result)
    }

    /// `try body finally cleanup`: the cleanup runs after the body either
    /// way; after an exception, the exception goes on.
    pub(super) fn try_finally(&mut self, id: NodeId, kids: &[NodeId]) -> R<Val> {
        let ty = self.type_of(id);
        let (value, exn) = self.run_try_body(id, kids[0])?;
        self.expr(kids[1], false)?;
        if self.filled {
            return Ok(value);
        }
        let done = self.b.create_block();
        let result = machine_type(&ty).map(|t| self.b.append_block_param(done, t));
        let again = self.b.create_block();
        let threw = self.b.ins().icmp_imm_s(IntCC::NotEqual, exn, 0);
        let normal: Vec<Value> = value.into_iter().collect();
        self.b.ins().brif(threw, again, &[], done, &normal);
        self.b.set_cold_block(again);
        self.switch_to(again);
        self.runtime(&rt::RAISE, &[exn])?;
        self.b.ins().trap();
        self.switch_to(done);
        Ok(result)
    }

    /// The arms of a handler, each tested in turn against the caught
    /// exception; after the last, the exception is raised again.
    fn handler_arms(
        &mut self,
        arms: &[NodeId],
        exn: Value,
        exn_ty: &Type,
        (done, result): (crate::ir::Block, Val),
        tail: bool,
    ) -> R<()> {
        for &arm in arms {
            let parts = self.cx.psg.children(arm);
            let next = self.b.create_block();
            self.test_pattern(parts[0], Some(exn), exn_ty, next)?;
            self.guard_and_body(&parts, next, (done, result), tail)?;
        }
        self.runtime(&rt::RAISE, &[exn])?;
        self.b.ins().trap();
        Ok(())
    }

    /// `e.Message`: the field of a built-in exception, else the `%A`.
    pub(super) fn exn_message(&mut self, exn: Value) -> R<Value> {
        let tag = self.b.ins().load_immutable(types::I64, exn, 0);
        let builtin = barewire_model::exceptions::BUILTIN.len() as i64;
        let is_builtin = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, tag, builtin);
        let field = self.b.create_block();
        let printed = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::I64);
        self.b.ins().brif(is_builtin, field, &[], printed, &[]);
        self.switch_to(field);
        let message = self.b.ins().load_immutable(types::I64, exn, 8);
        self.b.ins().jump(done, &[message]);
        self.switch_to(printed);
        self.runtime(&rt::CAPTURE_BEGIN, &[])?;
        let exn_ty = self.type_of_exn();
        self.print_structured(&exn_ty, Some(exn))?;
        let text = self
            .runtime(&rt::CAPTURE_END, &[])?
            .ok_or_else(|| internal("a capture returns its string"))?;
        self.b.ins().jump(done, &[text]);
        self.switch_to(done);
        Ok(result)
    }

    fn type_of_exn(&self) -> Type {
        self.cx.psg.exn_type()
    }

    /// Call the try function of `body` with a fresh handler record: the
    /// body's value (a zero if it raised) and the exception (null if not).
    fn run_try_body(&mut self, try_node: NodeId, body: NodeId) -> R<(Val, Value)> {
        let captures = self.try_captures(body);
        let ret = machine_type(&self.type_of(body));
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.push(Ty::I64);
        for c in &captures {
            sig.params.push(match c {
                Capture::Value(_, t) => *t,
                Capture::Copied(..) | Capture::Address(..) => Ty::I64,
            });
        }
        sig.returns.extend(ret);
        let name = format!("clef_try_{}", self.cx.try_functions);
        self.cx.try_functions += 1;
        let f = self
            .cx
            .program
            .declare_function(&name, Linkage::Local, &sig);
        let mut func = Function::new(f, sig);
        self.lower_try_function(&mut func, body, &captures, ret)?;
        let line = self.cx.location(self.cx.psg.span(try_node));
        self.cx.define(func, format!("body of the `try` at {line}"));

        let slot = self.b.create_stack_slot(HANDLER_BYTES);
        let handler = self.b.ins().stack_addr(slot, 0);
        let mut args = vec![handler];
        let mut copied = Vec::new();
        for c in &captures {
            match c {
                Capture::Value(b, _) => {
                    let p = self.places[b];
                    args.push(self.load_place(p));
                }
                Capture::Copied(_, var, t) => {
                    let cell = self.b.create_stack_slot(8);
                    let addr = self.b.ins().stack_addr(cell, 0);
                    let v = self.b.use_var(*var);
                    self.b.ins().store(v, addr, 0);
                    args.push(addr);
                    copied.push((*var, *t, addr));
                }
                Capture::Address(_, var, _) => args.push(self.b.use_var(*var)),
            }
        }
        let value = self.call_func(f, &args);
        for (var, t, addr) in copied {
            let v = self.b.ins().load(t, addr, 0);
            self.b.def_var(var, v);
        }
        let exn = self.b.ins().load(types::I64, handler, 0);
        Ok((value, exn))
    }

    /// The body of a try function (see the module's documentation).
    fn lower_try_function(
        &mut self,
        func: &mut Function,
        body: NodeId,
        captures: &[Capture],
        ret: Option<Ty>,
    ) -> R<()> {
        let mut places: HashMap<NodeId, Place> = self
            .places
            .iter()
            .filter(|(_, p)| matches!(p, Place::Global(..)))
            .map(|(&n, &p)| (n, p))
            .collect();
        let subst = self.subst.clone();
        let print_site = self.print_site;
        let mut l = Lowering::new(self.cx, FunctionBuilder::new(func), subst, HashMap::new());
        l.print_site = print_site;
        let entry = l.b.create_block();
        l.b.append_block_params_for_function_params(entry);
        l.b.switch_to_block(entry);
        let params = l.b.block_params(entry).to_vec();
        let handler = params[0];
        l.runtime(&rt::TRY_ENTER, &[handler])?;
        let buf = l.b.ins().iadd_imm_s(handler, i64::from(HANDLER_JMP_BUF));
        let again = l
            .runtime(&rt::SETJMP, &[buf])?
            .ok_or_else(|| internal("setjmp returns a value"))?;
        let run = l.b.create_block();
        let threw = l.b.create_block();
        l.b.ins().brif(again, threw, &[], run, &[]);
        // Second return from `setjmp`: nothing may be read here.
        l.switch_to(threw);
        let zero: Vec<Value> = ret.map(|t| l.zero(t)).into_iter().collect();
        l.b.ins().return_(&zero);
        l.switch_to(run);
        for (c, &v) in captures.iter().zip(&params[1..]) {
            let (binding, place) = match c {
                Capture::Value(b, t) => {
                    let var = l.b.declare_var(*t);
                    l.b.def_var(var, v);
                    (*b, Place::Local(var))
                }
                Capture::Copied(b, _, t) | Capture::Address(b, _, t) => {
                    let var = l.b.declare_var(Ty::I64);
                    l.b.def_var(var, v);
                    (*b, Place::Addr(var, *t))
                }
            };
            places.insert(binding, place);
        }
        l.places = places;
        let v = l.expr(body, false)?;
        if !l.filled {
            l.runtime(&rt::TRY_LEAVE, &[handler])?;
            let rets: Vec<Value> = v.into_iter().collect();
            l.b.ins().return_(&rets);
        }
        Ok(())
    }

    /// The locals of this function that `body` reads or writes, directly
    /// or through the local functions and lambdas it uses, in a fixed
    /// order.
    fn try_captures(&self, body: NodeId) -> Vec<Capture> {
        let psg = self.cx.psg;
        let mut used: BTreeSet<NodeId> = BTreeSet::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if let Some(def) = psg.definition(n).map(BindingId::node) {
                used.insert(def);
                used.extend(self.cx.facts.captures(def).iter().copied());
            }
            used.extend(self.cx.facts.captures(n).iter().copied());
            stack.extend(psg.children(n));
        }
        used.into_iter()
            .filter_map(|b| match self.places.get(&b)? {
                Place::Local(var) => {
                    let t = self.b.var_type(*var);
                    let mutable = psg.binding(b).is_some_and(|i| i.is_mutable);
                    Some(if mutable {
                        Capture::Copied(b, *var, t)
                    } else {
                        Capture::Value(b, t)
                    })
                }
                Place::Addr(var, t) => Some(Capture::Address(b, *var, *t)),
                Place::Global(..) => None,
            })
            .collect()
    }
}

/// `clef_exception_text` (C convention, `exn` → string): the `%A` of an
/// exception, which the runtime prints when nothing catches one the
/// program declared.
pub(crate) fn lower_exception_text(cx: &mut crate::lower::Cx, func: &mut Function) -> R<()> {
    super::lower_generated(cx, func, |l, params| {
        let exn_ty = l.type_of_exn();
        l.runtime(&rt::CAPTURE_BEGIN, &[])?;
        l.print_structured(&exn_ty, Some(params[0]))?;
        l.runtime(&rt::CAPTURE_END, &[])
    })
}
