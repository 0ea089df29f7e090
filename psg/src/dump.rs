//! Deterministic dumps of the PSG: an indented text tree (`--emit psg`) and
//! Graphviz DOT (`--emit psg-dot`).

use crate::facts::Facts;
use crate::graph::*;
use crate::types::TyVar;
use clef_frontend::ast::ForDirection;
use clef_frontend::layout::LineIndex;
use clef_frontend::print::type_str;
use std::fmt::Write;

/// A short description of a node: kind and its own data, no type.
pub fn describe(psg: &Psg, id: NodeId) -> String {
    match psg.kind(id) {
        NodeKind::Module(name) => format!("module {name}"),
        NodeKind::Open(path) => format!("open {path}"),
        NodeKind::Init => "init".into(),
        NodeKind::TypeDecl(t) if t.measure.is_some() => match &t.measure {
            Some(crate::graph::MeasureDef::Abbreviation(m)) => {
                format!("measure {} = {}", t.name, type_str(m))
            }
            _ => format!("measure {}", t.name),
        },
        NodeKind::TypeDecl(TypeDeclInfo {
            name,
            exception_case: Some(case),
            ..
        }) => format!("exception {name} (case {case} of exn)"),
        NodeKind::TypeDecl(t) => {
            let fields: Vec<String> = t
                .fields
                .iter()
                .map(|(n, ty)| {
                    let m = if t.mutable_fields.contains(n) {
                        "mutable "
                    } else {
                        ""
                    };
                    format!("{m}{n}: {}", type_str(ty))
                })
                .collect();
            format!("type {} {{ {} }}", t.name, fields.join("; "))
        }
        NodeKind::Arm { guarded: true } => "arm when".into(),
        NodeKind::Arm { guarded: false } => "arm".into(),
        NodeKind::Pattern(p) => match p {
            PatternKind::Wildcard => "pattern _".into(),
            PatternKind::Lit(l) => format!("pattern {}", literal_str(l)),
            PatternKind::Tuple => "pattern tuple".into(),
            PatternKind::Or => "pattern or".into(),
            PatternKind::As => "pattern as".into(),
            PatternKind::Typed(t) => format!("pattern typed {}", type_str(t)),
            PatternKind::Record(fields) => format!("pattern record {{ {} }}", fields.join("; ")),
            PatternKind::Case(name) => format!("pattern case {name}"),
        },
        NodeKind::Binding(b) => {
            let role = match b.role {
                BindingRole::Let if b.arity > 0 => "function",
                BindingRole::Let => "let",
                BindingRole::Param => "param",
                BindingRole::LoopVar => "loopvar",
                BindingRole::PatternVar => "patvar",
            };
            let mut flags = String::new();
            for (on, flag) in [
                (b.is_rec, " rec"),
                (b.is_mutable, " mutable"),
                (b.is_entry, " entrypoint"),
            ] {
                if on {
                    flags.push_str(flag);
                }
            }
            format!("{role}{flags} {}", b.name)
        }
        NodeKind::Expr(e) => match e {
            ExprKind::Lit(l) => format!("lit {}", literal_str(l)),
            ExprKind::Tuple => "tuple".into(),
            ExprKind::Array => "array".into(),
            ExprKind::Record { fields, .. } => format!("record {{ {} }}", fields.join("; ")),
            ExprKind::RecordUpdate(fields) => format!("record with {{ {} }}", fields.join("; ")),
            ExprKind::Match => "match".into(),
            ExprKind::TryWith => "try with".into(),
            ExprKind::TryFinally => "try finally".into(),
            ExprKind::Var(name) if !psg.explicit_type_args(id).is_empty() => {
                let args: Vec<String> = psg.explicit_type_args(id).iter().map(type_str).collect();
                format!("var {name}<{}>", args.join(", "))
            }
            ExprKind::Var(name) => format!("var {name}"),
            ExprKind::Member(name) => format!("member .{name}"),
            ExprKind::Apply => "apply".into(),
            ExprKind::Binary(op) => format!("binary {}", op.symbol()),
            ExprKind::Neg => "negate".into(),
            ExprKind::If => "if".into(),
            ExprKind::While => "while".into(),
            ExprKind::For(ForDirection::To) => "for to".into(),
            ExprKind::For(ForDirection::Downto) => "for downto".into(),
            ExprKind::ForEach => "for each".into(),
            ExprKind::Let => "let-in".into(),
            ExprKind::Seq => "seq".into(),
            ExprKind::Assign => "assign".into(),
            ExprKind::Lambda => "lambda".into(),
            ExprKind::Index => "index".into(),
            ExprKind::Slice => "slice".into(),
            ExprKind::Typed(t) => format!("typed {}", type_str(t)),
            ExprKind::Error => "error".into(),
        },
    }
}

/// A literal as Clef writes it.
pub fn literal_str(l: &Literal) -> String {
    match l {
        Literal::Unit => "()".into(),
        Literal::Int(v, IntTy::Int) => format!("{v}"),
        Literal::Int(v, IntTy::Int64) => format!("{v}L"),
        Literal::Int(v, IntTy::Byte) => format!("{v}uy"),
        Literal::Float(v, false) => format!("{v:?}"),
        Literal::Float(v, true) => format!("{v:?}f"),
        Literal::Str(s) => format!("{s:?}"),
        Literal::Char(c) => clef_frontend::print::char_str(*c),
        Literal::Bool(b) => format!("{b}"),
    }
}

