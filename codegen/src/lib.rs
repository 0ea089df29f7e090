//! Cranelift code generation: MIR → native object file.
//!
//! A mechanical translation. Every semantic decision (instances, closures,
//! matches, relations, printers, placement, syncs) was made when the
//! program was lowered to MIR; this crate only chooses machine
//! instructions through Cranelift (`opt_level=speed`, `is_pic`) and writes
//! an object with `cranelift-object`.
//!
//! Concepts, in the manner of rustc_codegen_cranelift:
//! * *values*: each MIR value is one Cranelift SSA value of the same
//!   machine type; block parameters stay block parameters.
//! * *places*: a MIR variable is a Cranelift `Variable` (the frontend
//!   builds SSA from its reads and writes); a stack slot is an explicit
//!   slot; a data object (string literal, top-level value, shared case) is
//!   a symbol.
//! * *calls*: MIR's `Tail` convention is Cranelift's `tail` (so a MIR tail
//!   call is a guaranteed `return_call`); runtime imports and `main` use
//!   the platform's C convention.
//! * *allocation*: `alloc collected n` of a constant size up to 256 bytes
//!   pops an object from the runtime's free list for its size in granules
//!   (`barewire_free_lists`, a few instructions in line), calling
//!   `barewire_alloc_refill` only when the list is empty; other sizes call
//!   `barewire_alloc`. `buffer_new` calls the placement routine the MIR
//!   names with the residency it decided.
//!
//! Blocks are filled in reverse post-order (so a value's definition is
//! translated before its uses) but laid out in MIR order (cold failure
//! blocks stay where lowering put them).

// Cranelift's `ModuleError` is large; it only travels on the error path.
#![allow(clippy::result_large_err)]

use clef_frontend::InternalError;
use clef_mir::ir::{self as mir, Callee, InstKind, Terminator};
use clef_mir::runtime_abi;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, types, AbiParam, BlockArg, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind,
    TrapCode,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use std::collections::HashMap;

/// The result of code generation.
pub struct Output {
    /// The relocatable object file.
    pub object: Vec<u8>,
    /// Annotated CLIF of every function, when asked for.
    pub clif: String,
}

/// A bug found in code generation, at the caller's location in clefc.
#[track_caller]
fn internal(msg: impl std::fmt::Display) -> InternalError {
    InternalError::new("code generation", msg)
}

pub fn make_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    // Cranelift's own IR verifier runs in debug builds (and so in the
    // tests), as the MIR verifier does; release builds trust both.
    let verify = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    for (k, v) in [
        ("opt_level", "speed"),
        ("is_pic", "true"),
        ("preserve_frame_pointers", "true"),
        ("enable_verifier", verify),
    ] {
        flags.set(k, v).map_err(|e| e.to_string())?;
    }
    let isa = cranelift_codegen::isa::lookup(target_lexicon::Triple::host())
        .map_err(|e| e.to_string())?;
    isa.finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())
}

fn clif_ty(t: mir::Ty) -> types::Type {
    match t {
        mir::Ty::I8 => types::I8,
        mir::Ty::I32 => types::I32,
        mir::Ty::I64 => types::I64,
        mir::Ty::F32 => types::F32,
        mir::Ty::F64 => types::F64,
    }
}

struct Translator {
    module: ObjectModule,
    funcs: Vec<FuncId>,
    data: Vec<DataId>,
    /// The runtime's allocator, declared when a function allocates.
    alloc: Option<FuncId>,
    /// The inline allocation path's free lists and refill routine.
    free_lists: Option<(DataId, FuncId)>,
    /// Functions lowered to CLIF, waiting for machine code.
    lowered: Vec<(FuncId, ir::Function)>,
    clif: Option<String>,
}

