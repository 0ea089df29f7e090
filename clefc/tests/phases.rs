//! Small checks of one phase each, in rust-analyzer's `check_types` style:
//! a few lines of Clef and what that phase must make of them, written by
//! hand from F#'s rules (the offside rule, operator precedence, name
//! scoping, inferred signatures as F# Interactive prints them, the
//! incomplete-match example F# would warn about), never copied from
//! clefc's output.

use clef_frontend::{layout, lexer, parser, print, SourceFile};
use clef_psg::{ExprKind, NodeKind};
use clefc::pipeline::{compile, Goal, Outcome, Stage};

/// The tokens after the layout pass on one line: real tokens as written,
/// the blocks the offside rule opens, separates and closes as `{ ; }` (the
/// file itself is the outermost block, as F#'s light syntax has it).
fn layout_of(src: &str) -> String {
    let (tokens, diags) = lexer::lex(src);
    assert!(diags.is_empty(), "{diags:?}");
    let (tokens, diags) = layout::layout(src, tokens);
    assert!(diags.is_empty(), "{diags:?}");
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| match t.tok {
            lexer::Tok::VBegin => "{",
            lexer::Tok::VSep => ";",
            lexer::Tok::VEnd => "}",
            // A `;` the layout inserted (between list elements on lines).
            lexer::Tok::Semi if t.span.start == t.span.end => ";",
            _ => &src[t.span.range()],
        })
        .collect();
    words.join(" ")
}

fn check_layout(src: &str, expected: &str) {
    assert_eq!(layout_of(src), expected, "layout of:\n{src}");
}

fn check_parse(src: &str, expected: &str) {
    let (tokens, diags) = lexer::lex(src);
    assert!(diags.is_empty(), "{diags:?}");
    let (tokens, diags) = layout::layout(src, tokens);
    assert!(diags.is_empty(), "{diags:?}");
    let (file, diags) = parser::parse(tokens);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        print::ast(&file).trim_end(),
        expected.trim(),
        "parse of:\n{src}"
    );
}

/// Every name the program uses, in source order, and what it resolves
/// to: `name@line:col -> let x@line:col`, a builtin or a union case.
fn check_resolution(src: &str, expected: &str) {
    let file = SourceFile::new("check.clef", src);
    let c = compile(&file, "Main", Goal::Analyse);
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    let Some(Outcome::Analysed(analysed)) = &c.outcome else {
        panic!("no PSG")
    };
    let (psg, _) = &**analysed;
    let at = |span: clef_frontend::Span| {
        let (l, c) = file.line_col(span.start);
        format!("{l}:{c}")
    };
    let mut uses: Vec<_> = psg
        .graph
        .node_indices()
        .filter(|&n| !psg.in_prelude(n))
        .filter_map(|n| match psg.kind(n) {
            NodeKind::Expr(ExprKind::Var(name)) if !name.starts_with("eta@") => {
                Some((psg.span(n), name.clone(), n))
            }
            _ => None,
        })
        .collect();
    uses.sort_by_key(|(span, _, _)| span.start);
    let lines: Vec<String> = uses
        .into_iter()
        .map(|(span, name, n)| {
            let target = if let Some(def) = psg.definition(n) {
                let b = psg.info(def);
                let what = if psg.in_prelude(def.node()) {
                    "prelude "
                } else {
                    ""
                };
                format!("{what}{} {}@{}", role(b), b.name, at(b.name_span))
            } else if let Some(b) = psg.builtin(n) {
                format!("builtin {}", b.name())
            } else if let Some((decl, i)) = psg.case(n) {
                let t = psg.decl(decl);
                format!("case {} of {}", t.cases[i].name, t.name)
            } else {
                "?".into()
            };
            format!("{name}@{} -> {target}", at(span))
        })
        .collect();
    assert_eq!(lines.join("\n"), expected.trim(), "resolution of:\n{src}");
}

fn role(b: &clef_psg::BindingInfo) -> &'static str {
    match b.role {
        clef_psg::BindingRole::Param => "param",
        clef_psg::BindingRole::LoopVar => "for",
        clef_psg::BindingRole::PatternVar => "pattern",
        clef_psg::BindingRole::Let => "let",
    }
}

