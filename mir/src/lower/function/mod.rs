//! Lowering one function body (or the module initialiser) from the PSG to
//! MIR with [`FunctionBuilder`].
//!
//! Every expression lowers to an [`Val`]: `None` for `unit`, else one SSA
//! value. Named values are *places*: a local binding is a MIR variable; a
//! top-level value is a slot in a data object. `tail` marks expressions
//! whose value the function returns, where calls become tail calls.

use crate::builder::FunctionBuilder;
use crate::ir::{types, Block, Callee, DataId, FloatCC, FuncId, Function, IntCC, Ty, Value, Var};
use crate::lower::{internal, Cx};
use crate::runtime_abi::{self as rt, RuntimeFn};
use crate::values::{elem_size, machine_type};
use clef_frontend::ast::{BinOp, ForDirection};
use clef_frontend::{InternalError, Span};
use clef_psg::*;
use std::collections::HashMap;

mod arith;
mod arrays;
mod buffers;
mod builtins;
mod closures;
mod decision;
mod exceptions;
mod matching;
mod printing;
mod unions;

use arith::int_literal;

pub(crate) use closures::lower_closure_stub;
pub(crate) use exceptions::lower_exception_text;
pub(crate) use printing::lower_printer;
pub(crate) use unions::lower_relation;

type Val = Option<Value>;
type R<T> = Result<T, InternalError>;

/// Where a named value lives.
#[derive(Clone, Copy)]
enum Place {
    Local(Var),
    Global(DataId, Ty),
    /// In memory: the variable holds the address (a `let mutable` of an
    /// enclosing function, inside a `try` body's function).
    Addr(Var, Ty),
}

struct Lowering<'c, 'p, 'f> {
    cx: &'c mut Cx<'p>,
    b: FunctionBuilder<'f>,
    subst: HashMap<TyVar, Type>,
    places: HashMap<NodeId, Place>,
    /// For a function instance: its index and the block self tail calls
    /// jump to.
    this: Option<(usize, Block)>,
    /// The current block already ends in a terminator.
    filled: bool,
    /// The `printf` call being lowered, for the failures of `%A` (a
    /// buffer that was released); `None` in generated printers.
    print_site: Option<Span>,
    /// The exceptions the enclosing `with` handlers caught, innermost
    /// last (`reraise ()` raises the last).
    caught: Vec<Value>,
}

pub(crate) fn lower_function(
    cx: &mut Cx,
    func: &mut Function,
    binding: NodeId,
    instance: usize,
    subst: HashMap<TyVar, Type>,
) -> R<()> {
    let places = global_places(cx);
    let mut l = Lowering::new(cx, FunctionBuilder::new(func), subst, places);
    let params = l.cx.param_bindings(binding);
    let entry = l.b.create_block();
    l.b.append_block_params_for_function_params(entry);
    l.b.switch_to_block(entry);
    // The loop header that self tail calls jump back to.
    let header = l.b.create_block();
    let mut typed_params = Vec::new();
    for &p in &params {
        if let Some(t) = machine_type(&l.type_of(p)) {
            let v = l.b.declare_var(t);
            l.places.insert(p, Place::Local(v));
            l.b.append_block_param(header, t);
            typed_params.push(v);
        }
    }
    let args = l.b.block_params(entry).to_vec();
    l.b.ins().jump(header, &args);
    l.b.switch_to_block(header);
    let header_params = l.b.block_params(header).to_vec();
    for (var, val) in typed_params.iter().zip(header_params) {
        l.b.def_var(*var, val);
    }
    l.this = Some((instance, header));
    let (_, body) = l.cx.psg.function_parts(binding);
    let body = body.ok_or_else(|| internal("function without a body"))?;
    let v = l.expr(body, true)?;
    if !l.filled {
        let rets: Vec<Value> = v.into_iter().collect();
        l.b.ins().return_(&rets);
    }
    Ok(())
}