/// Compile a MIR program to an object file.
pub fn compile(program: &mir::Program, want_clif: bool) -> Result<Output, InternalError> {
    let isa = make_isa().map_err(internal)?;
    let builder = ObjectBuilder::new(
        isa,
        "clef_program",
        cranelift_module::default_libcall_names(),
    )
    .map_err(internal)?;
    let mut t = Translator {
        module: ObjectModule::new(builder),
        funcs: Vec::new(),
        data: Vec::new(),
        alloc: None,
        free_lists: None,
        lowered: Vec::new(),
        clif: want_clif.then(String::new),
    };
    for decl in &program.funcs {
        let sig = t.signature(&decl.sig);
        let linkage = match decl.linkage {
            mir::Linkage::Local => Linkage::Local,
            mir::Linkage::Export => Linkage::Export,
            mir::Linkage::Import => Linkage::Import,
        };
        let id = t
            .module
            .declare_function(&decl.name, linkage, &sig)
            .map_err(internal)?;
        t.funcs.push(id);
    }
    for d in &program.data {
        let id = t
            .module
            .declare_data(&d.name, Linkage::Local, d.writable, false)
            .map_err(internal)?;
        let mut desc = DataDescription::new();
        match &d.bytes {
            Some(b) => desc.define(b.clone().into_boxed_slice()),
            None => desc.define_zeroinit(d.size),
        }
        desc.set_align(8);
        t.module.define_data(id, &desc).map_err(internal)?;
        t.data.push(id);
    }
    let mut ctx = t.module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    for f in &program.functions {
        t.translate(program, f, &mut ctx, &mut fctx)?;
    }
    t.emit_functions()?;
    let clif = t.clif.take().unwrap_or_default();
    let product = t.module.finish();
    let object = product.emit().map_err(internal)?;
    Ok(Output { object, clif })
}

/// Per-function state: MIR entities to their Cranelift counterparts.
struct FunctionMap {
    blocks: Vec<Option<ir::Block>>,
    values: Vec<Option<ir::Value>>,
    vars: Vec<Variable>,
    slots: Vec<ir::StackSlot>,
    func_refs: HashMap<FuncId, ir::FuncRef>,
    data_refs: HashMap<DataId, ir::GlobalValue>,
}

impl Translator {
    fn signature(&self, s: &mir::Signature) -> ir::Signature {
        let cc = match s.call_conv {
            mir::CallConv::Tail => CallConv::Tail,
            mir::CallConv::C => self.module.isa().default_call_conv(),
        };
        let mut sig = ir::Signature::new(cc);
        sig.params
            .extend(s.params.iter().map(|&t| AbiParam::new(clif_ty(t))));
        sig.returns
            .extend(s.returns.iter().map(|&t| AbiParam::new(clif_ty(t))));
        sig
    }

    fn alloc_fn(&mut self) -> Result<FuncId, InternalError> {
        if let Some(f) = self.alloc {
            return Ok(f);
        }
        let f = &runtime_abi::ALLOC;
        let sig = self.signature(&mir::Signature {
            params: f.params.to_vec(),
            returns: f.ret.into_iter().collect(),
            call_conv: mir::CallConv::C,
        });
        let id = self
            .module
            .declare_function(f.name, Linkage::Import, &sig)
            .map_err(internal)?;
        self.alloc = Some(id);
        Ok(id)
    }

    fn free_lists(&mut self) -> Result<(DataId, FuncId), InternalError> {
        if let Some(x) = self.free_lists {
            return Ok(x);
        }
        let data = self
            .module
            .declare_data("barewire_free_lists", Linkage::Import, true, false)
            .map_err(internal)?;
        let sig = self.signature(&mir::Signature {
            params: vec![mir::Ty::I64],
            returns: vec![mir::Ty::I64],
            call_conv: mir::CallConv::C,
        });
        let refill = self
            .module
            .declare_function("barewire_alloc_refill", Linkage::Import, &sig)
            .map_err(internal)?;
        self.free_lists = Some((data, refill));
        Ok((data, refill))
    }

