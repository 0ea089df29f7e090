//! Expressions: one function per shape of `ExprKind`, in the order and
//! with the checks codegen's `function/mod.rs` has.
//!
//! Invariants:
//! * `eval_in(…, tail)` is the one dispatcher; `tail` is true only where
//!   the expression's value is the enclosing function's (the branches of
//!   `if` and `match`, a `let`'s body, a sequence's last item), and only
//!   there may it return [`Ret::Tail`].
//! * Operands are evaluated left to right, each once; checks (bounds,
//!   division) come after the operands, as in .NET.

use super::call::Ret;
use super::value::Value;
use super::{internal, Env, Interp, R};
use barewire::abi::messages;
use clef_frontend::ast::{BinOp, ForDirection};
use clef_psg::*;
use std::cell::RefCell;
use std::rc::Rc;

impl Interp<'_> {
    /// The value of an expression not in tail position.
    pub fn eval(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        match self.eval_in(id, env, false)? {
            Ret::Val(v) => Ok(v),
            Ret::Tail(..) => internal("a tail call outside tail position"),
        }
    }

    pub fn eval_in(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let psg = self.psg;
        let Some(kind) = psg.expr(id) else {
            return internal(format!("n{} is not an expression", id.index()));
        };
        let v = match kind {
            ExprKind::Lit(lit) => literal(lit),
            ExprKind::Var(_) => self.var(id, env)?,
            ExprKind::Member(_) => {
                if let Some(Member::Declared(binding)) = self.facts.types.member(id) {
                    // A property's value, or a method as a function value.
                    return self.apply_named(id, binding, &self.kids(id)[..1], env, tail);
                }
                self.member(id, env)?
            }
            ExprKind::Apply => return self.apply(id, env, tail),
            ExprKind::Binary(op) => self.binary_expr(id, *op, env)?,
            ExprKind::Neg => {
                let a = self.eval(self.kids(id)[0], env)?;
                super::arith::neg(a)?
            }
            ExprKind::If => return self.if_expr(id, env, tail),
            ExprKind::While => self.while_loop(id, env)?,
            ExprKind::For(dir) => self.for_loop(id, *dir, env)?,
            ExprKind::ForEach => self.for_each(id, env)?,
            ExprKind::Let => return self.let_expr(id, env, tail),
            ExprKind::Seq => return self.seq(id, env, tail),
            ExprKind::Assign => self.assign_expr(id, env)?,
            ExprKind::Tuple => Value::Tuple(self.eval_all(id, env)?.into()),
            ExprKind::Array => Value::array(self.eval_all(id, env)?),
            ExprKind::Match => return self.match_expr(id, env, tail),
            ExprKind::TryWith => return self.try_with(id, env),
            ExprKind::TryFinally => return self.try_finally(id, env),
            ExprKind::Record { fields: names, .. } => self.record(id, names, false, env)?,
            ExprKind::RecordUpdate(names) => self.record(id, names, true, env)?,
            ExprKind::Lambda => {
                let binding = self.kids(id)[0];
                self.closure_of(binding, binding, env)?
            }
            ExprKind::Index => self.index(id, env)?,
            ExprKind::Slice => self.slice(id, env)?,
            ExprKind::Typed(_) => return self.eval_in(self.kids(id)[0], env, tail),
            ExprKind::Error => return internal("an expression that failed to parse"),
        };
        Ok(Ret::Val(v))
    }

    fn eval_all(&mut self, id: NodeId, env: &mut Env) -> R<Vec<Value>> {
        let kids = self.kids(id);
        let mut out = Vec::with_capacity(kids.len());
        for &k in kids {
            out.push(self.eval(k, env)?);
        }
        Ok(out)
    }

    fn var(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        if self.psg.builtin(id) == Some(Builtin::Sizeof) {
            let t = self
                .facts
                .types
                .instantiation(id)
                .first()
                .map(|(_, t)| t.clone());
            let map = &self.substs[env.subst as usize].1;
            let t = t
                .unwrap_or(Type::Unit)
                .map_vars(&|v| Some(map.get(&v).cloned().unwrap_or(Type::Unit)));
            return Ok(Value::Int(size_of(&t)));
        }
        if let Some((_, index)) = self.psg.case(id) {
            return Ok(Value::case(index, Vec::new()));
        }
        let Some(def) = self.def(id) else {
            return internal("an unresolved name");
        };
        if self.psg.binding(def).is_some_and(|b| b.is_function()) {
            return self.closure_of(id, def, env);
        }
        self.lookup(def, env)
    }

    fn member(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let Some(member) = self.facts.types.member(id) else {
            return internal("a member the type checker did not decide");
        };
        let obj = self.eval(self.kids(id)[0], env)?;
        match (member, &obj) {
            (Member::Field(i), Value::Record(slots)) => match slots.borrow().get(i) {
                Some(v) => Ok(v.clone()),
                None => internal("a field index out of range"),
            },
            (Member::OptionIsSome, Value::Union(c)) => Ok(Value::Bool(c.tag == 1)),
            (Member::OptionIsNone, Value::Union(c)) => Ok(Value::Bool(c.tag == 0)),
            (Member::OptionValue, Value::Union(c)) => match c.fields.first() {
                Some(v) if c.tag == 1 => Ok(v.clone()),
                _ => self.throw(messages::NONE_EXN, messages::NONE, self.psg.span(id)),
            },
            (Member::Length, Value::Str(s)) => Ok(Value::Int(s.len() as i32)),
            (Member::Length, Value::Array(a)) => Ok(Value::Int(a.borrow().len() as i32)),
            (Member::BufferLength, Value::Buffer(b)) => {
                self.live_buffer(b, "access the buffer", self.psg.span(id))?;
                Ok(Value::Int(b.cells.borrow().len() as i32))
            }
            (Member::ExnMessage, Value::Union(c)) => match c.fields.first() {
                Some(m @ Value::Str(_)) if c.tag < barewire::exceptions::BUILTIN.len() => {
                    Ok(m.clone())
                }
                _ => {
                    barewire::io::capture_begin();
                    let printed = self.structured_text(&self.exn_type(), &obj);
                    let text = barewire::io::capture_end();
                    printed?;
                    Ok(Value::str(&String::from_utf8_lossy(&text)))
                }
            },
            (m, v) => internal(format!("member {m:?} of a {}", v.kind())),
        }
    }

    fn apply(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let kids = self.kids(id);
        let (head, args) = (kids[0], &kids[1..]);
        if let Some(b) = self.psg.builtin(head) {
            return Ok(Ret::Val(self.builtin(id, b, args, env)?));
        }
        if let Some((decl, index)) = self.psg.case(head) {
            return Ok(Ret::Val(self.construct_case(decl, index, args, env)?));
        }
        if let Some(Member::Declared(member)) = self.facts.types.member(head) {
            // `x.M a`: the member's function applied to `x`, then to `a`.
            let mut all = vec![self.kids(head)[0]];
            all.extend_from_slice(args);
            return self.apply_named(head, member, &all, env, tail);
        }
        let callee = self
            .def(head)
            .filter(|&d| self.psg.binding(d).is_some_and(|b| b.is_function()));
        if let Some(callee) = callee {
            return self.apply_named(head, callee, args, env, tail);
        }
        let f = self.eval(head, env)?;
        let mut values = Vec::with_capacity(args.len());
        for &a in args {
            values.push(self.eval(a, env)?);
        }
        self.apply_value(f, values, tail)
    }

    /// `Case arg`: the field, or a tuple of the fields.
    fn construct_case(
        &mut self,
        decl: TypeDeclId,
        index: usize,
        args: &[NodeId],
        env: &mut Env,
    ) -> R<Value> {
        let arity = self
            .facts
            .types
            .declared_union_cases(decl.node())
            .get(index)
            .map_or(0, |(_, fs)| fs.len());
        let &[arg] = args else {
            return internal("a case applied to several arguments");
        };
        let v = self.eval(arg, env)?;
        let fields = match v {
            Value::Tuple(items) if arity > 1 => items.to_vec(),
            v if arity == 1 => vec![v],
            v => return internal(format!("case fields from a {}", v.kind())),
        };
        Ok(Value::case(index, fields))
    }

    fn binary_expr(&mut self, id: NodeId, op: BinOp, env: &mut Env) -> R<Value> {
        let kids = self.kids(id);
        let (l, r) = (kids[0], kids[1]);
        if matches!(op, BinOp::And | BinOp::Or) {
            let a = self.truth(l, env)?;
            if a == (op == BinOp::Or) {
                return Ok(Value::Bool(a));
            }
            return Ok(Value::Bool(self.truth(r, env)?));
        }
        let a = self.eval(l, env)?;
        let b = self.eval(r, env)?;
        self.binary(op, a, b, self.psg.span(id))
    }

    /// A condition's value.
    pub fn truth(&mut self, id: NodeId, env: &mut Env) -> R<bool> {
        match self.eval(id, env)? {
            Value::Bool(b) => Ok(b),
            v => internal(format!("a {} used as a condition", v.kind())),
        }
    }

    fn if_expr(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let kids = self.kids(id);
        let (c, then, els) = (kids[0], kids[1], kids.get(2).copied());
        if self.truth(c, env)? {
            self.eval_in(then, env, tail)
        } else if let Some(e) = els {
            self.eval_in(e, env, tail)
        } else {
            Ok(Ret::Val(Value::Unit))
        }
    }

    fn while_loop(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let (c, body) = (self.kids(id)[0], self.kids(id)[1]);
        while self.truth(c, env)? {
            self.eval(body, env)?;
        }
        Ok(Value::Unit)
    }

    /// `for i = a to b`: bounds once; stops at `b` without wrapping.
    fn for_loop(&mut self, id: NodeId, dir: ForDirection, env: &mut Env) -> R<Value> {
        let kids = self.kids(id);
        let (var, body) = (kids[0], kids[3]);
        let from = self.eval(kids[1], env)?;
        let to = self.eval(kids[2], env)?;
        let (Some((start, make)), Some((end, _))) = (loop_int(&from), loop_int(&to)) else {
            return internal("a loop over a non-integer");
        };
        let go = match dir {
            ForDirection::To => start <= end,
            ForDirection::Downto => start >= end,
        };
        if !go {
            return Ok(Value::Unit);
        }
        let mut i = start;
        loop {
            env.set(var, make(i));
            self.eval(body, env)?;
            if i == end {
                return Ok(Value::Unit);
            }
            i += if dir == ForDirection::To { 1 } else { -1 };
        }
    }

    /// `for x in collection`: an array by index (its length read once),
    /// a list by its cells.
    fn for_each(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let kids = self.kids(id);
        let (var, body) = (kids[0], kids[2]);
        match self.eval(kids[1], env)? {
            Value::Array(a) => {
                let len = a.borrow().len();
                for i in 0..len {
                    let x = a.borrow().get(i).cloned();
                    let Some(x) = x else {
                        return internal("an array shrank");
                    };
                    env.set(var, x);
                    self.eval(body, env)?;
                }
            }
            Value::Union(mut cell) => {
                while cell.tag == 1 {
                    let (Some(h), Some(Value::Union(t))) =
                        (cell.fields.first(), cell.fields.get(1))
                    else {
                        return internal("a malformed list cell");
                    };
                    let (h, t) = (h.clone(), t.clone());
                    env.set(var, h);
                    self.eval(body, env)?;
                    cell = t;
                }
            }
            v => return internal(format!("`for … in` over a {}", v.kind())),
        }
        Ok(Value::Unit)
    }

    fn let_expr(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let kids = self.kids(id);
        let (bindings, body) = kids.split_at(kids.len() - 1);
        let mut disposes = false;
        for &b in bindings {
            let Some(info) = self.psg.binding(b) else {
                return internal("a let without a binding");
            };
            disposes |= info.is_use;
            if info.is_function() {
                continue; // called by name, with its captures
            }
            if let Some(&value) = self.kids(b).get(info.arity) {
                let v = self.eval(value, env)?;
                env.set(b, v);
            }
        }
        if !disposes {
            return self.eval_in(body[0], env, tail);
        }
        // A `use` scope releases its buffers after the body (latest
        // first), so the body is not in tail position.
        let result = self.eval_in(body[0], env, false)?;
        for &b in bindings.iter().rev() {
            if !self.psg.binding(b).is_some_and(|i| i.is_use) {
                continue;
            }
            if let Some(member) = self.facts.types.disposal(b) {
                // An object implementing IDisposable: `x.Dispose ()`.
                let Some(obj) = env.get(b).cloned() else {
                    return internal("a `use` object without a value");
                };
                let subst = self.callee_subst(b, member, env.subst);
                self.call_function(member, subst, vec![obj, Value::Unit])?;
                continue;
            }
            if let Some(Value::Buffer(buf)) = env.get(b).cloned() {
                self.release(&buf, b)?;
            }
        }
        Ok(result)
    }

    fn seq(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let kids = self.kids(id);
        let Some((&last, rest)) = kids.split_last() else {
            return Ok(Ret::Val(Value::Unit));
        };
        for &k in rest {
            self.eval(k, env)?;
        }
        self.eval_in(last, env, tail)
    }

    fn assign_expr(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let (target, value) = (self.kids(id)[0], self.kids(id)[1]);
        if self.psg.expr(target) == Some(&ExprKind::Index) {
            let (a, i) = (self.kids(target)[0], self.kids(target)[1]);
            let arr = self.eval(a, env)?;
            let idx = self.eval(i, env)?;
            let v = self.eval(value, env)?;
            let (cells, i) = self.element(&arr, &idx, self.psg.span(target))?;
            cells.borrow_mut()[i] = v;
            return Ok(Value::Unit);
        }
        if let Some(ExprKind::Member(_)) = self.psg.expr(target) {
            // `r.X <- v`: a `mutable` field (the type checker saw to it).
            let Some(Member::Field(i)) = self.facts.types.member(target) else {
                return internal("an assignment to a member that is not a field");
            };
            let record = self.eval(self.kids(target)[0], env)?;
            let v = self.eval(value, env)?;
            let Value::Record(slots) = record else {
                return internal(format!("assigning a field of a {}", record.kind()));
            };
            match slots.borrow_mut().get_mut(i) {
                Some(slot) => *slot = v,
                None => return internal("a field index out of range"),
            }
            return Ok(Value::Unit);
        }
        let v = self.eval(value, env)?;
        let Some(def) = self.def(target) else {
            return internal("an assignment to an unresolved name");
        };
        self.assign(def, v, env)?;
        Ok(Value::Unit)
    }

    fn index(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let (a, i) = (self.kids(id)[0], self.kids(id)[1]);
        let arr = self.eval(a, env)?;
        let idx = self.eval(i, env)?;
        if let (Value::Str(s), Value::Int(i)) = (&arr, &idx) {
            // `s.[i]`: the byte, as a char.
            let len = s.len() as i64;
            return match usize::try_from(*i).ok().and_then(|k| s.as_bytes().get(k)) {
                Some(&b) => Ok(Value::Char(u32::from(b))),
                None => self.throw(
                    messages::INDEX_EXN,
                    &messages::index(i64::from(*i), len),
                    self.psg.span(id),
                ),
            };
        }
        let (cells, i) = self.element(&arr, &idx, self.psg.span(id))?;
        let v = cells.borrow()[i].clone();
        Ok(v)
    }

    /// `a.[from..to]` of an array or a string, clamped as the runtime's
    /// slices are (`barewire::abi::slice_bounds`).
    fn slice(&mut self, id: NodeId, env: &mut Env) -> R<Value> {
        let kids = self.kids(id);
        let coll = self.eval(kids[0], env)?;
        let (Value::Int(from), Value::Int(to)) =
            (self.eval(kids[1], env)?, self.eval(kids[2], env)?)
        else {
            return internal("slice bounds that are not ints");
        };
        match coll {
            Value::Str(s) => {
                let (lo, n) = barewire::abi::slice_bounds(s.len() as i64, from, to);
                let bytes = &s.as_bytes()[lo as usize..(lo + n) as usize];
                Ok(Value::Str(String::from_utf8_lossy(bytes).into()))
            }
            Value::Array(a) => {
                let items = a.borrow();
                let (lo, n) = barewire::abi::slice_bounds(items.len() as i64, from, to);
                Ok(Value::array(items[lo as usize..(lo + n) as usize].to_vec()))
            }
            v => internal(format!("a slice of a {}", v.kind())),
        }
    }

    /// The storage and position of `arr.[idx]`, bounds-checked.
    fn element<'v>(
        &self,
        arr: &'v Value,
        idx: &Value,
        span: clef_frontend::Span,
    ) -> R<(&'v std::cell::RefCell<Vec<Value>>, usize)> {
        let Value::Int(i) = *idx else {
            return internal(format!("an index of type {}", idx.kind()));
        };
        let (cells, buffer) = match arr {
            Value::Array(a) => (&**a, false),
            Value::Buffer(b) => {
                self.live_buffer(b, "access the buffer", span)?;
                (&b.cells, true)
            }
            v => return internal(format!("indexing a {}", v.kind())),
        };
        let len = cells.borrow().len() as i64;
        if (i as i64) < 0 || i as i64 >= len {
            if buffer {
                return self.fail(&messages::buffer_index(i as i64, len), span);
            }
            return self.throw(messages::INDEX_EXN, &messages::index(i as i64, len), span);
        }
        Ok((cells, i as usize))
    }

    fn match_expr(&mut self, id: NodeId, env: &mut Env, tail: bool) -> R<Ret> {
        let kids = self.kids(id);
        let v = self.eval(kids[0], env)?;
        for &arm in &kids[1..] {
            let parts = self.kids(arm);
            if !self.test_pattern(parts[0], &v, env)? {
                continue;
            }
            if parts.len() == 3 && !self.truth(parts[1], env)? {
                continue;
            }
            return self.eval_in(parts[parts.len() - 1], env, tail);
        }
        self.throw(messages::MATCH_EXN, messages::MATCH, self.psg.span(id))
    }

    /// `{ A = a; … }` (evaluated in written order, stored in declaration
    /// order) and `{ r with A = a }`.
    fn record(&mut self, id: NodeId, names: &[String], update: bool, env: &mut Env) -> R<Value> {
        let Some(fields) = self.record_field_names(self.facts.ty(id)) else {
            return internal("a record of a non-record type");
        };
        let kids = self.kids(id);
        let (base, written) = if update {
            match self.eval(kids[0], env)? {
                Value::Record(slots) => (Some(slots.borrow().clone()), &kids[1..]),
                v => return internal(format!("updating a {}", v.kind())),
            }
        } else {
            (None, kids)
        };
        let mut values = Vec::with_capacity(written.len());
        for &k in written {
            values.push(self.eval(k, env)?);
        }
        let mut slots = Vec::with_capacity(fields.len());
        for (i, f) in fields.iter().enumerate() {
            let v = match names.iter().position(|n| n == f) {
                Some(w) => values[w].clone(),
                None => match &base {
                    Some(b) => b[i].clone(),
                    None => return internal(format!("field {f} missing")),
                },
            };
            slots.push(v);
        }
        Ok(Value::Record(Rc::new(RefCell::new(slots))))
    }
}

