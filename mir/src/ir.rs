//! The Clef MIR: what a monomorphic program is once every semantic
//! decision has been made, before any machine is chosen.
//!
//! Invariants (checked by [`crate::verify`]):
//! * No type variables and no units of measure: every value has one of
//!   five machine types ([`Ty`]); `unit` has no value at all.
//! * Each function is a control-flow graph of basic blocks in SSA form,
//!   plus *variables* ([`Var`]): mutable locals read and written by
//!   `use_var`/`def_var`, which a back end turns into SSA (Cranelift's
//!   frontend does). Every block ends in exactly one [`Terminator`].
//! * Allocation is explicit ([`InstKind::Alloc`] on the collected heap,
//!   [`InstKind::BufferNew`] for a BAREWire-placed buffer with the memory
//!   space and decision the placement pass made, stack slots).
//! * Calls say what they call ([`Callee`]): an instance or generated
//!   function of the program, a closure entry through a pointer, or the
//!   runtime.
//! * A check that can fail (division, bounds, a match) branches to a cold
//!   block that calls a runtime failure routine and ends in `Trap`.

use barewire_model::space::MemorySpace;
use clef_frontend::Span;
use std::fmt;

/// A machine type. Pointers are `I64`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Ty {
    I8,
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    pub fn bytes(self) -> u32 {
        match self {
            Ty::I8 => 1,
            Ty::I32 | Ty::F32 => 4,
            Ty::I64 | Ty::F64 => 8,
        }
    }
    pub fn bits(self) -> u32 {
        self.bytes() * 8
    }
    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Ty::I8 => "i8",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        })
    }
}

/// The type names lowering uses, spelled as Cranelift spells them.
pub mod types {
    pub use super::Ty;
    pub const I8: Ty = Ty::I8;
    pub const I32: Ty = Ty::I32;
    pub const I64: Ty = Ty::I64;
    pub const F32: Ty = Ty::F32;
    pub const F64: Ty = Ty::F64;
}

macro_rules! entity {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(Value, "v");
entity!(Block, "bb");
entity!(Var, "var");
entity!(Inst, "i");
entity!(StackSlot, "ss");
entity!(FuncId, "fn");
entity!(DataId, "data");

/// Integer comparisons.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IntCC {
    Equal,
    NotEqual,
    SignedLessThan,
    SignedGreaterThan,
    SignedLessThanOrEqual,
    SignedGreaterThanOrEqual,
    UnsignedLessThan,
    UnsignedGreaterThan,
    UnsignedLessThanOrEqual,
    UnsignedGreaterThanOrEqual,
}

impl IntCC {
    pub fn name(self) -> &'static str {
        use IntCC::*;
        match self {
            Equal => "eq",
            NotEqual => "ne",
            SignedLessThan => "slt",
            SignedGreaterThan => "sgt",
            SignedLessThanOrEqual => "sle",
            SignedGreaterThanOrEqual => "sge",
            UnsignedLessThan => "ult",
            UnsignedGreaterThan => "ugt",
            UnsignedLessThanOrEqual => "ule",
            UnsignedGreaterThanOrEqual => "uge",
        }
    }

    /// Evaluate on two constants of a type with `bits` bits.
    pub fn eval(self, a: i64, b: i64) -> bool {
        use IntCC::*;
        let (ua, ub) = (a as u64, b as u64);
        match self {
            Equal => a == b,
            NotEqual => a != b,
            SignedLessThan => a < b,
            SignedGreaterThan => a > b,
            SignedLessThanOrEqual => a <= b,
            SignedGreaterThanOrEqual => a >= b,
            UnsignedLessThan => ua < ub,
            UnsignedGreaterThan => ua > ub,
            UnsignedLessThanOrEqual => ua <= ub,
            UnsignedGreaterThanOrEqual => ua >= ub,
        }
    }
}

/// Float comparisons (ordered: false when either side is NaN, except
/// `NotEqual`, which is true then, as in .NET).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FloatCC {
    Equal,
    NotEqual,
    LessThan,
    GreaterThan,
    LessThanOrEqual,
    GreaterThanOrEqual,
}

