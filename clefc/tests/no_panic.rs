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
    // units of measure and memory residency
    "[<Measure>]",
    "Measure",
    "Kernel",
    "type",
    "m",
    "s",
    "^",
    "^-2",
    "'u",
    "3.0<m>",
    "float<m/s>",
    "SharedBuffer<int, cxl_mem>",
    "BAREWire.allocate<int, gpu_mem>",
    "BAREWire.allocateAuto<float>",
    "BAREWire.migrate<unified>",
    "cxl_mem",
    "use",
    "withCXLSupport",
    "AppConfig.autoDetect",
    // F# surface: operators as values, list expressions, computation
    // expressions, accessibility, directives, formats
    "(+)",
    "(*)",
    "(::)",
    "yield",
    "yield!",
    // exceptions
    "try",
    "with",
    "finally",
    "exception",
    ":?",
    "raise",
    "reraise ()",
    "failwith \"x\"",
    "Failure",
    "System.DivideByZeroException",
    // members, chars, string forms
    "member",
    "static",
    "this.X",
    ".M(1).N(2)",
    "'a'",
    "'\\n'",
    "'\\u0041'",
    "@\"a\\b\"",
    "\"\"\"x\"\"\"",
    "let!",
    "do!",
    "return",
    "return!",
    "match!",
    "async {",
    "{",
    "}",
    "&",
    "private",
    "inline",
    "#light",
    "#r",
    "\"%-5d %05x %+.2f\"",
    "Outer.Inner.f<int>",
    "$\"a {x} {{b}}\"",
    "$\"",
    "|",
    "with",
    // classes, interfaces, active patterns, mutable fields
    "type C(x: int) =",
    "new",
    "interface",
    "abstract",
    ":>",
    "{ new IDisposable with",
    "IDisposable",
    "(|Even|Odd|)",
    "(|P|_|)",
    "Even",
    "_.",
    "r.X <- 1",
    "mutable X: int",
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

/// A program with units of measure, buffers, a kernel and a platform
/// configuration, to mutate like the one below.
const MEASURES_AND_BUFFERS: &str = "[<Measure>] type m\n[<Measure>] type s\n[<Measure>] type N = m / s^2\ntype V<[<Measure>] 'u> = { X: float<'u> }\nlet sq (x: float<'u>) = x * x\n[<Kernel>]\nlet k (b: SharedBuffer<float32, unified>) =\n    for i in 0 .. b.Length - 1 do\n        b.[i] <- b.[i] * 2.0f\nlet fill (b: SharedBuffer<int, 'space>) = b.[0] <- 1\n[<EntryPoint>]\nlet main argv =\n    use a = BAREWire.allocate<float32, unified> 8\n    use c = BAREWire.allocateAuto<int> 4\n    fill c\n    k a\n    let v = { X = 3.0<m/s> }\n    let cfg = PlatformConfig.base () |> withCXLSupport CXL3_0\n    printfn \"%f %f\" (sq v.X) (float a.[0])\n    0\n";

/// Mutate `base` `rounds` times (1–3 edits each: delete a character,
/// insert a token, or swap two characters) and compile every mutant.
fn mutants_never_panic(base: &str, seed: u64, rounds: usize, whole_tokens: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let chars: Vec<char> = base.chars().collect();
    for _ in 0..rounds {
        let mut v = chars.clone();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..v.len());
            match rng.random_range(0..3) {
                0 => {
                    v.remove(i);
                }
                1 => {
                    let t = TOKENS[rng.random_range(0..TOKENS.len())];
                    // The whole token, or only its first character.
                    let take = if whole_tokens { t.len() } else { 1 };
                    for (k, ch) in t.chars().take(take).enumerate() {
                        v.insert(i + k, ch);
                    }
                }
                _ => {
                    let j = rng.random_range(0..v.len());
                    v.swap(i, j)
                }
            }
        }
        check_no_panic(v.into_iter().collect());
    }
}