/// A function lowering makes for itself (a closure entry, a union's
/// relation, a `%A` printer): one entry block with the signature's
/// parameters, a body that returns at most one value (or ends in a tail
/// call).
fn lower_generated(
    cx: &mut Cx,
    func: &mut Function,
    body: impl FnOnce(&mut Lowering, &[Value]) -> R<Val>,
) -> R<()> {
    let mut l = Lowering::new(
        cx,
        FunctionBuilder::new(func),
        HashMap::new(),
        HashMap::new(),
    );
    let entry = l.b.create_block();
    l.b.append_block_params_for_function_params(entry);
    l.b.switch_to_block(entry);
    let params = l.b.block_params(entry).to_vec();
    let result = body(&mut l, &params)?;
    if !l.filled {
        let rets: Vec<Value> = result.into_iter().collect();
        l.b.ins().return_(&rets);
    }
    Ok(())
}

/// Top-level values: a data slot each, visible to every function.
fn global_places(cx: &Cx) -> HashMap<NodeId, Place> {
    cx.globals
        .iter()
        .filter_map(|(&node, &data)| {
            let t = machine_type(&cx.type_of(node, &HashMap::new()))?;
            Some((node, Place::Global(data, t)))
        })
        .collect()
}

pub(crate) fn lower_init(cx: &mut Cx, func: &mut Function) -> R<()> {
    let places = global_places(cx);
    let mut l = Lowering::new(cx, FunctionBuilder::new(func), HashMap::new(), places);
    let entry = l.b.create_block();
    l.b.switch_to_block(entry);
    for item in l.cx.psg.items_flat() {
        match l.cx.psg.kind(item) {
            NodeKind::Binding(info) if !info.is_function() => {
                let (_, body) = l.cx.psg.function_parts(item);
                if let Some(body) = body {
                    let v = l.expr(body, false)?;
                    l.store_place(item, v);
                }
            }
            NodeKind::Init => {
                for c in l.cx.psg.children(item) {
                    l.expr(c, false)?;
                }
            }
            _ => {}
        }
        if l.filled {
            // `exit` at top level: the rest is unreachable.
            let dead = l.b.create_block();
            l.switch_to(dead);
        }
    }
    l.b.ins().return_(&[]);
    Ok(())
}

impl<'c, 'p, 'f> Lowering<'c, 'p, 'f> {
    fn new(
        cx: &'c mut Cx<'p>,
        b: FunctionBuilder<'f>,
        subst: HashMap<TyVar, Type>,
        places: HashMap<NodeId, Place>,
    ) -> Self {
        Lowering {
            cx,
            b,
            subst,
            places,
            this: None,
            filled: false,
            print_site: None,
            caught: Vec::new(),
        }
    }
}