impl FloatCC {
    pub fn name(self) -> &'static str {
        use FloatCC::*;
        match self {
            Equal => "eq",
            NotEqual => "ne",
            LessThan => "lt",
            GreaterThan => "gt",
            LessThanOrEqual => "le",
            GreaterThanOrEqual => "ge",
        }
    }
}

/// Two-operand operations; both operands and the result have one type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinaryOp {
    Iadd,
    Isub,
    Imul,
    Sdiv,
    Udiv,
    Srem,
    Urem,
    Band,
    Bor,
    Bxor,
    BandNot,
    Ishl,
    Sshr,
    Ushr,
    Smin,
    Smax,
    Umin,
    Umax,
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmin,
    Fmax,
}

/// An operation with an immediate right operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ImmOp {
    IaddImm,
    ImulImm,
    BandImm,
    BxorImm,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    Ineg,
    Iabs,
    Fneg,
    Fabs,
    Sqrt,
}

/// Conversions to the instruction's result type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ConvOp {
    Ireduce,
    Uextend,
    Sextend,
    Fpromote,
    Fdemote,
    FcvtFromSint,
    FcvtFromUint,
    FcvtToSintSat,
}

/// What a call calls.
#[derive(Clone, PartialEq, Debug)]
pub enum Callee {
    /// A function of this program (an instance, a closure entry, a
    /// generated relation or printer).
    Func(FuncId),
    /// A runtime entry point, declared in the program's imports.
    Runtime(FuncId),
    /// A closure entry through a pointer, with its signature.
    Indirect(Signature, Value),
}

/// Where an allocation lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AllocKind {
    /// The collected heap; scanned for pointers.
    Collected,
}

/// What a load reads.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Mem {
    /// Memory that may change (array elements, top-level values, buffer
    /// headers, union fields read after a tag test).
    Mutable,
    /// Memory written only when its object was made, at an address valid
    /// wherever the address value is (the length of an array or string, a
    /// field of a tuple, record or closure): the load may be moved, out
    /// of a loop for instance.
    Immutable,
}

/// How a placed buffer's memory is chosen: decided at compile time into
/// a memory space, or left to the run-time policy (by size).
#[derive(Clone, PartialEq, Debug)]
pub enum Residency {
    /// The residency code the runtime understands (`None` in the space:
    /// left to placement at run time).
    Space(Option<MemorySpace>, i32),
    /// Large buffers to the GPU above a threshold, decided at run time.
    Policy,
}

#[derive(Clone, PartialEq, Debug)]
pub enum InstKind {
    Iconst(Ty, i64),
    F32const(f32),
    F64const(f64),
    Binary(BinaryOp, Value, Value),
    BinaryImm(ImmOp, Value, i64),
    Unary(UnaryOp, Value),
    Convert(ConvOp, Ty, Value),
    Icmp(IntCC, Value, Value),
    IcmpImm(IntCC, Value, i64),
    Fcmp(FloatCC, Value, Value),
    /// Load a `Ty` from `addr + offset`.
    Load(Ty, Value, i32, Mem),
    /// Store `value` at `addr + offset`.
    Store(Value, Value, i32),
    /// `size` bytes (8-aligned) of fresh memory.
    Alloc(AllocKind, Value),
    /// A placed buffer (the runtime's buffer header): the arguments of
    /// the runtime's allocation routine, and how it chooses memory.
    BufferNew(Residency, FuncId, Vec<Value>),
    StackAddr(StackSlot, i32),
    DataAddr(DataId),
    FuncAddr(FuncId),
    Call(Callee, Vec<Value>),
    UseVar(Var),
    DefVar(Var, Value),
}

#[derive(Clone, PartialEq, Debug)]
pub enum Terminator {
    Jump(Block, Vec<Value>),
    Brif(Value, Block, Vec<Value>, Block, Vec<Value>),
    Return(Vec<Value>),
    /// A call in tail position: the callee's result is this function's.
    TailCall(Callee, Vec<Value>),
    /// Unreachable (after a failure routine, which exits).
    Trap,
}

