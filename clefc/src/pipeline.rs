//! The compilation pipeline, stage by stage:
//! lex → layout → parse → PSG → resolve → types → lower → MIR → Cranelift.
//! Each stage's diagnostics stop the pipeline before the next stage that
//! relies on its invariants.

use clef_frontend::{layout, lexer, parser, print, Diagnostic, InternalError, SourceFile};
pub use clef_passes::placement::PlacementOptions;
use clef_psg::{dump, Facts, Psg};
use std::fmt::Write;
use std::time::{Duration, Instant};

/// A stage whose output `--emit` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// Tokens after the layout filter (with virtual block tokens).
    Tokens,
    /// The abstract syntax tree.
    Ast,
    /// The Program Semantic Graph after all passes, as text.
    Psg,
    /// The program's part of the Program Semantic Graph as Graphviz DOT
    /// (prelude definitions it uses appear as single nodes).
    PsgDot,
    /// The whole Program Semantic Graph as Graphviz DOT, prelude included.
    PsgDotAll,
    /// The inferred type of every binding.
    Types,
    /// Residency inference: each allocation's memory space and accesses.
    Residency,
    /// The placement pass: where each allocation goes, and why.
    Placement,
    /// The coherency pass: each CPU → GPU hand-off, its mode and inserted
    /// operations, then the PSG with them.
    Coherency,
    /// The mid-level IR (MIR) of every compiled function, with source
    /// locations.
    Mir,
    /// Cranelift IR of every compiled function.
    Clif,
}

/// What the pipeline produced.
pub enum Outcome {
    /// The text of an `--emit` stage.
    Emitted(String),
    /// A relocatable object file, ready to link.
    Object(Vec<u8>),
    /// `check` succeeded.
    Checked,
    /// The PSG and what every pass found, without errors (for `clefc
    /// interp`).
    Analysed(Box<(Psg, Facts)>),
}

