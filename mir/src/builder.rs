//! Building MIR functions: a cursor over one [`Function`], with the
//! operations of Cranelift's `FunctionBuilder` that lowering needs, so
//! lowering reads as it would against Cranelift, but produces MIR.
//!
//! Instructions are appended to the current block; a terminator closes
//! it. Blocks enter the layout in the order they are first switched to.

use crate::ir::*;
use clef_frontend::Span;

pub struct FunctionBuilder<'f> {
    pub func: &'f mut Function,
    current: Option<Block>,
    span: Option<Span>,
}

impl<'f> FunctionBuilder<'f> {
    pub fn new(func: &'f mut Function) -> Self {
        FunctionBuilder {
            func,
            current: None,
            span: None,
        }
    }

    /// The source span later instructions are attributed to; returns the
    /// previous one.
    pub fn set_span(&mut self, span: Option<Span>) -> Option<Span> {
        std::mem::replace(&mut self.span, span)
    }

    pub fn create_block(&mut self) -> Block {
        self.func.new_block()
    }

    pub fn append_block_param(&mut self, b: Block, ty: Ty) -> Value {
        self.func.append_block_param(b, ty)
    }

    pub fn append_block_params_for_function_params(&mut self, b: Block) {
        for t in self.func.sig.params.clone() {
            self.func.append_block_param(b, t);
        }
    }

    pub fn block_params(&self, b: Block) -> &[Value] {
        &self.func.blocks[b.index()].params
    }

    pub fn switch_to_block(&mut self, b: Block) {
        if !self.func.layout.contains(&b) {
            self.func.layout.push(b);
        }
        self.current = Some(b);
    }

    pub fn current_block(&self) -> Option<Block> {
        self.current
    }

    pub fn set_cold_block(&mut self, b: Block) {
        self.func.blocks[b.index()].cold = true;
    }

    pub fn declare_var(&mut self, ty: Ty) -> Var {
        self.func.vars.push(ty);
        Var(self.func.vars.len() as u32 - 1)
    }

    pub fn var_type(&self, var: Var) -> Ty {
        self.func.vars[var.index()]
    }

    pub fn def_var(&mut self, var: Var, v: Value) {
        self.push(InstKind::DefVar(var, v), None);
    }

    pub fn use_var(&mut self, var: Var) -> Value {
        let ty = self.func.vars[var.index()];
        let i = self.push(InstKind::UseVar(var), Some(ty));
        self.result(i)
    }

    pub fn create_stack_slot(&mut self, size: u32) -> StackSlot {
        self.func.slots.push(size);
        StackSlot(self.func.slots.len() as u32 - 1)
    }

    pub fn inst_results(&self, i: Inst) -> &[Value] {
        self.func.insts[i.index()].result.as_slice()
    }

    pub fn value_type(&self, v: Value) -> Ty {
        self.func.value_type(v)
    }

    pub fn ins(&mut self) -> Ins<'_, 'f> {
        Ins(self)
    }

    fn push(&mut self, kind: InstKind, result: Option<Ty>) -> Inst {
        let i = self.func.new_inst(kind, result, self.span);
        let b = self.current.expect("an instruction outside any block");
        let block = &mut self.func.blocks[b.index()];
        debug_assert!(
            block.term.is_none(),
            "an instruction after {b}'s terminator"
        );
        block.insts.push(i);
        i
    }

    fn result(&self, i: Inst) -> Value {
        self.func.insts[i.index()]
            .result
            .expect("an instruction with a result")
    }

    fn value(&mut self, kind: InstKind, ty: Ty) -> Value {
        let i = self.push(kind, Some(ty));
        self.result(i)
    }

    fn terminate(&mut self, t: Terminator) {
        let b = self.current.expect("a terminator outside any block");
        let block = &mut self.func.blocks[b.index()];
        debug_assert!(block.term.is_none(), "{b} terminated twice");
        block.term = Some(t);
    }
}

/// The instruction set, one method per instruction (`b.ins().iadd(x, y)`).
pub struct Ins<'a, 'f>(&'a mut FunctionBuilder<'f>);

macro_rules! binary {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(pub fn $name(self, a: Value, b: Value) -> Value {
            let ty = self.0.value_type(a);
            self.0.value(InstKind::Binary(BinaryOp::$op, a, b), ty)
        })*
    };
}

macro_rules! imm {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(pub fn $name(self, a: Value, imm: i64) -> Value {
            let ty = self.0.value_type(a);
            self.0.value(InstKind::BinaryImm(ImmOp::$op, a, imm), ty)
        })*
    };
}

macro_rules! unary {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(pub fn $name(self, a: Value) -> Value {
            let ty = self.0.value_type(a);
            self.0.value(InstKind::Unary(UnaryOp::$op, a), ty)
        })*
    };
}

macro_rules! convert {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(pub fn $name(self, ty: Ty, a: Value) -> Value {
            self.0.value(InstKind::Convert(ConvOp::$op, ty, a), ty)
        })*
    };
}

