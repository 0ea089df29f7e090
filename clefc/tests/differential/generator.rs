//! Random well-typed Clef programs (in the spirit of Csmith): integers of
//! every width with wrapping arithmetic, floats, booleans, records,
//! unions, tuples, lists, arrays, closures, matches, loops and bounded
//! recursion, options, closure values, and side effects in arguments
//! (`tr k x` prints `k` and returns `x`), so the order of evaluation is
//! compared too. Every program terminates and prints each value it makes,
//! so a difference between two implementations shows at the first line
//! where they disagree; one in five ends with a run-time failure (an index
//! out of range, a division by zero, `failwith`, an incomplete match), so
//! failure messages are compared as well.
//!
//! Invariants: generation is type-directed (every expression is built for
//! a wanted type from productions of that type), so the programs are
//! well typed by construction; mutable variables are never read inside a
//! lambda (capturing one is an error in F#); recursion depth and loop
//! bounds are literals.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Int,
    Int64,
    Byte,
    Float,
    Bool,
    Rec,
    Shape,
    IntList,
    IntArray,
    Pair,
    IntFun,
    IntOption,
    /// `int -> int -> int`, as a closure value (not a named function).
    IntFun2,
}

const ALL: &[Ty] = &[
    Ty::IntOption,
    Ty::IntFun2,
    Ty::Int,
    Ty::Int64,
    Ty::Byte,
    Ty::Float,
    Ty::Bool,
    Ty::Rec,
    Ty::Shape,
    Ty::IntList,
    Ty::IntArray,
    Ty::Pair,
    Ty::IntFun,
];

impl Ty {
    fn format(self) -> &'static str {
        match self {
            Ty::Int | Ty::Int64 | Ty::Byte => "%d",
            Ty::Float => "%f",
            Ty::Bool => "%b",
            Ty::IntFun | Ty::IntFun2 => "",
            _ => "%A",
        }
    }
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

/// A generated function the rest of the program may call.
struct Func {
    name: String,
    params: Vec<Ty>,
    ret: Ty,
}

struct Gen {
    rng: StdRng,
    vars: Vec<Var>,
    funcs: Vec<Func>,
    /// Inside a lambda: mutable variables are out of reach.
    in_lambda: bool,
    /// `loopT` and `sumR` are defined (and not being defined): calls of
    /// them are allowed, and terminate.
    recursion_ready: bool,
    fresh: usize,
}

const PRELUDE: &str = "\
type R = { A: int; B: float; C: bool }
type Shape =
    | Circle of float
    | Rect of int * int
    | Dot
let safeDiv (a: int) (b: int) = if b = 0 || b = -1 then a else a / b
let safeMod (a: int) (b: int) = if b = 0 || b = -1 then a else a % b
let safeDiv64 (a: int64) (b: int64) = if b = 0L || b = -1L then a else a / b
let idx (i: int) (n: int) = ((i % n) + n) % n
let clampF (x: float) = if x > 1000000.0 then 1000000.0 elif x < -1000000.0 then -1000000.0 else x
let tr (k: int) (x: int) =
    printfn \"tr %d\" k
    x
";

/// A whole program for `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed),
        vars: Vec::new(),
        funcs: Vec::new(),
        in_lambda: false,
        recursion_ready: false,
        fresh: 0,
    };
    let mut out = String::from(PRELUDE);
    let _ = writeln!(out, "// seed {seed}");
    g.recursive_functions(&mut out);
    g.recursion_ready = true;
    for _ in 0..g.rng.random_range(1..4) {
        g.function(&mut out);
    }
    for _ in 0..g.rng.random_range(6..16) {
        g.statement(&mut out);
    }
    if g.rng.random_bool(0.2) {
        out.push_str("// fails\n");
        g.failure(&mut out);
    }
    out
}

impl Gen {
    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn scalar(&mut self) -> Ty {
        self.pick(&[Ty::Int, Ty::Int, Ty::Int64, Ty::Byte, Ty::Float, Ty::Bool])
    }