impl Terminator {
    /// The blocks this terminator can transfer to, with their arguments.
    pub fn successors(&self) -> Vec<(Block, &[Value])> {
        match self {
            Terminator::Jump(b, a) => vec![(*b, a)],
            Terminator::Brif(_, t, ta, e, ea) => vec![(*t, ta), (*e, ea)],
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallConv {
    /// Clef functions: tail calls guaranteed.
    Tail,
    /// The platform's C convention (`main`, the runtime).
    C,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Signature {
    pub params: Vec<Ty>,
    pub returns: Vec<Ty>,
    pub call_conv: CallConv,
}

impl Signature {
    pub fn new(call_conv: CallConv) -> Self {
        Signature {
            params: Vec::new(),
            returns: Vec::new(),
            call_conv,
        }
    }
}

#[derive(Clone, Debug)]
pub struct InstData {
    pub kind: InstKind,
    pub result: Option<Value>,
    /// The Clef expression this instruction was lowered from.
    pub span: Option<Span>,
}

#[derive(Clone, Copy, Debug)]
pub enum ValueDef {
    Param(Block, usize),
    Inst(Inst),
}

#[derive(Clone, Debug)]
pub struct ValueData {
    pub ty: Ty,
    pub def: ValueDef,
}

#[derive(Clone, Debug, Default)]
pub struct BlockData {
    pub params: Vec<Value>,
    pub insts: Vec<Inst>,
    pub term: Option<Terminator>,
    pub cold: bool,
}

/// One function: an instance of a Clef function, a closure entry, a
/// generated relation or printer, the initialiser or `main`.
#[derive(Clone, Debug)]
pub struct Function {
    pub id: FuncId,
    /// What the function is, for dumps (`--emit mir`, `--emit clif`).
    pub title: String,
    pub sig: Signature,
    pub blocks: Vec<BlockData>,
    pub insts: Vec<InstData>,
    pub values: Vec<ValueData>,
    pub vars: Vec<Ty>,
    pub slots: Vec<u32>,
    /// Blocks in layout order; the first is the entry, whose parameters
    /// are the function's.
    pub layout: Vec<Block>,
}

impl Function {
    pub fn new(id: FuncId, sig: Signature) -> Self {
        Function {
            id,
            title: String::new(),
            sig,
            blocks: Vec::new(),
            insts: Vec::new(),
            values: Vec::new(),
            vars: Vec::new(),
            slots: Vec::new(),
            layout: Vec::new(),
        }
    }

    pub fn value_type(&self, v: Value) -> Ty {
        self.values[v.index()].ty
    }

    pub fn inst(&self, i: Inst) -> &InstData {
        &self.insts[i.index()]
    }

    pub fn block(&self, b: Block) -> &BlockData {
        &self.blocks[b.index()]
    }

    pub fn entry(&self) -> Option<Block> {
        self.layout.first().copied()
    }

    /// The blocks reachable from the entry, each after its dominators.
    pub fn reverse_post_order(&self) -> Vec<Block> {
        let Some(entry) = self.entry() else {
            return Vec::new();
        };
        let mut order = Vec::new();
        let mut seen = vec![false; self.blocks.len()];
        seen[entry.index()] = true;
        let mut stack = vec![(entry, 0usize)];
        while let Some((b, next)) = stack.last().copied() {
            let succs = self.blocks[b.index()]
                .term
                .as_ref()
                .map(Terminator::successors)
                .unwrap_or_default();
            if let Some(&(s, _)) = succs.get(next) {
                stack.last_mut().expect("non-empty").1 += 1;
                if !seen[s.index()] {
                    seen[s.index()] = true;
                    stack.push((s, 0));
                }
            } else {
                order.push(b);
                stack.pop();
            }
        }
        order.reverse();
        order
    }

    /// Each laid-out block's predecessors (a block appears once per edge).
    pub fn predecessors(&self) -> std::collections::HashMap<Block, Vec<Block>> {
        let mut preds: std::collections::HashMap<Block, Vec<Block>> = Default::default();
        for &b in &self.layout {
            if let Some(t) = &self.blocks[b.index()].term {
                for (s, _) in t.successors() {
                    preds.entry(s).or_default().push(b);
                }
            }
        }
        preds
    }

    /// Number of instructions in laid-out blocks (the inliner's measure).
    pub fn size(&self) -> usize {
        self.layout
            .iter()
            .map(|&b| self.blocks[b.index()].insts.len() + 1)
            .sum()
    }

    pub fn new_value(&mut self, ty: Ty, def: ValueDef) -> Value {
        let v = Value(self.values.len() as u32);
        self.values.push(ValueData { ty, def });
        v
    }

    pub fn new_block(&mut self) -> Block {
        let b = Block(self.blocks.len() as u32);
        self.blocks.push(BlockData::default());
        b
    }

    pub fn append_block_param(&mut self, b: Block, ty: Ty) -> Value {
        let n = self.blocks[b.index()].params.len();
        let v = self.new_value(ty, ValueDef::Param(b, n));
        self.blocks[b.index()].params.push(v);
        v
    }

    /// A new instruction (not yet placed in a block) with its result.
    pub fn new_inst(&mut self, kind: InstKind, result: Option<Ty>, span: Option<Span>) -> Inst {
        let i = Inst(self.insts.len() as u32);
        let result = result.map(|t| self.new_value(t, ValueDef::Inst(i)));
        self.insts.push(InstData { kind, result, span });
        i
    }
}

/// How a function or data object is linked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Linkage {
    /// Defined here, private to the object.
    Local,
    /// Defined here, the program's `main`.
    Export,
    /// Defined by the runtime.
    Import,
}

#[derive(Clone, Debug)]
pub struct FuncDecl {
    pub name: String,
    pub sig: Signature,
    pub linkage: Linkage,
}

#[derive(Clone, Debug)]
pub struct DataDecl {
    pub name: String,
    pub writable: bool,
    /// `None`: zero-initialised, `size` bytes.
    pub bytes: Option<Vec<u8>>,
    pub size: usize,
    /// For string literals: the text, for dumps.
    pub text: Option<String>,
}

/// A whole program: declarations of every function (defined here or
/// imported from the runtime) and data object, and the defined functions
/// in the order they were lowered.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub funcs: Vec<FuncDecl>,
    pub data: Vec<DataDecl>,
    pub functions: Vec<Function>,
}

impl Program {
    pub fn declare_function(&mut self, name: &str, linkage: Linkage, sig: &Signature) -> FuncId {
        let id = FuncId(self.funcs.len() as u32);
        self.funcs.push(FuncDecl {
            name: name.to_string(),
            sig: sig.clone(),
            linkage,
        });
        id
    }

    pub fn declare_data(
        &mut self,
        name: &str,
        writable: bool,
        bytes: Option<Vec<u8>>,
        size: usize,
    ) -> DataId {
        let id = DataId(self.data.len() as u32);
        let size = bytes.as_ref().map_or(size, Vec::len);
        self.data.push(DataDecl {
            name: name.to_string(),
            writable,
            bytes,
            size,
            text: None,
        });
        id
    }

    pub fn decl(&self, f: FuncId) -> &FuncDecl {
        &self.funcs[f.index()]
    }

    /// The defined function with this id.
    pub fn function(&self, f: FuncId) -> Option<&Function> {
        self.functions.iter().find(|g| g.id == f)
    }
}

impl InstKind {
    /// Call `f` with each value this instruction reads (no allocation).
    pub fn for_each_operand(&self, mut f: impl FnMut(Value)) {
        use InstKind::*;
        match self {
            Iconst(..) | F32const(_) | F64const(_) | StackAddr(..) | DataAddr(_) | FuncAddr(_)
            | UseVar(_) => {}
            Binary(_, a, b) | Icmp(_, a, b) | Fcmp(_, a, b) | Store(a, b, _) => {
                f(*a);
                f(*b)
            }
            BinaryImm(_, a, _)
            | Unary(_, a)
            | Convert(_, _, a)
            | IcmpImm(_, a, _)
            | Load(_, a, _, _)
            | Alloc(_, a)
            | DefVar(_, a) => f(*a),
            BufferNew(_, _, args) => args.iter().copied().for_each(f),
            Call(c, args) => {
                args.iter().copied().for_each(&mut f);
                if let Callee::Indirect(_, p) = c {
                    f(*p)
                }
            }
        }
    }

    /// Call `f` on each value this instruction reads, to rewrite it.
    pub fn for_each_operand_mut(&mut self, mut f: impl FnMut(&mut Value)) {
        use InstKind::*;
        match self {
            Iconst(..) | F32const(_) | F64const(_) | StackAddr(..) | DataAddr(_) | FuncAddr(_)
            | UseVar(_) => {}
            Binary(_, a, b) | Icmp(_, a, b) | Fcmp(_, a, b) | Store(a, b, _) => {
                f(a);
                f(b)
            }
            BinaryImm(_, a, _)
            | Unary(_, a)
            | Convert(_, _, a)
            | IcmpImm(_, a, _)
            | Load(_, a, _, _)
            | Alloc(_, a)
            | DefVar(_, a) => f(a),
            BufferNew(_, _, args) => args.iter_mut().for_each(f),
            Call(c, args) => {
                args.iter_mut().for_each(&mut f);
                if let Callee::Indirect(_, p) = c {
                    f(p)
                }
            }
        }
    }
}

impl Terminator {
    /// Call `f` with each value this terminator reads (no allocation).
    pub fn for_each_operand(&self, mut f: impl FnMut(Value)) {
        match self {
            Terminator::Jump(_, a) | Terminator::Return(a) => a.iter().copied().for_each(f),
            Terminator::Brif(c, _, ta, _, ea) => {
                f(*c);
                ta.iter().copied().for_each(&mut f);
                ea.iter().copied().for_each(f)
            }
            Terminator::TailCall(c, args) => {
                args.iter().copied().for_each(&mut f);
                if let Callee::Indirect(_, p) = c {
                    f(*p)
                }
            }
            Terminator::Trap => {}
        }
    }

    /// The values this terminator reads, for rewriting.
    pub fn operands_mut(&mut self) -> Vec<&mut Value> {
        match self {
            Terminator::Jump(_, a) | Terminator::Return(a) => a.iter_mut().collect(),
            Terminator::Brif(c, _, ta, _, ea) => {
                let mut v = vec![c];
                v.extend(ta.iter_mut());
                v.extend(ea.iter_mut());
                v
            }
            Terminator::TailCall(c, args) => {
                let mut v: Vec<&mut Value> = args.iter_mut().collect();
                if let Callee::Indirect(_, p) = c {
                    v.push(p);
                }
                v
            }
            Terminator::Trap => vec![],
        }
    }

    /// The blocks this terminator can transfer to, for rewriting.
    pub fn targets_mut(&mut self) -> Vec<(&mut Block, &mut Vec<Value>)> {
        match self {
            Terminator::Jump(b, a) => vec![(b, a)],
            Terminator::Brif(_, t, ta, e, ea) => vec![(t, ta), (e, ea)],
            _ => Vec::new(),
        }
    }
}

impl Function {
    /// Replace every read of a value by another (after following chains).
    pub fn replace_uses(&mut self, map: &std::collections::HashMap<Value, Value>) {
        if map.is_empty() {
            return;
        }
        let resolve = |mut v: Value| {
            let mut steps = 0;
            while let Some(&w) = map.get(&v) {
                v = w;
                steps += 1;
                if steps > map.len() {
                    break;
                }
            }
            v
        };
        for inst in &mut self.insts {
            inst.kind.for_each_operand_mut(|v| *v = resolve(*v));
        }
        for b in &mut self.blocks {
            if let Some(t) = &mut b.term {
                for v in t.operands_mut() {
                    *v = resolve(*v);
                }
            }
        }
    }
}
