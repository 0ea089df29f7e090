//! Clef types as the passes annotate them on the PSG.

use crate::measure::Measure;
use std::fmt;

/// A type variable introduced by inference. Generalised variables are
/// printed `'a`, `'b`, … in order of appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u32);

/// The prelude's types that the compiler knows by identity: they print
/// as F# prints them (`int option`, `int list`), and patterns, printing and
/// members treat them specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PreludeType {
    Option,
    List,
    /// `exn`: a union whose first cases are the runtime's exceptions
    /// (`barewire_model::exceptions`), followed by every `exception` the
    /// program declares.
    Exn,
}

impl PreludeType {
    pub const ALL: [PreludeType; 3] = [PreludeType::Option, PreludeType::List, PreludeType::Exn];

    /// The name its declaration has in the prelude.
    pub fn decl_name(self) -> &'static str {
        match self {
            PreludeType::Option => "Option",
            PreludeType::List => "List",
            PreludeType::Exn => "exn",
        }
    }

    /// How F# writes it after its argument: `int option`.
    pub fn postfix_name(self) -> &'static str {
        match self {
            PreludeType::Option => "option",
            PreludeType::List => "list",
            PreludeType::Exn => "exn",
        }
    }
}

/// A declared type's identity: the PSG node of its declaration, and which
/// prelude type it is, if it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclRef {
    pub node: u32,
    pub prelude: Option<PreludeType>,
}

impl DeclRef {
    pub fn index(self) -> usize {
        self.node as usize
    }
}

/// The primitive types a program names without declaring them.
pub const PRIMITIVE_TYPE_NAMES: [&str; 13] = [
    "int", "int32", "int64", "byte", "uint8", "float", "double", "float32", "single", "bool",
    "char", "unit", "string",
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `int`: 32-bit signed, wrapping.
    Int,
    /// `int64`
    Int64,
    /// `byte`: 8-bit unsigned.
    Byte,
    /// `float`: IEEE 754 double.
    Float,
    /// `float32`
    Float32,
    Bool,
    /// `char`: a UTF-16 code unit, as .NET's.
    Char,
    Unit,
    String,
    Array(Box<Type>),
    Fun(Box<Type>, Box<Type>),
    /// `a * b * …` (two or more elements)
    Tuple(Vec<Type>),
    /// A declared type (`type Point = …`), known by its declaration (never
    /// by its name: a program's own `Option` is not the prelude's), with
    /// its type arguments. `name` is only for printing.
    Named {
        decl: DeclRef,
        name: String,
        args: Vec<Type>,
    },
    Var(TyVar),
    /// A numeric type with a unit of measure other than `1`: `float<m>`.
    /// (The base may be a variable while inference runs.)
    Measured(Box<Type>, Measure),
    /// `SharedBuffer<'T, 'space>`: memory placed by BAREWire; the measure
    /// is one memory space (`cxl_mem`) or a variable standing for one.
    Buffer(Box<Type>, Measure),
    /// What a measure variable stands for, in substitutions and
    /// instantiations (measures are a kind of their own).
    Measure(Measure),
    /// The type of an expression that already failed to type-check; it
    /// unifies with everything, so one mistake gives one diagnostic.
    Error,
}

impl Type {
    pub fn fun(a: Type, b: Type) -> Type {
        Type::Fun(Box::new(a), Box::new(b))
    }

    /// `a -> b -> … -> ret`
    pub fn curried(params: impl IntoIterator<Item = Type>, ret: Type) -> Type {
        let params: Vec<Type> = params.into_iter().collect();
        params
            .into_iter()
            .rev()
            .fold(ret, |acc, p| Type::fun(p, acc))
    }

    /// `base<measure>`, or just `base` when the measure is `1`.
    pub fn measured(base: Type, measure: Measure) -> Type {
        if measure.is_one() {
            base
        } else {
            Type::Measured(Box::new(base), measure)
        }
    }

    /// The type without units of measure (what code generation sees);
    /// memory spaces stay.
    pub fn erase_measures(&self) -> Type {
        match self {
            Type::Measured(b, _) => b.erase_measures(),
            Type::Measure(_) => Type::Unit,
            Type::Array(t) => Type::Array(Box::new(t.erase_measures())),
            // A memory space is not a unit: it stays (codegen needs it).
            Type::Buffer(t, m) => Type::Buffer(
                Box::new(t.erase_measures()),
                if m.space().is_some() {
                    m.clone()
                } else {
                    Measure::one()
                },
            ),
            Type::Fun(a, b) => Type::fun(a.erase_measures(), b.erase_measures()),
            Type::Tuple(items) => Type::Tuple(items.iter().map(Type::erase_measures).collect()),
            Type::Named { decl, name, args } => Type::Named {
                decl: *decl,
                name: name.clone(),
                args: args.iter().map(Type::erase_measures).collect(),
            },
            other => other.clone(),
        }
    }

