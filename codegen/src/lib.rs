//! Cranelift code generation: typed PSG → native object file.
//!
//! Input: a PSG that passed every pass (resolved, typed, saturated calls,
//! captures computed). Output: an ELF object defining `main` (C ABI), which
//! calls the runtime's start-up, the module's initialisation, the
//! `[<EntryPoint>]` function, and exits through the runtime.
//!
//! Concepts:
//! * An [`Instance`] is one monomorphic copy of a Clef function: a binding
//!   plus concrete types for the type variables its body mentions. Every
//!   non-generic function gets one; generic functions get one per
//!   instantiation reached from them (monomorphisation).
//! * Clef functions use Cranelift's `tail` calling convention, so calls in
//!   tail position are `return_call`s (self tail calls become loops), as F#
//!   programmers expect of recursive loops.
//! * Top-level values live in writable data objects, initialised in order
//!   by `clef_init`.
//! * A function used as a value (named, partially applied, or a lambda) is a
//!   *closure*: a pointer to a collected block `[entry, captured values…,
//!   arguments so far…]`, one 8-byte slot each. Applying it calls `entry`
//!   with the block and one argument (F#'s curried `Invoke`); entries are
//!   per-argument stubs made on demand (`closure_stub`).

// Cranelift's `ModuleError` is large; it only travels on the error path.
#![allow(clippy::result_large_err)]

mod function;
pub mod runtime_abi;
pub mod values;

use clef_frontend::{InternalError, SourceFile, Span};
use clef_psg::*;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, AbiParam, InstBuilder};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use runtime_abi::RuntimeImports;
use std::collections::{BTreeSet, HashMap, VecDeque};
use values::clif_type;

/// The result of code generation.
pub struct Output {
    /// The relocatable object file.
    pub object: Vec<u8>,
    /// Annotated CLIF of every function, when asked for.
    pub clif: String,
}

/// Variable substitution for one instance, sorted by variable.
pub type Subst = Vec<(TyVar, Type)>;

pub(crate) struct Instance {
    pub binding: NodeId,
    pub subst: Subst,
    pub func: FuncId,
}

pub(crate) struct Codegen<'p> {
    pub psg: &'p Psg,
    /// What the passes found: types, captures, placement, coherency.
    pub facts: &'p Facts,
    pub src: &'p SourceFile,
    pub module: ObjectModule,
    pub runtime: RuntimeImports,
    pub instances: Vec<Instance>,
    instance_index: HashMap<(NodeId, Subst), usize>,
    pub queue: VecDeque<usize>,
    /// Closure entry points: (instance, k) → the function that receives a
    /// closure's k-th argument (1-based). See [`Codegen::closure_stub`].
    stubs: HashMap<(usize, usize), FuncId>,
    stub_queue: VecDeque<(usize, usize)>,
    /// Union equality/ordering functions: (type, equality?) → the
    /// function. Types are keyed by identity (their declarations), never by
    /// how they print: a program's own `Option` is not the prelude's.
    relations: HashMap<(Type, bool), FuncId>,
    relation_queue: VecDeque<(Type, bool)>,
    /// `%A` printers for lists, arrays and unions: type → function.
    printers: HashMap<Type, FuncId>,
    printer_queue: VecDeque<Type>,
    strings: HashMap<String, DataId>,
    case_constants: HashMap<usize, DataId>,
    /// Functions lowered to CLIF, waiting for machine code.
    lowered: Vec<(FuncId, ir::Function)>,
    pub globals: HashMap<NodeId, DataId>,
    function_vars: HashMap<NodeId, BTreeSet<TyVar>>,
    pub clif: Option<String>,
}

/// A bug found in code generation, at the caller's location in clefc.
#[track_caller]
fn internal(msg: impl std::fmt::Display) -> InternalError {
    InternalError::new("code generation", msg)
}

pub fn make_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    for (k, v) in [
        ("opt_level", "speed"),
        ("is_pic", "true"),
        ("preserve_frame_pointers", "true"),
    ] {
        flags.set(k, v).map_err(|e| e.to_string())?;
    }
    let isa = cranelift_codegen::isa::lookup(target_lexicon::Triple::host())
        .map_err(|e| e.to_string())?;
    isa.finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())
}

