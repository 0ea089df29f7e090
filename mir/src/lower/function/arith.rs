//! Arithmetic and comparisons: binary operators (with division checked
//! for zero and overflow, and `%` by a power of two strength-reduced),
//! numeric conversions.

use super::*;
use crate::ir::Ty;

impl Lowering<'_, '_, '_> {
    /// `x % 2^k` compared with `0` (either order): returns x and 2^k - 1.
    pub(super) fn remainder_test(&self, a: NodeId, b: NodeId) -> Option<(NodeId, i64)> {
        let psg = self.cx.psg;
        let (rem, zero) = if int_literal(psg, b) == Some(0) {
            (a, b)
        } else {
            (b, a)
        };
        if int_literal(psg, zero) != Some(0) || psg.expr(rem) != Some(&ExprKind::Binary(BinOp::Mod))
        {
            return None;
        }
        let kids = psg.children(rem);
        let d = int_literal(psg, kids[1])?;
        (d > 0 && d & (d - 1) == 0 && self.type_of(rem).is_integer()).then_some((kids[0], d - 1))
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        t: &Type,
        a: Val,
        b: Val,
        divisor: Option<i64>,
        span: Span,
    ) -> R<Val> {
        use BinOp::*;
        let (Some(a), Some(b)) = (a, b) else {
            // unit operands: only comparisons are possible; units are equal.
            return Ok(Some(
                self.b
                    .ins()
                    .iconst(types::I8, matches!(op, Eq | Le | Ge) as i64),
            ));
        };
        if self.slot_types(t).is_some()
            || self.cx.union_cases(t).is_some()
            || matches!(t, Type::Array(_))
        {
            return Ok(Some(match op {
                Eq => self.equal(t, a, b)?,
                Ne => {
                    let e = self.equal(t, a, b)?;
                    self.b.ins().bxor_imm_s(e, 1)
                }
                _ => {
                    let c = self.compare(t, a, b)?;
                    let cc = int_cc(op, true).ok_or_else(|| internal("tuple operator"))?;
                    self.b.ins().icmp_imm_s(cc, c, 0)
                }
            }));
        }
        if *t == Type::String {
            return Ok(Some(match op {
                Add => self
                    .runtime(&rt::STRING_CONCAT, &[a, b])?
                    .ok_or_else(|| internal("concat"))?,
                _ => {
                    let c = self
                        .runtime(&rt::STRING_COMPARE, &[a, b])?
                        .ok_or_else(|| internal("compare"))?;
                    let cc = int_cc(op, true).ok_or_else(|| internal("string operator"))?;
                    self.b.ins().icmp_imm_s(cc, c, 0)
                }
            }));
        }
        if t.is_float() {
            return Ok(Some(match op {
                Add => self.b.ins().fadd(a, b),
                Sub => self.b.ins().fsub(a, b),
                Mul => self.b.ins().fmul(a, b),
                Div => self.b.ins().fdiv(a, b),
                Mod | Pow => {
                    let f = if op == Mod { &rt::FMOD } else { &rt::POW };
                    if *t == Type::Float32 {
                        let a = self.b.ins().fpromote(types::F64, a);
                        let b = self.b.ins().fpromote(types::F64, b);
                        let r = self
                            .runtime(f, &[a, b])?
                            .ok_or_else(|| internal("float op"))?;
                        self.b.ins().fdemote(types::F32, r)
                    } else {
                        self.runtime(f, &[a, b])?
                            .ok_or_else(|| internal("float op"))?
                    }
                }
                Eq => self.b.ins().fcmp(FloatCC::Equal, a, b),
                Ne => self.b.ins().fcmp(FloatCC::NotEqual, a, b),
                Lt => self.b.ins().fcmp(FloatCC::LessThan, a, b),
                Gt => self.b.ins().fcmp(FloatCC::GreaterThan, a, b),
                Le => self.b.ins().fcmp(FloatCC::LessThanOrEqual, a, b),
                Ge => self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, a, b),
                _ => return Err(internal(format!("float operator {}", op.symbol()))),
            }));
        }
        // Integers and bools (bool: comparisons only).
        let signed = !matches!(t, Type::Byte | Type::Bool);
        if let Some(cc) = int_cc(op, signed) {
            return Ok(Some(self.b.ins().icmp(cc, a, b)));
        }
        Ok(Some(match op {
            Add => self.b.ins().iadd(a, b),
            Sub => self.b.ins().isub(a, b),
            Mul => self.b.ins().imul(a, b),
            Div | Mod => self.int_division(op, t, a, b, divisor, span)?,
            BitAnd => self.b.ins().band(a, b),
            BitOr => self.b.ins().bor(a, b),
            BitXor => self.b.ins().bxor(a, b),
            Shl => self.b.ins().ishl(a, b),
            Shr if signed => self.b.ins().sshr(a, b),
            Shr => self.b.ins().ushr(a, b),
            _ => return Err(internal(format!("integer operator {}", op.symbol()))),
        }))
    }

    /// Checked integer division: zero divisors and `MinValue / -1` stop
    /// the program with a message (as .NET raises DivideByZeroException
    /// and OverflowException) instead of trapping. A literal divisor other
    /// than 0 and -1 needs no checks.
    pub(super) fn int_division(
        &mut self,
        op: BinOp,
        t: &Type,
        a: Value,
        b: Value,
        divisor: Option<i64>,
        span: Span,
    ) -> R<Value> {
        let checked = !matches!(divisor, Some(d) if d != 0 && d != -1);
        if !checked {
            let unsigned = *t == Type::Byte;
            return Ok(match (op == BinOp::Div, unsigned) {
                (true, true) => self.b.ins().udiv(a, b),
                (false, true) => self.b.ins().urem(a, b),
                (true, false) => self.b.ins().sdiv(a, b),
                (false, false) => self.b.ins().srem(a, b),
            });
        }
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        self.check(zero, &rt::FAIL_DIV_BY_ZERO, &[], span)?;
        if *t == Type::Byte {
            return Ok(if op == BinOp::Div {
                self.b.ins().udiv(a, b)
            } else {
                self.b.ins().urem(a, b)
            });
        }
        let min = match t {
            Type::Int64 => i64::MIN,
            _ => i32::MIN as i64,
        };
        let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, min);
        let is_neg1 = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
        let overflow = self.b.ins().band(is_min, is_neg1);
        self.check(overflow, &rt::FAIL_OVERFLOW, &[], span)?;
        Ok(if op == BinOp::Div {
            self.b.ins().sdiv(a, b)
        } else {
            self.b.ins().srem(a, b)
        })
    }

    pub(super) fn zero(&mut self, t: Ty) -> Value {
        match t {
            types::F64 => self.b.ins().f64const(0.0),
            types::F32 => self.b.ins().f32const(0.0),
            t => self.b.ins().iconst(t, 0),
        }
    }

    /// Numeric conversions with F#'s results: integers wrap when narrowed;
    /// floats to integers truncate toward zero, saturating at the target's
    /// range (NaN gives 0) where .NET leaves the result unspecified.
    pub(super) fn convert(&mut self, v: Value, from: &Type, to: &Type) -> Value {
        // A char is its UTF-16 code in an i32 (never negative); converting
        // to one keeps the low 16 bits, as .NET's `char` does.
        match (from, to) {
            (Type::Char, Type::Char) => return v,
            (_, Type::Char) => {
                let code = self.convert(v, from, &Type::Int);
                return self.b.ins().band_imm_s(code, 0xFFFF);
            }
            (Type::Char, _) => return self.convert(v, &Type::Int, to),
            _ => {}
        }
        let ct = machine_type(to).expect("numeric type");
        let ins = self.b.ins();
        match (from, to) {
            (f, t) if f == t => v,
            (Type::Byte, t) if t.is_integer() => ins.uextend(ct, v),
            (f, t) if f.is_integer() && t.is_integer() => {
                let (fb, tb) = (machine_type(f).expect("int").bits(), ct.bits());
                if fb < tb {
                    ins.sextend(ct, v)
                } else {
                    ins.ireduce(ct, v)
                }
            }
            (Type::Byte, _) => ins.fcvt_from_uint(ct, v),
            (f, _) if f.is_integer() => ins.fcvt_from_sint(ct, v),
            (Type::Float32, Type::Float) => ins.fpromote(ct, v),
            (Type::Float, Type::Float32) => ins.fdemote(ct, v),
            (_, Type::Byte) => {
                let wide = ins.fcvt_to_sint_sat(types::I32, v);
                self.b.ins().ireduce(types::I8, wide)
            }
            _ => ins.fcvt_to_sint_sat(ct, v),
        }
    }
}

/// The value of an integer literal node.
pub(super) fn int_literal(psg: &Psg, id: NodeId) -> Option<i64> {
    match psg.expr(id) {
        Some(ExprKind::Lit(Literal::Int(v, _))) => Some(*v),
        _ => None,
    }
}

pub(super) fn int_cc(op: BinOp, signed: bool) -> Option<IntCC> {
    use BinOp::*;
    Some(match (op, signed) {
        (Eq, _) => IntCC::Equal,
        (Ne, _) => IntCC::NotEqual,
        (Lt, true) => IntCC::SignedLessThan,
        (Gt, true) => IntCC::SignedGreaterThan,
        (Le, true) => IntCC::SignedLessThanOrEqual,
        (Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (Lt, false) => IntCC::UnsignedLessThan,
        (Gt, false) => IntCC::UnsignedGreaterThan,
        (Le, false) => IntCC::UnsignedLessThanOrEqual,
        (Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
        _ => return None,
    })
}