    /// `let fN (a: T) (b: T) : T = e`
    fn function(&mut self, out: &mut String) {
        let name = self.name("f");
        let params: Vec<Ty> = (0..self.rng.random_range(1..4))
            .map(|_| self.scalar())
            .collect();
        let ret = self.scalar();
        let saved = std::mem::take(&mut self.vars);
        let mut sig = format!("let {name}");
        for (i, t) in params.iter().enumerate() {
            let p = format!("p{i}");
            let _ = write!(sig, " ({p}: {})", type_name(*t));
            self.vars.push(Var {
                name: p,
                ty: *t,
                mutable: false,
            });
        }
        let body = self.expr(ret, 3);
        let _ = writeln!(out, "{sig} : {} =\n    {body}", type_name(ret));
        self.vars = saved;
        self.funcs.push(Func { name, params, ret });
    }

    /// A tail-recursive loop and a non-tail recursion, both int-valued.
    fn recursive_functions(&mut self, out: &mut String) {
        let saved = std::mem::take(&mut self.vars);
        for (n, t) in [("n", Ty::Int), ("acc", Ty::Int)] {
            self.vars.push(Var {
                name: n.into(),
                ty: t,
                mutable: false,
            });
        }
        let step = self.expr(Ty::Int, 2);
        let _ = writeln!(
            out,
            "let rec loopT (n: int) (acc: int) : int =\n    if n <= 0 then acc else loopT (n - 1) ({step})"
        );
        self.vars.truncate(1);
        let term = self.expr(Ty::Int, 2);
        let _ = writeln!(
            out,
            "let rec sumR (n: int) : int =\n    if n <= 0 then 0 else ({term}) + sumR (n - 1)"
        );
        self.vars = saved;
    }

    /// A top-level statement: a value (printed), or a loop over a mutable.
    fn statement(&mut self, out: &mut String) {
        if self.rng.random_bool(0.25) {
            let m = self.name("m");
            let init = self.expr(Ty::Int, 2);
            let _ = writeln!(out, "let mutable {m} = {init}");
            let i = self.name("i");
            let counted = self.rng.random_bool(0.5);
            self.vars.push(Var {
                name: i.clone(),
                ty: Ty::Int,
                // The `while` counter is mutable; a `for` variable is not.
                mutable: !counted,
            });
            self.vars.push(Var {
                name: m.clone(),
                ty: Ty::Int,
                mutable: true,
            });
            let step = self.expr(Ty::Int, 2);
            self.vars.retain(|v| v.name != i);
            let bound = self.rng.random_range(0..12);
            if counted {
                let _ = writeln!(out, "for {i} in 0 .. {bound} do\n    {m} <- {step}");
            } else {
                let _ = writeln!(
                    out,
                    "let mutable {i} = {bound}\nwhile {i} > 0 do\n    {i} <- {i} - 1\n    {m} <- {step}"
                );
            }
            let _ = writeln!(out, "printfn \"{m} = %d\" {m}");
            return;
        }
        let ty = self.pick(ALL);
        let v = self.name("v");
        let e = self.expr(ty, 4);
        let _ = writeln!(out, "let {v} = {e}");
        match ty {
            Ty::IntFun => {
                let arg = self.int_literal();
                let _ = writeln!(out, "printfn \"{v} %d\" ({v} {arg})");
            }
            Ty::IntFun2 => {
                let (a, b) = (self.int_literal(), self.int_literal());
                let _ = writeln!(out, "printfn \"{v} %d\" ({v} {a} {b})");
            }
            _ => {
                let _ = writeln!(out, "printfn \"{v} {}\" {v}", ty.format());
            }
        }
        self.vars.push(Var {
            name: v,
            ty,
            mutable: false,
        });
    }

    /// A last statement that fails at run time, after output and with
    /// side effects around the failing operation, so both the message and
    /// the order of evaluation up to the failure are compared.
    fn failure(&mut self, out: &mut String) {
        let e = self.expr(Ty::Int, 2);
        let k = self.rng.random_range(0..100);
        match self.rng.random_range(0..4) {
            0 => {
                let a = self.name("a");
                let _ = writeln!(out, "let {a} = [| 1; 2; 3 |]");
                let _ = writeln!(out, "{a}.[(tr {k} 3) + 2] <- tr {} ({e})", k + 1);
            }
            1 => {
                let _ = writeln!(out, "printfn \"%d\" ((tr {k} ({e})) / (tr {} 0))", k + 1);
            }
            2 => {
                let _ = writeln!(out, "failwith (sprintf \"failed with %d\" (tr {k} ({e})))");
            }
            _ => {
                let _ = writeln!(
                    out,
                    "printfn \"%d\" (match tr {k} ({e}) with | 0 -> 1 | 1 -> 2)"
                );
            }
        }
    }

