//! F#'s overloaded operators: class constraints deferred until the type
//! is known (or defaulted to `int`/`float`), and the typing of binary
//! operators, including units of measure for `*` and `/`.

use super::*;

impl Infer<'_> {
    pub(super) fn constrain(&mut self, ty: Type, class: Class, span: Span, origin: Origin) {
        self.constraints.push(Constraint {
            ty,
            class,
            span,
            origin,
            measures: Vec::new(),
        });
    }

    /// Check constraints whose type is known, and default those whose
    /// variable is about to be generalised (or all, at top level).
    pub(super) fn solve_constraints(&mut self, all: bool) {
        let pending = std::mem::take(&mut self.constraints);
        for c in pending {
            let base = match self.shallow(&c.ty) {
                Type::Measured(b, _) => self.shallow(&b),
                t => t,
            };
            match base {
                Type::Var(v) => {
                    if all || self.levels[v.0 as usize] > self.level {
                        let _ = self.unify(&Type::Var(v), &c.class.default());
                        for m in &c.measures {
                            let _ = self.unify_measures(m, &Measure::one());
                        }
                    } else {
                        self.constraints.push(c);
                    }
                }
                Type::Error => {}
                t if c.class.accepts(&t) => {}
                t => {
                    let ty = self.zonk(&t);
                    self.errors.push(TypeError::Unsupported {
                        ty,
                        origin: c.origin,
                        class: c.class,
                        at: c.span,
                    });
                }
            }
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, kids: &[NodeId], span: Span) -> Type {
        let a = self.expr(kids[0]);
        let b = self.expr(kids[1]);
        let origin = Origin::Operator(op);
        let left = a.clone();
        let why = (
            self.psg.span(kids[0]),
            Reason::LeftOperand as fn(_) -> _,
            &left,
        );
        match op {
            BinOp::And | BinOp::Or => {
                self.expect(kids[0], &a, &Type::Bool, None);
                self.expect(kids[1], &b, &Type::Bool, None);
                Type::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                self.expect_because(kids[1], &b, &a, why);
                if let Type::Fun(..) = self.shallow(&a) {
                    self.errors.push(TypeError::FunctionComparison { at: span });
                }
                Type::Bool
            }
            BinOp::Shl | BinOp::Shr => {
                self.constrain(a.clone(), Class::Integer, span, origin);
                self.expect(kids[1], &b, &Type::Int, None);
                a
            }
            BinOp::PipeRight | BinOp::PipeLeft | BinOp::ComposeRight | BinOp::ComposeLeft => {
                unreachable!("pipes and compositions are desugared when the PSG is built")
            }
            // Measures multiply and divide: `float<m> * float<s>` is
            // `float<m s>`. Both operands share the number type.
            BinOp::Mul | BinOp::Div => {
                // Both operands already known numbers of one type: the
                // result's measure is computed directly (the common case).
                let parts = |t: Type| match t {
                    Type::Measured(b, m) if b.is_numeric() => Some((*b, m)),
                    t if t.is_numeric() => Some((t, Measure::one())),
                    _ => None,
                };
                if let (Some((ba, ma)), Some((bb, mb))) =
                    (parts(self.shallow(&a)), parts(self.shallow(&b)))
                {
                    if ba == bb {
                        let m = if op == BinOp::Mul {
                            ma.mul(&mb)
                        } else {
                            ma.div(&mb)
                        };
                        return Type::measured(ba, m);
                    }
                }
                let base = self.fresh();
                let (ma, mb) = (self.fresh_measure(), self.fresh_measure());
                let left = Type::Measured(Box::new(base.clone()), ma.clone());
                let right = Type::Measured(Box::new(base.clone()), mb.clone());
                let known = self.shallow(&a);
                if !matches!(known, Type::Var(_) | Type::Error) && !Class::Numeric.accepts(&known) {
                    // `"a" * 2`: one error, about the operator.
                    self.constrain(a.clone(), Class::Numeric, self.psg.span(kids[0]), origin);
                    return a;
                }
                self.expect(kids[0], &a, &left, None);
                self.expect_because(kids[1], &b, &right, why);
                let result = if op == BinOp::Mul {
                    ma.mul(&mb)
                } else {
                    ma.div(&mb)
                };
                let result = Type::Measured(Box::new(base), result);
                self.constraints.push(Constraint {
                    ty: result.clone(),
                    class: Class::Numeric,
                    span: self.psg.span(kids[0]),
                    origin,
                    measures: vec![ma, mb],
                });
                result
            }
            _ => {
                let class = match op {
                    BinOp::Add => Class::Addable,
                    BinOp::Pow => Class::Floating,
                    BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => Class::Integer,
                    _ => Class::Numeric,
                };
                // A left operand already known not to support the operator
                // is the one error; comparing the right operand to it would
                // only add a second.
                let known = self.shallow(&a);
                if matches!(known, Type::Var(_) | Type::Error) || class.accepts(&known) {
                    self.expect_because(kids[1], &b, &a, why);
                }
                self.constrain(a.clone(), class, self.psg.span(kids[0]), origin);
                a
            }
        }
    }

    // ---- results ----
}