    /// An object of `g` granules from the runtime's free list `g`: pop the
    /// head and clear its link word; only an empty list calls the runtime
    /// (a cold block). The fast path is laid out in line.
    fn inline_alloc(
        &mut self,
        b: &mut FunctionBuilder,
        m: &mut FunctionMap,
        g: i64,
    ) -> Result<ir::Value, InternalError> {
        let (lists, refill) = self.free_lists()?;
        let flags = MemFlagsData::trusted();
        let gv = *m
            .data_refs
            .entry(lists)
            .or_insert_with(|| self.module.declare_data_in_func(lists, b.func));
        let base = b.ins().symbol_value(types::I64, gv);
        let slot = (g * 8) as i32;
        let head = b.ins().load(types::I64, flags, base, slot);
        let current = b
            .current_block()
            .ok_or_else(|| internal("no current block"))?;
        let (fast, slow, done) = (b.create_block(), b.create_block(), b.create_block());
        b.func.layout.insert_block_after(fast, current);
        b.func.layout.insert_block_after(done, fast);
        b.set_cold_block(slow);
        let result = b.append_block_param(done, types::I64);
        b.ins().brif(head, fast, &[], slow, &[]);
        b.switch_to_block(fast);
        let next = b.ins().load(types::I64, flags, head, 0);
        b.ins().store(flags, next, base, slot);
        let zero = b.ins().iconst(types::I64, 0);
        b.ins().store(flags, zero, head, 0);
        b.ins().jump(done, &[BlockArg::Value(head)]);
        b.switch_to_block(slow);
        let fref = self.func_ref(b, m, refill);
        let granules = b.ins().iconst(types::I64, g);
        let call = b.ins().call(fref, &[granules]);
        let fresh = b.inst_results(call)[0];
        b.ins().jump(done, &[BlockArg::Value(fresh)]);
        b.switch_to_block(done);
        Ok(result)
    }

    fn translate(
        &mut self,
        program: &mir::Program,
        f: &mir::Function,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<(), InternalError> {
        let id = self.funcs[f.id.index()];
        ctx.func.signature = self.signature(&f.sig);
        ctx.func.name = ir::UserFuncName::user(0, id.as_u32());
        if f.insts
            .iter()
            .any(|i| matches!(i.kind, InstKind::Alloc(..)))
        {
            self.alloc_fn()?;
        }
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
            let mut m = FunctionMap {
                blocks: vec![None; f.blocks.len()],
                values: vec![None; f.values.len()],
                vars: f.vars.iter().map(|&t| b.declare_var(clif_ty(t))).collect(),
                slots: f
                    .slots
                    .iter()
                    .map(|&size| {
                        b.create_sized_stack_slot(StackSlotData::new(
                            StackSlotKind::ExplicitSlot,
                            size,
                            3,
                        ))
                    })
                    .collect(),
                func_refs: HashMap::new(),
                data_refs: HashMap::new(),
            };
            // Laid out in MIR order…
            for &mb in &f.layout {
                let cb = b.create_block();
                b.func.layout.append_block(cb);
                m.blocks[mb.index()] = Some(cb);
                let data = f.block(mb);
                for &p in &data.params {
                    let v = b.append_block_param(cb, clif_ty(f.value_type(p)));
                    m.values[p.index()] = Some(v);
                }
                if data.cold {
                    b.set_cold_block(cb);
                }
            }
            // …filled dominators first.
            let mut order = f.reverse_post_order();
            let reached: std::collections::HashSet<mir::Block> = order.iter().copied().collect();
            order.extend(f.layout.iter().filter(|b| !reached.contains(b)));
            for mb in order {
                let cb = m.blocks[mb.index()].ok_or_else(|| internal("a block not laid out"))?;
                b.switch_to_block(cb);
                for &i in &f.block(mb).insts {
                    self.inst(f, i, &mut b, &mut m)?;
                }
                let term = f
                    .block(mb)
                    .term
                    .as_ref()
                    .ok_or_else(|| internal("a block without a terminator"))?;
                self.terminator(term, &mut b, &mut m)?;
            }
            b.seal_all_blocks();
            b.finalize(self.module.target_config());
        }
        self.record_clif(program, &f.title, ctx);
        let body = std::mem::replace(&mut ctx.func, ir::Function::new());
        self.lowered.push((id, body));
        self.module.clear_context(ctx);
        Ok(())
    }

