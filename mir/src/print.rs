//! The `--emit mir` text: each function headed by what it is, its
//! blocks with parameters, one instruction per line, and the source line
//! and column each instruction was lowered from.
//!
//! ```text
//! fn3 clef_square_n12_0(i32) -> i32 tail   ; square : int -> int  (n12)
//! bb0(v0: i32):
//!     jump bb1(v0)
//! bb1(v1: i32):
//!     var0 = v1
//!     v2 = use var0                          ; 2:5
//! ```

use crate::ir::*;
use clef_frontend::SourceFile;
use std::fmt::Write;

/// The whole program: data objects, then functions in definition order.
pub fn program(p: &Program, src: &SourceFile) -> String {
    let mut out = String::new();
    for (i, d) in p.data.iter().enumerate() {
        let what = match (&d.text, &d.bytes) {
            (Some(t), _) => format!("string {t:?}"),
            (None, Some(b)) => format!("constant {} bytes", b.len()),
            (None, None) => format!("zeroed {} bytes", d.size),
        };
        let rw = if d.writable { "writable" } else { "read-only" };
        let _ = writeln!(out, "data{i} {} {rw} {what}", d.name);
    }
    for f in p.functions.iter() {
        out.push('\n');
        out.push_str(&function(p, f, src));
    }
    out
}

fn sig(s: &Signature) -> String {
    let params: Vec<String> = s.params.iter().map(Ty::to_string).collect();
    let mut text = format!("({})", params.join(", "));
    if let Some(r) = s.returns.first() {
        text.push_str(&format!(" -> {r}"));
    }
    text.push_str(match s.call_conv {
        CallConv::Tail => " tail",
        CallConv::C => " c",
    });
    text
}

fn callee(p: &Program, c: &Callee) -> String {
    match c {
        Callee::Func(f) => format!("{f} {}", p.decl(*f).name),
        Callee::Runtime(f) => format!("runtime {}", p.decl(*f).name),
        Callee::Indirect(s, v) => format!("indirect {v} {}", sig(s)),
    }
}

fn values(vs: &[Value]) -> String {
    vs.iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn target(b: Block, args: &[Value]) -> String {
    if args.is_empty() {
        b.to_string()
    } else {
        format!("{b}({})", values(args))
    }
}

/// One instruction's text, without its result.
pub fn inst_text(p: &Program, f: &Function, kind: &InstKind) -> String {
    use InstKind::*;
    match kind {
        Iconst(t, v) => format!("iconst.{t} {v}"),
        F32const(v) => format!("f32const {v:?}"),
        F64const(v) => format!("f64const {v:?}"),
        Binary(op, a, b) => format!("{} {a}, {b}", format!("{op:?}").to_lowercase()),
        BinaryImm(op, a, i) => {
            let name = format!("{op:?}").to_lowercase();
            format!("{}_imm {a}, {i}", name.trim_end_matches("imm"))
        }
        Unary(op, a) => format!("{} {a}", format!("{op:?}").to_lowercase()),
        Convert(op, t, a) => format!("{}.{t} {a}", format!("{op:?}").to_lowercase()),
        Icmp(cc, a, b) => format!("icmp {} {a}, {b}", cc.name()),
        IcmpImm(cc, a, i) => format!("icmp {} {a}, {i}", cc.name()),
        Fcmp(cc, a, b) => format!("fcmp {} {a}, {b}", cc.name()),
        Load(t, a, o, Mem::Mutable) => format!("load.{t} [{a}+{o}]"),
        Load(t, a, o, Mem::Immutable) => format!("load.{t} immutable [{a}+{o}]"),
        Store(v, a, o) => format!("store [{a}+{o}], {v}"),
        Alloc(AllocKind::Collected, n) => format!("alloc collected {n}"),
        BufferNew(r, routine, args) => {
            let how = match r {
                Residency::Space(Some(s), _) => format!("in {}", s.name()),
                Residency::Space(None, _) => "left to run-time placement".to_string(),
                Residency::Policy => "by run-time policy".to_string(),
            };
            format!(
                "buffer_new {how} ({}) via {}",
                values(args),
                p.decl(*routine).name
            )
        }
        StackAddr(s, o) => format!("stack_addr {s}+{o}"),
        DataAddr(d) => format!("data_addr {d} {}", p.data[d.index()].name),
        FuncAddr(g) => format!("func_addr {g} {}", p.decl(*g).name),
        Call(c, args) => format!("call {}({})", callee(p, c), values(args)),
        UseVar(v) => format!("use {v}: {}", f.vars[v.index()]),
        DefVar(v, x) => format!("{v} = {x}"),
    }
}

pub fn terminator_text(p: &Program, t: &Terminator) -> String {
    match t {
        Terminator::Jump(b, a) => format!("jump {}", target(*b, a)),
        Terminator::Brif(c, t, ta, e, ea) => {
            format!("brif {c}, {}, {}", target(*t, ta), target(*e, ea))
        }
        Terminator::Return(v) => format!("return {}", values(v)).trim_end().to_string(),
        Terminator::TailCall(c, args) => format!("tail_call {}({})", callee(p, c), values(args)),
        Terminator::Trap => "trap".to_string(),
    }
}

pub fn function(p: &Program, f: &Function, src: &SourceFile) -> String {
    let mut out = String::new();
    let decl = p.decl(f.id);
    let _ = writeln!(out, "; {}", f.title);
    let _ = writeln!(out, "{} {}{}", f.id, decl.name, sig(&f.sig));
    for (i, size) in f.slots.iter().enumerate() {
        let _ = writeln!(out, "    ss{i} = stack {size} bytes");
    }
    for &b in &f.layout {
        let data = f.block(b);
        let params: Vec<String> = data
            .params
            .iter()
            .map(|&v| format!("{v}: {}", f.value_type(v)))
            .collect();
        let cold = if data.cold { " cold" } else { "" };
        if params.is_empty() {
            let _ = writeln!(out, "{b}{cold}:");
        } else {
            let _ = writeln!(out, "{b}({}){cold}:", params.join(", "));
        }
        for &i in &data.insts {
            let inst = f.inst(i);
            let mut line = String::from("    ");
            if let Some(r) = inst.result {
                let _ = write!(line, "{r} = ");
            }
            line.push_str(&inst_text(p, f, &inst.kind));
            if let Some(span) = inst.span {
                let (l, c) = src.line_col(span.start);
                let pad = 44usize.saturating_sub(line.chars().count()).max(1);
                let _ = write!(line, "{:pad$}; {l}:{c}", "");
            }
            out.push_str(&line);
            out.push('\n');
        }
        match &data.term {
            Some(t) => {
                let _ = writeln!(out, "    {}", terminator_text(p, t));
            }
            None => out.push_str("    <no terminator>\n"),
        }
    }
    out
}
