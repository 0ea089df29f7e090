//! Clef types as the passes annotate them on the PSG.

use std::fmt;

/// A type variable introduced by inference. Generalised variables are
/// printed `'a`, `'b`, … in order of appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u32);

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
    Unit,
    String,
    Array(Box<Type>),
    Fun(Box<Type>, Box<Type>),
    /// `a * b * …` (two or more elements)
    Tuple(Vec<Type>),
    /// A declared type (`type Point = …`), by the index of its
    /// declaration's PSG node, with its type arguments.
    Named {
        decl: u32,
        name: String,
        args: Vec<Type>,
    },
    Var(TyVar),
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

    pub fn is_integer(&self) -> bool {
        matches!(self, Type::Int | Type::Int64 | Type::Byte)
    }
    pub fn is_float(&self) -> bool {
        matches!(self, Type::Float | Type::Float32)
    }
    pub fn is_numeric(&self) -> bool {
        self.is_integer() || self.is_float()
    }

    /// Free type variables, in order of first appearance.
    pub fn vars(&self, out: &mut Vec<TyVar>) {
        match self {
            Type::Var(v) if !out.contains(v) => out.push(*v),
            Type::Array(t) => t.vars(out),
            Type::Fun(a, b) => {
                a.vars(out);
                b.vars(out);
            }
            Type::Tuple(items) | Type::Named { args: items, .. } => {
                items.iter().for_each(|t| t.vars(out))
            }
            _ => {}
        }
    }

    /// Replace variables by `f`'s answer, where it has one.
    pub fn map_vars(&self, f: &impl Fn(TyVar) -> Option<Type>) -> Type {
        match self {
            Type::Var(v) => f(*v).unwrap_or(Type::Var(*v)),
            Type::Array(t) => Type::Array(Box::new(t.map_vars(f))),
            Type::Fun(a, b) => Type::fun(a.map_vars(f), b.map_vars(f)),
            Type::Tuple(items) => Type::Tuple(items.iter().map(|t| t.map_vars(f)).collect()),
            Type::Named { decl, name, args } => Type::Named {
                decl: *decl,
                name: name.clone(),
                args: args.iter().map(|t| t.map_vars(f)).collect(),
            },
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
        self.vars(names);
        let mut s = String::new();
        self.write(&mut s, names, Context::Top);
        s
    }

    fn write(&self, out: &mut String, vars: &[TyVar], ctx: Context) {
        match self {
            Type::Int => out.push_str("int"),
            Type::Int64 => out.push_str("int64"),
            Type::Byte => out.push_str("byte"),
            Type::Float => out.push_str("float"),
            Type::Float32 => out.push_str("float32"),
            Type::Bool => out.push_str("bool"),
            Type::Unit => out.push_str("unit"),
            Type::String => out.push_str("string"),
            Type::Error => out.push_str("<error>"),
            Type::Var(v) => out.push_str(&var_name(
                vars.iter().position(|x| x == v).unwrap_or(v.0 as usize),
            )),
            Type::Array(t) => {
                t.write(out, vars, Context::Postfix);
                out.push_str("[]");
            }
            // F# writes the prelude's option and list postfix: `int list`.
            Type::Named { name, args, .. }
                if (name == "Option" || name == "List") && args.len() == 1 =>
            {
                args[0].write(out, vars, Context::Postfix);
                out.push_str(if name == "Option" { " option" } else { " list" });
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

/// Where a type is printed, deciding its parentheses as F# does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    ArrowLeft,
    TupleItem,
    Postfix,
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