    fn func_ref(&mut self, b: &mut FunctionBuilder, m: &mut FunctionMap, f: FuncId) -> ir::FuncRef {
        *m.func_refs
            .entry(f)
            .or_insert_with(|| self.module.declare_func_in_func(f, b.func))
    }

    fn callee(
        &mut self,
        c: &Callee,
        b: &mut FunctionBuilder,
        m: &mut FunctionMap,
    ) -> Result<Result<ir::FuncRef, (ir::SigRef, ir::Value)>, InternalError> {
        Ok(match c {
            Callee::Func(f) | Callee::Runtime(f) => {
                let id = self.funcs[f.index()];
                Ok(self.func_ref(b, m, id))
            }
            Callee::Indirect(sig, p) => {
                let sig = self.signature(sig);
                let sigref = b.import_signature(sig);
                Err((sigref, val(m, *p)?))
            }
        })
    }

    fn inst(
        &mut self,
        f: &mir::Function,
        i: mir::Inst,
        b: &mut FunctionBuilder,
        m: &mut FunctionMap,
    ) -> Result<(), InternalError> {
        let data = f.inst(i);
        let flags = MemFlagsData::trusted();
        let v = |x: mir::Value| val(m, x);
        use mir::{BinaryOp as B, ConvOp as C, ImmOp as I, UnaryOp as U};
        let result: Option<ir::Value> = match &data.kind {
            InstKind::Iconst(t, k) => Some(b.ins().iconst(clif_ty(*t), *k)),
            InstKind::F32const(k) => Some(b.ins().f32const(*k)),
            InstKind::F64const(k) => Some(b.ins().f64const(*k)),
            InstKind::Binary(op, x, y) => {
                let (x, y) = (v(*x)?, v(*y)?);
                let ins = b.ins();
                Some(match op {
                    B::Iadd => ins.iadd(x, y),
                    B::Isub => ins.isub(x, y),
                    B::Imul => ins.imul(x, y),
                    B::Sdiv => ins.sdiv(x, y),
                    B::Udiv => ins.udiv(x, y),
                    B::Srem => ins.srem(x, y),
                    B::Urem => ins.urem(x, y),
                    B::Band => ins.band(x, y),
                    B::Bor => ins.bor(x, y),
                    B::Bxor => ins.bxor(x, y),
                    B::BandNot => ins.band_not(x, y),
                    B::Ishl => ins.ishl(x, y),
                    B::Sshr => ins.sshr(x, y),
                    B::Ushr => ins.ushr(x, y),
                    B::Smin => ins.smin(x, y),
                    B::Smax => ins.smax(x, y),
                    B::Umin => ins.umin(x, y),
                    B::Umax => ins.umax(x, y),
                    B::Fadd => ins.fadd(x, y),
                    B::Fsub => ins.fsub(x, y),
                    B::Fmul => ins.fmul(x, y),
                    B::Fdiv => ins.fdiv(x, y),
                    B::Fmin => ins.fmin(x, y),
                    B::Fmax => ins.fmax(x, y),
                })
            }
            InstKind::BinaryImm(op, x, k) => {
                let x = v(*x)?;
                let ins = b.ins();
                Some(match op {
                    I::IaddImm => ins.iadd_imm_s(x, *k),
                    I::ImulImm => ins.imul_imm_s(x, *k),
                    I::BandImm => ins.band_imm_s(x, *k),
                    I::BxorImm => ins.bxor_imm_s(x, *k),
                })
            }
            InstKind::Unary(op, x) => {
                let x = v(*x)?;
                let ins = b.ins();
                Some(match op {
                    U::Ineg => ins.ineg(x),
                    U::Iabs => ins.iabs(x),
                    U::Fneg => ins.fneg(x),
                    U::Fabs => ins.fabs(x),
                    U::Sqrt => ins.sqrt(x),
                })
            }
            InstKind::Convert(op, t, x) => {
                let (x, t) = (v(*x)?, clif_ty(*t));
                let ins = b.ins();
                Some(match op {
                    C::Ireduce => ins.ireduce(t, x),
                    C::Uextend => ins.uextend(t, x),
                    C::Sextend => ins.sextend(t, x),
                    C::Fpromote => ins.fpromote(t, x),
                    C::Fdemote => ins.fdemote(t, x),
                    C::FcvtFromSint => ins.fcvt_from_sint(t, x),
                    C::FcvtFromUint => ins.fcvt_from_uint(t, x),
                    C::FcvtToSintSat => ins.fcvt_to_sint_sat(t, x),
                })
            }
            InstKind::Icmp(cc, x, y) => Some(b.ins().icmp(int_cc(*cc), v(*x)?, v(*y)?)),
            InstKind::IcmpImm(cc, x, k) => Some(b.ins().icmp_imm_s(int_cc(*cc), v(*x)?, *k)),
            InstKind::Fcmp(cc, x, y) => Some(b.ins().fcmp(float_cc(*cc), v(*x)?, v(*y)?)),
            InstKind::Load(t, a, off, mem) => {
                let flags = match mem {
                    mir::Mem::Mutable => flags,
                    mir::Mem::Immutable => flags.with_readonly().with_can_move(),
                };
                Some(b.ins().load(clif_ty(*t), flags, v(*a)?, *off))
            }
            InstKind::Store(x, a, off) => {
                b.ins().store(flags, v(*x)?, v(*a)?, *off);
                None
            }
            InstKind::Alloc(mir::AllocKind::Collected, size)
                if inline_granules(f, *size).is_some() =>
            {
                let g = inline_granules(f, *size).expect("checked by the guard");
                Some(self.inline_alloc(b, m, g)?)
            }
            InstKind::Alloc(mir::AllocKind::Collected, size) => {
                let size = v(*size)?;
                let alloc = self.alloc_fn()?;
                let fref = self.func_ref(b, m, alloc);
                let call = b.ins().call(fref, &[size]);
                Some(b.inst_results(call)[0])
            }
            InstKind::BufferNew(_, routine, args) => {
                let args = args.iter().map(|&a| v(a)).collect::<Result<Vec<_>, _>>()?;
                let id = self.funcs[routine.index()];
                let fref = self.func_ref(b, m, id);
                let call = b.ins().call(fref, &args);
                Some(b.inst_results(call)[0])
            }
            InstKind::StackAddr(s, off) => {
                Some(b.ins().stack_addr(types::I64, m.slots[s.index()], *off))
            }
            InstKind::DataAddr(d) => {
                let id = self.data[d.index()];
                let gv = *m
                    .data_refs
                    .entry(id)
                    .or_insert_with(|| self.module.declare_data_in_func(id, b.func));
                Some(b.ins().symbol_value(types::I64, gv))
            }
            InstKind::FuncAddr(g) => {
                let id = self.funcs[g.index()];
                let fref = self.func_ref(b, m, id);
                Some(b.ins().func_addr(types::I64, fref))
            }
            InstKind::Call(c, args) => {
                let args = args.iter().map(|&a| v(a)).collect::<Result<Vec<_>, _>>()?;
                let call = match self.callee(c, b, m)? {
                    Ok(fref) => b.ins().call(fref, &args),
                    Err((sig, p)) => b.ins().call_indirect(sig, p, &args),
                };
                b.inst_results(call).first().copied()
            }
            InstKind::UseVar(var) => Some(b.use_var(m.vars[var.index()])),
            InstKind::DefVar(var, x) => {
                let x = v(*x)?;
                b.def_var(m.vars[var.index()], x);
                None
            }
        };
        match (data.result, result) {
            (Some(r), Some(c)) => m.values[r.index()] = Some(c),
            (None, _) => {}
            (Some(_), None) => return Err(internal(format!("{i} produced no value"))),
        }
        Ok(())
    }