impl Ins<'_, '_> {
    binary! {
        iadd => Iadd, isub => Isub, imul => Imul, sdiv => Sdiv, udiv => Udiv,
        srem => Srem, urem => Urem, band => Band, bor => Bor, bxor => Bxor,
        band_not => BandNot, ishl => Ishl, sshr => Sshr, ushr => Ushr,
        smin => Smin, smax => Smax, umin => Umin, umax => Umax,
        fadd => Fadd, fsub => Fsub, fmul => Fmul, fdiv => Fdiv,
        fmin => Fmin, fmax => Fmax,
    }
    imm! { iadd_imm_s => IaddImm, imul_imm_s => ImulImm, band_imm_s => BandImm, bxor_imm_s => BxorImm }
    unary! { ineg => Ineg, iabs => Iabs, fneg => Fneg, fabs => Fabs, sqrt => Sqrt }
    convert! {
        ireduce => Ireduce, uextend => Uextend, sextend => Sextend,
        fpromote => Fpromote, fdemote => Fdemote, fcvt_from_sint => FcvtFromSint,
        fcvt_from_uint => FcvtFromUint, fcvt_to_sint_sat => FcvtToSintSat,
    }

    pub fn iconst(self, ty: Ty, v: i64) -> Value {
        // Stored sign-extended from the type's width, as Cranelift wants.
        let v = match ty {
            Ty::I8 => v as i8 as i64,
            Ty::I32 => v as i32 as i64,
            _ => v,
        };
        self.0.value(InstKind::Iconst(ty, v), ty)
    }
    pub fn f32const(self, v: f32) -> Value {
        self.0.value(InstKind::F32const(v), Ty::F32)
    }
    pub fn f64const(self, v: f64) -> Value {
        self.0.value(InstKind::F64const(v), Ty::F64)
    }
    pub fn icmp(self, cc: IntCC, a: Value, b: Value) -> Value {
        self.0.value(InstKind::Icmp(cc, a, b), Ty::I8)
    }
    pub fn icmp_imm_s(self, cc: IntCC, a: Value, imm: i64) -> Value {
        self.0.value(InstKind::IcmpImm(cc, a, imm), Ty::I8)
    }
    pub fn fcmp(self, cc: FloatCC, a: Value, b: Value) -> Value {
        self.0.value(InstKind::Fcmp(cc, a, b), Ty::I8)
    }
    pub fn load(self, ty: Ty, addr: Value, offset: i32) -> Value {
        self.0
            .value(InstKind::Load(ty, addr, offset, Mem::Mutable), ty)
    }
    /// A load of memory fixed when its object was made ([`Mem::Immutable`]).
    pub fn load_immutable(self, ty: Ty, addr: Value, offset: i32) -> Value {
        self.0
            .value(InstKind::Load(ty, addr, offset, Mem::Immutable), ty)
    }
    pub fn store(self, v: Value, addr: Value, offset: i32) {
        self.0.push(InstKind::Store(v, addr, offset), None);
    }
    /// `size` bytes on the collected heap.
    pub fn alloc(self, size: Value) -> Value {
        self.0
            .value(InstKind::Alloc(AllocKind::Collected, size), Ty::I64)
    }
    pub fn buffer_new(self, residency: Residency, routine: FuncId, args: &[Value]) -> Value {
        self.0.value(
            InstKind::BufferNew(residency, routine, args.to_vec()),
            Ty::I64,
        )
    }
    pub fn stack_addr(self, slot: StackSlot, offset: i32) -> Value {
        self.0.value(InstKind::StackAddr(slot, offset), Ty::I64)
    }
    pub fn symbol_value(self, data: DataId) -> Value {
        self.0.value(InstKind::DataAddr(data), Ty::I64)
    }
    pub fn func_addr(self, f: FuncId) -> Value {
        self.0.value(InstKind::FuncAddr(f), Ty::I64)
    }
    /// A call; its result (if the callee returns one) is `inst_results`.
    pub fn call(self, callee: Callee, ret: Option<Ty>, args: &[Value]) -> Inst {
        self.0.push(InstKind::Call(callee, args.to_vec()), ret)
    }
    pub fn jump(self, to: Block, args: &[Value]) {
        self.0.terminate(Terminator::Jump(to, args.to_vec()));
    }
    pub fn brif(self, c: Value, then: Block, then_args: &[Value], els: Block, else_args: &[Value]) {
        self.0.terminate(Terminator::Brif(
            c,
            then,
            then_args.to_vec(),
            els,
            else_args.to_vec(),
        ));
    }
    pub fn return_(self, vals: &[Value]) {
        self.0.terminate(Terminator::Return(vals.to_vec()));
    }
    pub fn return_call(self, callee: Callee, args: &[Value]) {
        self.0
            .terminate(Terminator::TailCall(callee, args.to_vec()));
    }
    pub fn trap(self) {
        self.0.terminate(Terminator::Trap);
    }
}
