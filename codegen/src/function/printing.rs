//! `printf`, `printfn`, `sprintf` and `string`: formats are parsed and
//! type-checked at compile time, so each call lowers to a sequence of
//! runtime print calls, one per piece. `sprintf` runs the same sequence
//! into a capture buffer. All arguments are evaluated first, as F# does,
//! so output made while computing an argument never lands inside another
//! piece of text.

use super::{Lowering, Val, R};
use crate::internal;
use crate::runtime_abi as rt;
use clef_psg::*;
use cranelift_codegen::ir::{types, InstBuilder, Value};

impl Lowering<'_, '_, '_> {
    pub(super) fn format(&mut self, apply: NodeId, b: Builtin, args: &[NodeId]) -> R<Val> {
        let pieces = self
            .cg
            .psg
            .node(apply)
            .ann
            .format
            .clone()
            .ok_or_else(|| internal("printf without format"))?;
        let mut values: Vec<(Type, Value)> = Vec::new();
        for &arg in &args[1..] {
            let t = self.type_of(arg);
            let v = self.value(arg, false)?;
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
                FormatPiece::Hole { conv, precision } => {
                    let (t, v) = holes
                        .next()
                        .ok_or_else(|| internal("missing printf argument"))?;
                    match (conv, &t) {
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
                        _ => self.runtime(&rt::PRINT_BOOL, &[v])?,
                    };
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

    /// `string x` for numbers, bools and strings, as .NET's `ToString()`.
    pub(super) fn convert_to_string(&mut self, arg: NodeId) -> R<Val> {
        let t = self.type_of(arg);
        let v = self.value(arg, false)?;
        Ok(match t {
            Type::String => Some(v),
            Type::Bool => self.runtime(&rt::STRING_OF_BOOL, &[v])?,
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