    fn terminator(
        &mut self,
        t: &Terminator,
        b: &mut FunctionBuilder,
        m: &mut FunctionMap,
    ) -> Result<(), InternalError> {
        let args = |m: &FunctionMap, vs: &[mir::Value]| -> Result<Vec<BlockArg>, InternalError> {
            vs.iter()
                .map(|&x| Ok(BlockArg::Value(val(m, x)?)))
                .collect()
        };
        let block = |m: &FunctionMap, x: mir::Block| {
            m.blocks[x.index()].ok_or_else(|| internal(format!("{x} is not laid out")))
        };
        match t {
            Terminator::Jump(to, a) => {
                let a = args(m, a)?;
                b.ins().jump(block(m, *to)?, &a);
            }
            Terminator::Brif(c, t, ta, e, ea) => {
                let (ta, ea) = (args(m, ta)?, args(m, ea)?);
                b.ins()
                    .brif(val(m, *c)?, block(m, *t)?, &ta, block(m, *e)?, &ea);
            }
            Terminator::Return(vs) => {
                let vs = vs
                    .iter()
                    .map(|&x| val(m, x))
                    .collect::<Result<Vec<_>, _>>()?;
                b.ins().return_(&vs);
            }
            Terminator::TailCall(c, a) => {
                let a = a
                    .iter()
                    .map(|&x| val(m, x))
                    .collect::<Result<Vec<_>, _>>()?;
                match self.callee(c, b, m)? {
                    Ok(fref) => b.ins().return_call(fref, &a),
                    Err((sig, p)) => b.ins().return_call_indirect(sig, p, &a),
                };
            }
            Terminator::Trap => {
                b.ins().trap(TrapCode::user(1).expect("nonzero trap code"));
            }
        }
        Ok(())
    }

