//! Pattern tests for `match`, as codegen's `test_pattern`: a test binds
//! its variables as it goes and says whether the value matched.
//!
//! Invariants:
//! * A pattern variable is a `Binding` node; on the right side of an
//!   or-pattern it names (by `DefUse`) the left side's binding, which it
//!   sets instead of binding a new one.
//! * A case pattern's argument is matched against the case's one field,
//!   or element-wise against its fields when it is a tuple pattern.

use super::value::{equal, Value};
use super::{internal, Env, Interp, R};
use clef_psg::*;

impl Interp<'_> {
    pub fn test_pattern(&mut self, pat: NodeId, v: &Value, env: &mut Env) -> R<bool> {
        let psg = self.psg;
        let kids = self.kids(pat);
        let kind = match psg.kind(pat) {
            NodeKind::Binding(_) => {
                let target = self.def(pat).unwrap_or(pat);
                env.set(target, v.clone());
                return Ok(true);
            }
            NodeKind::Pattern(kind) => kind,
            _ => return internal("not a pattern"),
        };
        match kind {
            PatternKind::Wildcard | PatternKind::Lit(Literal::Unit) => Ok(true),
            PatternKind::Lit(lit) => match equal(v, &super::eval::literal(lit)) {
                Some(same) => Ok(same),
                None => internal(format!("a literal pattern on a {}", v.kind())),
            },
            PatternKind::Tuple => {
                let Value::Tuple(items) = v else {
                    return internal(format!("a tuple pattern on a {}", v.kind()));
                };
                self.test_all(kids, items, env)
            }
            PatternKind::Or => {
                Ok(self.test_pattern(kids[0], v, env)? || self.test_pattern(kids[1], v, env)?)
            }
            PatternKind::As => {
                Ok(self.test_pattern(kids[0], v, env)? && self.test_pattern(kids[1], v, env)?)
            }
            PatternKind::Typed(_) => self.test_pattern(kids[0], v, env),
            PatternKind::Record(names) => {
                let Some(fields) = self.record_field_names(self.facts.ty(pat)) else {
                    return internal("a record pattern of a non-record type");
                };
                let Value::Record(slots) = v else {
                    return internal(format!("a record pattern on a {}", v.kind()));
                };
                let slots = slots.borrow().clone();
                for (name, &k) in names.iter().zip(kids) {
                    let Some(i) = fields.iter().position(|f| f == name) else {
                        return internal(format!("unknown field {name}"));
                    };
                    if !self.test_pattern(k, &slots[i], env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            PatternKind::Case(_) => self.test_case(pat, kids, v, env),
        }
    }

    fn test_all(&mut self, pats: &[NodeId], values: &[Value], env: &mut Env) -> R<bool> {
        for (&p, x) in pats.iter().zip(values) {
            if !self.test_pattern(p, x, env)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn test_case(&mut self, pat: NodeId, kids: &[NodeId], v: &Value, env: &mut Env) -> R<bool> {
        let Some((_, index)) = self.psg.case(pat) else {
            return internal("an unresolved case pattern");
        };
        let Value::Union(case) = v else {
            return internal(format!("a case pattern on a {}", v.kind()));
        };
        if case.tag != index {
            return Ok(false);
        }
        let Some(&arg) = kids.first() else {
            return Ok(true);
        };
        if case.fields.len() == 1 {
            return self.test_pattern(arg, &case.fields[0], env);
        }
        match self.psg.kind(arg) {
            NodeKind::Pattern(PatternKind::Tuple) => {
                let parts = self.kids(arg);
                self.test_all(parts, &case.fields, env)
            }
            // The fields as one tuple (`Rect r`).
            _ => {
                let whole = Value::Tuple(case.fields.clone().into());
                self.test_pattern(arg, &whole, env)
            }
        }
    }
}
