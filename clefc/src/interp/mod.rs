//! `clefc interp`: a reference interpreter of the typed PSG.
//!
//! It runs a program that passed every pass (resolve … coherency) by
//! walking its PSG, with no code generation. It is the oracle compiled
//! programs are checked against, so it is small rather than fast, and its
//! invariant is *the compiled program's observable behaviour*: the same
//! stdout byte for byte (through the runtime's own buffered output and
//! formatting functions), the same exit code, the same failure messages
//! (the runtime's `abi::messages`), printed after the output so far.
//!
//! * `value.rs`: values and structural relations; `eval.rs`: expressions;
//!   `call.rs`: functions, closures, tail calls, type substitutions;
//!   `pattern.rs`: `match`; `arith.rs`: operators and conversions;
//!   `builtins.rs`: the builtins; `print.rs`: `printf`, `%A`, `string`.
//! * Tail calls run in a loop (`call.rs`), so tail recursion uses constant
//!   stack; other recursion uses the interpreter thread's large stack,
//!   and running out of it is `Stack overflow.` and exit code 1, never a
//!   crash.

mod arith;
mod builtins;
mod call;
mod eval;
mod exceptions;
mod pattern;
mod print;
pub mod value;

use barewire::abi::messages;
use clef_frontend::{SourceFile, Span};
use clef_psg::*;
use std::collections::{BTreeSet, HashMap};
use value::{Subst, SubstId, Value};

/// The interpreter thread's stack (reserved address space, not memory).
const STACK_SIZE: usize = 4 << 30;
/// Stack kept free below the overflow check, for the deepest stretch of
/// expression evaluation between two calls.
const STACK_MARGIN: usize = 256 << 20;

/// Why evaluation stopped early.
#[derive(Debug)]
pub enum Stop {
    /// `exit n`.
    Exit(i32),
    /// A run-time failure that cannot be caught: the full text for stderr.
    Fail(String),
    /// An exception on its way to a handler: the `exn` value, and the
    /// report of the run-time failure that raised it, if one did.
    Raise(value::Value, Option<String>),
    /// The stack is exhausted.
    StackOverflow,
    /// A construct the interpreter does not support, or a broken
    /// invariant of the PSG: a bug, named.
    Internal(String),
}

pub type R<T> = Result<T, Stop>;

pub fn internal<T>(msg: impl Into<String>) -> R<T> {
    Err(Stop::Internal(msg.into()))
}

/// Run a checked program with `args` as `argv`; returns the exit code.
/// Output goes to stdout through the runtime's buffer, failures to stderr.
pub fn run(psg: &Psg, facts: &Facts, src: &SourceFile, args: &[String]) -> i32 {
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("clef-interp".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || {
                let n = psg.graph.node_count();
                let ids = (0..n).map(NodeId::new);
                let kids: Vec<Box<[NodeId]>> =
                    ids.clone().map(|id| psg.children(id).into()).collect();
                let defs: Vec<Option<NodeId>> = ids
                    .map(|id| psg.definition(id).map(BindingId::node))
                    .collect();
                let mut interp = Interp::new(psg, facts, src, &kids, &defs);
                let result = interp.main(args).map_err(|stop| interp.uncaught(stop));
                barewire::io::flush();
                match result {
                    Ok(code) => code,
                    Err(stop) => report(stop),
                }
            })
            .map(|h| h.join())
    });
    barewire::io::flush();
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("error: internal error in the interpreter: it panicked");
            1
        }
        Err(e) => {
            eprintln!("error: cannot start the interpreter thread: {e}");
            1
        }
    }
}

/// Print why the program stopped (stdout is already flushed); the code.
fn report(stop: Stop) -> i32 {
    match stop {
        Stop::Exit(code) => code,
        Stop::Fail(text) => {
            eprintln!("{text}");
            1
        }
        Stop::StackOverflow => {
            eprintln!(
                "{}\nerror: the stack is exhausted (deep or endless recursion); the interpreter's stack is {} MiB",
                barewire::fault::STACK_OVERFLOW,
                (STACK_SIZE - STACK_MARGIN) >> 20
            );
            1
        }
        Stop::Internal(msg) => {
            eprintln!("error: internal error in the interpreter: {msg}");
            1
        }
        Stop::Raise(..) => {
            eprintln!("error: internal error in the interpreter: an exception escaped");
            1
        }
    }
}

/// The locals of one function invocation (or of the initialiser), by
/// binding node, and the type substitution it runs under.
pub struct Env {
    pub(crate) locals: Vec<(NodeId, Value)>,
    pub subst: SubstId,
}

impl Env {
    pub fn new(subst: SubstId) -> Env {
        Env {
            locals: Vec::new(),
            subst,
        }
    }

    pub fn get(&self, b: NodeId) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| *n == b)
            .map(|(_, v)| v)
    }

    /// Bind (or rebind: loops, mutation) a local.
    pub fn set(&mut self, b: NodeId, v: Value) {
        match self.locals.iter_mut().rev().find(|(n, _)| *n == b) {
            Some(slot) => slot.1 = v,
            None => self.locals.push((b, v)),
        }
    }

    fn has(&self, b: NodeId) -> bool {
        self.get(b).is_some()
    }
}

