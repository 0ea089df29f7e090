//! Builtins applied in full (eta expansion made every other use a
//! lambda), as codegen's `builtins.rs`, `arrays.rs`, `unions.rs` and
//! `buffers.rs` compute them.
//!
//! Invariants:
//! * Arguments are evaluated left to right before the builtin acts.
//! * Failures use the runtime's messages at the application's location.
//! * A `SharedBuffer` is host memory here (a vector); where it would live
//!   does not change what the program computes, and the placement passes
//!   have still run.

use super::arith;
use super::value::{Buffer, BufferState, Value};
use super::{internal, Env, Interp, Stop, R};
use barewire::abi::messages;
use clef_psg::*;

impl Interp<'_> {
    pub fn builtin(
        &mut self,
        apply: NodeId,
        b: Builtin,
        args: &[NodeId],
        env: &mut Env,
    ) -> R<Value> {
        if matches!(b, Builtin::Printf | Builtin::Printfn | Builtin::Sprintf) {
            return self.format(apply, b, args, env);
        }
        let mut values = Vec::with_capacity(args.len());
        for &a in args {
            values.push(self.eval(a, env)?);
        }
        let span = self.psg.span(apply);
        let mut values = values.into_iter();
        let mut next = || {
            values
                .next()
                .ok_or_else(|| Stop::Internal(format!("{} without its argument", b.name())))
        };
        let v = match b {
            Builtin::Printf | Builtin::Printfn | Builtin::Sprintf => unreachable!("handled above"),
            Builtin::Sizeof => return internal("`sizeof` applied as a function"),
            Builtin::ToString => self.to_string(next()?)?,
            Builtin::StringLength => match next()? {
                Value::Str(s) => Value::Int(s.len() as i32),
                v => return internal(format!("String.length of a {}", v.kind())),
            },
            Builtin::ToInt
            | Builtin::ToInt64
            | Builtin::ToByte
            | Builtin::ToFloat
            | Builtin::ToFloat32
            | Builtin::ToChar => match next()? {
                Value::Str(text) if b == Builtin::ToChar => {
                    match barewire::parse::parse_char(&text) {
                        Ok(c) => Value::Char(c),
                        Err(msg) => {
                            return self.throw((barewire::exceptions::FORMAT, msg), msg, span)
                        }
                    }
                }
                // A string is parsed as F# does, by the runtime's rules.
                Value::Str(text) => {
                    use barewire::parse::{parse_float, parse_int, IntKind};
                    let parsed = match b {
                        Builtin::ToInt => {
                            parse_int(&text, IntKind::Int32).map(|v| Value::Int(v as i32))
                        }
                        Builtin::ToInt64 => parse_int(&text, IntKind::Int64).map(Value::Int64),
                        Builtin::ToByte => {
                            parse_int(&text, IntKind::Byte).map(|v| Value::Byte(v as u8))
                        }
                        Builtin::ToFloat => parse_float(&text).map(Value::Float),
                        _ => parse_float(&text).map(|v| Value::Float32(v as f32)),
                    };
                    match parsed {
                        Ok(v) => v,
                        Err(msg) => {
                            return self.throw((barewire::exceptions::FORMAT, &msg), &msg, span)
                        }
                    }
                }
                v => arith::convert(b, v)?,
            },
            Builtin::Not => match next()? {
                Value::Bool(x) => Value::Bool(!x),
                v => return internal(format!("not of a {}", v.kind())),
            },
            Builtin::Ignore => {
                next()?;
                Value::Unit
            }
            Builtin::Failwith => match next()? {
                s @ Value::Str(_) => {
                    return Err(Stop::Raise(
                        Value::case(barewire::exceptions::FAILURE, vec![s]),
                        None,
                    ))
                }
                v => return internal(format!("failwith of a {}", v.kind())),
            },
            Builtin::Raise => return Err(Stop::Raise(next()?, None)),
            Builtin::Reraise => {
                next()?;
                return self.reraise();
            }
            Builtin::Exit => match next()? {
                Value::Int(code) => return Err(Stop::Exit(code)),
                v => return internal(format!("exit with a {}", v.kind())),
            },
            Builtin::DefaultArg => {
                let (opt, default) = (next()?, next()?);
                option_or(opt, default)?
            }
            Builtin::OptionDefaultValue => {
                let (default, opt) = (next()?, next()?);
                option_or(opt, default)?
            }
            Builtin::OptionMap => {
                let (f, opt) = (next()?, next()?);
                match some(&opt)? {
                    Some(x) => Value::case(1, vec![self.call_value(&f, x)?]),
                    None => Value::case(0, Vec::new()),
                }
            }
            Builtin::OptionIsSome => Value::Bool(some(&next()?)?.is_some()),
            Builtin::OptionIsNone => Value::Bool(some(&next()?)?.is_none()),
            Builtin::OptionGet => match some(&next()?)? {
                Some(x) => x,
                None => return self.throw(messages::NONE_EXN, messages::NONE, span),
            },
            Builtin::Fst | Builtin::Snd => match next()? {
                Value::Tuple(items) if items.len() >= 2 => {
                    items[usize::from(b == Builtin::Snd)].clone()
                }
                v => return internal(format!("fst/snd of a {}", v.kind())),
            },
            Builtin::Sqrt => match next()? {
                Value::Float(x) => Value::Float(x.sqrt()),
                Value::Float32(x) => Value::Float32(x.sqrt()),
                v => return internal(format!("sqrt of a {}", v.kind())),
            },
            Builtin::Abs => match next()? {
                // .NET's Math.Abs of the most negative value overflows.
                Value::Int(i32::MIN) | Value::Int64(i64::MIN) => {
                    return self.throw(messages::OVERFLOW_EXN, messages::OVERFLOW, span)
                }
                v => arith::abs(v)?,
            },
            Builtin::Min | Builtin::Max => {
                let (x, y) = (next()?, next()?);
                arith::min_max(x, y, b == Builtin::Min)?
            }
            Builtin::DefaultOf => {
                next()?; // `()`
                Value::zero(&self.type_of(apply, env.subst))
            }
            Builtin::ArrayZeroCreate => {
                let Type::Array(elem) = self.type_of(apply, env.subst) else {
                    return internal("zeroCreate of a non-array");
                };
                let n = int_arg(next()?)?;
                if n < 0 {
                    return self.throw(messages::NEGATIVE_SIZE_EXN, messages::NEGATIVE_SIZE, span);
                }
                Value::array(filled(n, &elem)?)
            }
            Builtin::ArrayLength => match next()? {
                Value::Array(a) => Value::Int(a.borrow().len() as i32),
                v => return internal(format!("Array.length of a {}", v.kind())),
            },
            Builtin::ArraySum | Builtin::ArrayMax | Builtin::ArrayMin => {
                let Value::Array(a) = next()? else {
                    return internal("reducing a non-array");
                };
                let items = a.borrow().clone();
                if b == Builtin::ArraySum {
                    let zero = Value::zero(&self.type_of(apply, env.subst));
                    items.into_iter().try_fold(zero, arith::add)?
                } else {
                    let mut it = items.into_iter();
                    let Some(first) = it.next() else {
                        return self.throw(messages::EMPTY_EXN, messages::EMPTY, span);
                    };
                    it.try_fold(first, |acc, x| {
                        arith::min_max(acc, x, b == Builtin::ArrayMin)
                    })?
                }
            }
            Builtin::ListSum => {
                let zero = Value::zero(&self.type_of(apply, env.subst));
                list_items(&next()?)?
                    .into_iter()
                    .try_fold(zero, arith::add)?
            }
            Builtin::ListMapForward | Builtin::ListFilterForward => {
                let (f, l) = (next()?, next()?);
                let mut out = Vec::new();
                for x in list_items(&l)? {
                    let y = self.call_value(&f, x.clone())?;
                    if b == Builtin::ListMapForward {
                        out.push(y);
                    } else if matches!(y, Value::Bool(true)) {
                        out.push(x);
                    }
                }
                make_list(out)
            }
            Builtin::BufferAllocate | Builtin::BufferAllocateAuto => {
                let elem = self.buffer_elem(apply, env)?;
                let n = int_arg(next()?)?;
                if n < 0 {
                    return self.fail(&messages::buffer_negative_size(n as i64), span);
                }
                Value::Buffer(Buffer::new(filled(n, &elem)?, self.location(span)))
            }
            Builtin::BufferMigrate | Builtin::BufferCopy => {
                let Value::Buffer(old) = next()? else {
                    return internal("migrating a non-buffer");
                };
                let migrate = b == Builtin::BufferMigrate;
                let doing = if migrate {
                    "migrate the buffer"
                } else {
                    "copy the buffer"
                };
                self.live_buffer(&old, doing, span)?;
                let contents = old.cells.borrow().clone();
                if migrate {
                    old.end(BufferState::Migrated, self.location(span));
                }
                Value::Buffer(Buffer::new(contents, self.location(span)))
            }
            Builtin::DetectedCxlVersion => {
                next()?;
                Value::Int(barewire::config::barewire_detected_cxl_version())
            }
            Builtin::DetectedNumaNodes => {
                next()?;
                Value::Int(barewire::config::barewire_detected_numa_nodes())
            }
            Builtin::DetectedFarNodes => {
                next()?;
                let far = barewire::config::far_nodes();
                Value::array(far.into_iter().map(Value::Int).collect())
            }
            Builtin::DetectedGpus => {
                next()?;
                Value::Int(barewire::config::barewire_detected_gpus())
            }
            Builtin::DetectedResizableBar => {
                next()?;
                Value::Bool(barewire::config::barewire_detected_resizable_bar() != 0)
            }
        };
        Ok(v)
    }

    /// Fail as the runtime does unless `buf` is live.
    pub fn live_buffer(&self, buf: &Buffer, doing: &str, span: clef_frontend::Span) -> R<()> {
        match buf.state.get() {
            BufferState::Live => Ok(()),
            state => self.fail(
                &messages::buffer_ended(
                    doing,
                    state == BufferState::Migrated,
                    &buf.site,
                    &buf.ended_at.borrow(),
                ),
                span,
            ),
        }
    }

    /// The end of a `use` scope for `binding` holding `buf`: released once;
    /// a migrated buffer's memory has moved, so nothing is released.
    pub fn release(&self, buf: &Buffer, binding: NodeId) -> R<()> {
        let span = self
            .psg
            .binding(binding)
            .map_or(self.psg.span(binding), |b| b.name_span);
        match buf.state.get() {
            BufferState::Live => {
                buf.end(BufferState::Released, self.location(span));
                Ok(())
            }
            BufferState::Migrated => Ok(()),
            BufferState::Released => self.live_buffer(buf, "release the buffer again", span),
        }
    }

    fn buffer_elem(&self, apply: NodeId, env: &Env) -> R<Type> {
        match self.type_of(apply, env.subst) {
            Type::Buffer(elem, _) => Ok(*elem),
            t => internal(format!("a buffer builtin of type `{t}`")),
        }
    }
}

