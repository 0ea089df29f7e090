//! Lowering the typed program to MIR: monomorphisation, closure
//! conversion, pattern matching, structural equality and ordering, `%A`
//! printers, and the coherency pass's syncs.
//!
//! Input: a PSG that passed every pass (resolved, typed, saturated calls,
//! captures computed) and its `Facts`. Output: a [`Program`] defining
//! `main` (C convention), which calls the runtime's start-up, the module's
//! initialisation, the `[<EntryPoint>]` function, and exits through the
//! runtime.
//!
//! Concepts:
//! * An [`Instance`] is one monomorphic copy of a Clef function: a binding
//!   plus concrete types for the type variables its body mentions. Every
//!   non-generic function gets one; generic functions get one per
//!   instantiation reached from them (monomorphisation).
//! * Clef functions use the `Tail` convention, so calls in tail position
//!   are tail calls (self tail calls become loops), as F# programmers
//!   expect of recursive loops.
//! * Top-level values live in writable data objects, initialised in order
//!   by `clef_init`.
//! * A function used as a value (named, partially applied, or a lambda) is a
//!   *closure*: a pointer to a collected block `[entry, captured values…,
//!   arguments so far…]`, one 8-byte slot each. Applying it calls `entry`
//!   with the block and one argument (F#'s curried `Invoke`); entries are
//!   per-argument stubs made on demand (`closure_stub`).

pub(crate) mod function;

use crate::ir::*;
use crate::runtime_abi::RuntimeFn;
use crate::values::machine_type;
use clef_frontend::{InternalError, SourceFile, Span};
use clef_psg::*;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Variable substitution for one instance, sorted by variable.
pub type Subst = Vec<(TyVar, Type)>;

pub(crate) struct Instance {
    pub binding: NodeId,
    pub subst: Subst,
    pub func: FuncId,
}

pub(crate) struct Cx<'p> {
    pub psg: &'p Psg,
    /// What the passes found: types, captures, placement, coherency.
    pub facts: &'p Facts,
    pub src: &'p SourceFile,
    pub program: Program,
    /// Runtime entry points declared so far, by name.
    runtime: HashMap<&'static str, FuncId>,
    pub instances: Vec<Instance>,
    instance_index: HashMap<(NodeId, Subst), usize>,
    pub queue: VecDeque<usize>,
    /// Closure entry points: (instance, k) → the function that receives a
    /// closure's k-th argument (1-based). See [`Cx::closure_stub`].
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
    pub globals: HashMap<NodeId, DataId>,
    function_vars: HashMap<NodeId, BTreeSet<TyVar>>,
    /// How many `try` bodies have become functions (their names).
    try_functions: usize,
}

/// A bug found while lowering, at the caller's location in clefc.
#[track_caller]
pub(crate) fn internal(msg: impl std::fmt::Display) -> InternalError {
    InternalError::new("lowering to MIR", msg)
}

/// Lower a checked PSG to a MIR program.
pub fn lower(psg: &Psg, facts: &Facts, src: &SourceFile) -> Result<Program, InternalError> {
    let mut cx = Cx {
        psg,
        facts,
        src,
        program: Program::default(),
        runtime: HashMap::new(),
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
        globals: HashMap::new(),
        function_vars: HashMap::new(),
        try_functions: 0,
    };
    cx.declare_globals();
    let entry = psg
        .items()
        .into_iter()
        .find(|&i| psg.binding(i).is_some_and(|b| b.is_entry));
    let entry_instance = entry.map(|e| cx.instance(e, &[]));
    // Every function of the program that is not generic is compiled,
    // called or not, as F# compiles every top-level function; generic ones,
    // and the prelude's, are compiled when used.
    for id in psg.graph.node_indices() {
        if psg.binding(id).is_some_and(|b| b.is_function())
            && cx.vars_of_function(id).is_empty()
            && !psg.in_prelude(id)
        {
            cx.instance(id, &[]);
        }
    }
    let init = cx.compile_init()?;
    let text = cx.compile_exception_text()?;
    loop {
        if let Some(i) = cx.queue.pop_front() {
            cx.compile_instance(i)?;
        } else if let Some((i, k)) = cx.stub_queue.pop_front() {
            cx.compile_stub(i, k)?;
        } else if let Some(key) = cx.relation_queue.pop_front() {
            cx.compile_relation(key)?;
        } else if let Some(key) = cx.printer_queue.pop_front() {
            cx.compile_printer(key)?;
        } else {
            break;
        }
    }
    cx.compile_main(init, entry_instance, text);
    Ok(cx.program)
}

