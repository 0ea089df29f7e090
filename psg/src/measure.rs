//! Units of measure: products of base measures and measure variables with
//! integer exponents, kept in normal form (an abelian group element: atom →
//! nonzero exponent, atoms in a fixed order).

use crate::types::TyVar;
use std::collections::BTreeMap;
use std::fmt;

/// The memory spaces: base measures of their own kind (see
/// `passes::typeck::buffers`), in the order of the runtime's residency codes
/// 0, 2, 3, 4, 5.
pub use barewire_model::platform::MEMORY_SPACES;

/// A base measure (`kg`) or a measure variable (`'u`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeasureAtom {
    Base(String),
    Var(TyVar),
}

/// A measure in normal form; the empty product is the dimensionless `1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Measure(BTreeMap<MeasureAtom, i32>);

impl Measure {
    pub fn one() -> Measure {
        Measure::default()
    }

    pub fn atom(a: MeasureAtom) -> Measure {
        Measure(BTreeMap::from([(a, 1)]))
    }

    pub fn base(name: &str) -> Measure {
        Measure::atom(MeasureAtom::Base(name.to_string()))
    }

    pub fn var(v: TyVar) -> Measure {
        Measure::atom(MeasureAtom::Var(v))
    }

    /// The one memory space this measure is, if it is one.
    pub fn space(&self) -> Option<&str> {
        let mut atoms = self.atoms();
        match (atoms.next(), atoms.next()) {
            (Some((MeasureAtom::Base(b), 1)), None) if MEMORY_SPACES.contains(&b.as_str()) => {
                Some(b)
            }
            _ => None,
        }
    }

    pub fn is_one(&self) -> bool {
        self.0.is_empty()
    }

    pub fn atoms(&self) -> impl Iterator<Item = (&MeasureAtom, i32)> {
        self.0.iter().map(|(a, e)| (a, *e))
    }

    pub fn exponent(&self, a: &MeasureAtom) -> i32 {
        self.0.get(a).copied().unwrap_or(0)
    }

    /// Multiply by `a^e`.
    pub fn mul_atom(&mut self, a: MeasureAtom, e: i32) {
        let entry = self.0.entry(a.clone()).or_insert(0);
        *entry += e;
        if *entry == 0 {
            self.0.remove(&a);
        }
    }

    pub fn mul(&self, other: &Measure) -> Measure {
        let mut out = self.clone();
        for (a, e) in other.atoms() {
            out.mul_atom(a.clone(), e);
        }
        out
    }

    pub fn pow(&self, n: i32) -> Measure {
        if n == 0 {
            return Measure::one();
        }
        Measure(self.0.iter().map(|(a, e)| (a.clone(), e * n)).collect())
    }

    pub fn div(&self, other: &Measure) -> Measure {
        self.mul(&other.pow(-1))
    }

    pub fn vars(&self, out: &mut Vec<TyVar>) {
        for a in self.0.keys() {
            if let MeasureAtom::Var(v) = a {
                if !out.contains(v) {
                    out.push(*v);
                }
            }
        }
    }

    /// Replace variables: `f(v)` gives the measure `v` stands for.
    pub fn substitute(&self, f: &impl Fn(TyVar) -> Option<Measure>) -> Measure {
        let mut out = Measure::one();
        for (a, e) in self.atoms() {
            match a {
                MeasureAtom::Var(v) => match f(*v) {
                    Some(m) => out = out.mul(&m.pow(e)),
                    None => out.mul_atom(a.clone(), e),
                },
                MeasureAtom::Base(_) => out.mul_atom(a.clone(), e),
            }
        }
        out
    }

    /// F#'s notation: `m`, `kg m/s^2`, `1/s`, `'u^2`, `m/(kg s)`. Variables
    /// are named by `name`.
    pub fn display_with(&self, name: &dyn Fn(TyVar) -> String) -> String {
        if self.is_one() {
            return "1".into();
        }
        let atom = |a: &MeasureAtom| match a {
            MeasureAtom::Base(b) => b.clone(),
            MeasureAtom::Var(v) => name(*v),
        };
        let power = |a: &MeasureAtom, e: i32| {
            if e == 1 {
                atom(a)
            } else {
                format!("{}^{e}", atom(a))
            }
        };
        let num: Vec<String> = self
            .atoms()
            .filter(|(_, e)| *e > 0)
            .map(|(a, e)| power(a, e))
            .collect();
        let den: Vec<String> = self
            .atoms()
            .filter(|(_, e)| *e < 0)
            .map(|(a, e)| power(a, -e))
            .collect();
        let num = if num.is_empty() {
            "1".to_string()
        } else {
            num.join(" ")
        };
        match den.len() {
            0 => num,
            1 => format!("{num}/{}", den[0]),
            _ => format!("{num}/({})", den.join(" ")),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_with(&|v| format!("'m{}", v.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form() {
        let m = Measure::base("m");
        let s = Measure::base("s");
        let kg = Measure::base("kg");
        let accel = m.div(&s.pow(2));
        assert_eq!(accel.to_string(), "m/s^2");
        assert_eq!(kg.mul(&accel).to_string(), "kg m/s^2");
        assert_eq!(Measure::one().div(&s).to_string(), "1/s");
        assert_eq!(m.div(&kg.mul(&s)).to_string(), "m/(kg s)");
        assert!(accel.mul(&s.pow(2)).div(&m).is_one());
        let u = Measure::var(TyVar(3));
        assert_eq!(u.pow(2).display_with(&|_| "'u".into()), "'u^2");
    }
}