    /// The numeric type under a measure (`float` for `float<m>`).
    pub fn without_measure(&self) -> &Type {
        match self {
            Type::Measured(b, _) => b,
            t => t,
        }
    }

    /// Whether this is the prelude's type `p` (not a program's type of the
    /// same name).
    pub fn is_prelude(&self, p: PreludeType) -> bool {
        matches!(self, Type::Named { decl, .. } if decl.prelude == Some(p))
    }

    pub fn is_integer(&self) -> bool {
        matches!(self.without_measure(), Type::Int | Type::Int64 | Type::Byte)
    }
    pub fn is_float(&self) -> bool {
        matches!(self.without_measure(), Type::Float | Type::Float32)
    }
    pub fn is_numeric(&self) -> bool {
        self.is_integer() || self.is_float()
    }

    /// Free type variables, in order of first appearance.
    pub fn vars(&self, out: &mut Vec<TyVar>) {
        self.collect_vars(out, false);
    }

    /// Measure variables, in order of first appearance.
    pub fn measure_vars(&self, out: &mut Vec<TyVar>) {
        self.collect_vars(out, true);
    }

    /// Variables in measure positions, plus (unless `measures_only`) type
    /// variables.
    fn collect_vars(&self, out: &mut Vec<TyVar>, measures_only: bool) {
        match self {
            Type::Var(v) if !measures_only && !out.contains(v) => out.push(*v),
            Type::Array(t) => t.collect_vars(out, measures_only),
            Type::Fun(a, b) => {
                a.collect_vars(out, measures_only);
                b.collect_vars(out, measures_only);
            }
            Type::Tuple(items) | Type::Named { args: items, .. } => items
                .iter()
                .for_each(|t| t.collect_vars(out, measures_only)),
            Type::Buffer(t, m) | Type::Measured(t, m) => {
                t.collect_vars(out, measures_only);
                m.vars(out);
            }
            Type::Measure(m) => m.vars(out),
            _ => {}
        }
    }

    /// Replace variables by `f`'s answer, where it has one.
    pub fn map_vars(&self, f: &impl Fn(TyVar) -> Option<Type>) -> Type {
        match self {
            Type::Var(v) => f(*v).unwrap_or(Type::Var(*v)),
            Type::Array(t) => Type::Array(Box::new(t.map_vars(f))),
            Type::Buffer(t, m) => Type::Buffer(Box::new(t.map_vars(f)), measure_map_vars(m, f)),
            Type::Fun(a, b) => Type::fun(a.map_vars(f), b.map_vars(f)),
            Type::Tuple(items) => Type::Tuple(items.iter().map(|t| t.map_vars(f)).collect()),
            Type::Named { decl, name, args } => Type::Named {
                decl: *decl,
                name: name.clone(),
                args: args.iter().map(|t| t.map_vars(f)).collect(),
            },
            Type::Measured(b, m) => Type::measured(b.map_vars(f), measure_map_vars(m, f)),
            Type::Measure(m) => Type::Measure(measure_map_vars(m, f)),
            other => other.clone(),
        }
    }

    /// Split `a -> b -> r` into `([a, b], r)`, taking at most `n` arrows.
    pub fn uncurry(&self, n: usize) -> (Vec<Type>, Type) {
        let mut params = Vec::new();
        let mut t = self;
        while params.len() < n {
            match t {
                Type::Fun(a, b) => {
                    params.push((**a).clone());
                    t = b;
                }
                _ => break,
            }
        }
        (params, t.clone())
    }

    /// Print with variables named in order of appearance (`'a`, `'b`).
    pub fn display(&self) -> String {
        self.display_in(&mut Vec::new())
    }

    /// Print with variables named by their position in `names`, adding the
    /// ones not there yet: several types printed with one list name the
    /// same variable the same way (as in one F# signature).
    pub fn display_in(&self, names: &mut Vec<TyVar>) -> String {
        // Measure variables are listed with MEASURE_FLAG set, so several
        // types printed with one list agree on which variables are measures
        // (`'u`, `'v`…) and which are types (`'a`, `'b`…).
        let mut in_measures = Vec::new();
        self.measure_vars(&mut in_measures);
        let mut all = Vec::new();
        self.vars(&mut all);
        for v in all {
            let flagged = TyVar(v.0 | MEASURE_FLAG);
            if in_measures.contains(&v) {
                match names.iter().position(|n| *n == v) {
                    Some(i) => names[i] = flagged,
                    None if !names.contains(&flagged) => names.push(flagged),
                    None => {}
                }
            } else if !names.contains(&v) && !names.contains(&flagged) {
                names.push(v);
            }
        }
        let type_vars: Vec<TyVar> = names
            .iter()
            .filter(|v| v.0 & MEASURE_FLAG == 0)
            .copied()
            .collect();
        let measure_vars: Vec<TyVar> = names
            .iter()
            .filter(|v| v.0 & MEASURE_FLAG != 0)
            .map(|v| TyVar(v.0 & !MEASURE_FLAG))
            .collect();
        let mut s = String::new();
        self.write(
            &mut s,
            &Names {
                types: &type_vars,
                measures: &measure_vars,
            },
            Context::Top,
        );
        s
    }