/// The top-level signatures, `val name : type`, as F# Interactive would
/// print them (without positions and without the nested bindings).
fn check_types(src: &str, expected: &str) {
    let file = SourceFile::new("check.clef", src);
    let c = compile(&file, "Main", Goal::Emit(Stage::Types));
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    let Some(Outcome::Emitted(listing)) = &c.outcome else {
        panic!("no types")
    };
    let top: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.get(9..))
        .filter(|l| l.starts_with("val ") || l.starts_with("type "))
        .collect();
    assert_eq!(top.join("\n"), expected.trim(), "types of:\n{src}");
}

/// The incomplete-match warnings' example values, in source order.
fn check_missing(src: &str, expected: &[&str]) {
    let file = SourceFile::new("check.clef", src);
    let c = compile(&file, "Main", Goal::Check);
    assert!(!c.has_errors(), "{}", file.render(&c.diagnostics));
    let examples: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == "W0025")
        .map(|d| {
            let m = &d.message;
            let start = m.find('`').expect("an example") + 1;
            let end = m[start..].find('`').expect("its end") + start;
            m[start..end].to_string()
        })
        .collect();
    assert_eq!(examples, expected, "incomplete matches of:\n{src}");
}

// ---- layout: F#'s offside rule ----

#[test]
fn a_let_body_on_the_next_lines_is_a_block() {
    check_layout(
        "let f x =\n    let y = x + 1\n    y * 2\n",
        "{ let f x = { let y = { x + 1 } ; y * 2 } }",
    );
}

#[test]
fn a_line_at_the_outer_column_ends_the_block_and_separates_items() {
    check_layout(
        "let a =\n    1\nlet b = 2\n",
        "{ let a = { 1 } ; let b = { 2 } }",
    );
}

#[test]
fn then_and_else_open_blocks_of_their_own() {
    check_layout(
        "if c then\n    1\nelse\n    2\n",
        "{ if c then { 1 } else { 2 } }",
    );
}

#[test]
fn a_semicolon_ending_a_line_is_the_separator_of_the_next() {
    // F# reads `{ A = 1;` then `B = 2 }` as two fields, and `[ 1;` then
    // `2 ]` as two elements: the `;` already separates them.
    check_layout(
        "let p =\n    { A = 1;\n      B = 2 }\n",
        "{ let p = { { { A = 1 ; B = 2 } } } }",
    );
    check_layout(
        "let p = { A = 1\n          B = 2 }\n",
        "{ let p = { { { A = 1 ; B = 2 } } } }",
    );
}

#[test]
fn list_elements_on_their_own_lines_are_separated() {
    // A line at the first element's column starts the next element,
    // unless the line above ended with an operator (it continues).
    check_layout(
        "let xs = [ 1\n           2 ]\n",
        "{ let xs = { [ 1 ; 2 ] } }",
    );
    check_layout(
        "let xs = [ 1 +\n           2 ]\n",
        "{ let xs = { [ 1 + 2 ] } }",
    );
}

#[test]
fn an_else_ending_its_line_may_continue_at_the_if_s_column() {
    check_layout(
        "let f x =\n    if x then 1 else\n    2\n",
        "{ let f x = { if x then { 1 } else { 2 } } }",
    );
}

#[test]
fn a_call_glued_to_its_arguments_binds_tighter_than_the_dot_after_it() {
    // F#'s high-precedence application: `a.M(x).N(y)` is `(a.M(x)).N(y)`.
    check_parse(
        "let v = a.Plus(b).Scale(2.0)\n",
        "let v\n  apply\n    dot .Scale\n      apply\n        dot .Plus\n          var a\n        var b\n    float 2.0",
    );
}

#[test]
fn try_opens_a_block_that_with_or_finally_at_its_column_ends() {
    check_layout(
        "let f x =\n    try\n        g x\n    with\n    | E -> 0\n",
        "{ let f x = { try { g x } with | E -> { 0 } } }",
    );
    check_layout(
        "try\n    a ()\nfinally\n    b ()\n",
        "{ try { a ( ) } finally { b ( ) } }",
    );
}

#[test]
fn with_on_the_line_of_try_ends_its_body_unless_a_match_or_record_owns_it() {
    check_layout(
        "let r = try g 1 with _ -> 0\n",
        "{ let r = { try { g 1 } with _ -> { 0 } } }",
    );
    check_layout(
        "let r = try { p with X = 1 } with _ -> p\n",
        "{ let r = { try { { { p with { X = 1 } } } } with _ -> { p } } }",
    );
    check_layout(
        "let r = try match x with A -> 1 with _ -> 0\n",
        "{ let r = { try { match x with A -> { 1 } } with _ -> { 0 } } }",
    );
}

