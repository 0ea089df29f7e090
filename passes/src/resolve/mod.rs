//! Name resolution, in two phases: [`collect`] gathers every module's
//! top-level values and union cases into a [`Definitions`] map, then the bodies are
//! resolved top to bottom, consulting the map when a name is not in scope.
//!
//! Input: a PSG fresh from `clef_psg::build`.
//! Output: every `Var` either has a `DefUse` edge to the binding it names,
//! or names a union case or a builtin ([`Psg::case`], [`Psg::builtin`]),
//! or a [`ResolveError`] (E04xx) was recorded. Resolution is the last step that
//! writes the PSG (with the eta-expansion after it); every later pass
//! reads it. Scoping follows F#: a `let` is visible after its
//! definition, `let rec` bindings also inside their group, and later
//! local definitions shadow earlier ones.

mod collect;
mod error;

pub use collect::{collect, Definitions};
pub use error::{ResolveError, Undefined};

use crate::scope::Namespace;
use clef_frontend::Span;
use clef_psg::*;

pub fn resolve(psg: &mut Psg) -> Vec<ResolveError> {
    let definitions = collect(psg);
    let mut r = Resolver {
        psg,
        definitions,
        values: Namespace::default(),
        cases: Namespace::default(),
        defining: Vec::new(),
        errors: Vec::new(),
    };
    r.module();
    r.errors
}

struct Resolver<'a> {
    psg: &'a mut Psg,
    /// Every module's top-level names (the first phase).
    definitions: Definitions,
    /// Values in scope: top-level bindings of the modules, locals.
    values: Namespace<BindingId>,
    /// Union cases in scope: name → (declaration, case index).
    cases: Namespace<(TypeDeclId, usize)>,
    /// Non-recursive bindings whose bodies are being resolved (their names
    /// are not in scope there), for the help on a use of one.
    defining: Vec<NodeId>,
    errors: Vec<ResolveError>,
}