impl Lowering<'_, '_, '_> {
    fn type_of(&self, id: NodeId) -> Type {
        self.cx.type_of(id, &self.subst)
    }

    fn switch_to(&mut self, block: Block) {
        self.b.switch_to_block(block);
        self.filled = false;
    }

    /// The coherency operations of a hand-off, as runtime calls.
    fn syncs(&mut self, ops: &[SyncOp]) -> R<()> {
        for op in ops {
            let f = match op {
                SyncOp::Fence => &rt::SYNC_FENCE,
                SyncOp::DeviceSync => &rt::SYNC_DEVICE,
            };
            self.runtime(f, &[])?;
        }
        Ok(())
    }

    fn runtime(&mut self, f: &RuntimeFn, args: &[Value]) -> R<Val> {
        let id = self.cx.runtime_fn(f);
        let call = self.b.ins().call(Callee::Runtime(id), f.ret, args);
        Ok(self.b.inst_results(call).first().copied())
    }

    /// Call a function of the program.
    fn call_func(&mut self, f: FuncId, args: &[Value]) -> Val {
        let ret = self.cx.program.decl(f).sig.returns.first().copied();
        let call = self.b.ins().call(Callee::Func(f), ret, args);
        self.b.inst_results(call).first().copied()
    }

    /// A pointer to a string literal.
    fn string_ptr(&mut self, s: &str) -> R<Value> {
        let data = self.cx.string_literal(s);
        Ok(self.b.ins().symbol_value(data))
    }

    /// Call a failure routine (which exits) with the source location.
    fn fail(&mut self, f: &RuntimeFn, extra: &[Value], span: Span) -> R<()> {
        let loc = self.cx.location(span);
        let loc = self.string_ptr(&loc)?;
        let mut args = extra.to_vec();
        args.push(loc);
        self.runtime(f, &args)?;
        self.b.ins().trap();
        Ok(())
    }

    /// Branch to a cold failure block when `cond` is true.
    fn check(&mut self, cond: Value, f: &RuntimeFn, extra: &[Value], span: Span) -> R<()> {
        let bad = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(bad);
        self.b.ins().brif(cond, bad, &[], ok, &[]);
        self.switch_to(bad);
        self.fail(f, extra, span)?;
        self.switch_to(ok);
        Ok(())
    }

    fn load_place(&mut self, p: Place) -> Value {
        match p {
            Place::Local(v) => self.b.use_var(v),
            Place::Global(data, t) => {
                let addr = self.b.ins().symbol_value(data);
                self.b.ins().load(t, addr, 0)
            }
            Place::Addr(v, t) => {
                let addr = self.b.use_var(v);
                self.b.ins().load(t, addr, 0)
            }
        }
    }

    fn store_place(&mut self, binding: NodeId, v: Val) {
        let Some(v) = v else { return };
        match self.places.get(&binding).copied() {
            Some(Place::Local(var)) => self.b.def_var(var, v),
            Some(Place::Global(data, _)) => {
                let addr = self.b.ins().symbol_value(data);
                self.b.ins().store(v, addr, 0);
            }
            Some(Place::Addr(var, _)) => {
                let addr = self.b.use_var(var);
                self.b.ins().store(v, addr, 0);
            }
            None => {
                let t = self.b.value_type(v);
                let var = self.b.declare_var(t);
                self.b.def_var(var, v);
                self.places.insert(binding, Place::Local(var));
            }
        }
    }

    /// Lower an expression; its instructions carry its span.
    fn expr(&mut self, id: NodeId, tail: bool) -> R<Val> {
        let outer = self.b.set_span(Some(self.cx.psg.span(id)));
        let v = self.expr_here(id, tail);
        self.b.set_span(outer);
        v
    }

    fn expr_here(&mut self, id: NodeId, tail: bool) -> R<Val> {
        let kind = self
            .cx
            .psg
            .expr(id)
            .cloned()
            .ok_or_else(|| internal("expected an expression"))?;
        let kids = self.cx.psg.children(id);
        let span = self.cx.psg.span(id);
        let ty = self.type_of(id);
        Ok(match kind {
            ExprKind::Lit(lit) => self.literal(&lit)?,
            ExprKind::Var(_) if self.cx.psg.builtin(id) == Some(Builtin::Sizeof) => {
                // `sizeof<T>`: the size of T's machine representation
                // (pointers for heap values), as F# reports it.
                let t = self
                    .cx
                    .facts
                    .types
                    .instantiation(id)
                    .first()
                    .map(|(_, t)| t.clone())
                    .unwrap_or(Type::Unit);
                let t = t.map_vars(&|v| Some(self.subst.get(&v).cloned().unwrap_or(Type::Unit)));
                let size = machine_type(&t).map_or(0, |c| c.bytes()) as i64;
                Some(self.b.ins().iconst(types::I32, size))
            }
            ExprKind::Var(_) if self.cx.psg.case(id).is_some() => {
                // A case without fields (with fields, it is applied).
                let (_, index) = self.cx.psg.case(id).expect("checked by the guard");
                Some(self.make_case(index, &[])?)
            }
            ExprKind::Var(_) => {
                let def = self
                    .cx
                    .psg
                    .definition(id)
                    .map(BindingId::node)
                    .ok_or_else(|| internal("unresolved name"))?;
                if self.cx.psg.binding(def).is_some_and(|b| b.is_function()) {
                    // A named function used as a value.
                    let instance = self.instance_for(id, def)?;
                    let captures = self.captured_values(def);
                    Some(self.make_closure(instance, captures, &[])?)
                } else if machine_type(&ty).is_none() {
                    None
                } else {
                    let p = *self
                        .places
                        .get(&def)
                        .ok_or_else(|| internal(format!("no storage for n{}", def.index())))?;
                    Some(self.load_place(p))
                }
            }
            // What the member is, the type checker decided (`Member`).
            ExprKind::Member(_) => {
                let member = self
                    .cx
                    .facts
                    .types
                    .member(id)
                    .ok_or_else(|| internal("a member the type checker did not decide"))?;
                if let Member::Declared(binding) = member {
                    // A property's value, or a method as a function value.
                    return self.call_known(id, binding, &kids[..1], 1, tail);
                }
                let obj_ty = self.type_of(kids[0]);
                let obj = self.value(kids[0], false)?;
                match member {
                    Member::Declared(_) => unreachable!("handled above"),
                    Member::Field(i) => {
                        let fields = self.cx.record_fields(&obj_ty).unwrap_or_default();
                        let (_, field_ty) = fields
                            .get(i)
                            .ok_or_else(|| internal("a field index out of range"))?;
                        self.load_field(obj, &obj_ty, i, field_ty)
                    }
                    Member::OptionIsSome | Member::OptionIsNone | Member::OptionValue => {
                        let Type::Named { args, .. } = &obj_ty else {
                            return Err(internal("an option member of a non-option"));
                        };
                        self.option_member(member, obj, &args[0], span)?
                    }
                    Member::BufferLength => Some(self.buffer_length(obj, span)?),
                    Member::ExnMessage => Some(self.exn_message(obj)?),
                    Member::Length => {
                        // `.Length` of an array or string: the length header.
                        let len = self.b.ins().load_immutable(types::I64, obj, 0);
                        Some(self.b.ins().ireduce(types::I32, len))
                    }
                }
            }
            ExprKind::Slice => {
                let coll = self.value(kids[0], false)?;
                let from = self.value(kids[1], false)?;
                let to = self.value(kids[2], false)?;
                match &ty {
                    Type::String => self.runtime(&rt::STRING_SLICE, &[coll, from, to])?,
                    Type::Array(elem) => {
                        let size = self.b.ins().iconst(types::I64, elem_size(elem) as i64);
                        self.runtime(&rt::ARRAY_SLICE, &[coll, size, from, to])?
                    }
                    _ => {
                        return Err(internal(
                            "a slice of a value that is not an array or a string",
                        ))
                    }
                }
            }
            ExprKind::Index if self.type_of(kids[0]) == Type::String => {
                // `s.[i]`: the byte, checked like an array element.
                let addr = self.element_address(kids[0], kids[1], &Type::Byte, span)?;
                let byte = self.b.ins().load_immutable(types::I8, addr, 8);
                Some(self.b.ins().uextend(types::I32, byte))
            }
            ExprKind::Index => {
                let elem = self.type_of(id);
                let addr = self.element_address(kids[0], kids[1], &elem, span)?;
                machine_type(&elem).map(|t| self.b.ins().load(t, addr, 8))
            }
            ExprKind::Array => {
                let elem = match &ty {
                    Type::Array(e) => (**e).clone(),
                    _ => return Err(internal("array literal of a non-array type")),
                };
                let mut values = Vec::new();
                for &k in &kids {
                    values.push(self.expr(k, false)?);
                }
                Some(self.array_literal(&elem, &values)?)
            }
            ExprKind::Apply => match self.cx.facts.coherency(id).filter(|c| !c.hardware) {
                // A hand-off the coherency pass decided needs syncs: they
                // run around the call, which is then not a tail call.
                Some(c) => {
                    let (before, after) = (c.before.clone(), c.after.clone());
                    self.syncs(&before)?;
                    let value = self.apply(id, &kids, false)?;
                    self.syncs(&after)?;
                    value
                }
                None => self.apply(id, &kids, tail)?,
            },
            ExprKind::Binary(BinOp::And) | ExprKind::Binary(BinOp::Or) => {
                let is_and = matches!(kind, ExprKind::Binary(BinOp::And));
                let a = self.value(kids[0], false)?;
                let rhs = self.b.create_block();
                let done = self.b.create_block();
                let result = self.b.append_block_param(done, types::I8);
                let short = [a];
                if is_and {
                    self.b.ins().brif(a, rhs, &[], done, &short);
                } else {
                    self.b.ins().brif(a, done, &short, rhs, &[]);
                }
                self.switch_to(rhs);
                let bv = self.value(kids[1], false)?;
                self.b.ins().jump(done, &[bv]);
                self.switch_to(done);
                Some(result)
            }
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne))
                if self.remainder_test(kids[0], kids[1]).is_some() =>
            {
                // `x % 2^k = 0` is a test of x's low bits (for signed x too).
                let (x, mask) = self
                    .remainder_test(kids[0], kids[1])
                    .expect("checked by the guard");
                let x = self.value(x, false)?;
                let low = self.b.ins().band_imm_s(x, mask);
                let cc = if op == BinOp::Eq {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                Some(self.b.ins().icmp_imm_s(cc, low, 0))
            }
            ExprKind::Binary(op) => {
                let operand_ty = self.type_of(kids[0]);
                let a = self.expr(kids[0], false)?;
                let b = self.expr(kids[1], false)?;
                let divisor = int_literal(self.cx.psg, kids[1]);
                self.binary(op, &operand_ty, a, b, divisor, span)?
            }
            ExprKind::Neg => {
                let a = self.value(kids[0], false)?;
                Some(if ty.is_float() {
                    self.b.ins().fneg(a)
                } else {
                    self.b.ins().ineg(a)
                })
            }
            ExprKind::If => self.if_expr(&kids, &ty, tail)?,
            ExprKind::While => {
                // Rotated: the condition is tested before the first
                // iteration and again at the end of the body, so each
                // iteration takes one branch.
                let body = self.b.create_block();
                let exit = self.b.create_block();
                let c = self.value(kids[0], false)?;
                self.b.ins().brif(c, body, &[], exit, &[]);
                self.switch_to(body);
                self.expr(kids[1], false)?;
                if !self.filled {
                    let c = self.value(kids[0], false)?;
                    self.b.ins().brif(c, body, &[], exit, &[]);
                }
                self.switch_to(exit);
                None
            }
            ExprKind::For(dir) => self.for_loop(dir, &kids)?,
            ExprKind::ForEach => self.for_each(&kids)?,
            ExprKind::Let => {
                let (bindings, body) = kids.split_at(kids.len() - 1);
                for &bnd in bindings {
                    let info = self
                        .cx
                        .psg
                        .binding(bnd)
                        .ok_or_else(|| internal("let without binding"))?;
                    if info.is_function() {
                        continue; // lifted: compiled as its own instance when called
                    }
                    let (_, value) = self.cx.psg.function_parts(bnd);
                    if let Some(value) = value {
                        let v = self.expr(value, false)?;
                        self.bind_local(bnd, v);
                    }
                }
                let disposes = bindings
                    .iter()
                    .any(|&b| self.cx.psg.binding(b).is_some_and(|i| i.is_use));
                if disposes {
                    // The body is not in tail position: the buffers are
                    // released after it.
                    let v = self.expr(body[0], false)?;
                    self.dispose(bindings)?;
                    v
                } else {
                    self.expr(body[0], tail)?
                }
            }
            ExprKind::Seq => {
                let mut last = None;
                for (i, &k) in kids.iter().enumerate() {
                    last = self.expr(k, tail && i + 1 == kids.len())?;
                }
                last
            }
            ExprKind::Assign if self.cx.psg.expr(kids[0]) == Some(&ExprKind::Index) => {
                // `a.[i] <- v`: `a`, `i` and `v` are evaluated in that order
                // (as in F#), then the index is checked and `v` stored.
                let target = self.cx.psg.children(kids[0]);
                let elem = self.type_of(kids[0]);
                let arr = self.value(target[0], false)?;
                let idx = self.value(target[1], false)?;
                let v = self.expr(kids[1], false)?;
                let span = self.cx.psg.span(kids[0]);
                let addr = self.checked_element_address(target[0], arr, idx, &elem, span)?;
                if let Some(v) = v {
                    self.b.ins().store(v, addr, 8);
                }
                None
            }
            ExprKind::Assign if matches!(self.cx.psg.expr(kids[0]), Some(ExprKind::Member(_))) => {
                // `r.X <- v` (a `mutable` field): `r`, then `v`, as in F#.
                let target = self.cx.psg.children(kids[0]);
                let Some(Member::Field(i)) = self.cx.facts.types.member(kids[0]) else {
                    return Err(internal("an assignment to a member that is not a field"));
                };
                let record = self.value(target[0], false)?;
                let v = self.expr(kids[1], false)?;
                if let Some(v) = v {
                    self.b.ins().store(v, record, 8 * i as i32);
                }
                None
            }
            ExprKind::Assign => {
                let v = self.expr(kids[1], false)?;
                let def = self
                    .cx
                    .psg
                    .definition(kids[0])
                    .map(BindingId::node)
                    .ok_or_else(|| internal("assignment target"))?;
                self.store_place(def, v);
                None
            }
            ExprKind::Typed(_) => self.expr(kids[0], tail)?,
            ExprKind::Tuple => {
                let mut values = Vec::new();
                for &k in &kids {
                    values.push(self.expr(k, false)?);
                }
                Some(self.alloc_block(&values)?)
            }
            ExprKind::Match => self.match_expr(&kids, &ty, tail, span)?,
            ExprKind::TryWith => self.try_with(id, &kids, tail)?,
            ExprKind::TryFinally => self.try_finally(id, &kids)?,
            ExprKind::Record { fields: names, .. } => {
                // Evaluated in written order, stored in declaration order.
                let fields = self
                    .cx
                    .record_fields(&ty)
                    .ok_or_else(|| internal("record of a non-record type"))?;
                let mut written = Vec::new();
                for &k in &kids {
                    written.push(self.expr(k, false)?);
                }
                let values: Vec<Val> = fields
                    .iter()
                    .map(|(f, _)| names.iter().position(|n| n == f).and_then(|i| written[i]))
                    .collect();
                Some(self.alloc_block(&values)?)
            }
            ExprKind::RecordUpdate(names) => {
                let fields = self
                    .cx
                    .record_fields(&ty)
                    .ok_or_else(|| internal("update of a non-record type"))?;
                let base_ty = self.type_of(kids[0]);
                let base = self.value(kids[0], false)?;
                let mut written = Vec::new();
                for &k in &kids[1..] {
                    written.push(self.expr(k, false)?);
                }
                let mut values = Vec::new();
                for (i, (f, ft)) in fields.iter().enumerate() {
                    values.push(match names.iter().position(|n| n == f) {
                        Some(w) => written[w],
                        None => self.load_field(base, &base_ty, i, ft),
                    });
                }
                Some(self.alloc_block(&values)?)
            }
            ExprKind::Lambda => {
                // The lambda's binding is lifted like a local function.
                let binding = kids[0];
                let instance = self.cx.instance(
                    binding,
                    &self
                        .subst
                        .iter()
                        .map(|(v, t)| (*v, t.clone()))
                        .collect::<Vec<_>>(),
                );
                let captures = self.captured_values(binding);
                Some(self.make_closure(instance, captures, &[])?)
            }
            ExprKind::Error => return Err(internal("error node reached code generation")),
        })
    }

    /// An expression that must produce a value.
    fn value(&mut self, id: NodeId, tail: bool) -> R<Value> {
        self.expr(id, tail)?
            .ok_or_else(|| internal(format!("n{} has no value", id.index())))
    }

    /// A new local (always a fresh variable: shadowing creates a new one).
    fn bind_local(&mut self, binding: NodeId, v: Val) {
        if let Some(v) = v {
            let t = self.b.value_type(v);
            let var = self.b.declare_var(t);
            self.b.def_var(var, v);
            self.places.insert(binding, Place::Local(var));
        }
    }

    fn if_expr(&mut self, kids: &[NodeId], ty: &Type, tail: bool) -> R<Val> {
        let c = self.value(kids[0], false)?;
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let done = self.b.create_block();
        let result = machine_type(ty).map(|t| self.b.append_block_param(done, t));
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        for (block, branch) in [(then_b, kids.get(1)), (else_b, kids.get(2))] {
            self.switch_to(block);
            let v = match branch {
                Some(&e) => self.expr(e, tail)?,
                None => None,
            };
            if !self.filled {
                let args: Vec<Value> = v.filter(|_| result.is_some()).into_iter().collect();
                self.b.ins().jump(done, &args);
            }
        }
        self.switch_to(done);
        Ok(result)
    }

    fn for_loop(&mut self, dir: ForDirection, kids: &[NodeId]) -> R<Val> {
        let (var, from, to, body) = (kids[0], kids[1], kids[2], kids[3]);
        let var_ty = self.type_of(var);
        let t = machine_type(&var_ty).ok_or_else(|| internal("loop variable without a type"))?;
        let start = self.value(from, false)?;
        let end = self.value(to, false)?;
        // Rotated: one bounds test before the loop, then one `i = end`
        // test per iteration, which also stops the loop at the type's
        // maximum (or minimum for `downto`) instead of wrapping around.
        let body_b = self.b.create_block();
        let exit = self.b.create_block();
        let i = self.b.append_block_param(body_b, t);
        let signed = var_ty != Type::Byte;
        let cc = match (dir, signed) {
            (ForDirection::To, true) => IntCC::SignedLessThanOrEqual,
            (ForDirection::To, false) => IntCC::UnsignedLessThanOrEqual,
            (ForDirection::Downto, true) => IntCC::SignedGreaterThanOrEqual,
            (ForDirection::Downto, false) => IntCC::UnsignedGreaterThanOrEqual,
        };
        let go = self.b.ins().icmp(cc, start, end);
        self.b.ins().brif(go, body_b, &[start], exit, &[]);
        self.switch_to(body_b);
        self.bind_local(var, Some(i));
        self.expr(body, false)?;
        if !self.filled {
            let last = self.b.ins().icmp(IntCC::Equal, i, end);
            let step = match dir {
                ForDirection::To => 1,
                ForDirection::Downto => -1,
            };
            let next = self.b.ins().iadd_imm_s(i, step);
            self.b.ins().brif(last, exit, &[], body_b, &[next]);
        }
        self.switch_to(exit);
        Ok(None)
    }

    /// The value of a literal (`None` for unit).
    fn literal(&mut self, lit: &Literal) -> R<Val> {
        Ok(match lit.clone() {
            Literal::Unit => None,
            Literal::Int(v, IntTy::Int) => Some(self.b.ins().iconst(types::I32, v as i32 as i64)),
            Literal::Int(v, IntTy::Int64) => Some(self.b.ins().iconst(types::I64, v)),
            Literal::Int(v, IntTy::Byte) => Some(self.b.ins().iconst(types::I8, v)),
            Literal::Float(v, false) => Some(self.b.ins().f64const(v)),
            Literal::Float(v, true) => Some(self.b.ins().f32const(v as f32)),
            Literal::Str(s) => Some(self.string_ptr(&s)?),
            Literal::Bool(v) => Some(self.b.ins().iconst(types::I8, v as i64)),
            Literal::Char(c) => Some(self.b.ins().iconst(types::I32, i64::from(c))),
        })
    }
}