/// `n` (not negative) zeroed slots of type `elem`; running out of memory
/// stops the program as the runtime's allocator does.
fn filled(n: i32, elem: &Type) -> R<Vec<Value>> {
    let n = n.max(0) as usize;
    let mut v = Vec::new();
    if v.try_reserve_exact(n).is_err() {
        let bytes = 8 + n * std::mem::size_of::<Value>();
        return Err(Stop::Fail(barewire::heap::out_of_memory_message(bytes)));
    }
    v.resize(n, Value::zero(elem));
    Ok(v)
}

fn int_arg(v: Value) -> R<i32> {
    match v {
        Value::Int(n) => Ok(n),
        v => internal(format!("a size of type {}", v.kind())),
    }
}

/// An option's value (`None` is case 0, `Some` case 1).
fn some(v: &Value) -> R<Option<Value>> {
    match v {
        Value::Union(c) if c.tag == 1 => match c.fields.first() {
            Some(x) => Ok(Some(x.clone())),
            None => internal("Some without a value"),
        },
        Value::Union(_) => Ok(None),
        v => internal(format!("an option expected, a {} found", v.kind())),
    }
}

fn option_or(opt: Value, default: Value) -> R<Value> {
    Ok(some(&opt)?.unwrap_or(default))
}

/// The elements of a list (cells `[head, tail]`, case 1; `[]` is case 0).
pub fn list_items(l: &Value) -> R<Vec<Value>> {
    let mut out = Vec::new();
    let mut cur = l.clone();
    loop {
        let Value::Union(cell) = cur else {
            return internal(format!("a list expected, a {} found", cur.kind()));
        };
        if cell.tag == 0 {
            return Ok(out);
        }
        match (cell.fields.first(), cell.fields.get(1)) {
            (Some(h), Some(t)) => {
                out.push(h.clone());
                cur = t.clone();
            }
            _ => return internal("a malformed list cell"),
        }
    }
}

pub fn make_list(items: Vec<Value>) -> Value {
    let mut l = Value::case(0, Vec::new());
    for x in items.into_iter().rev() {
        l = Value::case(1, vec![x, l]);
    }
    l
}
