//! `clefc check` on arbitrary bytes: the lexer, layout, parser, name
//! resolution, type checking and every pass must never panic, whatever
//! the input (the runtime-free half of the compiler).
#![no_main]

use clef_frontend::SourceFile;
use clefc::pipeline::{compile_for, Goal, PlacementOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (file, not_utf8) = SourceFile::decode("fuzz.clef", data.to_vec());
    if let Some(d) = not_utf8 {
        let _ = file.render(&[d]);
        return;
    }
    let c = compile_for(&file, "Fuzz", Goal::Check, &PlacementOptions::default());
    let _ = file.render(&c.diagnostics);
});