/// Compile a checked PSG to an object file.
pub fn compile(
    psg: &Psg,
    facts: &Facts,
    src: &SourceFile,
    want_clif: bool,
) -> Result<Output, InternalError> {
    let isa = make_isa().map_err(|e| internal(e))?;
    let builder = ObjectBuilder::new(
        isa,
        "clef_program",
        cranelift_module::default_libcall_names(),
    )
    .map_err(|e| internal(e))?;
    let mut cg = Codegen {
        psg,
        facts,
        src,
        module: ObjectModule::new(builder),
        runtime: RuntimeImports::default(),
        instances: Vec::new(),
        instance_index: HashMap::new(),
        queue: VecDeque::new(),
        stubs: HashMap::new(),
        stub_queue: VecDeque::new(),
        relations: HashMap::new(),
        relation_queue: VecDeque::new(),
        printers: HashMap::new(),
        printer_queue: VecDeque::new(),
        strings: HashMap::new(),
        case_constants: HashMap::new(),
        lowered: Vec::new(),
        globals: HashMap::new(),
        function_vars: HashMap::new(),
        clif: want_clif.then(String::new),
    };
    cg.declare_globals().map_err(|e| internal(e))?;
    let entry = psg
        .items()
        .into_iter()
        .find(|&i| psg.binding(i).is_some_and(|b| b.is_entry));
    let entry_instance = match entry {
        Some(e) => Some(cg.instance(e, &[]).map_err(|e| internal(e))?),
        None => None,
    };
    // Every function of the program that is not generic is compiled,
    // called or not, as F# compiles every top-level function; generic ones,
    // and the prelude's, are compiled when used.
    for id in psg.graph.node_indices() {
        if psg.binding(id).is_some_and(|b| b.is_function())
            && cg.vars_of_function(id).is_empty()
            && !psg.in_prelude(id)
        {
            cg.instance(id, &[]).map_err(|e| internal(e))?;
        }
    }
    let mut ctx = cg.module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let init = cg.compile_init(&mut ctx, &mut fctx)?;
    loop {
        if let Some(i) = cg.queue.pop_front() {
            cg.compile_instance(i, &mut ctx, &mut fctx)?;
        } else if let Some((i, k)) = cg.stub_queue.pop_front() {
            cg.compile_stub(i, k, &mut ctx, &mut fctx)?;
        } else if let Some(key) = cg.relation_queue.pop_front() {
            cg.compile_relation(key, &mut ctx, &mut fctx)?;
        } else if let Some(key) = cg.printer_queue.pop_front() {
            cg.compile_printer(key, &mut ctx, &mut fctx)?;
        } else {
            break;
        }
    }
    cg.compile_main(init, entry_instance, &mut ctx, &mut fctx)
        .map_err(|e| internal(e))?;
    cg.emit_functions()?;
    let clif = cg.clif.take().unwrap_or_default();
    let product = cg.module.finish();
    let object = product.emit().map_err(|e| internal(e))?;
    Ok(Output { object, clif })
}

impl<'p> Codegen<'p> {
    /// A record type's fields, measures erased (see `TypeTable::record_fields`).
    pub fn record_fields(&self, ty: &Type) -> Option<Vec<(String, Type)>> {
        let fields = self.facts.types.record_fields(self.psg, ty)?;
        Some(
            fields
                .into_iter()
                .map(|(n, t)| (n, t.erase_measures()))
                .collect(),
        )
    }

    /// A union type's cases, measures erased (see `TypeTable::union_cases`).
    pub fn union_cases(&self, ty: &Type) -> Option<Vec<(String, Vec<Type>)>> {
        let cases = self.facts.types.union_cases(ty)?;
        Some(
            cases
                .into_iter()
                .map(|(n, ts)| (n, ts.iter().map(Type::erase_measures).collect()))
                .collect(),
        )
    }

