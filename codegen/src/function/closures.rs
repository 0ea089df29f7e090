//! Closures: function values, partial application, and calls through
//! closures (see the crate docs for their layout).

use super::{Lowering, Val, R};
use crate::runtime_abi as rt;
use crate::values::clif_type;
use crate::{internal, Codegen};
use clef_psg::*;
use cranelift_codegen::ir::{self, types, BlockArg, InstBuilder, MemFlagsData, Value};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::FuncId;

/// The entry a closure calls with its `k`-th argument (see
/// `Codegen::closure_stub`): unpack the environment, then either call the
/// function (last argument) or return a closure holding one more argument.
pub(crate) fn lower_closure_stub(
    cg: &mut Codegen,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    instance: usize,
    k: usize,
) -> R<()> {
    let shape = cg.closure_shape(instance);
    super::lower_generated(cg, ctx, fctx, |l, params| {
        let env = params[0];
        let arg = params.get(1).copied();
        let stored = shape
            .captures
            .iter()
            .chain(&shape.params[..k - 1])
            .flatten();
        let mut values = Vec::new();
        for (i, &t) in stored.enumerate() {
            values.push(
                l.b.ins()
                    .load(t, MemFlagsData::trusted(), env, 8 * (i as i32 + 1)),
            );
        }
        values.extend(arg);
        if k == shape.params.len() {
            let fref = l.func_ref(l.cg.instances[instance].func);
            l.b.ins().return_call(fref, &values);
            l.filled = true;
            return Ok(None);
        }
        let ncaps = shape.captures.iter().flatten().count();
        let (captures, args) = values.split_at(ncaps);
        let mut typed_args = args.iter();
        let given: Vec<Val> = shape.params[..k]
            .iter()
            .map(|t| t.and_then(|_| typed_args.next().copied()))
            .collect();
        l.make_closure(instance, captures.to_vec(), &given)
            .map(Some)
    })
}

