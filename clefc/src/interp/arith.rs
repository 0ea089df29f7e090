//! Operators and numeric conversions, as codegen's `arith.rs` lowers
//! them.
//!
//! Invariants:
//! * Integer `+ - *`, negation and shifts wrap at the type's width; shift
//!   counts are taken modulo the width (Cranelift's `ishl`/`sshr`/`ushr`).
//! * Integer `/` and `%` stop on a zero divisor, and signed ones on
//!   `MinValue / -1` (.NET's OverflowException).
//! * `float32` operations round to single precision each time; `%` and
//!   `**` go through `f64` as codegen's runtime calls do.
//! * float → integer conversions truncate and saturate (NaN is 0); to
//!   `byte` they saturate to `int` first and then wrap.
//! * Comparisons of tuples, records and unions are structural
//!   (`value::equal`/`compare`); `unit` operands are equal.

use super::value::{compare, equal, Value};
use super::{internal, Interp, R};
use barewire::abi::messages;
use clef_frontend::ast::BinOp;
use clef_frontend::Span;
use clef_psg::Builtin;

impl Interp<'_> {
    pub fn binary(&self, op: BinOp, a: Value, b: Value, span: Span) -> R<Value> {
        use BinOp::*;
        use Value::*;
        if let Some(r) = relation(op, &a, &b)? {
            return Ok(Bool(r));
        }
        Ok(match (a, b) {
            (Int(x), Int(y)) => Int(match op {
                Div | Mod => {
                    self.check_division(y == 0, x == i32::MIN && y == -1, span)?;
                    if op == Div {
                        x / y
                    } else {
                        x % y
                    }
                }
                _ => int_op(op, x as i64, y as i64, |v| v as i32 as i64, 32)? as i32,
            }),
            (Int64(x), Int64(y)) => Int64(match op {
                Div | Mod => {
                    self.check_division(y == 0, x == i64::MIN && y == -1, span)?;
                    if op == Div {
                        x / y
                    } else {
                        x % y
                    }
                }
                _ => int_op(op, x, y, |v| v, 64)?,
            }),
            // `int64 <<< int`: the count is an int.
            (Int64(x), Int(y)) if matches!(op, Shl | Shr) => {
                Int64(int_op(op, x, y as i64, |v| v, 64)?)
            }
            (Byte(x), Byte(y)) => Byte(match op {
                Div | Mod => {
                    self.check_division(y == 0, false, span)?;
                    if op == Div {
                        x / y
                    } else {
                        x % y
                    }
                }
                _ => byte_op(op, x, y as u32)?,
            }),
            (Byte(x), Int(y)) if matches!(op, Shl | Shr) => Byte(byte_op(op, x, y as u32)?),
            (Float(x), Float(y)) => Float(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div => x / y,
                Mod => x % y,
                Pow => x.powf(y),
                _ => return internal(format!("float operator {}", op.symbol())),
            }),
            (Float32(x), Float32(y)) => Float32(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div => x / y,
                Mod => (x as f64 % y as f64) as f32,
                Pow => (x as f64).powf(y as f64) as f32,
                _ => return internal(format!("float32 operator {}", op.symbol())),
            }),
            (Str(x), Str(y)) if op == Add => Value::str(&format!("{x}{y}")),
            (a, b) => {
                return internal(format!(
                    "operator {} on {} and {}",
                    op.symbol(),
                    a.kind(),
                    b.kind()
                ))
            }
        })
    }

    fn check_division(&self, zero: bool, overflow: bool, span: Span) -> R<()> {
        if zero {
            return self.throw(messages::DIV_BY_ZERO_EXN, messages::DIV_BY_ZERO, span);
        }
        if overflow {
            return self.throw(messages::OVERFLOW_EXN, messages::OVERFLOW, span);
        }
        Ok(())
    }
}