    /// The concrete type of a node under an instance's substitution, with
    /// units of measure erased (they have no run-time form).
    pub fn type_of(&self, id: NodeId, subst: &HashMap<TyVar, Type>) -> Type {
        let t = self.facts.ty(id).cloned().unwrap_or(Type::Unit);
        t.map_vars(&|v| Some(subst.get(&v).cloned().unwrap_or(Type::Unit)))
            .erase_measures()
    }

    /// Type variables mentioned anywhere inside a function binding.
    fn vars_of_function(&mut self, binding: NodeId) -> BTreeSet<TyVar> {
        if let Some(v) = self.function_vars.get(&binding) {
            return v.clone();
        }
        let vars = self.facts.types.vars_within(self.psg, binding);
        let set: BTreeSet<TyVar> = vars.into_iter().collect();
        self.function_vars.insert(binding, set.clone());
        set
    }

    /// The instance of `binding` for a substitution, declared (and queued
    /// for compilation) on first request.
    pub fn instance(
        &mut self,
        binding: NodeId,
        subst: &[(TyVar, Type)],
    ) -> cranelift_module::ModuleResult<usize> {
        let relevant = self.vars_of_function(binding);
        // Types are compared without measures; a memory space stays, as a
        // function generic in its buffers' space allocates per instance.
        let mut key: Subst = subst
            .iter()
            .filter(|(v, _)| relevant.contains(v))
            .map(|(v, t)| match t {
                Type::Measure(m) if m.space().is_some() => (*v, t.clone()),
                Type::Measure(_) => (*v, Type::Unit),
                t => (*v, t.erase_measures()),
            })
            .collect();
        key.sort_by_key(|(v, _)| *v);
        key.dedup_by_key(|(v, _)| *v);
        if let Some(&i) = self.instance_index.get(&(binding, key.clone())) {
            return Ok(i);
        }
        let info = self
            .psg
            .binding(binding)
            .expect("instances are of bindings");
        let map: HashMap<TyVar, Type> = key.iter().cloned().collect();
        let sig = self.signature(binding, &map);
        let n = self.instances.len();
        let name = format!("clef_{}_n{}_{}", sanitize(&info.name), binding.index(), n);
        let func = self.module.declare_function(&name, Linkage::Local, &sig)?;
        self.instances.push(Instance {
            binding,
            subst: key.clone(),
            func,
        });
        self.instance_index.insert((binding, key), n);
        self.queue.push_back(n);
        Ok(n)
    }

    /// Parameters of an instance: captured values, then the parameters
    /// whose types have a machine representation (unit has none).
    pub fn signature(&self, binding: NodeId, subst: &HashMap<TyVar, Type>) -> ir::Signature {
        let mut sig = ir::Signature::new(CallConv::Tail);
        for p in self.param_bindings(binding) {
            if let Some(t) = clif_type(&self.type_of(p, subst)) {
                sig.params.push(AbiParam::new(t));
            }
        }
        let (_, body) = self.psg.function_parts(binding);
        if let Some(t) = body.and_then(|b| clif_type(&self.type_of(b, subst))) {
            sig.returns.push(AbiParam::new(t));
        }
        sig
    }

    /// The shape of an instance as a closure: machine types of its captured
    /// values, of its parameters (`None` for unit), and of its result.
    pub fn closure_shape(&self, instance: usize) -> ClosureShape {
        let inst = &self.instances[instance];
        let subst: HashMap<TyVar, Type> = inst.subst.iter().cloned().collect();
        let captures = self
            .facts
            .captures(inst.binding)
            .iter()
            .map(|&c| clif_type(&self.type_of(c, &subst)))
            .collect();
        let (params, body) = self.psg.function_parts(inst.binding);
        let params = params
            .iter()
            .map(|&p| clif_type(&self.type_of(p, &subst)))
            .collect();
        let ret = body.and_then(|b| clif_type(&self.type_of(b, &subst)));
        ClosureShape {
            captures,
            params,
            ret,
        }
    }