#[test]
fn mutated_measure_and_buffer_programs_never_panic() {
    // The base itself compiles: the mutations start from a valid program.
    let file = SourceFile::new("base.clef", MEASURES_AND_BUFFERS.to_string());
    let c = compile(&file, "Main", Goal::Check);
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    mutants_never_panic(MEASURES_AND_BUFFERS, 0xB0FF, 1200, true);
}

#[test]
fn mutated_valid_programs_never_panic() {
    let base = "module M\n\ntype P = { X: int; Y: int }\ntype S = | A of int | B\n\nlet rec fib n =\n    if n < 2 then n\n    else fib (n - 1) + fib (n - 2)\n\nlet sq (x: float) : float = x * x\nlet f s = match s with | A n -> n | B -> 0\nlet g = List.map (fun x -> x + 1) [1; 2]\n\n[<EntryPoint>]\nlet main argv =\n    let mutable s = 0\n    for i in 1 .. 10 do\n        s <- s + fib i\n    let p = { X = 1; Y = 2 }\n    let arr = [| 1; 2 |]\n    arr.[0] <- f (A 3)\n    printfn \"%d %f %d\" s (sq 2.0) ({ p with X = 3 }).X\n    0\n";
    mutants_never_panic(base, 0xF1B, 1500, false);
}

const EXCEPTIONS: &str = "exception E of string * int\nexception F\nlet f a b =\n    try\n        if b = 0 then raise (E (\"zero\", a))\n        a / b\n    with\n    | E (s, n) when n > 0 -> n\n    | :? System.DivideByZeroException as e -> String.length e.Message\n    | Failure m -> 0\nlet mutable log = 0\nlet g () =\n    try\n        try\n            log <- log + 1\n            failwith \"x\"\n        with e ->\n            printfn \"%s\" e.Message\n            reraise ()\n    finally\n        log <- log + 10\nprintfn \"%d %d\" (f 1 0) (try g (); 0 with F -> 1 | _ -> 2)\n";

const CLASSES: &str = "type R = { mutable N: int }\ntype IShape =\n    abstract Area : float\n    abstract Scale : float -> IShape\ntype Sq(side: float) =\n    let mutable hits = 0\n    let bump k = hits <- hits + k\n    do bump 1\n    member this.Hits = hits\n    interface IShape with\n        member _.Area = side * side\n        member _.Scale k = Sq(side * k) :> IShape\n    interface IDisposable with\n        member this.Dispose() = bump 10\ntype Stack<'T>() =\n    let mutable items : 'T list = []\n    member this.Push(x: 'T) = items <- x :: items\nlet (|Even|Odd|) n = if n % 2 = 0 then Even else Odd\nlet (|Pre|_|) (p: int) n = if n > p then Some (n - p) else None\nlet f n =\n    match n with\n    | Pre 10 d -> d\n    | Even -> 0\n    | Odd -> 1\nlet r = { N = 1 }\nr.N <- f 12\nlet g () =\n    use s = new Sq(2.0)\n    let u = { new IShape with\n                member _.Area = 1.0\n                member _.Scale _ = (s :> IShape) }\n    (s :> IShape).Area + u.Area\nlet st = Stack<int>()\nst.Push 1\nfor (a, _) in [ (1, 2) ] do\n    printfn \"%d %f\" (a + r.N) (g ())\n";

#[test]
fn mutated_class_programs_never_panic() {
    let file = SourceFile::new("base.clef", CLASSES.to_string());
    let c = compile(&file, "Main", Goal::Object);
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    mutants_never_panic(CLASSES, 0xC1A55, 1200, true);
}

#[test]
fn mutated_exception_programs_never_panic() {
    let file = SourceFile::new("base.clef", EXCEPTIONS.to_string());
    let c = compile(&file, "Main", Goal::Object);
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    mutants_never_panic(EXCEPTIONS, 0xE4C, 1200, true);
}