pub struct Interp<'p> {
    pub psg: &'p Psg,
    /// What the passes found (types, captures, formats).
    pub facts: &'p Facts,
    src: &'p SourceFile,
    /// Children of every node, in order (`Psg::children` is a search).
    kids: &'p [Box<[NodeId]>],
    /// The binding each reference names.
    defs: &'p [Option<NodeId>],
    globals: HashMap<NodeId, Value>,
    /// Interned substitutions: the sorted pairs and a map for look-ups.
    substs: Vec<(Subst, HashMap<TyVar, Type>)>,
    subst_ids: HashMap<Subst, SubstId>,
    /// (reference or lambda, caller's substitution) → callee's.
    callee_substs: HashMap<(NodeId, SubstId), SubstId>,
    /// Per reference: the last (caller, callee) substitutions, so
    /// monomorphic calls skip the hash look-up.
    last_subst: Vec<Option<(SubstId, SubstId)>>,
    function_vars: HashMap<NodeId, BTreeSet<TyVar>>,
    /// The shared empty capture list.
    no_captures: std::rc::Rc<[Value]>,
    stack_base: usize,
    /// The exceptions the enclosing handlers caught (`reraise ()`).
    caught: Vec<(Value, Option<String>)>,
}

impl<'p> Interp<'p> {
    fn new(
        psg: &'p Psg,
        facts: &'p Facts,
        src: &'p SourceFile,
        kids: &'p [Box<[NodeId]>],
        defs: &'p [Option<NodeId>],
    ) -> Interp<'p> {
        let empty: Subst = Vec::new();
        let mut subst_ids = HashMap::new();
        subst_ids.insert(empty.clone(), 0);
        Interp {
            psg,
            facts,
            src,
            kids,
            defs,
            globals: HashMap::new(),
            substs: vec![(empty, HashMap::new())],
            subst_ids,
            callee_substs: HashMap::new(),
            last_subst: vec![None; kids.len()],
            function_vars: HashMap::new(),
            no_captures: std::rc::Rc::from(Vec::new()),
            stack_base: stack_address(),
            caught: Vec::new(),
        }
    }

    /// Initialise the top-level values and run the `do` code in order,
    /// then the entry point, if any; its result is the exit code.
    fn main(&mut self, args: &[String]) -> R<i32> {
        let psg = self.psg;
        let mut env = Env::new(0);
        for item in psg.items_flat() {
            match psg.kind(item) {
                NodeKind::Binding(info) if !info.is_function() => {
                    if let (_, Some(body)) = psg.function_parts(item) {
                        let v = self.eval(body, &mut env)?;
                        self.globals.insert(item, v);
                    }
                }
                NodeKind::Init => {
                    for &c in self.kids(item) {
                        self.eval(c, &mut env)?;
                    }
                }
                _ => {}
            }
        }
        let entry = psg
            .items()
            .into_iter()
            .find(|&i| psg.binding(i).is_some_and(|b| b.is_entry));
        let Some(entry) = entry else { return Ok(0) };
        let argv = Value::array(args.iter().map(|a| Value::str(a)).collect());
        match self.call_function(entry, 0, vec![argv])? {
            Value::Int(code) => Ok(code),
            v => internal(format!("the entry point returned a {}", v.kind())),
        }
    }

    pub fn kids(&self, id: NodeId) -> &'p [NodeId] {
        &self.kids[id.index()]
    }

    pub fn def(&self, id: NodeId) -> Option<NodeId> {
        self.defs[id.index()]
    }

    /// The concrete type of a node under a substitution, measures erased
    /// (as codegen's `type_of`: an unbound variable is `unit`).
    pub fn type_of(&self, id: NodeId, subst: SubstId) -> Type {
        let map = &self.substs[subst as usize].1;
        let t = self.facts.ty(id).cloned().unwrap_or(Type::Unit);
        t.map_vars(&|v| Some(map.get(&v).cloned().unwrap_or(Type::Unit)))
            .erase_measures()
    }

    /// A run-time failure at `span`, as the runtime words it.
    pub fn fail<T>(&self, msg: &str, span: Span) -> R<T> {
        Err(Stop::Fail(messages::at(msg, &self.location(span))))
    }

    /// `file:line:col`, as codegen writes source locations.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.src.line_col(span.start);
        format!("{}:{line}:{col}", self.src.name)
    }

    /// Stop with `Stack overflow.` before the stack really runs out.
    pub fn check_stack(&self) -> R<()> {
        let used = self.stack_base.saturating_sub(stack_address());
        if used > STACK_SIZE - STACK_MARGIN {
            return Err(Stop::StackOverflow);
        }
        Ok(())
    }

    /// A local's value, or a top-level value's.
    pub fn lookup(&self, b: NodeId, env: &Env) -> R<Value> {
        if let Some(v) = env.get(b) {
            return Ok(v.clone());
        }
        match self.globals.get(&b) {
            Some(v) => Ok(v.clone()),
            None => internal(format!("no value for binding n{}", b.index())),
        }
    }

    /// Assign a mutable local or top-level value.
    pub fn assign(&mut self, b: NodeId, v: Value, env: &mut Env) -> R<()> {
        if env.has(b) {
            env.set(b, v);
        } else if let Some(slot) = self.globals.get_mut(&b) {
            *slot = v;
        } else {
            return internal(format!("assignment to unbound n{}", b.index()));
        }
        Ok(())
    }

    /// The record fields of a (static) type's declaration, in order.
    pub fn record_field_names(&self, ty: Option<&Type>) -> Option<Vec<&'p str>> {
        self.facts.types.record_field_names(self.psg, ty?)
    }
}

/// An address in the current stack frame.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}