    /// The entry point a closure of `instance` calls with its `k`-th
    /// argument: it takes the closure (its environment) and that argument;
    /// the last one calls the function, the others return a new closure
    /// holding one more argument. Declared and queued on first request.
    pub fn closure_stub(
        &mut self,
        instance: usize,
        k: usize,
    ) -> cranelift_module::ModuleResult<FuncId> {
        if let Some(&f) = self.stubs.get(&(instance, k)) {
            return Ok(f);
        }
        let shape = self.closure_shape(instance);
        let mut sig = ir::Signature::new(CallConv::Tail);
        sig.params.push(AbiParam::new(ir::types::I64));
        if let Some(t) = shape.params[k - 1] {
            sig.params.push(AbiParam::new(t));
        }
        let ret = if k < shape.params.len() {
            Some(ir::types::I64)
        } else {
            shape.ret
        };
        sig.returns.extend(ret.map(AbiParam::new));
        let binding = self.instances[instance].binding;
        let name = self
            .psg
            .binding(binding)
            .map_or("fn".to_string(), |b| sanitize(&b.name));
        let f = self.module.declare_function(
            &format!("clef_closure_{name}_i{instance}_arg{k}"),
            Linkage::Local,
            &sig,
        )?;
        self.stubs.insert((instance, k), f);
        self.stub_queue.push_back((instance, k));
        Ok(f)
    }

    /// Prepare `ctx` for the body of a function already declared: its
    /// signature and name come from the declaration.
    fn start_declared(&self, f: FuncId, ctx: &mut Context) {
        ctx.func.signature = self
            .module
            .declarations()
            .get_function_decl(f)
            .signature
            .clone();
        ctx.func.name = ir::UserFuncName::user(0, f.as_u32());
    }

    /// The equality or ordering function of a union type, declared (and
    /// queued) on first request.
    pub fn relation_fn(
        &mut self,
        t: &Type,
        equality: bool,
    ) -> cranelift_module::ModuleResult<FuncId> {
        let key = (t.clone(), equality);
        if let Some(f) = self.relations.get(&key) {
            return Ok(*f);
        }
        let mut sig = ir::Signature::new(CallConv::Tail);
        sig.params
            .extend([AbiParam::new(ir::types::I64), AbiParam::new(ir::types::I64)]);
        sig.returns.push(AbiParam::new(if equality {
            ir::types::I8
        } else {
            ir::types::I32
        }));
        let n = self.relations.len();
        let name = format!("clef_{}_{n}", if equality { "equal" } else { "compare" });
        let f = self.module.declare_function(&name, Linkage::Local, &sig)?;
        self.relations.insert(key.clone(), f);
        self.relation_queue.push_back(key);
        Ok(f)
    }

    /// The `%A` printer of a list, array or union type, declared (and
    /// queued) on first request.
    pub fn printer_fn(&mut self, t: &Type) -> cranelift_module::ModuleResult<FuncId> {
        let key = t.clone();
        if let Some(f) = self.printers.get(&key) {
            return Ok(*f);
        }
        let mut sig = ir::Signature::new(CallConv::Tail);
        sig.params.push(AbiParam::new(ir::types::I64));
        let name = format!("clef_print_{}", self.printers.len());
        let f = self.module.declare_function(&name, Linkage::Local, &sig)?;
        self.printers.insert(key.clone(), f);
        self.printer_queue.push_back(key);
        Ok(f)
    }