impl<'p> Cx<'p> {
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

    /// Whether field `i` of the record type `ty` is declared `mutable`.
    pub fn field_is_mutable(&self, ty: &Type, i: usize) -> bool {
        self.facts.types.field_is_mutable(self.psg, ty, i)
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
    pub fn instance(&mut self, binding: NodeId, subst: &[(TyVar, Type)]) -> usize {
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
            return i;
        }
        let info = self
            .psg
            .binding(binding)
            .expect("instances are of bindings");
        let map: HashMap<TyVar, Type> = key.iter().cloned().collect();
        let sig = self.signature(binding, &map);
        let n = self.instances.len();
        let name = format!("clef_{}_n{}_{}", sanitize(&info.name), binding.index(), n);
        let func = self.program.declare_function(&name, Linkage::Local, &sig);
        self.instances.push(Instance {
            binding,
            subst: key.clone(),
            func,
        });
        self.instance_index.insert((binding, key), n);
        self.queue.push_back(n);
        n
    }

    /// Parameters of an instance: captured values, then the parameters
    /// whose types have a machine representation (unit has none).
    pub fn signature(&self, binding: NodeId, subst: &HashMap<TyVar, Type>) -> Signature {
        let mut sig = Signature::new(CallConv::Tail);
        for p in self.param_bindings(binding) {
            if let Some(t) = machine_type(&self.type_of(p, subst)) {
                sig.params.push(t);
            }
        }
        let (_, body) = self.psg.function_parts(binding);
        if let Some(t) = body.and_then(|b| machine_type(&self.type_of(b, subst))) {
            sig.returns.push(t);
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
            .map(|&c| machine_type(&self.type_of(c, &subst)))
            .collect();
        let (params, body) = self.psg.function_parts(inst.binding);
        let params = params
            .iter()
            .map(|&p| machine_type(&self.type_of(p, &subst)))
            .collect();
        let ret = body.and_then(|b| machine_type(&self.type_of(b, &subst)));
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
    pub fn closure_stub(&mut self, instance: usize, k: usize) -> FuncId {
        if let Some(&f) = self.stubs.get(&(instance, k)) {
            return f;
        }
        let shape = self.closure_shape(instance);
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.push(Ty::I64);
        if let Some(t) = shape.params[k - 1] {
            sig.params.push(t);
        }
        let ret = if k < shape.params.len() {
            Some(Ty::I64)
        } else {
            shape.ret
        };
        sig.returns.extend(ret);
        let binding = self.instances[instance].binding;
        let name = self
            .psg
            .binding(binding)
            .map_or("fn".to_string(), |b| sanitize(&b.name));
        let f = self.program.declare_function(
            &format!("clef_closure_{name}_i{instance}_arg{k}"),
            Linkage::Local,
            &sig,
        );
        self.stubs.insert((instance, k), f);
        self.stub_queue.push_back((instance, k));
        f
    }

    /// A new function body for a function already declared.
    fn start_declared(&self, f: FuncId) -> Function {
        Function::new(f, self.program.decl(f).sig.clone())
    }

    /// Keep a finished function.
    fn define(&mut self, mut func: Function, title: String) {
        func.title = title;
        self.program.functions.push(func);
    }

    /// The runtime entry point `f`, declared on first use.
    pub fn runtime_fn(&mut self, f: &RuntimeFn) -> FuncId {
        if let Some(&id) = self.runtime.get(f.name) {
            return id;
        }
        let sig = Signature {
            params: f.params.to_vec(),
            returns: f.ret.into_iter().collect(),
            call_conv: CallConv::C,
        };
        let id = self.program.declare_function(f.name, Linkage::Import, &sig);
        self.runtime.insert(f.name, id);
        id
    }

    /// The equality or ordering function of a union type, declared (and
    /// queued) on first request.
    pub fn relation_fn(&mut self, t: &Type, equality: bool) -> FuncId {
        let key = (t.clone(), equality);
        if let Some(f) = self.relations.get(&key) {
            return *f;
        }
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.extend([Ty::I64, Ty::I64]);
        sig.returns.push(if equality { Ty::I8 } else { Ty::I32 });
        let n = self.relations.len();
        let name = format!("clef_{}_{n}", if equality { "equal" } else { "compare" });
        let f = self.program.declare_function(&name, Linkage::Local, &sig);
        self.relations.insert(key.clone(), f);
        self.relation_queue.push_back(key);
        f
    }

    /// The `%A` printer of a list, array or union type, declared (and
    /// queued) on first request.
    pub fn printer_fn(&mut self, t: &Type) -> FuncId {
        let key = t.clone();
        if let Some(f) = self.printers.get(&key) {
            return *f;
        }
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.push(Ty::I64);
        let name = format!("clef_print_{}", self.printers.len());
        let f = self.program.declare_function(&name, Linkage::Local, &sig);
        self.printers.insert(key.clone(), f);
        self.printer_queue.push_back(key);
        f
    }

    fn compile_printer(&mut self, t: Type) -> Result<(), InternalError> {
        let mut func = self.start_declared(self.printers[&t]);
        function::lower_printer(self, &mut func, &t)?;
        self.define(func, format!("`%A` printer of `{t}`"));
        Ok(())
    }

    fn compile_relation(&mut self, (t, equality): (Type, bool)) -> Result<(), InternalError> {
        let mut func = self.start_declared(self.relations[&(t.clone(), equality)]);
        function::lower_relation(self, &mut func, &t, equality)?;
        let title = format!(
            "structural {} of `{t}`",
            if equality { "equality" } else { "ordering" },
        );
        self.define(func, title);
        Ok(())
    }

    fn compile_stub(&mut self, instance: usize, k: usize) -> Result<(), InternalError> {
        let stub = self.closure_stub(instance, k);
        let mut func = self.start_declared(stub);
        function::lower_closure_stub(self, &mut func, instance, k)?;
        let binding = self.instances[instance].binding;
        let name = self
            .psg
            .binding(binding)
            .map_or(String::new(), |b| b.name.clone());
        let title = format!(
            "closure entry: argument {k} of `{name}` (n{}, instance {instance})",
            binding.index()
        );
        self.define(func, title);
        Ok(())
    }

    /// Captures followed by parameters.
    pub fn param_bindings(&self, binding: NodeId) -> Vec<NodeId> {
        let mut v = self.facts.captures(binding).to_vec();
        v.extend(self.psg.function_parts(binding).0);
        v
    }

    fn declare_globals(&mut self) {
        for item in self.psg.items_flat() {
            let Some(info) = self.psg.binding(item) else {
                continue;
            };
            if info.is_function() {
                continue;
            }
            let name = format!("clef_global_{}_n{}", sanitize(&info.name), item.index());
            let id = self.program.declare_data(&name, true, None, 8);
            self.globals.insert(item, id);
        }
    }

    /// The static block `[tag]` shared by every value of a field-less union
    /// case with this tag.
    pub fn case_constant(&mut self, tag: usize) -> DataId {
        if let Some(id) = self.case_constants.get(&tag) {
            return *id;
        }
        let bytes = (tag as u64).to_le_bytes().to_vec();
        let id = self
            .program
            .declare_data(&format!("clef_case_{tag}"), false, Some(bytes), 8);
        self.case_constants.insert(tag, id);
        id
    }

    /// A string literal in the runtime's layout (`{len: i64, bytes}`).
    pub fn string_literal(&mut self, s: &str) -> DataId {
        if let Some(id) = self.strings.get(s) {
            return *id;
        }
        let mut bytes = (s.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(s.as_bytes());
        let name = format!("clef_str_{}", self.strings.len());
        let id = self.program.declare_data(&name, false, Some(bytes), 0);
        self.program.data[id.index()].text = Some(s.to_string());
        self.strings.insert(s.to_string(), id);
        id
    }

    /// `file:line:col` of a span, for run-time failure messages.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.src.line_col(span.start);
        format!("{}:{line}:{col}", self.src.name)
    }

    fn compile_instance(&mut self, i: usize) -> Result<(), InternalError> {
        let (binding, func, subst) = {
            let inst = &self.instances[i];
            (inst.binding, inst.func, inst.subst.clone())
        };
        let map: HashMap<TyVar, Type> = subst.iter().cloned().collect();
        let mut body = self.start_declared(func);
        function::lower_function(self, &mut body, binding, i, map)?;
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
        self.define(body, title);
        Ok(())
    }

    /// `clef_init`: top-level values and `do` code, in order.
    fn compile_init(&mut self) -> Result<FuncId, InternalError> {
        let sig = Signature::new(CallConv::Tail);
        let id = self
            .program
            .declare_function("clef_init", Linkage::Local, &sig);
        let mut func = Function::new(id, sig);
        function::lower_init(self, &mut func)?;
        self.define(
            func,
            "module initialisation: top-level values and `do` code, in order".into(),
        );
        Ok(id)
    }

    /// The C `main`: start the runtime, initialise, run the entry point,
    /// exit with its result.
    /// `clef_exception_text`, which `main` registers with the runtime,
    /// when the program declares exceptions (the runtime reports its own
    /// by their message).
    fn compile_exception_text(&mut self) -> Result<Option<FuncId>, InternalError> {
        let declared = self
            .psg
            .prelude_type(PreludeType::Exn)
            .map(|exn| self.psg.decl(exn).cases.len())
            .is_some_and(|n| n > barewire_model::exceptions::BUILTIN.len());
        if !declared {
            return Ok(None);
        }
        let text_sig = Signature {
            params: vec![Ty::I64],
            returns: vec![Ty::I64],
            call_conv: CallConv::C,
        };
        let text = self
            .program
            .declare_function("clef_exception_text", Linkage::Local, &text_sig);
        let mut text_fn = Function::new(text, text_sig);
        function::lower_exception_text(self, &mut text_fn)?;
        self.define(
            text_fn,
            "`%A` of an exception, for the report of one not caught".into(),
        );
        Ok(Some(text))
    }

    fn compile_main(&mut self, init: FuncId, entry: Option<usize>, text: Option<FuncId>) {
        let sig = Signature {
            params: vec![Ty::I32, Ty::I64],
            returns: vec![Ty::I32],
            call_conv: CallConv::C,
        };
        let set_text = text.map(|t| (t, self.runtime_fn(&crate::runtime_abi::SET_EXCEPTION_TEXT)));
        let id = self.program.declare_function("main", Linkage::Export, &sig);
        let start = self.runtime_fn(&crate::runtime_abi::RT_START);
        let args = self.runtime_fn(&crate::runtime_abi::RT_ARGS);
        let exit = self.runtime_fn(&crate::runtime_abi::RT_EXIT);
        let mut func = Function::new(id, sig);
        {
            let mut b = crate::builder::FunctionBuilder::new(&mut func);
            let block = b.create_block();
            b.append_block_params_for_function_params(block);
            b.switch_to_block(block);
            let (argc, argv) = (b.block_params(block)[0], b.block_params(block)[1]);
            b.ins().call(Callee::Runtime(start), None, &[argc, argv]);
            if let Some((text, set_text)) = set_text {
                let text = b.ins().func_addr(text);
                b.ins().call(Callee::Runtime(set_text), None, &[text]);
            }
            b.ins().call(Callee::Func(init), None, &[]);
            let code = match entry {
                Some(i) => {
                    let call = b.ins().call(Callee::Runtime(args), Some(Ty::I64), &[]);
                    let argv = b.inst_results(call)[0];
                    let f = self.instances[i].func;
                    let call = b.ins().call(Callee::Func(f), Some(Ty::I32), &[argv]);
                    b.inst_results(call)[0]
                }
                None => b.ins().iconst(Ty::I32, 0),
            };
            b.ins().call(Callee::Runtime(exit), None, &[code]);
            b.ins().return_(&[code]);
        }
        self.define(func, "main: C entry point".into());
    }
}

/// Machine types of a function seen as a closure (`None`: unit, no value).
pub struct ClosureShape {
    pub captures: Vec<Option<Ty>>,
    pub params: Vec<Option<Ty>>,
    pub ret: Option<Ty>,
}

pub(crate) fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