impl Resolver<'_> {
    fn module(&mut self) {
        // The prelude first: its types and functions are in scope for the
        // program (its names cannot clash with the program's).
        if let Some(prelude) = self.psg.prelude {
            let items = self.psg.children(prelude);
            self.items(&items, &mut Vec::new());
        }
        let items = self.psg.items();
        self.items(&items, &mut Vec::new());
        self.check_entry_point(&items);
    }

    /// Resolve a module's items in order; `top_level` collects the names
    /// defined so far, to report duplicates.
    fn items(&mut self, items: &[NodeId], top_level: &mut Vec<(String, NodeId)>) {
        let module_name = match self.psg.root.map(|r| self.psg.kind(r).clone()) {
            Some(NodeKind::Module(n)) => n,
            _ => String::new(),
        };
        let mut i = 0;
        while i < items.len() {
            let item = items[i];
            match self.psg.kind(item).clone() {
                NodeKind::TypeDecl(_) => {
                    self.declare_cases(item);
                    i += 1;
                }
                NodeKind::Module(name) => {
                    // A nested module: its items see each other by short
                    // names; outside, they are `M.name` (or `open M`).
                    let short = name.rsplit('.').next().unwrap_or(&name);
                    self.values.enter_module(short);
                    self.cases.enter_module(short);
                    let children = self.psg.children(item);
                    self.items(&children, &mut Vec::new());
                    self.values.leave_module();
                    self.cases.leave_module();
                    i += 1;
                }
                NodeKind::Open(path) => {
                    // `open M`: M's members by their short names.
                    let known = self.values.open(&path);
                    self.cases.open(&path);
                    if !known && path != "System" && path != "BAREWire" && path != module_name {
                        self.errors.push(ResolveError::UnknownModule {
                            path: path.clone(),
                            at: self.psg.span(item),
                        });
                    }
                    i += 1;
                }
                NodeKind::Binding(_) => {
                    let group = self.group_at(items, i);
                    for &b in &group {
                        let info = self.psg.binding(b).cloned();
                        if let Some(info) = info {
                            if let Some((_, prev)) = top_level.iter().find(|(n, _)| *n == info.name)
                            {
                                let prev_span = self
                                    .psg
                                    .binding(*prev)
                                    .map_or(Span::default(), |p| p.name_span);
                                self.errors.push(ResolveError::Duplicate {
                                    name: info.name.clone(),
                                    at: info.name_span,
                                    first: prev_span,
                                    in_rec_group: false,
                                });
                            }
                            top_level.push((info.name.clone(), b));
                        }
                    }
                    self.binding_group(&group);
                    i += group.len();
                }
                NodeKind::Init => {
                    for c in self.psg.children(item) {
                        self.expr(c);
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    /// The bindings declared together with `items[i]` (`let rec … and …`).
    fn group_at(&self, items: &[NodeId], i: usize) -> Vec<NodeId> {
        let group = self.psg.binding(items[i]).map_or(0, |b| b.group);
        items[i..]
            .iter()
            .take_while(|&&n| self.psg.binding(n).is_some_and(|b| b.group == group))
            .copied()
            .collect()
    }

    fn check_entry_point(&mut self, items: &[NodeId]) {
        let entries: Vec<NodeId> = items
            .iter()
            .copied()
            .filter(|&n| self.psg.binding(n).is_some_and(|b| b.is_entry))
            .collect();
        for &e in &entries {
            let info = self.psg.binding(e).cloned().expect("filtered to bindings");
            let last = items.last() == Some(&e);
            if !last {
                self.errors
                    .push(ResolveError::EntryPointNotLast { at: info.name_span });
            } else if info.arity != 1 {
                self.errors.push(ResolveError::EntryPointArity {
                    at: info.name_span,
                    arity: info.arity,
                });
            }
        }
    }

    fn bind(&mut self, id: NodeId) {
        let Some(b) = self.psg.as_binding(id) else {
            return;
        };
        let name = &self.psg.info(b).name;
        if name != "_" && name != "()" {
            self.values.bind(name.clone(), b);
        }
    }

    /// Leave a scope: forget the names bound since `mark`.
    fn unbind_to(&mut self, mark: usize) {
        self.values.unbind_to(mark);
    }

    /// Resolve a group of bindings declared by one `let` (several only for
    /// `let rec … and …`), leaving their names in scope.
    fn binding_group(&mut self, group: &[NodeId]) {
        let is_rec = group
            .first()
            .and_then(|&b| self.psg.binding(b))
            .is_some_and(|b| b.is_rec);
        self.check_group_duplicates(group);
        if is_rec {
            group.iter().for_each(|&b| self.bind(b));
        }
        for &b in group {
            if !is_rec {
                self.defining.push(b);
            }
            self.binding(b);
            if !is_rec {
                self.defining.pop();
            }
        }
        if !is_rec {
            group.iter().for_each(|&b| self.bind(b));
        }
    }

    fn check_group_duplicates(&mut self, group: &[NodeId]) {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[..i] {
                let (na, nb) = (self.psg.binding(a).cloned(), self.psg.binding(b).cloned());
                if let (Some(na), Some(nb)) = (na, nb) {
                    if na.name == nb.name {
                        self.errors.push(ResolveError::Duplicate {
                            name: na.name.clone(),
                            at: na.name_span,
                            first: nb.name_span,
                            in_rec_group: true,
                        });
                    }
                }
            }
        }
    }

    fn binding(&mut self, b: NodeId) {
        let (params, body) = self.psg.function_parts(b);
        let mark = self.values.mark();
        for (i, &p) in params.iter().enumerate() {
            let info = self.psg.binding(p).cloned();
            if let Some(info) = info {
                let dup = params[..i].iter().find(|&&q| {
                    self.psg.binding(q).is_some_and(|qi| {
                        qi.name == info.name && info.name != "_" && info.name != "()"
                    })
                });
                if let Some(&q) = dup {
                    let first = self
                        .psg
                        .binding(q)
                        .map_or(Span::default(), |qi| qi.name_span);
                    self.errors.push(ResolveError::ParameterTwice {
                        name: info.name.clone(),
                        at: info.name_span,
                        first,
                    });
                }
            }
            self.bind(p);
        }
        if let Some(body) = body {
            self.expr(body);
        }
        self.unbind_to(mark);
    }

    fn expr(&mut self, id: NodeId) {
        let Some(kind) = self.psg.expr(id).cloned() else {
            return;
        };
        let kids = self.psg.children(id);
        match kind {
            ExprKind::Var(name) => self.var(id, &name),
            ExprKind::Member(member) if !self.psg.explicit_type_args(id).is_empty() => {
                self.errors.push(ResolveError::TypeArgumentsOnMember {
                    member,
                    at: self.psg.span(id),
                });
                kids.iter().for_each(|&k| self.expr(k));
            }
            ExprKind::Let => {
                let mark = self.values.mark();
                let (bindings, body) = kids.split_at(kids.len().saturating_sub(1));
                // All bindings of a `Let` node come from one declaration.
                self.binding_group(bindings);
                body.iter().for_each(|&e| self.expr(e));
                self.unbind_to(mark);
            }
            ExprKind::ForEach => {
                // [var, collection, body]: the collection does not see the variable.
                if let [var, collection, body] = kids[..] {
                    self.expr(collection);
                    let mark = self.values.mark();
                    self.bind(var);
                    self.expr(body);
                    self.unbind_to(mark);
                }
            }
            ExprKind::For(_) => {
                // [var, from, to, body]: the bounds do not see the variable.
                if let [var, from, to, body] = kids[..] {
                    self.expr(from);
                    self.expr(to);
                    let mark = self.values.mark();
                    self.bind(var);
                    self.expr(body);
                    self.unbind_to(mark);
                }
            }
            ExprKind::Assign => {
                kids.iter().for_each(|&k| self.expr(k));
                if let Some(&target) = kids.first() {
                    self.check_assignable(target);
                }
            }
            ExprKind::Apply => kids.iter().for_each(|&k| self.expr(k)),
            // A lambda's parameters scope over its body; it has no name.
            ExprKind::Lambda => kids.iter().for_each(|&b| self.binding(b)),
            ExprKind::Match | ExprKind::TryWith => {
                let (scrutinee, arms) = kids.split_first().expect("a match has a scrutinee");
                self.expr(*scrutinee);
                for &arm in arms {
                    let parts = self.psg.children(arm);
                    let mark = self.values.mark();
                    let mut vars = Vec::new();
                    self.pattern_vars(parts[0], &mut vars);
                    vars.into_iter().for_each(|v| self.bind(v));
                    parts[1..].iter().for_each(|&e| self.expr(e));
                    self.unbind_to(mark);
                }
            }
            _ => kids.iter().for_each(|&k| self.expr(k)),
        }
    }

    /// The variables a pattern binds, in order. Both sides of an
    /// or-pattern must bind the same names (E0411); the right side's
    /// bindings get a `DefUse` edge to the left side's, so they share one
    /// variable. A name bound twice is E0410.
    fn pattern_vars(&mut self, pat: NodeId, out: &mut Vec<NodeId>) {
        let kids = self.psg.children(pat);
        match self.psg.kind(pat).clone() {
            // A bare name that is a union case is a case pattern, not a
            // variable (F#'s rule).
            NodeKind::Binding(info) if self.cases.lookup(&info.name).is_some() => {
                let case = self.cases.lookup(&info.name).expect("checked by the guard");
                self.psg.node_mut(pat).kind =
                    NodeKind::Pattern(PatternKind::Case(info.name.clone()));
                self.psg.set_case(pat, Some(case));
            }
            NodeKind::Pattern(PatternKind::Case(name)) => {
                match self.cases.lookup(&name) {
                    Some(case) => self.psg.set_case(pat, Some(case)),
                    None => self.errors.push(ResolveError::NotACase {
                        name: name.clone(),
                        at: self.psg.span(pat),
                    }),
                }
                kids.into_iter().for_each(|k| self.pattern_vars(k, out));
            }
            NodeKind::Binding(info) => {
                let dup = out
                    .iter()
                    .find(|&&v| self.psg.binding(v).is_some_and(|b| b.name == info.name))
                    .copied();
                match dup {
                    Some(first) => {
                        let first_span = self
                            .psg
                            .binding(first)
                            .map_or(Span::default(), |b| b.name_span);
                        self.errors.push(ResolveError::PatternVariableTwice {
                            name: info.name.clone(),
                            at: info.name_span,
                            first: first_span,
                        });
                    }
                    None => out.push(pat),
                }
            }
            NodeKind::Pattern(PatternKind::Or) => {
                self.pattern_vars(kids[0], out);
                let mut left = Vec::new();
                self.pattern_vars(kids[0], &mut left);
                let mut right = Vec::new();
                self.pattern_vars(kids[1], &mut right);
                let names = |vs: &[NodeId], psg: &Psg| {
                    let mut n: Vec<String> = vs
                        .iter()
                        .filter_map(|&v| psg.binding(v).map(|b| b.name.clone()))
                        .collect();
                    n.sort();
                    n
                };
                if names(&left, self.psg) != names(&right, self.psg) {
                    self.errors.push(ResolveError::OrPatternBindsDifferently {
                        right: self.psg.span(kids[1]),
                        left: self.psg.span(kids[0]),
                    });
                    return;
                }
                for r in right {
                    let name = self.psg.binding(r).map(|b| b.name.clone());
                    if let Some(&l) = left
                        .iter()
                        .find(|&&l| self.psg.binding(l).map(|b| b.name.clone()) == name)
                    {
                        // The right side's variable is the left side's.
                        let left = self.psg.as_binding(l).expect("a pattern variable");
                        self.psg.add_definition(r, left);
                    }
                }
            }
            _ => kids.into_iter().for_each(|k| self.pattern_vars(k, out)),
        }
    }

    /// Make a union's cases visible by name, and qualified by the type's
    /// (`Circle`, `Shape.Circle`); later declarations shadow.
    fn declare_cases(&mut self, decl: NodeId) {
        let Some(decl) = self.psg.as_type_decl(decl) else {
            return;
        };
        let info = self.psg.decl(decl);
        if let Some(index) = info.exception_case {
            // `exception Invalid …`: its case lives in `exn`, its name here.
            let exn = self
                .psg
                .prelude_type(PreludeType::Exn)
                .expect("the prelude declares exn");
            self.cases.bind(info.name.clone(), (exn, index));
            return;
        }
        // `exn` itself: the runtime's exceptions only; the program's come
        // into scope where they are declared.
        let count = if self.psg.prelude_type(PreludeType::Exn) == Some(decl) {
            barewire_model::exceptions::BUILTIN.len()
        } else {
            info.cases.len()
        };
        for (i, c) in info.cases.iter().enumerate().take(count) {
            self.cases.bind(c.name.clone(), (decl, i));
            self.cases
                .bind(format!("{}.{}", info.name, c.name), (decl, i));
        }
    }

    fn var(&mut self, id: NodeId, name: &str) {
        if let Some(def) = self.values.lookup(name) {
            self.psg.add_definition(id, def);
        } else if let Some(case) = self.cases.lookup(name) {
            self.psg.set_case(id, Some(case));
        } else if let Some(b) = Builtin::from_name(name) {
            self.psg.set_builtin(id, Some(b));
        } else if let Some((_, member)) = name
            .split_once('.')
            .filter(|(head, _)| self.values.lookup(head).is_some())
            .filter(|_| !self.psg.explicit_type_args(id).is_empty())
        {
            // `v.M<int>` with `v` a value: a member with type arguments.
            self.errors.push(ResolveError::TypeArgumentsOnMember {
                member: member.to_string(),
                at: self.psg.span(id),
            });
        } else {
            let module_member = name
                .rsplit_once('.')
                .filter(|(m, _)| self.values.module(m).is_some());
            let being_defined = self
                .defining
                .iter()
                .rev()
                .find_map(|&b| self.psg.binding(b).filter(|info| info.name == name));
            let why = if let Some(info) = being_defined {
                Undefined::BeingDefined {
                    binding: info.name_span,
                }
            } else if let Some(later) = self.defined_later(id, name) {
                Undefined::DefinedLater { definition: later }
            } else if let Some((m, member)) = module_member {
                Undefined::NoSuchMember {
                    module: m.to_string(),
                    member: member.to_string(),
                }
            } else if let Some(similar) = self.similar_name(name) {
                Undefined::Similar(similar)
            } else {
                Undefined::Unknown
            };
            self.errors.push(ResolveError::NotDefined {
                name: name.to_string(),
                at: self.psg.span(id),
                why,
            });
        }
    }

    /// Where `name`, used at `id`, is defined further down the module being
    /// resolved (or a module around it): F# sees only what is above.
    fn defined_later(&self, id: NodeId, name: &str) -> Option<Span> {
        let use_at = self.psg.span(id).start;
        let mut path = self.values.current_module().unwrap_or("").to_string();
        loop {
            if let Some(at) = self.definitions.find(&path, name) {
                if at.start > use_at {
                    return Some(at);
                }
            }
            if path.is_empty() {
                return None;
            }
            path = path
                .rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_string());
        }
    }

    fn similar_name(&self, name: &str) -> Option<String> {
        let builtins = Builtin::ALL.iter().map(|b| b.name());
        nearest(name, self.values.names().chain(builtins)).map(str::to_string)
    }

    fn check_assignable(&mut self, target: NodeId) {
        let def = self.psg.definition(target);
        let info = def.map(|d| self.psg.info(d).clone());
        match (self.psg.expr(target), info) {
            (Some(ExprKind::Var(_)), Some(info)) if info.is_mutable => {}
            (Some(ExprKind::Var(name)), Some(info)) => {
                let name = name.clone();
                self.errors.push(ResolveError::NotMutable {
                    name,
                    at: self.psg.span(target),
                    defined: info.name_span,
                });
            }
            (Some(ExprKind::Var(_)), None) => {} // unknown name, already reported
            (Some(ExprKind::Index), _) => {}     // `a.[i] <- v`: arrays are mutable
            // `r.X <- v`: the type checker knows whether `X` is a mutable field.
            (Some(ExprKind::Member(_)), _) => {}
            _ => self.errors.push(ResolveError::NotAssignable {
                at: self.psg.span(target),
            }),
        }
    }
}

/// The candidate nearest to `name`, if it is near enough to be a likely
/// misspelling (for "did you mean" help).
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(c, name), c))
        .filter(|(d, c)| *d <= 1.max(name.len() / 3) && *d < c.len().max(name.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, for "did you mean" help.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = if ca == b[j] {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("printfn", "printn"), 1);
        assert_eq!(edit_distance("fib", "fib"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    fn errors(src: &str) -> Vec<ResolveError> {
        resolve(&mut crate::psg_of(src))
    }

    fn at(src: &str, needle: &str, nth: usize) -> Span {
        let start = src.match_indices(needle).nth(nth).expect("needle").0;
        Span::new(start, start + needle.len())
    }

    #[test]
    fn what_is_wrong_is_data() {
        let src = "let total = 1\nlet f () = totl + 1\nlet g () =\n    let v = v + 1\n    v\n";
        assert_eq!(
            errors(src),
            vec![
                ResolveError::NotDefined {
                    name: "totl".into(),
                    at: at(src, "totl", 0),
                    why: Undefined::Similar("total".into()),
                },
                ResolveError::NotDefined {
                    name: "v".into(),
                    at: at(src, "v", 1),
                    why: Undefined::BeingDefined {
                        binding: at(src, "v", 0),
                    },
                },
            ]
        );
    }

    #[test]
    fn a_name_defined_below_is_found_in_the_definition_map() {
        let src = "module M =\n    let f () = g ()\n    let g () = 1\nlet h () = k\nlet s = Dot\ntype Shape = Dot | Box\n";
        assert_eq!(
            errors(src),
            vec![
                ResolveError::NotDefined {
                    name: "g".into(),
                    at: at(src, "g", 0),
                    why: Undefined::DefinedLater {
                        definition: at(src, "g", 1),
                    },
                },
                ResolveError::NotDefined {
                    name: "k".into(),
                    at: at(src, "k", 0),
                    why: Undefined::Unknown,
                },
                ResolveError::NotDefined {
                    name: "Dot".into(),
                    at: at(src, "Dot", 0),
                    why: Undefined::DefinedLater {
                        definition: at(src, "Dot", 1),
                    },
                },
            ]
        );
    }

    #[test]
    fn codes_come_from_the_variants() {
        let src = "let a = 1\nlet a = 2\nlet f x x = x\n";
        let errs = errors(src);
        let codes: Vec<&str> = errs.iter().map(ResolveError::code).collect();
        assert_eq!(codes, ["E0402", "E0407"]);
        let d = errs[0].to_diagnostic();
        assert_eq!((d.code, d.span), ("E0402", at(src, "a", 1)));
        assert_eq!(
            d.secondary,
            vec![(at(src, "a", 0), "first defined here".to_string())]
        );
    }
}