    fn compile_printer(
        &mut self,
        t: Type,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<(), InternalError> {
        let f = self.printers[&t];
        self.start_declared(f, ctx);
        function::lower_printer(self, ctx, fctx, &t)?;
        self.define(f, &format!("`%A` printer of `{t}`"), ctx)
    }

    fn compile_relation(
        &mut self,
        (t, equality): (Type, bool),
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<(), InternalError> {
        let f = self.relations[&(t.clone(), equality)];
        self.start_declared(f, ctx);
        function::lower_relation(self, ctx, fctx, &t, equality)?;
        let title = format!(
            "structural {} of `{t}`",
            if equality { "equality" } else { "ordering" },
        );
        self.define(f, &title, ctx)
    }

    fn compile_stub(
        &mut self,
        instance: usize,
        k: usize,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<(), InternalError> {
        let f = self.closure_stub(instance, k).map_err(|e| internal(e))?;
        self.start_declared(f, ctx);
        function::lower_closure_stub(self, ctx, fctx, instance, k)?;
        let binding = self.instances[instance].binding;
        let name = self
            .psg
            .binding(binding)
            .map_or(String::new(), |b| b.name.clone());
        let title = format!(
            "closure entry: argument {k} of `{name}` (n{}, instance {instance})",
            binding.index()
        );
        self.define(f, &title, ctx)
    }

    /// Captures followed by parameters.
    pub fn param_bindings(&self, binding: NodeId) -> Vec<NodeId> {
        let mut v = self.facts.captures(binding).to_vec();
        v.extend(self.psg.function_parts(binding).0);
        v
    }

    fn declare_globals(&mut self) -> cranelift_module::ModuleResult<()> {
        for item in self.psg.items_flat() {
            let Some(info) = self.psg.binding(item) else {
                continue;
            };
            if info.is_function() {
                continue;
            }
            let id = self.module.declare_data(
                &format!("clef_global_{}_n{}", sanitize(&info.name), item.index()),
                Linkage::Local,
                true,
                false,
            )?;
            let mut desc = DataDescription::new();
            desc.define_zeroinit(8);
            desc.set_align(8);
            self.module.define_data(id, &desc)?;
            self.globals.insert(item, id);
        }
        Ok(())
    }

    /// The static block `[tag]` shared by every value of a field-less union
    /// case with this tag.
    pub fn case_constant(&mut self, tag: usize) -> cranelift_module::ModuleResult<DataId> {
        if let Some(id) = self.case_constants.get(&tag) {
            return Ok(*id);
        }
        let id =
            self.module
                .declare_data(&format!("clef_case_{tag}"), Linkage::Local, false, false)?;
        let mut desc = DataDescription::new();
        desc.define((tag as u64).to_le_bytes().to_vec().into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc)?;
        self.case_constants.insert(tag, id);
        Ok(id)
    }

    /// A string literal in the runtime's layout (`{len: i64, bytes}`).
    pub fn string_literal(&mut self, s: &str) -> cranelift_module::ModuleResult<DataId> {
        if let Some(id) = self.strings.get(s) {
            return Ok(*id);
        }
        let id = self.module.declare_data(
            &format!("clef_str_{}", self.strings.len()),
            Linkage::Local,
            false,
            false,
        )?;
        let mut bytes = (s.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(s.as_bytes());
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc)?;
        self.strings.insert(s.to_string(), id);
        Ok(id)
    }

    /// `file:line:col` of a span, for run-time failure messages.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.src.line_col(span.start);
        format!("{}:{line}:{col}", self.src.name)
    }

    /// Append a function's CLIF to the `--emit clif` text, headed by the
    /// Clef function it comes from and a legend of the symbols it uses.
    fn record_clif(&mut self, title: &str, ctx: &Context) {
        let Some(out) = &mut self.clif else { return };
        out.push_str(&format!("; {title}\n"));
        let decls = self.module.declarations();
        let literals: HashMap<DataId, &String> =
            self.strings.iter().map(|(text, &id)| (id, text)).collect();
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

    /// Keep a finished function for [`Codegen::emit_functions`].
    fn define(
        &mut self,
        func: FuncId,
        title: &str,
        ctx: &mut Context,
    ) -> Result<(), InternalError> {
        self.record_clif(title, ctx);
        let body = std::mem::replace(&mut ctx.func, ir::Function::new());
        self.lowered.push((func, body));
        self.module.clear_context(ctx);
        Ok(())
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
            for f in part.map_err(|e| internal(e))? {
                self.module
                    .define_function_bytes(f.id, f.alignment, &f.bytes, &f.relocs)
                    .map_err(|e| internal(format!("{e:?}")))?;
            }
        }
        Ok(())
    }

    fn compile_instance(
        &mut self,
        i: usize,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<(), InternalError> {
        let (binding, func, subst) = {
            let inst = &self.instances[i];
            (inst.binding, inst.func, inst.subst.clone())
        };
        let map: HashMap<TyVar, Type> = subst.iter().cloned().collect();
        ctx.func.signature = self.signature(binding, &map);
        ctx.func.name = ir::UserFuncName::user(0, func.as_u32());
        function::lower_function(self, ctx, fctx, binding, i, map)?;
        let info = self.psg.binding(binding).expect("instance of a binding");
        let ty = self.type_of(binding, &subst.iter().cloned().collect());
        let insts: Vec<String> = subst
            .iter()
            .map(|(v, t)| format!("'{} = {t}", v.0))
            .collect();
        let title = if insts.is_empty() {
            format!("{} : {ty}  (n{})", info.name, binding.index())
        } else {
            format!(
                "{} : {ty}  (n{}, instance {})",
                info.name,
                binding.index(),
                insts.join(", ")
            )
        };
        self.define(func, &title, ctx)
    }

    /// `clef_init`: top-level values and `do` code, in order.
    fn compile_init(
        &mut self,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> Result<FuncId, InternalError> {
        let sig = ir::Signature::new(CallConv::Tail);
        let func = self
            .module
            .declare_function("clef_init", Linkage::Local, &sig)
            .map_err(|e| internal(e))?;
        ctx.func.signature = sig;
        ctx.func.name = ir::UserFuncName::user(0, func.as_u32());
        function::lower_init(self, ctx, fctx)?;
        self.define(
            func,
            "module initialisation: top-level values and `do` code, in order",
            ctx,
        )?;
        Ok(func)
    }

    /// The C `main`: start the runtime, initialise, run the entry point,
    /// exit with its result.
    fn compile_main(
        &mut self,
        init: FuncId,
        entry: Option<usize>,
        ctx: &mut Context,
        fctx: &mut FunctionBuilderContext,
    ) -> cranelift_module::ModuleResult<()> {
        let mut sig = self.module.make_signature();
        sig.params.push(AbiParam::new(ir::types::I32));
        sig.params.push(AbiParam::new(ir::types::I64));
        sig.returns.push(AbiParam::new(ir::types::I32));
        let func = self
            .module
            .declare_function("main", Linkage::Export, &sig)?;
        ctx.func.signature = sig;
        ctx.func.name = ir::UserFuncName::user(0, func.as_u32());
        let start = self.runtime.get(&mut self.module, &runtime_abi::RT_START)?;
        let args = self.runtime.get(&mut self.module, &runtime_abi::RT_ARGS)?;
        let exit = self.runtime.get(&mut self.module, &runtime_abi::RT_EXIT)?;
        {
            let mut b = cranelift_frontend::FunctionBuilder::new(&mut ctx.func, fctx);
            let block = b.create_block();
            b.append_block_params_for_function_params(block);
            b.switch_to_block(block);
            b.seal_block(block);
            let (argc, argv) = (b.block_params(block)[0], b.block_params(block)[1]);
            let f = self.module.declare_func_in_func(start, b.func);
            b.ins().call(f, &[argc, argv]);
            let f = self.module.declare_func_in_func(init, b.func);
            b.ins().call(f, &[]);
            let code = match entry {
                Some(i) => {
                    let f = self.module.declare_func_in_func(args, b.func);
                    let call = b.ins().call(f, &[]);
                    let argv = b.inst_results(call)[0];
                    let f = self
                        .module
                        .declare_func_in_func(self.instances[i].func, b.func);
                    let call = b.ins().call(f, &[argv]);
                    b.inst_results(call)[0]
                }
                None => b.ins().iconst(ir::types::I32, 0),
            };
            let f = self.module.declare_func_in_func(exit, b.func);
            b.ins().call(f, &[code]);
            b.ins().return_(&[code]);
            b.finalize(self.module.target_config());
        }
        self.record_clif("main: C entry point", ctx);
        self.module.define_function(func, ctx)?;
        self.module.clear_context(ctx);
        Ok(())
    }
}

/// Machine types of a function seen as a closure (`None`: unit, no value).
pub struct ClosureShape {
    pub captures: Vec<Option<ir::types::Type>>,
    pub params: Vec<Option<ir::types::Type>>,
    pub ret: Option<ir::types::Type>,
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

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