/// The result of running the pipeline: an outcome (absent when errors
/// stopped it), every diagnostic, and time spent per stage.
pub struct Compilation {
    pub outcome: Option<Outcome>,
    pub diagnostics: Vec<Diagnostic>,
    /// A bug in clefc that stopped the compilation (not the program's
    /// fault: reported apart from its diagnostics).
    pub internal: Option<InternalError>,
    pub timings: Vec<(&'static str, Duration)>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.internal.is_some() || self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// What the caller wants from the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    Emit(Stage),
    Check,
    /// The PSG after every pass (placement and coherency included).
    Analyse,
    Object,
}

/// Run the pipeline on one file as far as `goal` needs, for `--platform
/// auto`. Diagnostics come back in source order.
pub fn compile(file: &SourceFile, module_name: &str, goal: Goal) -> Compilation {
    compile_for(file, module_name, goal, &PlacementOptions::default())
}

/// `compile` for a given platform and placement configuration.
pub fn compile_for(
    file: &SourceFile,
    module_name: &str,
    goal: Goal,
    placement: &PlacementOptions,
) -> Compilation {
    compile_with(file, module_name, goal, placement, true)
}

/// `compile_for`, with the MIR optimisations on or off (`-O0`).
pub fn compile_with(
    file: &SourceFile,
    module_name: &str,
    goal: Goal,
    placement: &PlacementOptions,
    optimise: bool,
) -> Compilation {
    let mut c = compile_stages(file, module_name, goal, placement, optimise);
    c.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    c
}

fn compile_stages(
    file: &SourceFile,
    module_name: &str,
    goal: Goal,
    placement: &PlacementOptions,
    optimise: bool,
) -> Compilation {
    let mut c = Compilation {
        outcome: None,
        diagnostics: Vec::new(),
        internal: None,
        timings: Vec::new(),
    };
    let src = file.text.as_str();
    let t = Instant::now();
    let (tokens, diags) = lexer::lex(src);
    c.diagnostics.extend(diags);
    let (tokens, diags) = layout::layout(src, tokens);
    c.diagnostics.extend(diags);
    c.timings.push(("lex+layout", t.elapsed()));
    if goal == Goal::Emit(Stage::Tokens) {
        c.outcome = Some(Outcome::Emitted(print::tokens(src, &tokens)));
        return c;
    }
    let t = Instant::now();
    let (ast, diags) = parser::parse(tokens);
    let diags = clef_frontend::not_offside_consequences(&c.diagnostics, diags);
    c.diagnostics.extend(diags);
    c.timings.push(("parse", t.elapsed()));
    if goal == Goal::Emit(Stage::Ast) {
        c.outcome = Some(Outcome::Emitted(print::ast(&ast)));
        return c;
    }
    if c.has_errors() {
        return c;
    }
    let t = Instant::now();
    let (mut psg, diags) = clef_psg::build::build(&ast, module_name);
    c.diagnostics.extend(diags);
    c.timings.push(("psg", t.elapsed()));
    if c.has_errors() {
        return c;
    }
    let t = Instant::now();
    let until_types = matches!(goal, Goal::Emit(Stage::Types | Stage::Residency));
    let (mut facts, diags) = clef_passes::run_all(&mut psg, until_types);
    c.diagnostics.extend(diags);
    c.timings.push(("passes", t.elapsed()));
    if c.has_errors() {
        return c;
    }
    if !until_types {
        let t = Instant::now();
        let (placements, diags) = clef_passes::placement::place(&psg, &facts.types, placement);
        facts.placements = placements;
        c.diagnostics.extend(diags);
        c.timings.push(("placement", t.elapsed()));
        if c.has_errors() {
            return c;
        }
        let t = Instant::now();
        let (coherency, diags) =
            clef_passes::coherency::cohere(&psg, &facts.types, placement.platform.as_ref());
        facts.coherency = coherency;
        c.diagnostics.extend(diags);
        c.timings.push(("coherency", t.elapsed()));
    }
    match goal {
        Goal::Emit(Stage::Psg) => c.outcome = Some(Outcome::Emitted(dump::text(&psg, &facts, src))),
        Goal::Emit(Stage::PsgDot) => {
            c.outcome = Some(Outcome::Emitted(dump::dot(&psg, &facts, false)))
        }
        Goal::Emit(Stage::PsgDotAll) => {
            c.outcome = Some(Outcome::Emitted(dump::dot(&psg, &facts, true)))
        }
        Goal::Emit(Stage::Types) => {
            c.outcome = Some(Outcome::Emitted(types_listing(&psg, &facts, src)))
        }
        Goal::Emit(Stage::Residency) => {
            c.outcome = Some(Outcome::Emitted(crate::residency::listing(
                &psg, &facts, src,
            )))
        }
        Goal::Emit(Stage::Placement) => {
            c.outcome = Some(Outcome::Emitted(crate::residency::placement_report(
                &psg, &facts, src,
            )))
        }
        Goal::Emit(Stage::Coherency) => {
            let report = crate::residency::coherency_report(&psg, &facts, src);
            c.outcome = Some(Outcome::Emitted(format!(
                "{report}\n{}",
                dump::text(&psg, &facts, src)
            )))
        }
        Goal::Check => c.outcome = Some(Outcome::Checked),
        Goal::Analyse => {
            c.outcome = Some(Outcome::Analysed(Box::new((psg, facts))));
            return c;
        }
        Goal::Emit(Stage::Mir | Stage::Clif) | Goal::Object => {
            let t = Instant::now();
            let mut program = match clef_mir::lower(&psg, &facts, file) {
                Ok(p) => p,
                Err(bug) => {
                    c.internal = Some(bug);
                    return c;
                }
            };
            // The MIR verifier runs in debug builds (and so in the tests).
            let verify = |program: &clef_mir::ir::Program, phase: &'static str| {
                if cfg!(debug_assertions) {
                    clef_mir::verify::program(program).map_err(|e| InternalError::new(phase, e))
                } else {
                    Ok(())
                }
            };
            if let Err(bug) = verify(&program, "MIR verification") {
                c.internal = Some(bug);
                return c;
            }
            c.timings.push(("mir", t.elapsed()));
            if optimise {
                let t = Instant::now();
                clef_mir::opt::optimise(&mut program);
                if let Err(bug) = verify(&program, "MIR verification after optimisation") {
                    c.internal = Some(bug);
                    return c;
                }
                c.timings.push(("optimise", t.elapsed()));
            }
            if goal == Goal::Emit(Stage::Mir) {
                c.outcome = Some(Outcome::Emitted(clef_mir::print::program(&program, file)));
                return c;
            }
            let t = Instant::now();
            match clef_codegen::compile(&program, goal != Goal::Object) {
                Ok(out) => {
                    c.outcome = Some(if goal == Goal::Object {
                        Outcome::Object(out.object)
                    } else {
                        Outcome::Emitted(out.clif)
                    })
                }
                Err(bug) => c.internal = Some(bug),
            }
            c.timings.push(("cranelift", t.elapsed()));
        }
        Goal::Emit(Stage::Tokens | Stage::Ast) => unreachable!("returned earlier"),
    }
    c
}