    fn var_of(&mut self, ty: Ty) -> Option<String> {
        let in_lambda = self.in_lambda;
        let candidates: Vec<String> = self
            .vars
            .iter()
            .filter(|v| v.ty == ty && !(in_lambda && v.mutable))
            .map(|v| v.name.clone())
            .collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.random_range(0..candidates.len())].clone())
        }
    }

    fn int_literal(&mut self) -> String {
        let v: i64 = match self.rng.random_range(0..10) {
            0 => self.pick(&[0, 1, -1, 2147483647, -2147483648, 65536, 255]),
            1..=3 => self.rng.random_range(-3..10),
            _ => self.rng.random_range(-100000..100000),
        };
        paren_negative(v.to_string())
    }

    fn leaf(&mut self, ty: Ty) -> String {
        if self.rng.random_bool(0.6) {
            if let Some(v) = self.var_of(ty) {
                return v;
            }
        }
        match ty {
            Ty::Int => self.int_literal(),
            Ty::Int64 => {
                let v: i64 = match self.rng.random_range(0..4) {
                    0 => self.pick(&[0, 1, -1, i64::MAX, i64::MIN + 1, 5_000_000_000]),
                    _ => self.rng.random_range(-1_000_000_000_000..1_000_000_000_000),
                };
                paren_negative(format!("{v}L"))
            }
            Ty::Byte => format!("{}uy", self.rng.random_range(0..256)),
            Ty::Float => {
                let v = self.rng.random_range(-4000..4000) as f64 / 16.0;
                paren_negative(format!("{v:?}"))
            }
            Ty::Bool => self.pick(&["true", "false"]).to_string(),
            Ty::Rec => {
                let (a, b, c) = (
                    self.leaf(Ty::Int),
                    self.leaf(Ty::Float),
                    self.leaf(Ty::Bool),
                );
                format!("{{ A = {a}; B = {b}; C = {c} }}")
            }
            Ty::Shape => match self.rng.random_range(0..3) {
                0 => format!("Circle {}", self.leaf(Ty::Float)),
                1 => format!("Rect ({}, {})", self.leaf(Ty::Int), self.leaf(Ty::Int)),
                _ => "Dot".into(),
            },
            Ty::IntList => {
                let items: Vec<String> = (0..self.rng.random_range(0..4))
                    .map(|_| self.leaf(Ty::Int))
                    .collect();
                format!("[{}]", items.join("; "))
            }
            Ty::IntArray => {
                let items: Vec<String> = (0..self.rng.random_range(1..4))
                    .map(|_| self.leaf(Ty::Int))
                    .collect();
                format!("[| {} |]", items.join("; "))
            }
            Ty::Pair => format!("({}, {})", self.leaf(Ty::Int), self.leaf(Ty::Float)),
            Ty::IntFun => {
                let k = self.leaf(Ty::Int);
                format!("(fun x -> x + {k})")
            }
            Ty::IntOption => {
                if self.rng.random_bool(0.3) {
                    "(None : int option)".into()
                } else {
                    format!("(Some {})", self.leaf(Ty::Int))
                }
            }
            Ty::IntFun2 => {
                let c = self.leaf(Ty::Bool);
                format!("(if {c} then (fun a b -> a - b) else (fun a b -> a * b))")
            }
        }
    }

    /// An expression of type `ty`, at most `depth` productions deep.
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if depth == 0 || self.rng.random_bool(0.2) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Int => self.int_expr(d),
            Ty::Int64 => match self.rng.random_range(0..6) {
                0 => format!(
                    "({} + {})",
                    self.expr(Ty::Int64, d),
                    self.expr(Ty::Int64, d)
                ),
                1 => format!(
                    "({} - {})",
                    self.expr(Ty::Int64, d),
                    self.expr(Ty::Int64, d)
                ),
                2 => format!(
                    "({} * {})",
                    self.expr(Ty::Int64, d),
                    self.expr(Ty::Int64, d)
                ),
                3 => format!(
                    "(safeDiv64 {} {})",
                    self.expr(Ty::Int64, d),
                    self.expr(Ty::Int64, d)
                ),
                4 => format!("(int64 {})", self.expr(Ty::Int, d)),
                _ => self.call_or_leaf(Ty::Int64, d),
            },
            Ty::Byte => match self.rng.random_range(0..5) {
                0 => format!("({} + {})", self.expr(Ty::Byte, d), self.expr(Ty::Byte, d)),
                1 => format!("({} * {})", self.expr(Ty::Byte, d), self.expr(Ty::Byte, d)),
                2 => format!("({} - {})", self.expr(Ty::Byte, d), self.expr(Ty::Byte, d)),
                3 => format!("(byte {})", self.expr(Ty::Int, d)),
                _ => self.call_or_leaf(Ty::Byte, d),
            },
            Ty::Float => match self.rng.random_range(0..8) {
                0 => format!(
                    "({} + {})",
                    self.expr(Ty::Float, d),
                    self.expr(Ty::Float, d)
                ),
                1 => format!(
                    "({} - {})",
                    self.expr(Ty::Float, d),
                    self.expr(Ty::Float, d)
                ),
                2 => format!(
                    "(clampF ({} * {}))",
                    self.expr(Ty::Float, d),
                    self.expr(Ty::Float, d)
                ),
                3 => format!("({} / 4.0)", self.expr(Ty::Float, d)),
                4 => format!("(float {})", self.expr(Ty::Int, d)),
                5 => format!("(sqrt (abs {}))", self.expr(Ty::Float, d)),
                6 => format!("(snd {})", self.expr(Ty::Pair, d)),
                _ => {
                    let r = self.expr(Ty::Rec, d);
                    format!("({r}).B")
                }
            },
            Ty::Bool => match self.rng.random_range(0..7) {
                0 => {
                    let t = self.pick(&[Ty::Int, Ty::Int64, Ty::Float, Ty::Byte]);
                    let op = self.pick(&["=", "<>", "<", ">", "<=", ">="]);
                    format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
                }
                1 => format!("({} && {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                2 => format!("({} || {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                3 => format!("(not {})", self.expr(Ty::Bool, d)),
                4 => {
                    let t = self.pick(&[Ty::Rec, Ty::Shape, Ty::IntList, Ty::Pair]);
                    format!("({} = {})", self.expr(t, d), self.expr(t, d))
                }
                5 => format!("(List.isEmpty {})", self.expr(Ty::IntList, d)),
                _ => self.call_or_leaf(Ty::Bool, d),
            },
            Ty::Rec => match self.rng.random_range(0..3) {
                0 => {
                    let (a, b, c) = (
                        self.expr(Ty::Int, d),
                        self.expr(Ty::Float, d),
                        self.expr(Ty::Bool, d),
                    );
                    format!("{{ A = {a}; B = {b}; C = {c} }}")
                }
                1 => {
                    let r = self.expr(Ty::Rec, d);
                    let a = self.expr(Ty::Int, d);
                    format!("{{ {r} with A = {a} }}")
                }
                _ => self.if_expr(Ty::Rec, d),
            },
            Ty::Shape => match self.rng.random_range(0..4) {
                0 => format!("(Circle {})", self.expr(Ty::Float, d)),
                1 => format!(
                    "(Rect ({}, {}))",
                    self.expr(Ty::Int, d),
                    self.expr(Ty::Int, d)
                ),
                2 => self.if_expr(Ty::Shape, d),
                _ => "Dot".into(),
            },
            Ty::IntList => match self.rng.random_range(0..8) {
                0 => format!(
                    "({} :: {})",
                    self.expr(Ty::Int, d),
                    self.expr(Ty::IntList, d)
                ),
                1 => {
                    let body = self.lambda_body(Ty::Int, d);
                    format!("(List.map (fun x -> {body}) {})", self.expr(Ty::IntList, d))
                }
                2 => {
                    let body = self.lambda_body(Ty::Bool, d);
                    format!(
                        "(List.filter (fun x -> {body}) {})",
                        self.expr(Ty::IntList, d)
                    )
                }
                3 => format!("(List.rev {})", self.expr(Ty::IntList, d)),
                4 => format!(
                    "({} @ {})",
                    self.expr(Ty::IntList, d),
                    self.expr(Ty::IntList, d)
                ),
                5 => {
                    let n = self.rng.random_range(0..6);
                    let body = self.lambda_body(Ty::Int, d);
                    format!("(List.init {n} (fun x -> {body}))")
                }
                6 => format!("(Array.toList {})", self.expr(Ty::IntArray, d)),
                _ => self.leaf(Ty::IntList),
            },
            Ty::IntArray => match self.rng.random_range(0..4) {
                0 => {
                    let body = self.lambda_body(Ty::Int, d);
                    format!(
                        "(Array.map (fun x -> {body}) {})",
                        self.expr(Ty::IntArray, d)
                    )
                }
                1 => {
                    let n = self.rng.random_range(1..6);
                    let body = self.lambda_body(Ty::Int, d);
                    format!("(Array.init {n} (fun x -> {body}))")
                }
                2 => {
                    let l = self.expr(Ty::IntList, d);
                    let k = self.expr(Ty::Int, d);
                    format!("(Array.ofList ({k} :: {l}))")
                }
                _ => self.leaf(Ty::IntArray),
            },
            Ty::Pair => format!("({}, {})", self.expr(Ty::Int, d), self.expr(Ty::Float, d)),
            Ty::IntFun => match self.rng.random_range(0..3) {
                0 => {
                    let body = self.lambda_body(Ty::Int, d);
                    format!("(fun x -> {body})")
                }
                1 => {
                    let (f, g) = (self.expr(Ty::IntFun, d), self.expr(Ty::IntFun, d));
                    format!("({f} >> {g})")
                }
                _ => self.leaf(Ty::IntFun),
            },
            Ty::IntOption => match self.rng.random_range(0..4) {
                0 => format!("(Some {})", self.expr(Ty::Int, d)),
                1 => self.if_expr(Ty::IntOption, d),
                2 => {
                    let body = self.lambda_body(Ty::Int, d);
                    format!(
                        "(Option.map (fun x -> {body}) {})",
                        self.expr(Ty::IntOption, d)
                    )
                }
                _ => self.leaf(Ty::IntOption),
            },
            Ty::IntFun2 => {
                let c = self.expr(Ty::Bool, d);
                let outer = self.in_lambda;
                self.in_lambda = true;
                let f = self.bound_expr(&[("a", Ty::Int), ("b", Ty::Int)], Ty::Int, d);
                let g = self.bound_expr(&[("a", Ty::Int), ("b", Ty::Int)], Ty::Int, d);
                self.in_lambda = outer;
                format!("(if {c} then (fun a b -> {f}) else (fun a b -> {g}))")
            }
        }
    }

    fn int_expr(&mut self, d: u32) -> String {
        match self.rng.random_range(0..26) {
            22 => {
                let k = self.rng.random_range(0..100);
                format!("(tr {k} {})", self.expr(Ty::Int, d))
            }
            23 => {
                let (o, k) = (self.expr(Ty::IntOption, d), self.rng.random_range(0..100));
                format!("(defaultArg {o} (tr {k} {}))", self.expr(Ty::Int, d))
            }
            24 => {
                let f = self.expr(Ty::IntFun2, d);
                let (k1, k2) = (self.rng.random_range(0..100), self.rng.random_range(0..100));
                let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Int, d));
                format!("({f} (tr {k1} {a}) (tr {k2} {b}))")
            }
            25 => {
                let o = self.expr(Ty::IntOption, d);
                let (a, b) = (
                    self.expr(Ty::Int, d),
                    self.bound_expr(&[("v", Ty::Int)], Ty::Int, d),
                );
                format!("(match {o} with | None -> {a} | Some v -> {b})")
            }
            0 => format!("({} + {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
            1 => format!("({} - {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
            2 => format!("({} * {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
            3 => format!(
                "(safeDiv {} {})",
                self.expr(Ty::Int, d),
                self.expr(Ty::Int, d)
            ),
            4 => format!(
                "(safeMod {} {})",
                self.expr(Ty::Int, d),
                self.expr(Ty::Int, d)
            ),
            5 => {
                let op = self.pick(&["&&&", "|||", "^^^"]);
                format!("({} {op} {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d))
            }
            6 => {
                let op = self.pick(&["<<<", ">>>"]);
                let k = self.rng.random_range(0..32);
                format!("({} {op} {k})", self.expr(Ty::Int, d))
            }
            7 => self.if_expr(Ty::Int, d),
            8 => format!("(int (clampF {}))", self.expr(Ty::Float, d)),
            9 => format!("(int {})", self.expr(Ty::Int64, d)),
            10 => format!("(int {})", self.expr(Ty::Byte, d)),
            11 => {
                let r = self.expr(Ty::Rec, d);
                format!("({r}).A")
            }
            12 => {
                let s = self.expr(Ty::Shape, d);
                let (a, b, c) = (
                    self.expr(Ty::Int, d),
                    self.bound_expr(&[("w", Ty::Int), ("h", Ty::Int)], Ty::Int, d),
                    self.bound_expr(&[("r", Ty::Float)], Ty::Int, d),
                );
                format!("(match {s} with | Dot -> {a} | Rect (w, h) -> {b} | Circle r -> {c})")
            }
            13 => {
                let l = self.expr(Ty::IntList, d);
                let (a, b) = (
                    self.expr(Ty::Int, d),
                    self.bound_expr(&[("h", Ty::Int), ("t", Ty::IntList)], Ty::Int, d),
                );
                format!("(match {l} with | [] -> {a} | h :: t -> {b})")
            }
            14 => format!("(List.length {})", self.expr(Ty::IntList, d)),
            15 => format!("(List.sum {})", self.expr(Ty::IntList, d)),
            16 => {
                let body = self.bound_expr(&[("acc", Ty::Int), ("x", Ty::Int)], Ty::Int, d);
                let init = self.expr(Ty::Int, d);
                format!(
                    "(List.fold (fun acc x -> {body}) {init} {})",
                    self.expr(Ty::IntList, d)
                )
            }
            17 => {
                let a = self.name("a");
                let arr = self.expr(Ty::IntArray, d);
                let i = self.expr(Ty::Int, d);
                format!("(let {a} = {arr} in {a}.[idx {i} {a}.Length])")
            }
            18 => format!("({} {})", self.expr(Ty::IntFun, d), self.expr(Ty::Int, d)),
            19 if self.recursion_ready => {
                let n = self.rng.random_range(0..40);
                format!("(loopT {n} {})", self.expr(Ty::Int, d))
            }
            20 if self.recursion_ready => {
                let n = self.rng.random_range(0..30);
                format!("(sumR {n})")
            }
            _ => {
                let x = self.name("x");
                let t = self.scalar();
                let value = self.expr(t, d);
                let body = self.bound_expr(&[(x.as_str(), t)], Ty::Int, d);
                format!("(let {x} = {value} in {body})")
            }
        }
    }

    fn if_expr(&mut self, ty: Ty, d: u32) -> String {
        let c = self.expr(Ty::Bool, d);
        let (a, b) = (self.expr(ty, d), self.expr(ty, d));
        format!("(if {c} then {a} else {b})")
    }

    /// A call of a generated function returning `ty`, if there is one.
    fn call_or_leaf(&mut self, ty: Ty, d: u32) -> String {
        let candidates: Vec<usize> = (0..self.funcs.len())
            .filter(|&i| self.funcs[i].ret == ty)
            .collect();
        if candidates.is_empty() {
            return self.leaf(ty);
        }
        let f = candidates[self.rng.random_range(0..candidates.len())];
        let params = self.funcs[f].params.clone();
        let args: Vec<String> = params.iter().map(|&t| self.expr(t, d)).collect();
        format!("({} {})", self.funcs[f].name, args.join(" "))
    }

    /// An expression with `names` in scope (pattern or lambda variables).
    fn bound_expr(&mut self, names: &[(&str, Ty)], ty: Ty, d: u32) -> String {
        let saved = self.vars.len();
        for (n, t) in names {
            self.vars.push(Var {
                name: n.to_string(),
                ty: *t,
                mutable: false,
            });
        }
        let e = self.expr(ty, d);
        self.vars.truncate(saved);
        e
    }

    /// The body of `fun x -> …` (x: int), which may capture immutable
    /// variables only.
    fn lambda_body(&mut self, ty: Ty, d: u32) -> String {
        let outer = self.in_lambda;
        self.in_lambda = true;
        let e = self.bound_expr(&[("x", Ty::Int)], ty, d);
        self.in_lambda = outer;
        e
    }
}

fn type_name(t: Ty) -> &'static str {
    match t {
        Ty::Int => "int",
        Ty::Int64 => "int64",
        Ty::Byte => "byte",
        Ty::Float => "float",
        Ty::Bool => "bool",
        Ty::Rec => "R",
        Ty::Shape => "Shape",
        Ty::IntList => "int list",
        Ty::IntArray => "int[]",
        Ty::Pair => "int * float",
        Ty::IntFun => "int -> int",
        Ty::IntOption => "int option",
        Ty::IntFun2 => "int -> int -> int",
    }
}

fn paren_negative(s: String) -> String {
    if s.starts_with('-') {
        format!("({s})")
    } else {
        s
    }
}
