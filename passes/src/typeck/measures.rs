//! Units of measure in inference (Kennedy's algorithm).
//!
//! A measure is an element of the free abelian group over base measures and
//! measure variables ([`Measure`], always in normal form). Measure variables
//! are type variables of their own kind: the substitution binds them to
//! `Type::Measure(m)`, so levels, generalisation and instantiation work as
//! for type variables. Unifying `m1` with `m2` solves `m1/m2 = 1`:
//! - no variables left: it holds only if the measure is `1`;
//! - else take the flexible variable `v` with the smallest exponent `e`;
//!   if `e` divides every other exponent, `v := ∏ a^(-e_a/e)` solves it;
//!   otherwise `v := w · ∏ a^(-(e_a div e))` with a fresh `w` lowers the
//!   other exponents below `e`, and the loop goes on (it ends: the
//!   smallest exponent shrinks).
//!
//! Variables written in annotations (`float<'u>`) are rigid: they behave as
//! constants while the item that declares them is checked, as F# requires
//! (`float<'u>` cannot turn out to be `float<m>`). Exponents are integers.

use super::{Infer, TypeError, UnifyError};
use clef_frontend::ast::{TypeExpr, TypeExprKind};
use clef_psg::measure::{Measure, MeasureAtom};
use clef_psg::*;