// ---- parsing: F#'s precedence and associativity ----

#[test]
fn application_binds_tighter_than_operators() {
    check_parse(
        "let r = f x + g y * 2",
        "
let r
  binary +
    apply
      var f
      var x
    binary *
      apply
        var g
        var y
      int 2",
    );
}

#[test]
fn pipes_associate_to_the_left() {
    check_parse(
        "let r = x |> f |> g",
        "
let r
  binary |>
    binary |>
      var x
      var f
    var g",
    );
}

#[test]
fn comparison_is_looser_than_arithmetic_and_and_looser_still() {
    check_parse(
        "let r = a + 1 < b && c",
        "
let r
  binary &&
    binary <
      binary +
        var a
        int 1
      var b
    var c",
    );
}

// ---- resolution: F#'s scoping ----

#[test]
fn a_local_let_shadows_and_a_parameter_hides_the_outer_name() {
    // (A second top-level `let x` would be F#'s duplicate definition.)
    check_resolution(
        "let x = 1\nlet f x = x + 1\nlet g () =\n    let x = 2\n    f x\n",
        "
x@2:11 -> param x@2:7
f@5:5 -> let f@2:5
x@5:7 -> let x@4:9",
    );
}

#[test]
fn let_rec_sees_itself_and_a_plain_let_does_not() {
    check_resolution(
        "let outer () =\n    let g n = n\n    let rec g n = if n = 0 then 0 else g (n - 1)\n    let h n = g n\n    h 3\n",
        "
n@2:15 -> param n@2:11
n@3:22 -> param n@3:15
g@3:40 -> let g@3:13
n@3:43 -> param n@3:15
g@4:15 -> let g@3:13
n@4:17 -> param n@4:11
h@5:5 -> let h@4:9",
    );
}

#[test]
fn union_cases_and_module_members_resolve_through_open() {
    check_resolution(
        "module Shapes =\n    type Shape = Dot | Square of int\n    let area s = match s with | Dot -> 0 | Square n -> n * n\nopen Shapes\nlet a = area (Square 3)\n",
        "
s@3:24 -> param s@3:14
n@3:56 -> pattern n@3:51
n@3:60 -> pattern n@3:51
area@5:9 -> let area@3:9
Square@5:15 -> case Square of Shape",
    );
}

// ---- types: the signatures F# infers ----

#[test]
fn let_polymorphism_generalises_functions_not_values() {
    check_types(
        "let id x = x\nlet pair a b = (a, b)\nlet n = id 3\nlet s = id \"s\"\n",
        "
val id : 'a -> 'a
val pair : 'a -> 'b -> 'a * 'b
val n : int
val s : string",
    );
}

#[test]
fn arithmetic_defaults_to_int_and_annotations_fix_floats() {
    check_types(
        "let add a b = a + b\nlet half (x: float) = x / 2.0\nlet twice f x = f (f x)\n",
        "
val add : int -> int -> int
val half : float -> float
val twice : ('a -> 'a) -> 'a -> 'a",
    );
}

#[test]
fn records_unions_and_options() {
    check_types(
        "type P = { X: int; Y: int }\nlet origin = { X = 0; Y = 0 }\nlet getX p = p.X\nlet first xs = match xs with | [] -> None | x :: _ -> Some x\n",
        "
type P = { X: int; Y: int }
val origin : P
val getX : P -> int
val first : 'a list -> 'a option",
    );
}

// ---- exhaustiveness: F#'s incomplete-match examples ----

#[test]
fn a_missing_union_case_is_the_example() {
    check_missing(
        "type T = A | B of int | C\nlet f t = match t with | A -> 0 | C -> 2\n",
        &["B _"],
    );
}

#[test]
fn lists_tuples_and_bools() {
    check_missing(
        "let f xs = match xs with | [] -> 0 | [x] -> x\nlet g p = match p with | (true, _) -> 1 | (_, true) -> 2\nlet h (o: int option) = match o with | Some 0 -> 1 | None -> 0\n",
        &["_ :: _ :: _", "(false, false)", "Some 1"],
    );
}

#[test]
fn a_wildcard_or_a_complete_set_is_complete() {
    check_missing(
        "let f n = match n with | 0 -> \"zero\" | _ -> \"other\"\nlet g b = match b with | true -> 1 | false -> 0\n",
        &[],
    );
}
