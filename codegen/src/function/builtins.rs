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
                let len = self.b.ins().load(types::I64, MemFlagsData::trusted(), s, 0);
                Ok(Some(self.b.ins().ireduce(types::I32, len)))
            }
            Builtin::ToInt
            | Builtin::ToInt64
            | Builtin::ToByte
            | Builtin::ToFloat
            | Builtin::ToFloat32 => {
                let from = self.type_of(args[0]);
                let v = self.value(args[0], false)?;
                let to = match b {
                    Builtin::ToInt => Type::Int,
                    Builtin::ToInt64 => Type::Int64,
                    Builtin::ToByte => Type::Byte,
                    Builtin::ToFloat => Type::Float,
                    _ => Type::Float32,
                };
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
            Builtin::Failwith | Builtin::Exit => {
                let arg = self.value(args[0], false)?;
                let f = if b == Builtin::Exit {
                    &rt::RT_EXIT
                } else {
                    &rt::FAILWITH
                };
                self.runtime(f, &[arg])?;
                self.b
                    .ins()
                    .trap(TrapCode::user(1).expect("nonzero trap code"));
                // Code after `exit` is unreachable but must still be
                // well-formed: continue in a block with no predecessors.
                let dead = self.b.create_block();
                self.switch_to(dead);
                let t = self.type_of(apply);
                Ok(clif_type(&t).map(|ct| self.zero(ct)))
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
                Ok(Some(if t.is_float() {
                    self.b.ins().fabs(v)
                } else {
                    self.b.ins().iabs(v)
                }))
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
}
