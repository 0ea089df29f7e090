//! Typing patterns (`match` arms, destructuring `let`, tuple parameters).

use super::{literal_type, Infer, Reason, TypeError};
use clef_psg::*;

impl Infer<'_> {
    /// Check a pattern against the type of the value it matches, typing the
    /// variables it binds.
    pub(super) fn pattern(&mut self, pat: NodeId, expected: &Type) {
        let kids = self.psg.children(pat);
        let span = self.psg.span(pat);
        match self.psg.kind(pat).clone() {
            NodeKind::Binding(_) => {
                // The right side of an or-pattern shares the left's variable.
                if let Some(left) = self.psg.definition(pat).map(BindingId::node) {
                    if let Some((_, t)) = self.schemes.get(&left).cloned() {
                        self.expect(pat, expected, &t, None);
                    }
                }
                self.schemes.insert(pat, (Vec::new(), expected.clone()));
                self.set_type(pat, expected.clone());
            }
            NodeKind::Pattern(kind) => {
                let t = match kind {
                    PatternKind::Wildcard => expected.clone(),
                    PatternKind::Lit(lit) => {
                        let t = literal_type(&lit);
                        if self.unify(expected, &t).is_err() {
                            let exp = self.zonk(expected);
                            self.errors.push(TypeError::LiteralPatternMismatch {
                                pattern: t.clone(),
                                expected: exp,
                                at: span,
                            });
                        }
                        t
                    }
                    PatternKind::Tuple => {
                        let items: Vec<Type> = kids.iter().map(|_| self.fresh()).collect();
                        let t = Type::Tuple(items.clone());
                        if self.unify(expected, &t).is_err() {
                            let exp = self.zonk(expected);
                            self.errors.push(TypeError::TuplePatternMismatch {
                                arity: kids.len(),
                                expected: exp,
                                at: span,
                            });
                            kids.iter().for_each(|&k| self.pattern(k, &Type::Error));
                        } else {
                            for (&k, it) in kids.iter().zip(&items) {
                                self.pattern(k, it);
                            }
                        }
                        t
                    }
                    PatternKind::Or => {
                        self.pattern(kids[0], expected);
                        self.pattern(kids[1], expected);
                        expected.clone()
                    }
                    PatternKind::As => {
                        self.pattern(kids[0], expected);
                        self.pattern(kids[1], expected);
                        expected.clone()
                    }
                    PatternKind::Case(_) => {
                        let t = self.case_pattern(pat, expected);
                        self.set_type(pat, t.clone());
                        return;
                    }
                    PatternKind::Record(names) => {
                        match self.record_pattern(pat, &names, expected) {
                            Some(tys) => {
                                for (&k, t) in kids.iter().zip(&tys) {
                                    self.pattern(k, t);
                                }
                            }
                            None => kids.iter().for_each(|&k| self.pattern(k, &Type::Error)),
                        }
                        expected.clone()
                    }
                    PatternKind::Typed(annot) => {
                        let t = self.annotation(&annot);
                        self.expect(pat, expected, &t, Some((annot.span, Reason::Annotation)));
                        self.pattern(kids[0], &t);
                        t
                    }
                };
                self.set_type(pat, t);
            }
            _ => {}
        }
    }
}