impl Lowering<'_, '_, '_> {
    /// The instance a reference to a function binding names, from here.
    pub(super) fn instance_for(&mut self, reference: NodeId, callee: NodeId) -> R<usize> {
        // The callee's type variables, as seen from this instance.
        let mut subst: Vec<(TyVar, Type)> =
            self.subst.iter().map(|(v, t)| (*v, t.clone())).collect();
        for (v, t) in self.cg.facts.types.instantiation(reference) {
            subst.retain(|(u, _)| u != v);
            let concrete = t.map_vars(&|u| Some(self.subst.get(&u).cloned().unwrap_or(Type::Unit)));
            subst.push((*v, concrete));
        }
        self.cg.instance(callee, &subst).map_err(|e| internal(e))
    }

    /// Values of the locals a function captures, as seen from here.
    pub(super) fn captured_values(&mut self, callee: NodeId) -> Vec<Value> {
        let mut values = Vec::new();
        for c in self.cg.facts.captures(callee).to_vec() {
            if let Some(&p) = self.places.get(&c) {
                values.push(self.load_place(p));
            }
        }
        values
    }

    pub(super) fn apply(&mut self, id: NodeId, kids: &[NodeId], tail: bool) -> R<Val> {
        let (head, args) = (kids[0], &kids[1..]);
        if let Some(b) = self.cg.psg.builtin(head) {
            return self.builtin(id, b, args);
        }
        if let Some((_, index)) = self.cg.psg.case(head) {
            return self.construct_case(id, index, args).map(Some);
        }
        let callee = self
            .cg
            .psg
            .definition(head)
            .map(BindingId::node)
            .filter(|&d| self.cg.psg.binding(d).is_some_and(|b| b.is_function()));
        let Some(callee) = callee else {
            // A function value: a closure.
            let clo = self.value(head, false)?;
            let fty = self.type_of(head);
            return self.apply_closure(clo, fty, args);
        };
        let arity = self.cg.psg.binding(callee).map_or(0, |b| b.arity);
        let instance = self.instance_for(head, callee)?;
        let mut values = self.captured_values(callee);
        if args.len() < arity {
            // Partial application: a closure holding the arguments so far.
            let mut given = Vec::new();
            for &a in args {
                given.push(self.expr(a, false)?);
            }
            return self.make_closure(instance, values, &given).map(Some);
        }
        let (direct, rest) = args.split_at(arity);
        for &a in direct {
            if let Some(v) = self.expr(a, false)? {
                values.push(v);
            }
        }
        // Over-application (`f a b` where `f a` returns a function): every
        // argument is evaluated before the call, as in F#.
        let rest_values = rest
            .iter()
            .map(|&a| self.expr(a, false))
            .collect::<R<Vec<Val>>>()?;
        let tail = tail && rest.is_empty();
        if tail {
            if let Some((me, header)) = self.this {
                if me == instance {
                    let args: Vec<BlockArg> = values.into_iter().map(BlockArg::Value).collect();
                    self.b.ins().jump(header, &args);
                    self.filled = true;
                    return Ok(None);
                }
            }
        }
        let func: FuncId = self.cg.instances[instance].func;
        let fref = self.func_ref(func);
        if tail && self.this.is_some() {
            self.b.ins().return_call(fref, &values);
            self.filled = true;
            return Ok(None);
        }
        let call = self.b.ins().call(fref, &values);
        let result = self.b.inst_results(call).first().copied();
        if rest.is_empty() {
            return Ok(result);
        }
        // Over-application: the result is a function value.
        let clo = result.ok_or_else(|| internal("a function result without a value"))?;
        let (_, result_ty) = self.type_of(head).uncurry(arity);
        self.apply_closure_to(clo, result_ty, rest_values)
    }

    /// A closure of `instance` holding its captured values and the first
    /// arguments (`None` for unit ones), waiting for the next argument.
    pub(super) fn make_closure(
        &mut self,
        instance: usize,
        captures: Vec<Value>,
        args: &[Val],
    ) -> R<Value> {
        let k = args.len() + 1;
        let stub = self.cg.closure_stub(instance, k).map_err(|e| internal(e))?;
        let stored: Vec<Value> = captures
            .into_iter()
            .chain(args.iter().flatten().copied())
            .collect();
        let size = self
            .b
            .ins()
            .iconst(types::I64, 8 * (1 + stored.len() as i64));
        let block = self
            .runtime(&rt::ALLOC, &[size])?
            .ok_or_else(|| internal("allocation without a result"))?;
        let fref = self.func_ref(stub);
        let entry = self.b.ins().func_addr(types::I64, fref);
        self.b.ins().store(MemFlagsData::trusted(), entry, block, 0);
        for (i, v) in stored.into_iter().enumerate() {
            self.b
                .ins()
                .store(MemFlagsData::trusted(), v, block, 8 * (i as i32 + 1));
        }
        Ok(block)
    }

    /// Apply a closure of type `fty` to arguments, one at a time.
    pub(super) fn apply_closure(&mut self, clo: Value, fty: Type, args: &[NodeId]) -> R<Val> {
        // F# evaluates every argument, left to right, before applying.
        let values = args
            .iter()
            .map(|&a| self.expr(a, false))
            .collect::<R<Vec<Val>>>()?;
        self.apply_closure_to(clo, fty, values)
    }

    /// Apply a closure of type `fty` to argument values, one at a time.
    fn apply_closure_to(&mut self, mut clo: Value, mut fty: Type, values: Vec<Val>) -> R<Val> {
        let len = values.len();
        let mut result = None;
        for (i, arg) in values.into_iter().enumerate() {
            let Type::Fun(param, ret) = fty else {
                return Err(internal("applying a value that is not a function"));
            };
            result = self.call_closure(clo, &param, &ret, arg);
            if i + 1 < len {
                clo = result.ok_or_else(|| internal("a curried result without a value"))?;
            }
            fty = *ret;
        }
        Ok(result)
    }

    /// Call a closure of type `param -> ret` with one argument.
    pub(super) fn call_closure(&mut self, clo: Value, param: &Type, ret: &Type, arg: Val) -> Val {
        let mut sig = ir::Signature::new(cranelift_codegen::isa::CallConv::Tail);
        sig.params.push(ir::AbiParam::new(types::I64));
        if let Some(t) = clif_type(param) {
            sig.params.push(ir::AbiParam::new(t));
        }
        if let Some(t) = clif_type(ret) {
            sig.returns.push(ir::AbiParam::new(t));
        }
        let sigref = self.b.import_signature(sig);
        let entry = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), clo, 0);
        let mut call_args = vec![clo];
        call_args.extend(arg);
        let call = self.b.ins().call_indirect(sigref, entry, &call_args);
        self.b.inst_results(call).first().copied()
    }
}
