//! Structure-aware: the input picks one of the example programs and a list
//! of edits at the level of lines and tokens (delete, insert a token from
//! the language's vocabulary, duplicate, move, re-indent), so most inputs
//! are nearly valid programs that reach the type checker and the later
//! passes, where byte-level mutation rarely gets. Never a panic.
#![no_main]

use clef_frontend::SourceFile;
use clefc::pipeline::{compile_for, Goal, PlacementOptions};
use libfuzzer_sys::fuzz_target;

const BASES: &[&str] = &[
    include_str!("../../examples/closures.clef"),
    include_str!("../../examples/generics.clef"),
    include_str!("../../examples/records.clef"),
    include_str!("../../examples/unions.clef"),
    include_str!("../../examples/tuples_and_matching.clef"),
    include_str!("../../examples/lists.clef"),
    include_str!("../../examples/arrays.clef"),
    include_str!("../../examples/modules.clef"),
    include_str!("../../examples/structured_printing.clef"),
    include_str!("../../examples/numeric_kernel.clef"),
    include_str!("../../examples/use_scoped_buffers.clef"),
    include_str!("../../examples/gpu_unified_view.clef"),
    include_str!("../../examples/platform_config.clef"),
    include_str!("../../examples/generalised_lambdas.clef"),
    include_str!("../../examples/local_rec_lambdas.clef"),
];

const VOCABULARY: &[&str] = &[
    "let", "rec", "and", "mutable", "use", "in", "if", "then", "elif", "else", "while", "do",
    "for", "to", "downto", "match", "with", "function", "fun", "->", "<-", "|", "_", "(", ")",
    "[", "]", "[|", "|]", "{", "}", ";", ",", ":", ".", "=", "<>", "<", ">", "+", "-", "*", "/",
    "%", "::", "@", "|>", ">>", "&&", "||", "not", "true", "false", "0", "1", "-1", "2.5",
    "1.0f", "3L", "\"s\"", "x", "f", "xs", "Some", "None", "int", "float", "string", "'a",
    "type", "of", "module", "open", "printfn", "\"%d\"", "\"%A\"", "List.map", "Array.zeroCreate",
    "BAREWire.allocate<float32, cpu_mem>", "BAREWire.copy<gpu_mem>", "BAREWire.migrate<cxl_mem>",
    "SharedBuffer<int, 'space>", "[<Kernel>]", "[<EntryPoint>]", "[<Measure>]", "float<m>",
    "\n", "\n    ", "    ",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, edits)) = data.split_first() else {
        return;
    };
    let base = BASES[pick as usize % BASES.len()];
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    for edit in edits.chunks(3) {
        let [op, a, b] = [edit[0], *edit.get(1).unwrap_or(&0), *edit.get(2).unwrap_or(&0)];
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = a as usize % lines.len();
        let words: Vec<&str> = lines[i].split(' ').collect();
        let w = b as usize % words.len().max(1);
        match op % 6 {
            0 => {
                // Delete a token.
                let mut ws = words.clone();
                if !ws.is_empty() {
                    ws.remove(w);
                }
                lines[i] = ws.join(" ");
            }
            1 => {
                // Insert a token.
                let mut ws = words.clone();
                ws.insert(w.min(ws.len()), VOCABULARY[b as usize % VOCABULARY.len()]);
                lines[i] = ws.join(" ");
            }
            2 => {
                let line = lines[i].clone();
                lines.insert(b as usize % (lines.len() + 1), line);
            }
            3 => {
                let line = lines.remove(i);
                let j = b as usize % (lines.len() + 1);
                lines.insert(j, line);
            }
            4 => lines[i] = format!("{}{}", " ".repeat(b as usize % 9), lines[i].trim_start()),
            _ => {
                lines.remove(i);
            }
        }
    }
    let text = lines.join("\n") + "\n";
    let file = SourceFile::new("fuzz.clef", text);
    let c = compile_for(&file, "Fuzz", Goal::Check, &PlacementOptions::default());
    let _ = file.render(&c.diagnostics);
});
