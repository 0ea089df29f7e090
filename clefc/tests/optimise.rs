//! The MIR optimisations fire where they should, and change nothing a
//! program can observe. Each test compiles a small program to MIR with
//! and without them (`-O0`) and looks at one function's instructions;
//! the examples test runs every example both ways.

use clef_frontend::SourceFile;
use clefc::pipeline::{compile_with, Goal, Outcome, PlacementOptions, Stage};

/// The MIR text of the function whose header mentions `title`.
fn mir_of(src: &str, title: &str, optimise: bool) -> String {
    let file = SourceFile::new("test.clef", src);
    let c = compile_with(
        &file,
        "Test",
        Goal::Emit(Stage::Mir),
        &PlacementOptions::default(),
        optimise,
    );
    let Some(Outcome::Emitted(text)) = c.outcome else {
        panic!("no MIR: {}", file.render(&c.diagnostics));
    };
    let start = text
        .find(&format!("; {title}"))
        .unwrap_or_else(|| panic!("no function `{title}` in:\n{text}"));
    let rest = &text[start..];
    let end = rest[1..].find("\n; ").map_or(rest.len(), |e| e + 1);
    rest[..end].to_string()
}

fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn a_small_helper_is_inlined_into_its_loop() {
    let src = "module T\nlet sq (x: float) = x * x\nlet total n =\n    let mutable s = 0.0\n    for i in 1 .. n do\n        s <- s + sq (float i)\n    s\nprintfn \"%f\" (total 10)\n";
    let before = mir_of(src, "total", false);
    let after = mir_of(src, "total", true);
    assert_eq!(count(&before, "call fn"), 1, "{before}");
    assert_eq!(count(&after, "call fn"), 0, "{after}");
    assert_eq!(count(&after, "fmul"), 1, "{after}");
}

#[test]
fn a_tuple_taken_apart_at_once_is_never_allocated() {
    let src = "module T\nlet f (a: float) (b: float) =\n    let dx, dy, dz = a - b, a + b, a * b\n    dx + dy + dz\nprintfn \"%f\" (f 1.0 2.0)\n";
    assert_eq!(count(&mir_of(src, "f :", false), "alloc collected"), 1);
    let after = mir_of(src, "f :", true);
    assert_eq!(count(&after, "alloc collected"), 0, "{after}");
    assert_eq!(count(&after, "load"), 0, "{after}");
}

#[test]
fn a_record_updated_in_a_loop_lives_in_variables() {
    let src = "module T\ntype S = { X: int; N: int64 }\nlet run () =\n    let mutable r = { X = 0; N = 0L }\n    for i in 1 .. 100 do\n        r <- { r with X = r.X + 1; N = r.N + int64 i }\n    r.X, r.N\nprintfn \"%A\" (run ())\n";
    assert_eq!(count(&mir_of(src, "run", false), "alloc collected"), 3);
    let after = mir_of(src, "run", true);
    // Only the returned tuple escapes.
    assert_eq!(count(&after, "alloc collected"), 1, "{after}");
}

#[test]
fn a_closure_applied_where_it_is_built_is_a_direct_computation() {
    let src = "module T\nlet run n =\n    let mutable s = 0\n    for i in 0 .. n do\n        let add = fun x -> x + i\n        s <- s + add 3\n    s\nprintfn \"%d\" (run 10)\n";
    let before = mir_of(src, "run", false);
    assert_eq!(count(&before, "call fn"), 1, "{before}");
    let after = mir_of(src, "run", true);
    assert_eq!(count(&after, "call"), 0, "{after}");
    assert_eq!(count(&after, "alloc"), 0, "{after}");
}

#[test]
fn a_composition_of_fresh_closures_is_devirtualised_and_inlined() {
    let src = "module T
let adder (k: int) = fun (x: int) -> x + k
let scale (k: int) (x: int) = x * k
let run n =
    let mutable s = 0
    for i in 0 .. n do
        let h = adder i >> scale 3
        s <- s + h (i % 7)
    s
printfn \"%d\" (run 10)
";
    let before = mir_of(src, "run", false);
    assert!(count(&before, "call indirect") >= 1, "{before}");
    assert!(count(&before, "alloc collected") >= 2, "{before}");
    let after = mir_of(src, "run", true);
    assert_eq!(count(&after, "call"), 0, "{after}");
    assert_eq!(count(&after, "alloc"), 0, "{after}");
}

