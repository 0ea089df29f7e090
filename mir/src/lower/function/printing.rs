//! `printf`, `printfn`, `sprintf` and `string`: formats are parsed and
//! type-checked at compile time, so each call lowers to a sequence of
//! runtime print calls, one per piece. `sprintf` runs the same sequence
//! into a capture buffer. All arguments are evaluated first, as F# does,
//! so output made while computing an argument never lands inside another
//! piece of text.

use super::{Lowering, Val, R};
use crate::ir::{types, Function, IntCC, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use crate::values::{elem_size, machine_type};
use clef_psg::*;

impl Lowering<'_, '_, '_> {
    pub(super) fn format(&mut self, apply: NodeId, b: Builtin, args: &[NodeId]) -> R<Val> {
        let pieces = self
            .cx
            .facts
            .types
            .format(apply)
            .ok_or_else(|| internal("printf without format"))?
            .to_vec();
        let mut values: Vec<(Type, Val)> = Vec::new();
        for &arg in &args[1..] {
            let t = self.type_of(arg);
            let v = self.expr(arg, false)?;
            values.push((t, v));
        }
        if b == Builtin::Sprintf {
            self.runtime(&rt::CAPTURE_BEGIN, &[])?;
        }
        let mut holes = values.into_iter();
        for piece in pieces {
            match piece {
                FormatPiece::Text(s) => {
                    let p = self.string_ptr(&s)?;
                    self.runtime(&rt::PRINT_STR, &[p])?;
                }
                FormatPiece::Hole {
                    conv,
                    precision,
                    pad,
                } => {
                    let (t, v) = holes
                        .next()
                        .ok_or_else(|| internal("missing printf argument"))?;
                    if conv == 'A' {
                        self.print_site = Some(self.cx.psg.span(apply));
                        self.print_structured(&t, v)?;
                        self.print_site = None;
                        continue;
                    }
                    let v = v.ok_or_else(|| internal("a printf argument without a value"))?;
                    // Flags and a width: the hole is printed into a
                    // capture, then padded where it stands.
                    if !pad.is_none() {
                        self.runtime(&rt::CAPTURE_BEGIN, &[])?;
                    }
                    match (conv, &t) {
                        ('x' | 'X' | 'o', t) => {
                            let (wide, bits) = match t {
                                Type::Int => (self.b.ins().sextend(types::I64, v), 32),
                                Type::Int64 => (v, 64),
                                _ => (self.b.ins().uextend(types::I64, v), 8),
                            };
                            let bits = self.b.ins().iconst(types::I32, bits);
                            let code = match conv {
                                'X' => 1,
                                'o' => 2,
                                _ => 0,
                            };
                            let code = self.b.ins().iconst(types::I32, code);
                            self.runtime(&rt::PRINT_RADIX, &[wide, bits, code])?
                        }
                        ('d' | 'i', Type::Int) => self.runtime(&rt::PRINT_I32, &[v])?,
                        ('d' | 'i', Type::Int64) => self.runtime(&rt::PRINT_I64, &[v])?,
                        ('d' | 'i', _) => self.runtime(&rt::PRINT_U8, &[v])?,
                        ('f', _) => {
                            let v = if t == Type::Float32 {
                                self.b.ins().fpromote(types::F64, v)
                            } else {
                                v
                            };
                            let p = self
                                .b
                                .ins()
                                .iconst(types::I32, precision.map_or(-1, |p| p as i64));
                            self.runtime(&rt::PRINT_F64, &[v, p])?
                        }
                        ('s', _) => self.runtime(&rt::PRINT_STR, &[v])?,
                        ('c', _) => self.runtime(&rt::PRINT_CHAR, &[v])?,
                        _ => self.runtime(&rt::PRINT_BOOL, &[v])?,
                    };
                    if !pad.is_none() {
                        let width = self.b.ins().iconst(types::I32, i64::from(pad.width));
                        let flags = self.b.ins().iconst(types::I32, i64::from(pad.bits()));
                        let numeric = numeric_conversion(conv);
                        let numeric = self.b.ins().iconst(types::I8, i64::from(numeric));
                        self.runtime(&rt::PAD_END, &[width, flags, numeric])?;
                    }
                }
            }
        }
        match b {
            Builtin::Printfn => {
                self.runtime(&rt::PRINT_NEWLINE, &[])?;
                Ok(None)
            }
            Builtin::Sprintf => self.runtime(&rt::CAPTURE_END, &[]),
            _ => Ok(None),
        }
    }

    fn print_text(&mut self, text: &str) -> R<()> {
        let p = self.string_ptr(text)?;
        self.runtime(&rt::PRINT_STR, &[p])?;
        Ok(())
    }

    /// `%A`: a value printed structurally, as F# prints it: `1L`, `"s"`,
    /// `(1, "a")`, `[1; 2]`, `[|1; 2|]`, `Some 3`, records one field per
    /// line aligned after `{ `. Unions, lists and arrays go through a
    /// generated function per type (they may be recursive or long).
    pub(super) fn print_structured(&mut self, t: &Type, v: Val) -> R<()> {
        let Some(v) = v else {
            return self.print_text("()");
        };
        match t {
            Type::Int => {
                self.runtime(&rt::PRINT_I32, &[v])?;
            }
            Type::Int64 => {
                self.runtime(&rt::PRINT_I64, &[v])?;
                self.print_text("L")?;
            }
            Type::Byte => {
                self.runtime(&rt::PRINT_U8, &[v])?;
                self.print_text("uy")?;
            }
            Type::Float | Type::Float32 => {
                let single = self
                    .b
                    .ins()
                    .iconst(types::I8, i64::from(*t == Type::Float32));
                let v = if *t == Type::Float32 {
                    self.b.ins().fpromote(types::F64, v)
                } else {
                    v
                };
                self.runtime(&rt::PRINT_FLOAT_STRUCTURED, &[v, single])?;
            }
            Type::Bool => {
                self.runtime(&rt::PRINT_BOOL, &[v])?;
            }
            Type::Char => {
                self.runtime(&rt::PRINT_CHAR_QUOTED, &[v])?;
            }
            Type::String => {
                self.runtime(&rt::PRINT_QUOTED, &[v])?;
            }
            Type::Fun(..) => self.print_text("<fun>")?,
            Type::Tuple(items) => {
                self.print_text("(")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        self.print_text(", ")?;
                    }
                    let x = self.load_slot(v, i, it);
                    self.print_structured(it, x)?;
                }
                self.print_text(")")?;
            }
            Type::Array(_) | Type::Named { .. } if self.cx.record_fields(t).is_none() => {
                let f = self.cx.printer_fn(t);
                self.call_func(f, &[v]);
            }
            Type::Named { .. } => {
                let fields = self.cx.record_fields(t).unwrap_or_default();
                let column = self
                    .runtime(&rt::COLUMN, &[])?
                    .ok_or_else(|| internal("column"))?;
                let indent = self.b.ins().iadd_imm_s(column, 2);
                self.print_text("{ ")?;
                for (i, (name, ft)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.runtime(&rt::PRINT_NEWLINE_TO, &[indent])?;
                    }
                    self.print_text(&format!("{name} = "))?;
                    let x = self.load_slot(v, i, ft);
                    self.print_structured(ft, x)?;
                }
                self.print_text(" }")?;
            }
            Type::Buffer(elem, _) => self.print_buffer(elem, v)?,
            Type::Unit => self.print_text("()")?,
            Type::Array(_) | Type::Measured(..) | Type::Measure(_) | Type::Var(_) | Type::Error => {
                return Err(internal(format!("%A of a value of type `{t}`")))
            }
        }
        Ok(())
    }

    /// `%A` of a `SharedBuffer`: its elements, as F# prints an array. At a
    /// `printf` call, a released buffer or one in device memory fails as
    /// indexing it would; inside a generated printer (a buffer in a list,
    /// array or union) a released buffer has length 0 and device memory
    /// prints as `<device memory>`.
    fn print_buffer(&mut self, elem: &Type, buffer: Value) -> R<()> {
        let host = self.b.ins().load(types::I64, buffer, 24);
        let on_device = self.b.ins().icmp_imm_s(IntCC::Equal, host, 0);
        let len = self.b.ins().load(types::I64, buffer, 0);
        let empty = self.b.ins().icmp_imm_s(IntCC::Equal, len, 0);
        let unreadable = self.b.ins().band_not(on_device, empty);
        if let Some(span) = self.print_site {
            let state = self.b.ins().load(types::I64, buffer, 32);
            self.check(state, &rt::FAIL_BUFFER_ENDED, &[buffer], span)?;
            self.check(unreadable, &rt::FAIL_DEVICE_MEMORY, &[], span)?;
            return self.print_buffer_elements(elem, buffer, len);
        }
        let device = self.b.create_block();
        let readable = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(unreadable, device, &[], readable, &[]);
        self.switch_to(device);
        self.print_text("<device memory>")?;
        self.b.ins().jump(done, &[]);
        self.switch_to(readable);
        self.print_buffer_elements(elem, buffer, len)?;
        self.b.ins().jump(done, &[]);
        self.switch_to(done);
        Ok(())
    }

    fn print_buffer_elements(&mut self, elem: &Type, buffer: Value, len: Value) -> R<()> {
        let data = self.b.ins().load(types::I64, buffer, 8);
        self.print_text("[|")?;
        let start = self.b.ins().iconst(types::I64, 0);
        self.loop_with(
            start,
            &[],
            |l, i| Ok(l.b.ins().icmp(IntCC::SignedLessThan, i, len)),
            |l, i, _| {
                l.separator_unless_first(i, "; ")?;
                let offset = l.b.ins().imul_imm_s(i, elem_size(elem) as i64);
                let addr = l.b.ins().iadd(data, offset);
                let x = machine_type(elem).map(|t| l.b.ins().load(t, addr, 0));
                l.print_structured(elem, x)?;
                let next = l.b.ins().iadd_imm_s(i, 1);
                Ok(Some((next, Vec::new())))
            },
        )?;
        self.print_text("|]")
    }

    /// The body of a generated `%A` printer: lists, arrays and unions.
    pub(super) fn printer_body(&mut self, t: &Type, v: Value) -> R<()> {
        match t {
            Type::Array(elem) => {
                self.print_text("[|")?;
                self.fold_elements(v, elem, 0, &[], |l, i, x, _| {
                    l.separator_unless_first(i, "; ")?;
                    l.print_structured(elem, x)?;
                    Ok(Some(Vec::new()))
                })?;
                self.print_text("|]")?;
            }
            Type::Named { args, .. } if t.is_prelude(PreludeType::List) => {
                self.print_text("[")?;
                let zero = self.b.ins().iconst(types::I64, 0);
                self.fold_cells(v, &args[0], &[zero], |l, x, state| {
                    l.separator_unless_first(state[0], "; ")?;
                    l.print_structured(&args[0], x)?;
                    Ok(Some(vec![l.b.ins().iadd_imm_s(state[0], 1)]))
                })?;
                self.print_text("]")?;
            }
            _ => {
                let cases = self
                    .cx
                    .union_cases(t)
                    .ok_or_else(|| internal("printing a non-union"))?;
                let done = self.b.create_block();
                let tag = self.b.ins().load(types::I64, v, 0);
                for (index, (name, fields)) in cases.iter().enumerate() {
                    let this = self.b.create_block();
                    let next = self.b.create_block();
                    let is = self.b.ins().icmp_imm_s(IntCC::Equal, tag, index as i64);
                    self.b.ins().brif(is, this, &[], next, &[]);
                    self.switch_to(this);
                    self.print_text(name)?;
                    match fields.len() {
                        0 => {}
                        1 => {
                            self.print_text(" ")?;
                            let x = self.load_slot(v, 1, &fields[0]);
                            let wrap = self.cx.union_cases(&fields[0]).is_some();
                            self.print_argument(&fields[0], x, wrap)?;
                        }
                        _ => {
                            self.print_text(" (")?;
                            for (i, f) in fields.iter().enumerate() {
                                if i > 0 {
                                    self.print_text(", ")?;
                                }
                                let x = self.load_slot(v, 1 + i, f);
                                self.print_structured(f, x)?;
                            }
                            self.print_text(")")?;
                        }
                    }
                    self.b.ins().jump(done, &[]);
                    self.switch_to(next);
                }
                self.b.ins().jump(done, &[]);
                self.switch_to(done);
            }
        }
        Ok(())
    }

    /// A case's single field: in parentheses when it is a union value with
    /// fields of its own (`Some (Some 3)`).
    fn print_argument(&mut self, t: &Type, x: Val, may_wrap: bool) -> R<()> {
        let Some(value) = x.filter(|_| may_wrap) else {
            return self.print_structured(t, x);
        };
        let cases = self.cx.union_cases(t).unwrap_or_default();
        let tag = self.b.ins().load(types::I64, value, 0);
        let mut needs = self.b.ins().iconst(types::I8, 0);
        for (i, (_, fs)) in cases.iter().enumerate() {
            if !fs.is_empty() && !t.is_prelude(PreludeType::List) {
                let is = self.b.ins().icmp_imm_s(IntCC::Equal, tag, i as i64);
                needs = self.b.ins().bor(needs, is);
            }
        }
        let wrapped = self.b.create_block();
        let plain = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(needs, wrapped, &[], plain, &[]);
        self.switch_to(wrapped);
        self.print_text("(")?;
        self.print_structured(t, x)?;
        self.print_text(")")?;
        self.b.ins().jump(done, &[]);
        self.switch_to(plain);
        self.print_structured(t, x)?;
        self.b.ins().jump(done, &[]);
        self.switch_to(done);
        Ok(())
    }

    fn separator_unless_first(&mut self, i: Value, sep: &str) -> R<()> {
        let sep_b = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(i, sep_b, &[], cont, &[]);
        self.switch_to(sep_b);
        self.print_text(sep)?;
        self.b.ins().jump(cont, &[]);
        self.switch_to(cont);
        Ok(())
    }

    /// `string x` for numbers, bools and strings, as .NET's `ToString()`.
    pub(super) fn convert_to_string(&mut self, arg: NodeId) -> R<Val> {
        let t = self.type_of(arg);
        let v = self.value(arg, false)?;
        Ok(match t {
            Type::String => Some(v),
            Type::Bool => self.runtime(&rt::STRING_OF_BOOL, &[v])?,
            Type::Char => self.runtime(&rt::STRING_OF_CHAR, &[v])?,
            Type::Float => self.runtime(&rt::STRING_OF_F64, &[v])?,
            Type::Float32 => {
                let v = self.b.ins().fpromote(types::F64, v);
                self.runtime(&rt::STRING_OF_F32, &[v])?
            }
            Type::Int64 => self.runtime(&rt::STRING_OF_I64, &[v])?,
            Type::Byte => {
                let v = self.b.ins().uextend(types::I64, v);
                self.runtime(&rt::STRING_OF_I64, &[v])?
            }
            _ => {
                let v = self.b.ins().sextend(types::I64, v);
                self.runtime(&rt::STRING_OF_I64, &[v])?
            }
        })
    }
}

/// A generated `%A` printer for one list, array or union type.
pub(crate) fn lower_printer(cx: &mut crate::lower::Cx, func: &mut Function, t: &Type) -> R<()> {
    super::lower_generated(cx, func, |l, params| {
        l.printer_body(t, params[0])?;
        Ok(None)
    })
}