impl Infer<'_> {
    /// A fresh flexible measure variable.
    pub(super) fn fresh_measure(&mut self) -> Measure {
        match self.fresh() {
            Type::Var(v) => Measure::var(v),
            _ => unreachable!("fresh gives a variable"),
        }
    }

    /// `m` with every bound variable replaced by what it stands for.
    pub(super) fn resolve_measure(&self, m: &Measure) -> Measure {
        let bound = m
            .atoms()
            .any(|(a, _)| matches!(a, MeasureAtom::Var(v) if self.subst[v.0 as usize].is_some()));
        if !bound {
            return m.clone();
        }
        m.substitute(&|v| match &self.subst[v.0 as usize] {
            Some(Type::Measure(bound)) => Some(self.resolve_measure(bound)),
            Some(Type::Var(w)) => Some(self.resolve_measure(&Measure::var(*w))),
            _ => None,
        })
    }

    fn bind_measure(&mut self, v: TyVar, m: Measure) {
        let level = self.levels[v.0 as usize];
        let mut vars = Vec::new();
        m.vars(&mut vars);
        for u in vars {
            let l = &mut self.levels[u.0 as usize];
            *l = (*l).min(level);
        }
        self.subst[v.0 as usize] = Some(Type::Measure(m));
    }

    /// Make `a` and `b` equal.
    pub(super) fn unify_measures(&mut self, a: &Measure, b: &Measure) -> Result<(), UnifyError> {
        let (ra, rb) = (self.resolve_measure(a), self.resolve_measure(b));
        let mut m = ra.div(&rb);
        loop {
            m = self.resolve_measure(&m);
            if m.is_one() {
                return Ok(());
            }
            let pick = m
                .atoms()
                .filter_map(|(a, e)| match a {
                    MeasureAtom::Var(v) if !self.rigid.contains(v) => Some((*v, e)),
                    _ => None,
                })
                .min_by_key(|(_, e)| e.abs());
            let Some((v, e)) = pick else {
                return Err(UnifyError::Measure(ra, rb));
            };
            let others: Vec<(MeasureAtom, i32)> = m
                .atoms()
                .filter(|(a, _)| **a != MeasureAtom::Var(v))
                .map(|(a, x)| (a.clone(), x))
                .collect();
            let mut solution = Measure::one();
            if others.iter().all(|(_, x)| x % e == 0) {
                for (a, x) in others {
                    solution.mul_atom(a, -x / e);
                }
                self.bind_measure(v, solution);
                return Ok(());
            }
            let level = self.levels[v.0 as usize];
            let saved = self.level;
            self.level = level;
            let w = self.fresh_measure();
            self.level = saved;
            solution = w;
            for (a, x) in others {
                solution.mul_atom(a, -(x / e));
            }
            self.bind_measure(v, solution);
        }
    }

    /// The measure an annotation names (inside `float<…>`, after a literal,
    /// or as the body of a measure abbreviation).
    pub(super) fn measure_of(&mut self, t: &TypeExpr) -> Measure {
        match &t.kind {
            TypeExprKind::Named { name, args } if args.is_empty() && name.name == "_" => {
                self.fresh_measure()
            }
            TypeExprKind::Named { name, args } if args.is_empty() => {
                match self.measure_named(&name.name) {
                    Some(m) => m,
                    None => {
                        self.errors.push(TypeError::UnknownMeasure {
                            name: name.name.clone(),
                            at: t.span,
                        });
                        // A fresh variable: no second error about it.
                        self.fresh_measure()
                    }
                }
            }
            // `kg m` is written like the postfix application `int list`.
            TypeExprKind::Named { name, args } if args.len() == 1 => {
                let left = self.measure_of(&args[0]);
                let right = self.measure_of(&TypeExpr {
                    kind: TypeExprKind::Named {
                        name: name.clone(),
                        args: Vec::new(),
                    },
                    span: name.span,
                });
                left.mul(&right)
            }
            TypeExprKind::Tuple(items) => {
                let mut m = Measure::one();
                for item in items {
                    m = m.mul(&self.measure_of(item));
                }
                m
            }
            TypeExprKind::Quotient(a, b) => {
                let (a, b) = (self.measure_of(a), self.measure_of(b));
                a.div(&b)
            }
            TypeExprKind::Power(a, n) => self.measure_of(a).pow(*n),
            TypeExprKind::Number(1) => Measure::one(),
            TypeExprKind::Var(v) => match self.named_vars.get(&v.name) {
                Some(tv) => Measure::var(*tv),
                None => {
                    let m = self.fresh_measure();
                    let Some((MeasureAtom::Var(tv), _)) = m.atoms().next() else {
                        unreachable!("a fresh measure is one variable")
                    };
                    let tv = *tv;
                    self.named_vars.insert(v.name.clone(), tv);
                    self.rigid.insert(tv);
                    m
                }
            },
            _ => {
                self.errors.push(TypeError::NotAMeasure { at: t.span });
                Measure::one()
            }
        }
    }

    /// `[<Measure>] type kg` or `[<Measure>] type N = kg m / s^2`.
    pub(super) fn declare_measure(&mut self, decl: NodeId, info: &TypeDeclInfo, def: &MeasureDef) {
        if self.measure_names.in_this_module(&info.name).is_some() {
            self.errors.push(TypeError::DuplicateMeasure {
                name: info.name.clone(),
                at: info.name_span,
            });
            return;
        }
        let m = match def {
            // A base measure is its declaration: `m` in module `Geo` is
            // `Geo.m`, another measure than a top-level `m`.
            MeasureDef::Base => match self.measure_names.current_module() {
                Some(module) => Measure::base(&format!("{module}.{}", info.name)),
                None => Measure::base(&info.name),
            },
            MeasureDef::Abbreviation(body) => {
                let m = self.measure_of(body);
                let mut vars = Vec::new();
                m.vars(&mut vars);
                if !vars.is_empty() {
                    self.errors
                        .push(TypeError::MeasureVariableInAbbreviation { at: body.span });
                    Measure::one()
                } else {
                    m
                }
            }
        };
        self.table.set_ty(decl, Some(Type::Measure(m.clone())));
        self.measure_names.bind(info.name.clone(), decl);
        self.measures.insert(decl, m);
    }

    /// The measure a name means here: a declaration in scope (module
    /// scoped, as types are), else a memory space.
    pub(super) fn measure_named(&self, name: &str) -> Option<Measure> {
        match self.measure_names.lookup(name) {
            Some(decl) => self.measures.get(&decl).cloned(),
            None => self.spaces.get(name).cloned(),
        }
    }
}