pub fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Unit => Value::Unit,
        Literal::Int(v, IntTy::Int) => Value::Int(*v as i32),
        Literal::Int(v, IntTy::Int64) => Value::Int64(*v),
        Literal::Int(v, IntTy::Byte) => Value::Byte(*v as u8),
        Literal::Float(v, false) => Value::Float(*v),
        Literal::Float(v, true) => Value::Float32(*v as f32),
        Literal::Str(s) => Value::str(s),
        Literal::Char(c) => Value::Char(*c),
        Literal::Bool(b) => Value::Bool(*b),
    }
}

/// Makes a loop variable's value from an i64.
type MakeInt = fn(i64) -> Value;

/// A loop bound as an i64, and how to make a loop variable of its type.
fn loop_int(v: &Value) -> Option<(i64, MakeInt)> {
    Some(match v {
        Value::Int(i) => (*i as i64, |i| Value::Int(i as i32)),
        Value::Int64(i) => (*i, Value::Int64),
        Value::Byte(i) => (*i as i64, |i| Value::Byte(i as u8)),
        _ => return None,
    })
}

/// `sizeof<T>`: the bytes of T's machine representation (8 for heap
/// values), as codegen's `clif_type`.
fn size_of(t: &Type) -> i32 {
    match t.without_measure() {
        Type::Int | Type::Float32 => 4,
        Type::Byte | Type::Bool => 1,
        Type::Int64 | Type::Float => 8,
        Type::Unit | Type::Var(_) | Type::Measure(_) | Type::Error => 0,
        _ => 8,
    }
}