    /// Append a function's CLIF to the `--emit clif` text, headed by the
    /// Clef function it comes from and a legend of the symbols it uses.
    fn record_clif(&mut self, program: &mir::Program, title: &str, ctx: &Context) {
        let Some(out) = &mut self.clif else { return };
        out.push_str(&format!("; {title}\n"));
        let decls = self.module.declarations();
        let literals: HashMap<DataId, &String> = self
            .data
            .iter()
            .zip(&program.data)
            .filter_map(|(&id, d)| Some((id, d.text.as_ref()?)))
            .collect();
        for (r, name) in ctx.func.params.user_named_funcs().iter() {
            let symbol = if name.namespace == 0 {
                let id = FuncId::from_u32(name.index);
                decls.get_function_decl(id).linkage_name(id).into_owned()
            } else {
                let id = DataId::from_u32(name.index);
                let symbol = decls.get_data_decl(id).linkage_name(id).into_owned();
                match literals.get(&id) {
                    Some(text) => format!("{symbol} {text:?}"),
                    None => symbol,
                }
            };
            out.push_str(&format!(
                ";   {r} = u{}:{} = {symbol}\n",
                name.namespace, name.index
            ));
        }
        out.push_str(&format!("{}\n", ctx.func.display()));
    }

    /// Compile every lowered function to machine code, in parallel (one
    /// thread per core; functions are independent), then define them in
    /// the module in a fixed order, so the object file is deterministic.
    fn emit_functions(&mut self) -> Result<(), InternalError> {
        let functions = std::mem::take(&mut self.lowered);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(functions.len().max(1));
        let chunk = functions.len().div_ceil(threads).max(1);
        let isa = self.module.isa();
        let compiled: Vec<Result<Vec<CompiledFunction>, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = functions
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(id, f)| compile_function(isa, *id, f))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a code generation thread panicked".into()))
                })
                .collect()
        });
        for part in compiled {
            for f in part.map_err(internal)? {
                self.module
                    .define_function_bytes(f.id, f.alignment, &f.bytes, &f.relocs)
                    .map_err(|e| internal(format!("{e:?}")))?;
            }
        }
        Ok(())
    }
}