    fn write(&self, out: &mut String, vars: &Names<'_>, ctx: Context) {
        match self {
            Type::Int => out.push_str("int"),
            Type::Int64 => out.push_str("int64"),
            Type::Byte => out.push_str("byte"),
            Type::Float => out.push_str("float"),
            Type::Float32 => out.push_str("float32"),
            Type::Bool => out.push_str("bool"),
            Type::Char => out.push_str("char"),
            Type::Unit => out.push_str("unit"),
            Type::String => out.push_str("string"),
            Type::Error => out.push_str("<error>"),
            Type::Var(v) => out.push_str(&vars.type_var(*v)),
            Type::Measured(b, m) => {
                b.write(out, vars, Context::Postfix);
                out.push('<');
                out.push_str(&m.display_with(&|v| vars.measure_var(v)));
                out.push('>');
            }
            Type::Measure(m) => out.push_str(&m.display_with(&|v| vars.measure_var(v))),
            Type::Buffer(t, m) => {
                out.push_str("SharedBuffer<");
                t.write(out, vars, Context::Top);
                out.push_str(", ");
                out.push_str(&m.display_with(&|v| vars.measure_var(v)));
                out.push('>');
            }
            Type::Array(t) => {
                t.write(out, vars, Context::Postfix);
                out.push_str("[]");
            }
            // F# writes the prelude's option and list postfix: `int list`.
            Type::Named {
                decl: DeclRef {
                    prelude: Some(p), ..
                },
                args,
                ..
            } if args.len() == 1 => {
                args[0].write(out, vars, Context::Postfix);
                out.push(' ');
                out.push_str(p.postfix_name());
            }
            Type::Named { name, args, .. } => {
                out.push_str(name);
                if !args.is_empty() {
                    out.push('<');
                    for (i, t) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        t.write(out, vars, Context::Top);
                    }
                    out.push('>');
                }
            }
            Type::Fun(a, b) => {
                let paren = ctx != Context::Top;
                if paren {
                    out.push('(');
                }
                a.write(out, vars, Context::ArrowLeft);
                out.push_str(" -> ");
                b.write(out, vars, Context::Top);
                if paren {
                    out.push(')');
                }
            }
            Type::Tuple(items) => {
                let paren = matches!(ctx, Context::TupleItem | Context::Postfix);
                if paren {
                    out.push('(');
                }
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" * ");
                    }
                    t.write(out, vars, Context::TupleItem);
                }
                if paren {
                    out.push(')');
                }
            }
        }
    }
}

/// Substitute in a measure: a variable replaced by a variable or a
/// measure; anything else leaves it.
fn measure_map_vars(m: &Measure, f: &impl Fn(TyVar) -> Option<Type>) -> Measure {
    m.substitute(&|v| match f(v) {
        Some(Type::Var(w)) => Some(Measure::var(w)),
        Some(Type::Measure(m)) => Some(m),
        _ => None,
    })
}

/// Where a type is printed, deciding its parentheses as F# does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    ArrowLeft,
    TupleItem,
    Postfix,
}

/// Marks measure variables in a name list (see [`Type::display_in`]);
/// inference never makes 2^31 variables.
const MEASURE_FLAG: u32 = 1 << 31;

/// How variables print: type variables `'a`, `'b`…, measure variables
/// `'u`, `'v`…, each by position in its list.
struct Names<'a> {
    types: &'a [TyVar],
    measures: &'a [TyVar],
}

impl Names<'_> {
    fn type_var(&self, v: TyVar) -> String {
        var_name(
            self.types
                .iter()
                .position(|x| *x == v)
                .unwrap_or(v.0 as usize),
        )
    }

    fn measure_var(&self, v: TyVar) -> String {
        let i = self
            .measures
            .iter()
            .position(|x| *x == v)
            .unwrap_or(v.0 as usize);
        let letter = (b'u' + (i % 6) as u8) as char;
        if i < 6 {
            format!("'{letter}")
        } else {
            format!("'{letter}{}", i / 6)
        }
    }
}

fn var_name(i: usize) -> String {
    let letter = (b'a' + (i % 26) as u8) as char;
    if i < 26 {
        format!("'{letter}")
    } else {
        format!("'{letter}{}", i / 26)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}
