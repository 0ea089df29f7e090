//! Deterministic text dumps of the front end's stages (`--emit tokens` and
//! `--emit ast`), used by snapshot tests.

use crate::ast::*;
use crate::layout::LineIndex;
use crate::lexer::{Tok, Token};
use std::fmt::Write;

/// One token per line: `line:col  token`; virtual tokens are marked.
pub fn tokens(src: &str, tokens: &[Token]) -> String {
    let lines = LineIndex::new(src);
    let mut out = String::new();
    for t in tokens {
        let (line, col) = lines.line_col(t.span.start);
        let text = match &t.tok {
            Tok::VBegin => "<begin>".to_string(),
            Tok::VSep => "<sep>".to_string(),
            Tok::VEnd => "<end>".to_string(),
            Tok::PrefixMinus => "prefix `-`".to_string(),
            Tok::Str(s) => format!("string {s:?}"),
            other => other.to_string(),
        };
        let _ = writeln!(out, "{:>4}:{:<3} {}", line + 1, col + 1, text);
    }
    out
}

/// An indented tree of the AST.
pub fn ast(file: &File) -> String {
    let mut p = Printer::default();
    for item in &file.items {
        p.item(item);
    }
    p.out
}

#[derive(Default)]
struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    fn line(&mut self, text: impl AsRef<str>) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text.as_ref());
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Module { path, .. } => self.line(format!("module {}", path_str(path))),
            Item::Open { path, .. } => self.line(format!("open {}", path_str(path))),
            Item::NestedModule { name, items, .. } => {
                self.line(format!("module {} =", name.name));
                self.nested(|p| items.iter().for_each(|i| p.item(i)));
            }
            Item::Let(d) => self.let_decl(d),
            Item::Do(e) => {
                self.line("do");
                self.nested(|p| p.expr(e));
            }
            Item::Type(d) => {
                let params: Vec<String> = d.params.iter().map(|p| format!("'{}", p.name)).collect();
                let params = if params.is_empty() {
                    String::new()
                } else {
                    format!("<{}>", params.join(", "))
                };
                self.line(format!("type {}{params}", d.name.name));
                self.nested(|p| match &d.repr {
                    TypeRepr::Measure(None) => p.line("measure"),
                    TypeRepr::Measure(Some(m)) => p.line(format!("measure = {}", type_str(m))),
                    TypeRepr::Abbrev(t) => p.line(format!("abbreviation = {}", type_str(t))),
                    TypeRepr::Record(fields) => {
                        for f in fields {
                            let m = if f.is_mutable { "mutable " } else { "" };
                            p.line(format!("field {m}{} : {}", f.name.name, type_str(&f.ty)));
                        }
                    }
                    TypeRepr::Union(cases) => {
                        for c in cases {
                            p.line(format!("| {}", case_str(c)));
                        }
                    }
                    TypeRepr::Exception(c) => p.line(format!("exception {}", case_str(c))),
                    TypeRepr::Interface(slots) => {
                        for slot in slots {
                            p.line(format!(
                                "abstract {} : {}",
                                slot.name.name,
                                type_str(&slot.ty)
                            ));
                        }
                    }
                    TypeRepr::Class { ctor, items } => {
                        p.line(format!("class {}", param_str(ctor)));
                        for item in items {
                            match item {
                                ClassItem::Let(d) => p.let_decl(d),
                                ClassItem::Do(e) => {
                                    p.line("do");
                                    p.nested(|p| p.expr(e));
                                }
                            }
                        }
                    }
                });
                self.nested(|p| {
                    for m in &d.members {
                        let ps: Vec<String> = m.params.iter().map(param_str).collect();
                        let mut head = match &m.self_name {
                            Some(s) => format!("member {}.{}", s.name, m.name.name),
                            None => format!("static member {}", m.name.name),
                        };
                        if let Some(i) = &m.interface {
                            head = format!("interface {} {head}", i.name);
                        }
                        p.line(format!("{head} {}", ps.join(" ")).trim_end());
                        p.nested(|p| p.expr(&m.body));
                    }
                });
            }
        }
    }

    fn fields(&mut self, fields: &[(Ident, Expr)]) {
        for (name, value) in fields {
            self.line(format!("{} =", name.name));
            self.nested(|p| p.expr(value));
        }
    }

    fn arms(&mut self, arms: &[MatchArm]) {
        for arm in arms {
            self.line(format!("| {}", pattern_str(&arm.pattern)));
            self.nested(|p| {
                if let Some(g) = &arm.guard {
                    p.line("when");
                    p.nested(|p| p.expr(g));
                }
                p.line("->");
                p.nested(|p| p.expr(&arm.body));
            });
        }
    }

    fn let_decl(&mut self, d: &LetDecl) {
        for a in &d.attributes {
            self.line(format!("[<{}>]", a.name.name));
        }
        for (i, b) in d.bindings.iter().enumerate() {
            let kw = match (i, d.is_rec, d.is_use) {
                (0, _, true) => "use",
                (0, true, _) => "let rec",
                (0, false, _) => "let",
                _ => "and",
            };
            let mut head = format!(
                "{kw} {}{}",
                if b.is_mutable { "mutable " } else { "" },
                b.name.name
            );
            for p in &b.params {
                head.push(' ');
                head.push_str(&param_str(p));
            }
            if let Some(t) = &b.return_type {
                let _ = write!(head, " : {}", type_str(t));
            }
            self.line(head);
            self.nested(|p| p.expr(&b.body));
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Unit => self.line("()"),
            ExprKind::Int(v, s) => self.line(format!("int {v}{}", suffix_str(*s))),
            ExprKind::Float(v, f32) => {
                self.line(format!("float {v:?}{}", if *f32 { "f" } else { "" }))
            }
            ExprKind::Str(s) => self.line(format!("string {s:?}")),
            ExprKind::Char(c) => self.line(format!("char {}", char_str(*c))),
            ExprKind::Bool(b) => self.line(format!("bool {b}")),
            ExprKind::Var(i) => self.line(format!("var {}", i.name)),
            ExprKind::TypeApp(i, args) => {
                let args: Vec<String> = args.iter().map(type_str).collect();
                self.line(format!("var {}<{}>", i.name, args.join(", ")))
            }
            ExprKind::OpValue(op) => self.line(format!("operator ({})", op.symbol())),
            ExprKind::DotTypeApp(a, n, args) => {
                let args: Vec<String> = args.iter().map(type_str).collect();
                self.line(format!("dot .{}<{}>", n.name, args.join(", ")));
                self.nested(|p| p.expr(a));
            }
            ExprKind::Dot(a, n) => {
                self.line(format!("dot .{}", n.name));
                self.nested(|p| p.expr(a));
            }
            ExprKind::App(f, a) => {
                self.line("apply");
                self.nested(|p| {
                    p.expr(f);
                    p.expr(a);
                });
            }
            ExprKind::Binary(op, a, b) => {
                self.line(format!("binary {}", op.symbol()));
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                });
            }
            ExprKind::Unary(UnOp::Neg, a) => {
                self.line("negate");
                self.nested(|p| p.expr(a));
            }
            ExprKind::If(c, t, e) => {
                self.line("if");
                self.nested(|p| {
                    p.expr(c);
                    p.line("then");
                    p.nested(|p| p.expr(t));
                    if let Some(e) = e {
                        p.line("else");
                        p.nested(|p| p.expr(e));
                    }
                });
            }
            ExprKind::While(c, b) => {
                self.line("while");
                self.nested(|p| {
                    p.expr(c);
                    p.line("do");
                    p.nested(|p| p.expr(b));
                });
            }
            ExprKind::ForIn(v, a, b, body) => {
                self.line(format!("for {} in", v.name));
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                    p.line("do");
                    p.nested(|p| p.expr(body));
                });
            }
            ExprKind::ForEach(v, c, body) => {
                self.line(format!("for {} in", v.name));
                self.nested(|p| {
                    p.expr(c);
                    p.line("do");
                    p.nested(|p| p.expr(body));
                });
            }
            ExprKind::ForTo(v, a, dir, b, body) => {
                let d = match dir {
                    ForDirection::To => "to",
                    ForDirection::Downto => "downto",
                };
                self.line(format!("for {} = .. {d}", v.name));
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                    p.line("do");
                    p.nested(|p| p.expr(body));
                });
            }
            ExprKind::Let(d, body) => {
                self.let_decl(d);
                self.line("in");
                self.nested(|p| p.expr(body));
            }
            ExprKind::Seq(items) => {
                self.line("seq");
                self.nested(|p| items.iter().for_each(|e| p.expr(e)));
            }
            ExprKind::Tuple(items) => {
                self.line("tuple");
                self.nested(|p| items.iter().for_each(|e| p.expr(e)));
            }
            ExprKind::List(items) => {
                self.line("list");
                self.nested(|p| items.iter().for_each(|e| p.expr(e)));
            }
            ExprKind::Array(items) => {
                self.line("array");
                self.nested(|p| items.iter().for_each(|e| p.expr(e)));
            }
            ExprKind::ArrayRange(a, b) => {
                self.line("array range");
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                });
            }
            ExprKind::Range(a, b) => {
                self.line("range");
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                });
            }
            ExprKind::Record(fields) => {
                self.line("record");
                self.nested(|p| p.fields(fields));
            }
            ExprKind::RecordUpdate(base, fields) => {
                self.line("record update");
                self.nested(|p| {
                    p.expr(base);
                    p.line("with");
                    p.fields(fields);
                });
            }
            ExprKind::Match(scrutinee, arms) => {
                self.line("match");
                self.nested(|p| {
                    p.expr(scrutinee);
                    p.arms(arms);
                });
            }
            ExprKind::Function(arms) => {
                self.line("function");
                self.nested(|p| p.arms(arms));
            }
            ExprKind::TryWith(body, arms) => {
                self.line("try");
                self.nested(|p| {
                    p.expr(body);
                    p.arms(arms);
                });
            }
            ExprKind::TryFinally(body, cleanup) => {
                self.line("try");
                self.nested(|p| p.expr(body));
                self.line("finally");
                self.nested(|p| p.expr(cleanup));
            }
            ExprKind::Lambda(params, body) => {
                let ps: Vec<String> = params.iter().map(param_str).collect();
                self.line(format!("fun {} ->", ps.join(" ")));
                self.nested(|p| p.expr(body));
            }
            ExprKind::Yield(e) => {
                self.line("yield");
                self.nested(|p| p.expr(e));
            }
            ExprKind::RangeStep(a, s, b, array) => {
                self.line(if *array {
                    "array range step"
                } else {
                    "range step"
                });
                self.nested(|p| {
                    p.expr(a);
                    p.expr(s);
                    p.expr(b);
                });
            }
            ExprKind::CeOnly(kw, e) => {
                self.line(kw.as_str());
                self.nested(|p| p.expr(e));
            }
            ExprKind::YieldFrom(e) => {
                self.line("yield!");
                self.nested(|p| p.expr(e));
            }
            ExprKind::Assign(a, b) => {
                self.line("assign");
                self.nested(|p| {
                    p.expr(a);
                    p.expr(b);
                });
            }
            ExprKind::Slice(a, x, y) => {
                self.line("slice");
                self.nested(|p| {
                    p.expr(a);
                    match x {
                        Some(x) => p.expr(x),
                        None => p.line("from the start"),
                    }
                    match y {
                        Some(y) => p.expr(y),
                        None => p.line("to the end"),
                    }
                });
            }
            ExprKind::Index(a, i) => {
                self.line("index");
                self.nested(|p| {
                    p.expr(a);
                    p.expr(i);
                });
            }
            ExprKind::Typed(a, t) => {
                self.line(format!("typed : {}", type_str(t)));
                self.nested(|p| p.expr(a));
            }
            ExprKind::Upcast(a, t) => {
                self.line(format!("upcast :> {}", type_str(t)));
                self.nested(|p| p.expr(a));
            }
            ExprKind::Object(i, members) => {
                self.line(format!("object new {}", i.name));
                self.nested(|p| {
                    for m in members {
                        let ps: Vec<String> = m.params.iter().map(param_str).collect();
                        p.line(format!("member {} {}", m.name.name, ps.join(" ")).trim_end());
                        p.nested(|p| p.expr(&m.body));
                    }
                });
            }
            ExprKind::Error => self.line("<error>"),
        }
    }
}