/// Comparison operators: `Some(result)`, or `None` for other operators.
fn relation(op: BinOp, a: &Value, b: &Value) -> R<Option<bool>> {
    use BinOp::*;
    let r = match op {
        Eq | Ne => equal(a, b).map(|e| e == (op == Eq)),
        Lt | Gt | Le | Ge => {
            // Floats compare by IEEE (false with NaN), not via `compare`.
            let float = match (a, b) {
                (Value::Float(x), Value::Float(y)) => Some((*x, *y)),
                (Value::Float32(x), Value::Float32(y)) => Some((*x as f64, *y as f64)),
                _ => None,
            };
            match float {
                Some((x, y)) => Some(match op {
                    Lt => x < y,
                    Gt => x > y,
                    Le => x <= y,
                    _ => x >= y,
                }),
                None => compare(a, b).map(|c| match op {
                    Lt => c < 0,
                    Gt => c > 0,
                    Le => c <= 0,
                    _ => c >= 0,
                }),
            }
        }
        _ => return Ok(None),
    };
    match r {
        Some(r) => Ok(Some(r)),
        None => internal(format!("comparing a {} with a {}", a.kind(), b.kind())),
    }
}

/// A wrapping operation on a signed integer of `bits` bits (held in an
/// i64; `narrow` wraps a result to the width).
fn int_op(op: BinOp, x: i64, y: i64, narrow: fn(i64) -> i64, bits: u32) -> R<i64> {
    use BinOp::*;
    let count = (y as u32) & (bits - 1);
    Ok(match op {
        Add => narrow(x.wrapping_add(y)),
        Sub => narrow(x.wrapping_sub(y)),
        Mul => narrow(x.wrapping_mul(y)),
        BitAnd => x & y,
        BitOr => x | y,
        BitXor => x ^ y,
        Shl => narrow(x.wrapping_shl(count)),
        // Arithmetic: `x` is sign-extended in its i64.
        Shr => x >> count,
        _ => return internal(format!("integer operator {}", op.symbol())),
    })
}

fn byte_op(op: BinOp, x: u8, y: u32) -> R<u8> {
    use BinOp::*;
    let yb = y as u8;
    Ok(match op {
        Add => x.wrapping_add(yb),
        Sub => x.wrapping_sub(yb),
        Mul => x.wrapping_mul(yb),
        BitAnd => x & yb,
        BitOr => x | yb,
        BitXor => x ^ yb,
        Shl => x.wrapping_shl(y & 7),
        Shr => x.wrapping_shr(y & 7),
        _ => return internal(format!("byte operator {}", op.symbol())),
    })
}

/// Unary minus.
pub fn neg(a: Value) -> R<Value> {
    Ok(match a {
        Value::Int(x) => Value::Int(x.wrapping_neg()),
        Value::Int64(x) => Value::Int64(x.wrapping_neg()),
        Value::Byte(x) => Value::Byte(x.wrapping_neg()),
        Value::Float(x) => Value::Float(-x),
        Value::Float32(x) => Value::Float32(-x),
        v => return internal(format!("negating a {}", v.kind())),
    })
}