/// What resolution and the passes found about a node; type variables are
/// named through `names`, so one top-level item names each variable the
/// same way throughout.
fn annotations(psg: &Psg, facts: &Facts, id: NodeId, names: &mut Vec<TyVar>) -> String {
    let mut s = String::new();
    if let Some(t) = facts.ty(id) {
        let _ = write!(s, " : {}", t.display_in(names));
    }
    if let Some(b) = psg.builtin(id) {
        let _ = write!(s, " = builtin {}", b.name());
    }
    if let Some(def) = psg.definition(id) {
        let _ = write!(s, " -> n{}", def.node().index());
    }
    if let Some(case) = facts.missing_cases.get(&id) {
        let _ = write!(s, " incomplete (e.g. {case})");
    }
    let captures = facts.captures(id);
    if !captures.is_empty() {
        let caps: Vec<String> = captures.iter().map(|c| format!("n{}", c.index())).collect();
        let _ = write!(s, " captures [{}]", caps.join(", "));
    }
    if let Some(c) = facts.coherency(id).filter(|c| !c.hardware) {
        let before = c.before.iter().map(|o| format!("{} before", o.name()));
        let after = c.after.iter().map(|o| format!("{} after", o.name()));
        let syncs: Vec<String> = before.chain(after).collect();
        let _ = write!(s, " hand-off syncs: {}", syncs.join(", "));
    }
    s
}

/// The text dump: the containment tree with types, references and what
/// the passes decided.
pub fn text(psg: &Psg, facts: &Facts, src: &str) -> String {
    let lines = LineIndex::new(src);
    let mut out = String::new();
    let Some(root) = psg.root else { return out };
    let mut names = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if depth <= 1 {
            names.clear();
        }
        let (line, col) = lines.line_col(psg.span(id).start);
        let _ = writeln!(
            out,
            "{:indent$}n{} {}{}  @{}:{}",
            "",
            id.index(),
            describe(psg, id),
            annotations(psg, facts, id, &mut names),
            line + 1,
            col + 1,
            indent = depth * 2
        );
        for &child in psg.kids(id).iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    out
}

/// Nodes whose value is a buffer (or makes one) are coloured by its
/// memory space, as placement decided it where it did.
fn residency_colour(facts: &Facts, id: NodeId) -> Option<&'static str> {
    let space = match facts.placement(id) {
        Some(p) => p.space.map(|s| s.name()),
        None => match facts.ty(id)? {
            crate::Type::Buffer(_, m) => m.space(),
            _ => return None,
        },
    };
    let colour = SPACE_COLOURS
        .iter()
        .find(|(s, _)| Some(*s) == space)
        .map_or("lightgrey", |(_, c)| *c);
    Some(colour)
}

/// The memory spaces' colours in [`dot`], for its legend.
const SPACE_COLOURS: [(&str, &str); 6] = [
    ("cpu_mem", "lightblue"),
    ("cxl_mem", "gold"),
    ("gpu_mem", "palegreen"),
    ("gpu_bar", "lightpink"),
    ("unified", "plum"),
    ("decided at run time", "lightgrey"),
];

/// Graphviz DOT: containment as solid edges, def-use dashed; buffers
/// coloured by memory space (with a legend), hand-offs that need syncs
/// drawn bold red. Without `with_prelude`, the
/// prelude's definitions the program uses are single grey nodes, and the
/// rest of the prelude is left out.
pub fn dot(psg: &Psg, facts: &Facts, with_prelude: bool) -> String {
    let mut out = String::from("digraph psg {\n  node [shape=box, fontname=\"monospace\"];\n");
    out.push_str("  subgraph cluster_legend {\n    label=\"memory spaces\";\n");
    for (i, (space, colour)) in SPACE_COLOURS.iter().enumerate() {
        let _ = writeln!(
            out,
            "    legend{i} [label={space:?}, style=filled, fillcolor={colour}];"
        );
    }
    out.push_str("  }\n");
    let shown = |id: NodeId| with_prelude || !psg.in_prelude(id);
    // Prelude definitions the program refers to.
    let mut used_prelude: Vec<NodeId> = psg
        .graph
        .raw_edges()
        .iter()
        .filter(|e| shown(e.source()) && !shown(e.target()))
        .map(|e| e.target())
        .collect();
    used_prelude.sort();
    used_prelude.dedup();
    for &id in &used_prelude {
        let _ = writeln!(
            out,
            "  n{} [label={:?}, style=\"filled,dashed\", fillcolor=whitesmoke];",
            id.index(),
            format!("prelude: {}", describe(psg, id))
        );
    }
    for id in psg.graph.node_indices().filter(|&id| shown(id)) {
        let label = format!(
            "n{} {}{}",
            id.index(),
            describe(psg, id),
            annotations(psg, facts, id, &mut Vec::new())
        );
        let shape = match psg.kind(id) {
            NodeKind::Module(_) => ", shape=folder",
            NodeKind::Binding(_) => ", shape=ellipse",
            // Hand-offs that need syncs stand out.
            _ if facts.coherency(id).is_some_and(|c| !c.hardware) => ", style=bold, color=red",
            _ => "",
        };
        let fill = residency_colour(facts, id)
            .map(|c| format!(", style=filled, fillcolor={c}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  n{} [label={:?}{shape}{fill}];", id.index(), label);
    }
    // The tree: solid edges from each node to its children.
    for id in psg.graph.node_indices().filter(|&id| shown(id)) {
        for &k in psg.kids(id) {
            let _ = writeln!(out, "  n{} -> n{};", id.index(), k.index());
        }
    }
    for e in psg.graph.raw_edges() {
        let drawn = |n: NodeId| shown(n) || used_prelude.binary_search(&n).is_ok();
        if !shown(e.source()) || !drawn(e.target()) {
            continue;
        }
        let style = match e.weight {
            EdgeKind::DefUse => " [style=dashed, label=\"def\"]",
        };
        let _ = writeln!(
            out,
            "  n{} -> n{}{style};",
            e.source().index(),
            e.target().index()
        );
    }
    out.push_str("}\n");
    out
}
