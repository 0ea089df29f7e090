//! Closures: function values, partial application, and calls through
//! closures (see the crate docs for their layout).

use super::{Lowering, Val, R};
use crate::ir::{types, CallConv, Callee, FuncId, Function, Signature, Value};
use crate::lower::{internal, Cx};
use crate::values::machine_type;
use clef_psg::*;

/// The entry a closure calls with its `k`-th argument (see
/// `Cx::closure_stub`): unpack the environment, then either call the
/// function (last argument) or return a closure holding one more argument.
pub(crate) fn lower_closure_stub(
    cx: &mut Cx,
    func: &mut Function,
    instance: usize,
    k: usize,
) -> R<()> {
    let shape = cx.closure_shape(instance);
    super::lower_generated(cx, func, |l, params| {
        let env = params[0];
        let arg = params.get(1).copied();
        let stored = shape
            .captures
            .iter()
            .chain(&shape.params[..k - 1])
            .flatten();
        let mut values = Vec::new();
        for (i, &t) in stored.enumerate() {
            values.push(l.b.ins().load(t, env, 8 * (i as i32 + 1)));
        }
        values.extend(arg);
        if k == shape.params.len() {
            let f = l.cx.instances[instance].func;
            l.b.ins().return_call(Callee::Func(f), &values);
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
        for (v, t) in self.cx.facts.types.instantiation(reference) {
            subst.retain(|(u, _)| u != v);
            let concrete = t.map_vars(&|u| Some(self.subst.get(&u).cloned().unwrap_or(Type::Unit)));
            subst.push((*v, concrete));
        }
        Ok(self.cx.instance(callee, &subst))
    }

    /// Values of the locals a function captures, as seen from here.
    pub(super) fn captured_values(&mut self, callee: NodeId) -> Vec<Value> {
        let mut values = Vec::new();
        for c in self.cx.facts.captures(callee).to_vec() {
            if let Some(&p) = self.places.get(&c) {
                values.push(self.load_place(p));
            }
        }
        values
    }

    pub(super) fn apply(&mut self, id: NodeId, kids: &[NodeId], tail: bool) -> R<Val> {
        let (head, args) = (kids[0], &kids[1..]);
        if let Some(b) = self.cx.psg.builtin(head) {
            return self.builtin(id, b, args);
        }
        if let Some((_, index)) = self.cx.psg.case(head) {
            return self.construct_case(id, index, args).map(Some);
        }
        if let Some(Member::Declared(member)) = self.cx.facts.types.member(head) {
            // `x.M a`: the member's function applied to `x`, then to `a`.
            let mut all = vec![self.cx.psg.children(head)[0]];
            all.extend_from_slice(args);
            return self.call_known(head, member, &all, 1, tail);
        }
        let callee = self
            .cx
            .psg
            .definition(head)
            .map(BindingId::node)
            .filter(|&d| self.cx.psg.binding(d).is_some_and(|b| b.is_function()));
        let Some(callee) = callee else {
            // A function value: a closure.
            let clo = self.value(head, false)?;
            let fty = self.type_of(head);
            return self.apply_closure(clo, fty, args);
        };
        self.call_known(head, callee, args, 0, tail)
    }

    /// A call of the function `callee`, named by `head` (whose recorded
    /// instantiation picks the instance), with `args`; `given` of them are
    /// already applied in `head`'s type (the object of a member access).
    /// Fewer arguments than the function takes make a closure; more apply
    /// its result.
    pub(super) fn call_known(
        &mut self,
        head: NodeId,
        callee: NodeId,
        args: &[NodeId],
        given: usize,
        tail: bool,
    ) -> R<Val> {
        let arity = self.cx.psg.binding(callee).map_or(0, |b| b.arity);
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
                    let args: Vec<Value> = values.into_iter().collect();
                    self.b.ins().jump(header, &args);
                    self.filled = true;
                    return Ok(None);
                }
            }
        }
        let func: FuncId = self.cx.instances[instance].func;
        if tail && self.this.is_some() {
            self.b.ins().return_call(Callee::Func(func), &values);
            self.filled = true;
            return Ok(None);
        }
        let result = self.call_func(func, &values);
        if rest.is_empty() {
            return Ok(result);
        }
        // Over-application: the result is a function value.
        let clo = result.ok_or_else(|| internal("a function result without a value"))?;
        let (_, result_ty) = self.type_of(head).uncurry(arity - given);
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
        let stub = self.cx.closure_stub(instance, k);
        let stored: Vec<Value> = captures
            .into_iter()
            .chain(args.iter().flatten().copied())
            .collect();
        let size = self
            .b
            .ins()
            .iconst(types::I64, 8 * (1 + stored.len() as i64));
        let block = self.b.ins().alloc(size);
        let entry = self.b.ins().func_addr(stub);
        self.b.ins().store(entry, block, 0);
        for (i, v) in stored.into_iter().enumerate() {
            self.b.ins().store(v, block, 8 * (i as i32 + 1));
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
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.push(types::I64);
        sig.params.extend(machine_type(param));
        sig.returns.extend(machine_type(ret));
        let ret = sig.returns.first().copied();
        let entry = self.b.ins().load(types::I64, clo, 0);
        let mut call_args = vec![clo];
        call_args.extend(arg);
        let call = self
            .b
            .ins()
            .call(Callee::Indirect(sig, entry), ret, &call_args);
        self.b.inst_results(call).first().copied()
    }
}