#[test]
fn a_closure_that_escapes_is_kept() {
    let src = "module T\nlet adder k = fun x -> x + k\nlet fs = [ adder 1; adder 2 ]\nprintfn \"%d\" (List.sum (List.map (fun f -> f 10) fs))\n";
    let after = mir_of(src, "adder", true);
    assert_eq!(count(&after, "alloc collected"), 1, "{after}");
}

#[test]
fn functions_with_loops_and_recursive_functions_are_not_inlined() {
    let src = "module T\nlet rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nlet sum n =\n    let mutable s = 0\n    for i in 1 .. n do\n        s <- s + i\n    s\nprintfn \"%d %d\" (fib 10) (sum 10)\n";
    let init = mir_of(src, "module initialisation", true);
    assert!(init.contains("clef_fib"), "{init}");
    assert!(init.contains("clef_sum"), "{init}");
}

#[test]
fn a_bounds_check_repeated_on_the_same_index_goes() {
    let src = "module T\nlet bump (a: float[]) (i: int) =\n    a.[i] <- a.[i] + a.[i] * 2.0\nbump [| 1.0 |] 0\n";
    let before = mir_of(src, "bump", false);
    assert_eq!(count(&before, "fail_index"), 3, "{before}");
    let after = mir_of(src, "bump", true);
    assert_eq!(count(&after, "fail_index"), 1, "{after}");
}

#[test]
fn a_short_circuit_condition_branches_straight_to_its_target() {
    let src = "module T\nlet count (n: int) =\n    let mutable i = 0\n    let mutable s = 0.0\n    while i < n && s < 100.0 do\n        s <- s + 1.5\n        i <- i + 1\n    i\nprintfn \"%d\" (count 1000)\n";
    // The join of `&&` (a block with an i8 parameter) is gone.
    let before = mir_of(src, "count", false);
    assert!(before.contains(": i8)"), "{before}");
    let after = mir_of(src, "count", true);
    assert!(!after.contains(": i8)"), "{after}");
}

#[test]
fn halving_a_number_known_to_be_even_is_a_shift() {
    let src = "module T\nlet half (n: int64) = if n % 2L = 0L then n / 2L else n\nprintfn \"%d\" (half 10L)\n";
    assert_eq!(count(&mir_of(src, "half", false), "sdiv"), 1);
    let after = mir_of(src, "half", true);
    assert_eq!(count(&after, "sdiv"), 0, "{after}");
    assert_eq!(count(&after, "sshr"), 1, "{after}");
}

#[test]
fn a_join_whose_value_is_used_later_is_not_skipped() {
    // `v`'s `&&` join is read again after the branch that threading could
    // skip; skipping it left a use its definition no longer dominated
    // (found by the 10k-line benchmark program; the verifier catches it).
    let src = "module T\nlet f (p0: int) : float =\n    let mutable m = 9996L <<< 4\n    let v = (true || false) && (m = m)\n    if p0 = (if v then p0 else p0) then\n        m <- m ^^^ (m * (m - m))\n    elif (p0 < 55) || (v && v) then\n        m <- m - 3L\n    14.5 + float m\nprintfn \"%f\" (f 3)\n";
    let after = mir_of(src, "f :", true);
    assert!(after.contains("return"), "{after}");
}

#[test]
fn a_loop_over_an_array_s_indices_checks_no_bounds() {
    let src = "module T\nlet total (a: int[]) (b: int[]) =\n    let mutable s = 0\n    for i in 0 .. a.Length - 1 do\n        s <- s + a.[i] * a.[i]\n    for i in 0 .. a.Length - 1 do\n        s <- s + b.[i]\n    for i in 0 .. a.Length do\n        s <- s + a.[i]\n    for i in -1 .. a.Length - 1 do\n        s <- s + a.[i]\n    s\nprintfn \"%d\" (total [| 1 |] [| 2 |])\n";
    let before = mir_of(src, "total", false);
    assert_eq!(count(&before, "fail_index"), 5, "{before}");
    // Only the first loop's checks go for good: `b` may be shorter than
    // `a`, the third loop reaches `a.Length`, the fourth starts below
    // zero. (Those three are versioned: their copies without checks run
    // when a test ahead allows, and the originals keep theirs.)
    let after = mir_of(src, "total", true);
    assert_eq!(count(&after, "fail_index"), 3, "{after}");
}