/// `int`, `int64`, `byte`, `float`, `float32`, `char` of a number or a
/// char (a char is its code; to a char keeps the low 16 bits).
pub fn convert(to: Builtin, v: Value) -> R<Value> {
    use Value::*;
    if to == Builtin::ToChar {
        return Ok(match v {
            Char(c) => Char(c),
            v => match convert(Builtin::ToInt, v)? {
                Int(x) => Char(x as u32 & 0xFFFF),
                v => return internal(format!("a char from a {}", v.kind())),
            },
        });
    }
    // Integers as i64 (bytes zero-extended), floats as f64.
    enum N {
        I(i64),
        F(f64),
        F32(f32),
    }
    let n = match v {
        Int(x) => N::I(x as i64),
        Int64(x) => N::I(x),
        Byte(x) => N::I(x as i64),
        Char(x) => N::I(i64::from(x)),
        Float(x) => N::F(x),
        Float32(x) => N::F32(x),
        v => return internal(format!("converting a {}", v.kind())),
    };
    Ok(match (to, n) {
        (Builtin::ToInt, N::I(x)) => Int(x as i32),
        (Builtin::ToInt, N::F(x)) => Int(x as i32),
        (Builtin::ToInt, N::F32(x)) => Int(x as i32),
        (Builtin::ToInt64, N::I(x)) => Int64(x),
        (Builtin::ToInt64, N::F(x)) => Int64(x as i64),
        (Builtin::ToInt64, N::F32(x)) => Int64(x as i64),
        (Builtin::ToByte, N::I(x)) => Byte(x as u8),
        (Builtin::ToByte, N::F(x)) => Byte(x as i32 as u8),
        (Builtin::ToByte, N::F32(x)) => Byte(x as i32 as u8),
        (Builtin::ToFloat, N::I(x)) => Float(x as f64),
        (Builtin::ToFloat, N::F(x)) => Float(x),
        (Builtin::ToFloat, N::F32(x)) => Float(x as f64),
        (Builtin::ToFloat32, N::I(x)) => Float32(x as f32),
        (Builtin::ToFloat32, N::F(x)) => Float32(x as f32),
        (Builtin::ToFloat32, N::F32(x)) => Float32(x),
        (b, _) => return internal(format!("conversion {}", b.name())),
    })
}

/// Cranelift's `fmin`/`fmax`: NaN if either is NaN, and -0 below +0.
fn fminmax(x: f64, y: f64, min: bool) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == y {
        // Only the sign of a zero can differ.
        let neg = if min {
            x.is_sign_negative() || y.is_sign_negative()
        } else {
            x.is_sign_negative() && y.is_sign_negative()
        };
        return if neg { -x.abs() } else { x.abs() };
    }
    if (x < y) == min {
        x
    } else {
        y
    }
}

/// `min`/`max` (and `Array.min`/`max` steps): signed for integers,
/// unsigned for bytes, Cranelift's `fmin`/`fmax` for floats.
pub fn min_max(a: Value, b: Value, min: bool) -> R<Value> {
    use Value::*;
    fn pick<T: PartialOrd>(x: T, y: T, min: bool) -> T {
        if (x <= y) == min {
            x
        } else {
            y
        }
    }
    Ok(match (a, b) {
        (Int(x), Int(y)) => Int(pick(x, y, min)),
        (Int64(x), Int64(y)) => Int64(pick(x, y, min)),
        (Byte(x), Byte(y)) => Byte(pick(x, y, min)),
        (Float(x), Float(y)) => Float(fminmax(x, y, min)),
        (Float32(x), Float32(y)) => Float32(fminmax(x as f64, y as f64, min) as f32),
        (a, b) => return internal(format!("min/max of {} and {}", a.kind(), b.kind())),
    })
}

/// `abs`: wrapping for integers (`iabs`; a byte is taken as signed, as
/// codegen's i8 `iabs` does), `fabs` for floats.
pub fn abs(v: Value) -> R<Value> {
    Ok(match v {
        Value::Int(x) => Value::Int(x.wrapping_abs()),
        Value::Int64(x) => Value::Int64(x.wrapping_abs()),
        Value::Byte(x) => Value::Byte((x as i8).wrapping_abs() as u8),
        Value::Float(x) => Value::Float(x.abs()),
        Value::Float32(x) => Value::Float32(x.abs()),
        v => return internal(format!("abs of a {}", v.kind())),
    })
}

/// `+` for `Array.sum`/`List.sum`.
pub fn add(a: Value, b: Value) -> R<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Int(x), Int(y)) => Int(x.wrapping_add(y)),
        (Int64(x), Int64(y)) => Int64(x.wrapping_add(y)),
        (Byte(x), Byte(y)) => Byte(x.wrapping_add(y)),
        (Float(x), Float(y)) => Float(x + y),
        (Float32(x), Float32(y)) => Float32(x + y),
        (a, b) => return internal(format!("summing {} and {}", a.kind(), b.kind())),
    })
}