/// Granules of an allocation the inline path serves: a constant size of
/// at most [`INLINE_GRANULES`] granules of 16 bytes.
fn inline_granules(f: &mir::Function, size: mir::Value) -> Option<i64> {
    let mir::ValueDef::Inst(i) = f.values[size.index()].def else {
        return None;
    };
    match f.inst(i).kind {
        InstKind::Iconst(_, n) if n > 0 && n <= INLINE_GRANULES * 16 => Some((n + 15) / 16),
        _ => None,
    }
}

/// The runtime's free lists serve objects of up to this many granules
/// (`barewire::heap::INLINE_GRANULES`).
const INLINE_GRANULES: i64 = 16;

fn val(m: &FunctionMap, v: mir::Value) -> Result<ir::Value, InternalError> {
    m.values
        .get(v.index())
        .copied()
        .flatten()
        .ok_or_else(|| internal(format!("{v} is used before it is defined")))
}

fn int_cc(cc: mir::IntCC) -> IntCC {
    use mir::IntCC as M;
    match cc {
        M::Equal => IntCC::Equal,
        M::NotEqual => IntCC::NotEqual,
        M::SignedLessThan => IntCC::SignedLessThan,
        M::SignedGreaterThan => IntCC::SignedGreaterThan,
        M::SignedLessThanOrEqual => IntCC::SignedLessThanOrEqual,
        M::SignedGreaterThanOrEqual => IntCC::SignedGreaterThanOrEqual,
        M::UnsignedLessThan => IntCC::UnsignedLessThan,
        M::UnsignedGreaterThan => IntCC::UnsignedGreaterThan,
        M::UnsignedLessThanOrEqual => IntCC::UnsignedLessThanOrEqual,
        M::UnsignedGreaterThanOrEqual => IntCC::UnsignedGreaterThanOrEqual,
    }
}

fn float_cc(cc: mir::FloatCC) -> FloatCC {
    use mir::FloatCC as M;
    match cc {
        M::Equal => FloatCC::Equal,
        M::NotEqual => FloatCC::NotEqual,
        M::LessThan => FloatCC::LessThan,
        M::GreaterThan => FloatCC::GreaterThan,
        M::LessThanOrEqual => FloatCC::LessThanOrEqual,
        M::GreaterThanOrEqual => FloatCC::GreaterThanOrEqual,
    }
}

/// Machine code for one function, ready to define in the module.
struct CompiledFunction {
    id: FuncId,
    alignment: u64,
    bytes: Vec<u8>,
    relocs: Vec<cranelift_module::ModuleReloc>,
}

fn compile_function(
    isa: &dyn TargetIsa,
    id: FuncId,
    func: &ir::Function,
) -> Result<CompiledFunction, String> {
    let mut ctx = Context::for_function(func.clone());
    let code = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| format!("{:?}", e.inner))?;
    // Cache-line aligned, so loop performance does not depend on where
    // the linker happens to place a function.
    let alignment = (code.buffer.alignment as u64).max(64);
    let bytes = code.buffer.data().to_vec();
    let mach_relocs = code.buffer.relocs().to_vec();
    let relocs = mach_relocs
        .iter()
        .map(|r| cranelift_module::ModuleReloc::from_mach_reloc(r, &ctx.func, id))
        .collect();
    Ok(CompiledFunction {
        id,
        alignment,
        bytes,
        relocs,
    })
}
