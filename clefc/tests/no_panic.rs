//! Robustness: random bytes and random token soups never make the compiler
//! panic. Inputs come from a fixed seed, so a failure is reproducible; the
//! failing input is printed.

use clef_frontend::SourceFile;
use clefc::pipeline::{compile, Goal};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const TOKENS: &[&str] = &[
    "let",
    "rec",
    "and",
    "mutable",
    "in",
    "if",
    "then",
    "elif",
    "else",
    "while",
    "do",
    "for",
    "to",
    "downto",
    "true",
    "false",
    "module",
    "open",
    "begin",
    "end",
    "match",
    "fun",
    "x",
    "f",
    "main",
    "printfn",
    "int",
    "float",
    "argv",
    "0",
    "1",
    "42L",
    "7uy",
    "1.5",
    "2.0f",
    "\"s %d\"",
    "\"%f\"",
    "(",
    ")",
    "[",
    "]",
    "[|",
    "|]",
    "[<",
    ">]",
    "EntryPoint",
    ".[",
    ",",
    ";",
    ":",
    ".",
    "..",
    "->",
    "<-",
    "=",
    "<>",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "&&",
    "||",
    "&&&",
    "|||",
    "^^^",
    "<<<",
    ">>>",
    "|>",
    "<|",
    "_",
    "'a",
    "\n",
    "\n    ",
    "\n        ",
    "(*",
    "*)",
    "//",
    "\t",
    "not",
    "exit",
    "ignore",
];

fn check_no_panic(src: String) {
    let file = SourceFile::new("fuzz.clef", src.clone());
    let result = std::panic::catch_unwind(|| {
        let c = compile(&file, "Fuzz", Goal::Object);
        let _ = file.render(&c.diagnostics);
    });
    assert!(
        result.is_ok(),
        "the compiler panicked on this input:\n{src:?}"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = StdRng::seed_from_u64(0xC1EF);
    for _ in 0..1500 {
        let len = rng.random_range(0..200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        check_no_panic(String::from_utf8_lossy(&bytes).into_owned());
    }
}

#[test]
fn random_token_soups_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x50FA);
    for _ in 0..3000 {
        let n = rng.random_range(1..60);
        let mut src = String::new();
        for _ in 0..n {
            src.push_str(TOKENS[rng.random_range(0..TOKENS.len())]);
            src.push(' ');
        }
        check_no_panic(src);
    }
}

#[test]
fn mutated_valid_programs_never_panic() {
    let base = "module M\n\ntype P = { X: int; Y: int }\ntype S = | A of int | B\n\nlet rec fib n =\n    if n < 2 then n\n    else fib (n - 1) + fib (n - 2)\n\nlet sq (x: float) : float = x * x\nlet f s = match s with | A n -> n | B -> 0\nlet g = List.map (fun x -> x + 1) [1; 2]\n\n[<EntryPoint>]\nlet main argv =\n    let mutable s = 0\n    for i in 1 .. 10 do\n        s <- s + fib i\n    let p = { X = 1; Y = 2 }\n    let arr = [| 1; 2 |]\n    arr.[0] <- f (A 3)\n    printfn \"%d %f %d\" s (sq 2.0) ({ p with X = 3 }).X\n    0\n";
    let mut rng = StdRng::seed_from_u64(0xF1B);
    let chars: Vec<char> = base.chars().collect();
    for _ in 0..1500 {
        let mut v = chars.clone();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..v.len());
            match rng.random_range(0..3) {
                0 => {
                    v.remove(i);
                }
                1 => v.insert(
                    i,
                    TOKENS[rng.random_range(0..TOKENS.len())]
                        .chars()
                        .next()
                        .unwrap_or(' '),
                ),
                _ => {
                    let j = rng.random_range(0..v.len());
                    v.swap(i, j)
                }
            }
        }
        check_no_panic(v.into_iter().collect());
    }
}