/// Every binding with its inferred type, in source order, indented by
/// nesting: `val name : type` as in an F# signature.
fn types_listing(psg: &Psg, facts: &Facts, src: &str) -> String {
    let lines = layout::LineIndex::new(src);
    let mut out = String::new();
    let Some(root) = psg.root else { return out };
    // Type variables are named per top-level item, consistently across
    // the item and everything nested in it.
    let mut names = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let mut next_depth = depth;
        if depth == 0 {
            names.clear();
        }
        if let clef_psg::NodeKind::TypeDecl(info) = psg.kind(id).clone() {
            let (line, col) = lines.line_col(info.name_span.start);
            if let Some(def) = &info.measure {
                // Its meaning in base measures, which typeck records.
                let meaning = match (def, facts.ty(id)) {
                    (clef_psg::MeasureDef::Abbreviation(_), Some(t)) => format!(" = {t}"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "{:>4}:{:<3} [<Measure>] type {}{meaning}",
                    line + 1,
                    col + 1,
                    info.name
                );
                continue;
            }
            let types = &facts.types;
            if let Some(index) = info.exception_case {
                // Its case of `exn`, with the field types typeck found.
                let exn = psg
                    .prelude_type(clef_psg::PreludeType::Exn)
                    .map(|d| d.node());
                let fields: Vec<String> = exn
                    .and_then(|e| types.declared_union_cases(e).get(index).cloned())
                    .map(|(_, fs)| fs.iter().map(|t| t.display_in(&mut names)).collect())
                    .unwrap_or_default();
                let of = if fields.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", fields.join(" * "))
                };
                let _ = writeln!(
                    out,
                    "{:>4}:{:<3} exception {}{of}",
                    line + 1,
                    col + 1,
                    info.name
                );
                continue;
            }
            let params: Vec<String> = types
                .generalized(id)
                .iter()
                .zip(&info.params)
                .map(|(v, p)| {
                    if info.measure_params.contains(p) {
                        let m = clef_psg::measure::Measure::var(*v);
                        format!(
                            "[<Measure>] {}",
                            clef_psg::Type::Measure(m).display_in(&mut names)
                        )
                    } else {
                        clef_psg::Type::Var(*v).display_in(&mut names)
                    }
                })
                .collect();
            let params = if params.is_empty() {
                String::new()
            } else {
                format!("<{}>", params.join(", "))
            };
            let body = if types.declared_union_cases(id).is_empty() {
                let fields: Vec<String> = types
                    .declared_record_fields(id)
                    .iter()
                    .map(|(f, t)| format!("{f}: {}", t.display_in(&mut names)))
                    .collect();
                format!("{{ {} }}", fields.join("; "))
            } else {
                let cases: Vec<String> = types
                    .declared_union_cases(id)
                    .iter()
                    .map(|(c, fs)| {
                        let fs: Vec<String> = fs.iter().map(|t| t.display_in(&mut names)).collect();
                        if fs.is_empty() {
                            c.clone()
                        } else {
                            format!("{c} of {}", fs.join(" * "))
                        }
                    })
                    .collect();
                cases.join(" | ")
            };
            let _ = writeln!(
                out,
                "{:>4}:{:<3} type {}{params} = {body}",
                line + 1,
                col + 1,
                info.name
            );
        }
        if let Some(b) = psg.binding(id) {
            let (line, col) = lines.line_col(b.name_span.start);
            let ty = facts
                .ty(id)
                .map_or("?".to_string(), |t| t.display_in(&mut names));
            let role = match b.role {
                clef_psg::BindingRole::Param => "param",
                clef_psg::BindingRole::LoopVar => "for",
                clef_psg::BindingRole::PatternVar => "pattern",
                clef_psg::BindingRole::Let if b.is_mutable => "val mutable",
                // Lambdas are anonymous function bindings named `fun`.
                clef_psg::BindingRole::Let if b.name == "fun" && b.is_function() => "lambda",
                clef_psg::BindingRole::Let => "val",
            };
            let name = if role == "lambda" {
                String::new()
            } else {
                format!(" {}", b.name)
            };
            let _ = writeln!(
                out,
                "{:>4}:{:<3} {:indent$}{role}{name} : {ty}",
                line + 1,
                col + 1,
                "",
                indent = depth * 2
            );
            next_depth = depth + 1;
        }
        for k in psg.children(id).into_iter().rev() {
            stack.push((k, next_depth));
        }
    }
    out
}