#[test]
fn a_loop_whose_checks_are_decided_ahead_runs_a_copy_without_them() {
    let src = "module T\nlet total (a: float[]) (n: int) (k: int) =\n    let mutable s = 0.0\n    for i in 0 .. n - 1 do\n        s <- s + a.[i] * a.[k]\n    s\nprintfn \"%f\" (total [| 1.0 |] 1 0)\n";
    let before = mir_of(src, "total", false);
    assert_eq!(count(&before, "fail_index"), 2, "{before}");
    assert_eq!(count(&before, "icmp eq"), 1, "{before}");
    let after = mir_of(src, "total", true);
    // Two copies of the loop; only the original checks (and fails as
    // before); the test ahead asks `n - 1 < a.Length` and `k < a.Length`.
    assert_eq!(count(&after, "icmp eq"), 2, "{after}");
    assert_eq!(count(&after, "fail_index"), 2, "{after}");
    assert_eq!(count(&after, "icmp ult"), 2, "{after}");
    assert_eq!(
        count(&after, "icmp sge"),
        0,
        "a constant start needs no test: {after}"
    );
}

#[test]
fn loops_with_no_check_decided_ahead_or_with_inner_loops_are_not_copied() {
    // `a.[i + 1]`'s index is not the counter; the outer loop has a loop
    // inside (only its inner loop is copied).
    let src = "module T\nlet f (a: int[]) (n: int) =\n    let mutable s = 0\n    for i in 0 .. n - 1 do\n        s <- s + a.[i + 1]\n    for i in 0 .. n - 1 do\n        s <- s + a.[i]\n        for j in 0 .. n - 1 do\n            s <- s + a.[j]\n    s\nprintfn \"%d\" (f [| 1; 2 |] 1)\n";
    let before = mir_of(src, "f :", false);
    assert_eq!(count(&before, "icmp eq"), 3, "{before}");
    let after = mir_of(src, "f :", true);
    assert_eq!(count(&after, "icmp eq"), 4, "{after}");
}

#[test]
fn the_last_case_left_is_taken_without_testing_its_tag() {
    // (Match lowering, so at -O0 as well.)
    let src = "module T\ntype Tree =\n    | Nil\n    | Node of Tree * Tree\nlet rec count t =\n    match t with\n    | Nil -> 0\n    | Node(l, r) -> 1 + count l + count r\nprintfn \"%d\" (count (Node(Nil, Nil)))\n";
    let mir = mir_of(src, "count", false);
    assert_eq!(count(&mir, "icmp eq"), 1, "{mir}");
    // Nothing reaches the match failure (its block goes with -O1).
    let optimised = mir_of(src, "count", true);
    assert_eq!(count(&optimised, "fail_match"), 0, "{optimised}");
}

#[test]
fn a_case_still_possible_after_a_guard_is_tested() {
    // A match with a guard lowers arm by arm: the guard leaves `Dot`
    // possible for later arms, and a third case keeps the second arm's
    // test; the last `Dot` is known.
    let src = "module T\ntype Shape =\n    | Dot\n    | Line of int\n    | Box of int * int\nlet guarded s flag =\n    match s with\n    | Dot when flag -> 0\n    | Line n -> n\n    | Box(w, h) -> w * h\n    | Dot -> 1\nprintfn \"%d\" (guarded Dot true)\n";
    let guarded = mir_of(src, "guarded", true);
    assert_eq!(count(&guarded, "icmp eq v"), 3, "{guarded}");
    assert_eq!(count(&guarded, "fail_match"), 0, "{guarded}");
}

#[test]
fn a_match_without_guards_tests_each_part_once() {
    // (Match lowering, so at -O0 as well.) A decision tree: `Line`'s
    // rows share one tag test, then test the field; `Box` is the case
    // left, untested.
    let src = "module T\ntype Shape =\n    | Dot\n    | Line of int\n    | Box of int * int\nlet partial s =\n    match s with\n    | Dot -> 0\n    | Line 3 -> 3\n    | Box(w, h) -> w * h\n    | Line n -> n\nprintfn \"%d\" (partial (Line 3))\n";
    let partial = mir_of(src, "partial", false);
    assert_eq!(count(&partial, "icmp eq"), 3, "{partial}");
    // A pair of unions: arm by arm, `a` would be tested three times and
    // `b` twice; the tree tests each once.
    let src = "module T\ntype AB =\n    | A\n    | B\nlet pair a b =\n    match a, b with\n    | A, A -> 1\n    | B, _ -> 2\n    | A, B -> 3\nprintfn \"%d\" (pair A B)\n";
    let pair = mir_of(src, "pair", false);
    assert_eq!(count(&pair, "icmp eq"), 2, "{pair}");
    let optimised = mir_of(src, "pair", true);
    assert_eq!(count(&optimised, "fail_match"), 0, "{optimised}");
    assert_eq!(count(&optimised, "alloc"), 0, "{optimised}");
}
