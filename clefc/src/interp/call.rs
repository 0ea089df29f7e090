//! Calls: named functions, closures (partial application), tail calls,
//! and the type substitution each call runs under.
//!
//! Invariants:
//! * A function's frame binds its captured locals (the captures table, read
//!   from the caller's frame, as codegen's lambda lifting passes them),
//!   then its parameters.
//! * A saturated call in tail position is not made: it comes back to the
//!   loop in [`Interp::call_function`] as a [`Ret::Tail`], so tail
//!   recursion runs in constant stack, as compiled code's `return_call`.
//! * Every argument of an application is evaluated, left to right, before
//!   the function is entered (F#'s order).
//! * Substitutions are computed as codegen's `instance_for` does (the
//!   caller's, overridden by the reference's instantiation, restricted to
//!   the callee's variables) and interned, so a call costs one look-up.

use super::value::{Closure, SubstId, Value};
use super::{internal, Env, Interp, R};
use clef_psg::*;
use std::collections::BTreeSet;
use std::rc::Rc;

/// The result of an expression in tail position.
pub enum Ret {
    Val(Value),
    /// Call `func` under `subst` with captured values then arguments.
    Tail(NodeId, SubstId, Vec<Value>),
}

impl Interp<'_> {
    /// Call a function binding with its captured values then its
    /// arguments (all of them), running tail calls in a loop.
    pub fn call_function(
        &mut self,
        mut func: NodeId,
        mut subst: SubstId,
        mut values: Vec<Value>,
    ) -> R<Value> {
        self.check_stack()?;
        loop {
            let arity = self.psg.binding(func).map_or(0, |b| b.arity);
            let kids = self.kids(func);
            let Some(&body) = kids.get(arity) else {
                return internal("a function without a body");
            };
            let mut env = Env::new(subst);
            let names = self.facts.captures(func).iter().chain(&kids[..arity]);
            env.locals.extend(names.copied().zip(values));
            match self.eval_in(body, &mut env, true)? {
                Ret::Val(v) => return Ok(v),
                Ret::Tail(f, s, v) => (func, subst, values) = (f, s, v),
            }
        }
    }

    /// The values of the locals a function captures, from this frame.
    pub fn captured(&self, func: NodeId, env: &Env) -> R<Rc<[Value]>> {
        let captures = self.facts.captures(func);
        if captures.is_empty() {
            return Ok(self.no_captures.clone());
        }
        captures.iter().map(|&c| self.lookup(c, env)).collect()
    }

    /// `f a b …` where `f` names a function binding (or is any function
    /// value); `tail` when the application's value is the function's.
    pub fn apply_named(
        &mut self,
        head: NodeId,
        callee: NodeId,
        args: &[NodeId],
        env: &mut Env,
        tail: bool,
    ) -> R<Ret> {
        let arity = self.psg.binding(callee).map_or(0, |b| b.arity);
        let subst = self.callee_subst(head, callee, env.subst);
        let captured = self.captured(callee, env)?;
        let mut values = Vec::with_capacity(args.len());
        for &a in args {
            values.push(self.eval(a, env)?);
        }
        if values.len() < arity {
            return Ok(Ret::Val(Value::Closure(Rc::new(Closure {
                func: callee,
                subst,
                captured,
                args: values,
            }))));
        }
        let rest = values.split_off(arity);
        let mut all = captured.to_vec();
        all.extend(values);
        if rest.is_empty() {
            if tail {
                return Ok(Ret::Tail(callee, subst, all));
            }
            return Ok(Ret::Val(self.call_function(callee, subst, all)?));
        }
        let f = self.call_function(callee, subst, all)?;
        self.apply_value(f, rest, tail)
    }

    /// Apply a function value to arguments, one at a time (a closure
    /// that receives its last argument calls its function).
    pub fn apply_value(&mut self, mut f: Value, args: Vec<Value>, tail: bool) -> R<Ret> {
        let n = args.len();
        for (i, arg) in args.into_iter().enumerate() {
            let Value::Closure(c) = &f else {
                return internal(format!("applying a {} as a function", f.kind()));
            };
            let arity = self.psg.binding(c.func).map_or(0, |b| b.arity);
            let mut given = c.args.clone();
            given.push(arg);
            if given.len() < arity {
                f = Value::Closure(Rc::new(Closure {
                    func: c.func,
                    subst: c.subst,
                    captured: c.captured.clone(),
                    args: given,
                }));
                continue;
            }
            let mut all = c.captured.to_vec();
            all.extend(given);
            let (func, subst) = (c.func, c.subst);
            if tail && i + 1 == n {
                return Ok(Ret::Tail(func, subst, all));
            }
            f = self.call_function(func, subst, all)?;
        }
        Ok(Ret::Val(f))
    }

    /// Apply a function value to one argument, not in tail position.
    pub fn call_value(&mut self, f: &Value, arg: Value) -> R<Value> {
        match self.apply_value(f.clone(), vec![arg], false)? {
            Ret::Val(v) => Ok(v),
            Ret::Tail(..) => internal("a tail call outside tail position"),
        }
    }

    /// A named function used as a value, or a lambda: a closure with no
    /// arguments yet.
    pub fn closure_of(&mut self, reference: NodeId, func: NodeId, env: &Env) -> R<Value> {
        let subst = self.callee_subst(reference, func, env.subst);
        Ok(Value::Closure(Rc::new(Closure {
            func,
            subst,
            captured: self.captured(func, env)?,
            args: Vec::new(),
        })))
    }

    /// The substitution `callee` runs under when `reference` (a `Var`
    /// naming it, or a lambda) is evaluated under `caller`'s.
    pub fn callee_subst(&mut self, reference: NodeId, callee: NodeId, caller: SubstId) -> SubstId {
        if let Some((c, s)) = self.last_subst[reference.index()] {
            if c == caller {
                return s;
            }
        }
        if let Some(&s) = self.callee_substs.get(&(reference, caller)) {
            self.last_subst[reference.index()] = Some((caller, s));
            return s;
        }
        let base = &self.substs[caller as usize];
        let mut subst = base.0.clone();
        for (v, t) in self.facts.types.instantiation(reference) {
            subst.retain(|(u, _)| u != v);
            let concrete = t.map_vars(&|u| Some(base.1.get(&u).cloned().unwrap_or(Type::Unit)));
            subst.push((*v, concrete));
        }
        let relevant = self.function_vars(callee);
        let mut key: Vec<(TyVar, Type)> = subst
            .into_iter()
            .filter(|(v, _)| relevant.contains(v))
            .collect();
        key.sort_by_key(|(v, _)| *v);
        key.dedup_by_key(|(v, _)| *v);
        let id = match self.subst_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.substs.len() as SubstId;
                let map = key.iter().cloned().collect();
                self.substs.push((key.clone(), map));
                self.subst_ids.insert(key, id);
                id
            }
        };
        self.callee_substs.insert((reference, caller), id);
        self.last_subst[reference.index()] = Some((caller, id));
        id
    }

    /// Type variables mentioned anywhere inside a function binding.
    fn function_vars(&mut self, binding: NodeId) -> &BTreeSet<TyVar> {
        if !self.function_vars.contains_key(&binding) {
            let vars = self.facts.types.vars_within(self.psg, binding);
            self.function_vars
                .insert(binding, vars.into_iter().collect());
        }
        &self.function_vars[&binding]
    }
}