fn path_str(path: &[Ident]) -> String {
    path.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn suffix_str(s: IntSuffix) -> &'static str {
    match s {
        IntSuffix::None => "",
        IntSuffix::L => "L",
        IntSuffix::Uy => "uy",
    }
}

fn param_str(p: &Param) -> String {
    match p {
        Param::Unit(_) => "()".into(),
        Param::Wildcard(_) => "_".into(),
        Param::Named { name, ty: None } => name.name.clone(),
        Param::Named { name, ty: Some(t) } => format!("({}: {})", name.name, type_str(t)),
        Param::Pattern(p) => format!("({})", pattern_str(p)),
    }
}

/// A type annotation as written (normalised spacing).
pub fn type_str(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Infer => "_".into(),
        TypeExprKind::Named { name, args } if args.is_empty() => name.name.clone(),
        TypeExprKind::Named { name, args } => {
            let args: Vec<_> = args.iter().map(type_str).collect();
            format!("{}<{}>", name.name, args.join(", "))
        }
        TypeExprKind::Var(v) => format!("'{}", v.name),
        TypeExprKind::Array(inner) => format!("{}[]", type_str(inner)),
        TypeExprKind::Fun(a, b) => format!("({} -> {})", type_str(a), type_str(b)),
        TypeExprKind::Tuple(items) => format!(
            "({})",
            items.iter().map(type_str).collect::<Vec<_>>().join(" * ")
        ),
        TypeExprKind::Quotient(a, b) => format!("({} / {})", type_str(a), type_str(b)),
        TypeExprKind::Power(a, n) => format!("{}^{n}", type_str(a)),
        TypeExprKind::Number(n) => n.to_string(),
    }
}

