//! `printf`, `printfn`, `sprintf`, `%A` and `string`, through the
//! runtime's buffered output and its formatting functions
//! (`barewire::io`), so the interpreter and compiled programs cannot
//! format differently.
//!
//! Invariants:
//! * Every argument is evaluated before any text is produced.
//! * `%A` is directed by the argument's static type under the current
//!   substitution, as codegen's `print_structured` (records use the
//!   runtime's output column for their layout).

use super::builtins::list_items;
use super::value::Value;
use super::{internal, Env, Interp, R};
use barewire::io;
use clef_frontend::Span;
use clef_psg::*;

impl Interp<'_> {
    pub fn format(
        &mut self,
        apply: NodeId,
        b: Builtin,
        args: &[NodeId],
        env: &mut Env,
    ) -> R<Value> {
        let Some(pieces) = self.facts.types.format(apply) else {
            return internal("printf without a format");
        };
        let mut values = Vec::with_capacity(args.len());
        for &a in &args[1..] {
            let t = self.type_of(a, env.subst);
            values.push((t, self.eval(a, env)?));
        }
        if b == Builtin::Sprintf {
            io::capture_begin();
        }
        let result = self.pieces(pieces, values, self.psg.span(apply));
        if b == Builtin::Sprintf {
            let text = io::capture_end();
            result?;
            return Ok(Value::str(&String::from_utf8_lossy(&text)));
        }
        result?;
        if b == Builtin::Printfn {
            io::print(b"\n");
        }
        Ok(Value::Unit)
    }

    fn pieces(&self, pieces: &[FormatPiece], values: Vec<(Type, Value)>, site: Span) -> R<()> {
        let mut holes = values.into_iter();
        for piece in pieces {
            match piece {
                FormatPiece::Text(s) => io::print(s.as_bytes()),
                FormatPiece::Hole {
                    conv,
                    precision,
                    pad,
                } => {
                    let Some((t, v)) = holes.next() else {
                        return internal("a missing printf argument");
                    };
                    let text = match (conv, v) {
                        ('A', v) => {
                            self.structured(&t, &v, Some(site))?;
                            continue;
                        }
                        ('d' | 'i', Value::Int(x)) => x.to_string(),
                        ('d' | 'i', Value::Int64(x)) => x.to_string(),
                        ('d' | 'i', Value::Byte(x)) => x.to_string(),
                        ('x' | 'X' | 'o', Value::Int(x)) => {
                            io::format_radix(i64::from(x), 32, *conv)
                        }
                        ('x' | 'X' | 'o', Value::Int64(x)) => io::format_radix(x, 64, *conv),
                        ('x' | 'X' | 'o', Value::Byte(x)) => {
                            io::format_radix(i64::from(x), 8, *conv)
                        }
                        ('f', Value::Float(x)) => {
                            io::format_float(x, precision.map(|p| p as usize))
                        }
                        ('f', Value::Float32(x)) => {
                            io::format_float(x as f64, precision.map(|p| p as usize))
                        }
                        ('s', Value::Str(s)) => s.to_string(),
                        ('c', Value::Char(c)) => io::char_text(c),
                        ('s', Value::Null) => String::new(),
                        ('b', Value::Bool(x)) => x.to_string(),
                        (c, v) => return internal(format!("%{c} of a {}", v.kind())),
                    };
                    let text = if pad.is_none() {
                        text
                    } else {
                        io::pad(
                            &text,
                            pad.width as usize,
                            pad.bits(),
                            numeric_conversion(*conv),
                        )
                    };
                    io::print(text.as_bytes());
                }
            }
        }
        Ok(())
    }

    /// `%A` of a value of type `t`, printed where output goes now.
    pub fn structured_text(&self, t: &Type, v: &Value) -> R<()> {
        self.structured(t, v, None)
    }

    /// `%A` of a value of type `t`. `site` is the `printf` call while the
    /// value is printed in line (itself, in a tuple or a record), as
    /// codegen prints them; `None` inside lists, arrays and unions, which
    /// codegen prints with a generated function.
    fn structured(&self, t: &Type, v: &Value, site: Option<Span>) -> R<()> {
        let text = |s: &str| io::print(s.as_bytes());
        match (t, v) {
            (_, Value::Unit) => text("()"),
            (Type::Int, Value::Int(x)) => text(&x.to_string()),
            (Type::Int64, Value::Int64(x)) => text(&format!("{x}L")),
            (Type::Byte, Value::Byte(x)) => text(&format!("{x}uy")),
            (Type::Float, Value::Float(x)) => text(&io::structured_float(*x, false)),
            (Type::Float32, Value::Float32(x)) => text(&io::structured_float(*x as f64, true)),
            (Type::Bool, Value::Bool(x)) => text(&x.to_string()),
            (Type::Char, Value::Char(c)) => text(&io::quoted_char(*c)),
            (Type::String, Value::Str(s)) => text(&io::quoted(s.as_bytes())),
            (Type::Fun(..), _) => text("<fun>"),
            (Type::Tuple(items), Value::Tuple(xs)) => {
                text("(");
                for (i, (it, x)) in items.iter().zip(xs.iter()).enumerate() {
                    if i > 0 {
                        text(", ");
                    }
                    self.structured(it, x, site)?;
                }
                text(")");
            }
            (Type::Array(elem), Value::Array(a)) => {
                text("[|");
                let items = a.borrow().clone();
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        text("; ");
                    }
                    self.structured(elem, x, None)?;
                }
                text("|]");
            }
            (Type::Named { args, .. }, v) if t.is_prelude(PreludeType::List) => {
                text("[");
                for (i, x) in list_items(v)?.iter().enumerate() {
                    if i > 0 {
                        text("; ");
                    }
                    self.structured(&args[0], x, None)?;
                }
                text("]");
            }
            (Type::Named { .. }, Value::Record(slots)) => {
                let Some(fields) = self.facts.types.record_fields(self.psg, t) else {
                    return internal("a record of a non-record type");
                };
                let indent = io::barewire_column() + 2;
                let slots = slots.borrow().clone();
                text("{ ");
                for (i, ((name, ft), x)) in fields.iter().zip(slots.iter()).enumerate() {
                    if i > 0 {
                        io::barewire_print_newline_to(indent);
                    }
                    text(&format!("{name} = "));
                    self.structured(&ft.erase_measures(), x, site)?;
                }
                text(" }");
            }
            (Type::Named { .. }, Value::Union(c)) => {
                let Some(cases) = self.facts.types.union_cases(t) else {
                    return internal("a union of a non-union type");
                };
                let Some((name, fields)) = cases.get(c.tag) else {
                    return internal("a union case out of range");
                };
                text(name);
                match fields.len() {
                    0 => {}
                    1 => {
                        text(" ");
                        let ft = fields[0].erase_measures();
                        let wrap = self.needs_parens(&ft, &c.fields[0]);
                        if wrap {
                            text("(");
                        }
                        self.structured(&ft, &c.fields[0], None)?;
                        if wrap {
                            text(")");
                        }
                    }
                    _ => {
                        text(" (");
                        for (i, (ft, x)) in fields.iter().zip(&c.fields).enumerate() {
                            if i > 0 {
                                text(", ");
                            }
                            self.structured(&ft.erase_measures(), x, None)?;
                        }
                        text(")");
                    }
                }
            }
            // A buffer prints as F# prints an array; at the call, a
            // released one fails as indexing it would (in a list, array or
            // union it has no elements left).
            (Type::Buffer(elem, _), Value::Buffer(b)) => {
                if let Some(site) = site {
                    self.live_buffer(b, "access the buffer", site)?;
                }
                text("[|");
                let live = b.state.get() == super::value::BufferState::Live;
                let cells = if live {
                    b.cells.borrow().clone()
                } else {
                    Vec::new()
                };
                for (i, x) in cells.iter().enumerate() {
                    if i > 0 {
                        text("; ");
                    }
                    self.structured(&elem.erase_measures(), x, None)?;
                }
                text("|]");
            }
            (t, v) => return internal(format!("%A of a {} as `{t}`", v.kind())),
        }
        Ok(())
    }

    /// A case's single field is parenthesised when it is a union value of
    /// a case with fields, lists excepted (`Some (Some 3)`, `Some [1]`).
    fn needs_parens(&self, t: &Type, v: &Value) -> bool {
        let Value::Union(c) = v else { return false };
        if t.is_prelude(PreludeType::List) {
            return false;
        }
        self.facts
            .types
            .union_cases(t)
            .and_then(|cases| cases.get(c.tag).map(|(_, fs)| !fs.is_empty()))
            .unwrap_or(false)
    }

    /// `string x`, as .NET's `ToString()` for numbers, bools and strings.
    pub fn to_string(&self, v: Value) -> R<Value> {
        Ok(match v {
            Value::Str(_) => v,
            Value::Bool(b) => Value::str(io::string_of_bool(b)),
            Value::Float(x) => Value::str(&io::dotnet_float(x)),
            Value::Float32(x) => Value::str(&io::dotnet_float32(x as f64)),
            Value::Int(x) => Value::str(&x.to_string()),
            Value::Int64(x) => Value::str(&x.to_string()),
            Value::Byte(x) => Value::str(&x.to_string()),
            Value::Char(c) => Value::str(&io::char_text(c)),
            v => return internal(format!("`string` of a {}", v.kind())),
        })
    }
}
