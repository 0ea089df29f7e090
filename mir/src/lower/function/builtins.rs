//! Builtins applied in full: printing, conversions, options, collections,
//! buffers, failures and the platform detection `AppConfig` reads.

use super::*;

impl Lowering<'_, '_, '_> {
    pub(super) fn builtin(&mut self, apply: NodeId, b: Builtin, args: &[NodeId]) -> R<Val> {
        match b {
            Builtin::Printf | Builtin::Printfn | Builtin::Sprintf => self.format(apply, b, args),
            Builtin::Sizeof => Err(internal("`sizeof` applied as a function")),
            Builtin::ToString => self.convert_to_string(args[0]),
            Builtin::StringLength => {
                let s = self.value(args[0], false)?;
                let len = self.b.ins().load(types::I64, s, 0);
                Ok(Some(self.b.ins().ireduce(types::I32, len)))
            }
            Builtin::ToInt
            | Builtin::ToInt64
            | Builtin::ToByte
            | Builtin::ToFloat
            | Builtin::ToFloat32
            | Builtin::ToChar => {
                let from = self.type_of(args[0]);
                let v = self.value(args[0], false)?;
                let to = match b {
                    Builtin::ToInt => Type::Int,
                    Builtin::ToChar => Type::Char,
                    Builtin::ToInt64 => Type::Int64,
                    Builtin::ToByte => Type::Byte,
                    Builtin::ToFloat => Type::Float,
                    _ => Type::Float32,
                };
                if from == Type::String {
                    return self.parse_string(apply, v, &to).map(Some);
                }
                Ok(Some(self.convert(v, &from, &to)))
            }
            Builtin::Not => {
                let v = self.value(args[0], false)?;
                Ok(Some(self.b.ins().bxor_imm_s(v, 1)))
            }
            Builtin::Ignore => {
                self.expr(args[0], false)?;
                Ok(None)
            }
            Builtin::Raise => {
                let exn = self.value(args[0], false)?;
                self.raise(exn, apply)
            }
            Builtin::Reraise => {
                self.expr(args[0], false)?;
                self.reraise(apply)
            }
            Builtin::Failwith | Builtin::Exit => {
                let arg = self.value(args[0], false)?;
                let f = if b == Builtin::Exit {
                    &rt::RT_EXIT
                } else {
                    &rt::FAILWITH
                };
                self.runtime(f, &[arg])?;
                self.b.ins().trap();
                // Code after `exit` is unreachable but must still be
                // well-formed: continue in a block with no predecessors.
                let dead = self.b.create_block();
                self.switch_to(dead);
                let t = self.type_of(apply);
                Ok(machine_type(&t).map(|ct| self.zero(ct)))
            }
            Builtin::DefaultArg
            | Builtin::OptionMap
            | Builtin::OptionDefaultValue
            | Builtin::OptionIsSome
            | Builtin::OptionIsNone
            | Builtin::OptionGet => self.option_builtin(apply, b, args),
            Builtin::ArrayZeroCreate
            | Builtin::ArrayLength
            | Builtin::ArraySum
            | Builtin::ArrayMax
            | Builtin::ArrayMin
            | Builtin::ListSum
            | Builtin::ListMapForward
            | Builtin::ListFilterForward => self.collection_builtin(apply, b, args),
            Builtin::BufferAllocate
            | Builtin::BufferAllocateAuto
            | Builtin::BufferMigrate
            | Builtin::BufferCopy => self.buffer_builtin(apply, b, args),
            Builtin::DetectedCxlVersion
            | Builtin::DetectedNumaNodes
            | Builtin::DetectedFarNodes
            | Builtin::DetectedGpus
            | Builtin::DetectedResizableBar => {
                self.expr(args[0], false)?; // `()`
                let f = match b {
                    Builtin::DetectedCxlVersion => &rt::DETECTED_CXL_VERSION,
                    Builtin::DetectedNumaNodes => &rt::DETECTED_NUMA_NODES,
                    Builtin::DetectedFarNodes => &rt::DETECTED_FAR_NODES,
                    Builtin::DetectedGpus => &rt::DETECTED_GPUS,
                    _ => &rt::DETECTED_RESIZABLE_BAR,
                };
                self.runtime(f, &[])
            }
            Builtin::DefaultOf => {
                self.expr(args[0], false)?; // `()`
                let ty = self.type_of(apply);
                Ok(machine_type(&ty).map(|t| self.zero(t)))
            }
            Builtin::Fst | Builtin::Snd => {
                let pair = self.value(args[0], false)?;
                let Type::Tuple(items) = self.type_of(args[0]) else {
                    return Err(internal("fst/snd of a non-tuple"));
                };
                let i = usize::from(b == Builtin::Snd);
                Ok(self.load_slot(pair, i, &items[i]))
            }
            Builtin::Sqrt => {
                let v = self.value(args[0], false)?;
                Ok(Some(self.b.ins().sqrt(v)))
            }
            Builtin::Abs => {
                let t = self.type_of(args[0]);
                let v = self.value(args[0], false)?;
                if t.is_float() {
                    return Ok(Some(self.b.ins().fabs(v)));
                }
                if matches!(t, Type::Int | Type::Int64) {
                    // .NET's Math.Abs: the most negative value has no
                    // absolute value (OverflowException).
                    let min = if t == Type::Int64 {
                        i64::MIN
                    } else {
                        i32::MIN as i64
                    };
                    let overflow = self.b.ins().icmp_imm_s(IntCC::Equal, v, min);
                    let span = self.cx.psg.span(apply);
                    self.check(overflow, &rt::FAIL_OVERFLOW, &[], span)?;
                }
                Ok(Some(self.b.ins().iabs(v)))
            }
            Builtin::Min | Builtin::Max => {
                let t = self.type_of(args[0]);
                let a = self.value(args[0], false)?;
                let c = self.value(args[1], false)?;
                let is_min = b == Builtin::Min;
                Ok(Some(match (&t, is_min) {
                    (t, true) if t.is_float() => self.b.ins().fmin(a, c),
                    (t, false) if t.is_float() => self.b.ins().fmax(a, c),
                    (Type::Byte, true) => self.b.ins().umin(a, c),
                    (Type::Byte, false) => self.b.ins().umax(a, c),
                    (_, true) => self.b.ins().smin(a, c),
                    (_, false) => self.b.ins().smax(a, c),
                }))
            }
        }
    }

    /// `int s` and the other conversions of a string: the runtime parses
    /// it as F# does, and fails cleanly, at this call, when it cannot.
    fn parse_string(&mut self, apply: NodeId, s: Value, to: &Type) -> R<Value> {
        let loc = self.cx.location(self.cx.psg.span(apply));
        let loc = self.string_ptr(&loc)?;
        let int_kind = match to {
            Type::Int => Some(barewire_model::parse::IntKind::Int32),
            Type::Int64 => Some(barewire_model::parse::IntKind::Int64),
            Type::Byte => Some(barewire_model::parse::IntKind::Byte),
            _ => None,
        };
        if *to == Type::Char {
            return self
                .runtime(&rt::PARSE_CHAR, &[s, loc])?
                .ok_or_else(|| internal("parse without a result"));
        }
        if let Some(kind) = int_kind {
            let code = self.b.ins().iconst(types::I32, i64::from(kind.code()));
            let v = self
                .runtime(&rt::PARSE_INT, &[s, code, loc])?
                .ok_or_else(|| internal("parse without a result"))?;
            return Ok(match to {
                Type::Int => self.b.ins().ireduce(types::I32, v),
                Type::Byte => self.b.ins().ireduce(types::I8, v),
                _ => v,
            });
        }
        let v = self
            .runtime(&rt::PARSE_FLOAT, &[s, loc])?
            .ok_or_else(|| internal("parse without a result"))?;
        Ok(if *to == Type::Float32 {
            self.b.ins().fdemote(types::F32, v)
        } else {
            v
        })
    }
}