/// A character literal as F# writes it: `'a'`, `'\n'`, `'\u0001'`.
pub fn char_str(c: u32) -> String {
    match char::from_u32(c) {
        Some('\n') => "'\\n'".into(),
        Some('\t') => "'\\t'".into(),
        Some('\r') => "'\\r'".into(),
        Some('\\') => "'\\\\'".into(),
        Some('\'') => "'\\''".into(),
        Some(ch) if !ch.is_control() => format!("'{ch}'"),
        _ => format!("'\\u{c:04X}'"),
    }
}

/// A union case or exception as declared: `Name of a: int * string`.
fn case_str(c: &UnionCase) -> String {
    let fields: Vec<String> = c
        .fields
        .iter()
        .map(|(n, t)| match n {
            Some(n) => format!("{}: {}", n.name, type_str(t)),
            None => type_str(t),
        })
        .collect();
    if fields.is_empty() {
        c.name.name.clone()
    } else {
        format!("{} of {}", c.name.name, fields.join(" * "))
    }
}

/// A pattern as written (normalised spacing and parentheses).
pub fn pattern_str(p: &Pattern) -> String {
    match &p.kind {
        PatternKind::Wildcard => "_".into(),
        PatternKind::Var(i) => i.name.clone(),
        PatternKind::Unit => "()".into(),
        PatternKind::Int(v, s) => format!("{v}{}", suffix_str(*s)),
        PatternKind::Float(v, f32) => format!("{v:?}{}", if *f32 { "f" } else { "" }),
        PatternKind::Str(s) => format!("{s:?}"),
        PatternKind::Char(c) => char_str(*c),
        PatternKind::Bool(b) => b.to_string(),
        PatternKind::Tuple(items) => format!(
            "({})",
            items.iter().map(pattern_str).collect::<Vec<_>>().join(", ")
        ),
        PatternKind::Or(a, b) => format!("({} | {})", pattern_str(a), pattern_str(b)),
        PatternKind::As(a, n) => format!("({} as {})", pattern_str(a), n.name),
        PatternKind::Typed(a, t) => format!("({} : {})", pattern_str(a), type_str(t)),
        PatternKind::Case(name, arg) => format!("({} {})", name.name, pattern_str(arg)),
        PatternKind::ActiveApp(name, args) => {
            let args: Vec<String> = args.iter().map(pattern_str).collect();
            format!("({} {})", name.name, args.join(" "))
        }
        PatternKind::TypeTest(name) => format!("(:? {})", name.name),
        PatternKind::List(items) => format!(
            "[{}]",
            items.iter().map(pattern_str).collect::<Vec<_>>().join("; ")
        ),
        PatternKind::Cons(h, t) => format!("({} :: {})", pattern_str(h), pattern_str(t)),
        PatternKind::Record(fields) => {
            let fs: Vec<String> = fields
                .iter()
                .map(|(n, p)| format!("{} = {}", n.name, pattern_str(p)))
                .collect();
            format!("{{ {} }}", fs.join("; "))
        }
    }
}
