//! Union types (and the prelude's `Option`): case constructors, case
//! patterns, and `option`'s members.

use super::{Infer, Reason, TypeError};
use clef_frontend::Span;
use clef_psg::*;

impl Infer<'_> {
    /// Record each case's field types on the declaration.
    pub(super) fn declare_union(&mut self, decl: NodeId, info: &TypeDeclInfo) {
        let mut cases: Vec<(String, Vec<Type>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if info.exception_case.is_none()
            && self.psg.prelude_type(PreludeType::Exn).map(|d| d.node()) == Some(decl)
        {
            // `exn`: the runtime's exceptions now; each of the program's
            // gets its fields where it is declared (`declare_exception`).
            let builtin = barewire_model::exceptions::BUILTIN.len();
            for (i, case) in info.cases.iter().enumerate() {
                let fields = if i < builtin {
                    case.fields
                        .iter()
                        .map(|(_, t)| self.annotation(t))
                        .collect()
                } else {
                    Vec::new()
                };
                cases.push((case.name.clone(), fields));
            }
            self.table.set_union_cases(decl, cases);
            return;
        }
        for case in &info.cases {
            if !seen.insert(case.name.as_str()) {
                self.errors.push(TypeError::CaseDeclaredTwice {
                    case: case.name.clone(),
                    at: case.span,
                });
                continue;
            }
            let fields = case
                .fields
                .iter()
                .map(|(_, t)| self.annotation(t))
                .collect();
            cases.push((case.name.clone(), fields));
        }
        self.table.set_union_cases(decl, cases);
    }

    /// `exception Invalid of string * int`: the field types of `exn`'s
    /// case `index`, read where the exception is declared (its fields may
    /// name the program's types).
    pub(super) fn declare_exception(&mut self, index: usize) {
        let exn = self
            .psg
            .prelude_type(PreludeType::Exn)
            .expect("the prelude declares exn")
            .node();
        let NodeKind::TypeDecl(info) = self.psg.kind(exn).clone() else {
            return;
        };
        let Some(case) = info.cases.get(index) else {
            return;
        };
        if info.cases[..index].iter().any(|c| c.name == case.name) {
            self.errors.push(TypeError::CaseDeclaredTwice {
                case: case.name.clone(),
                at: case.span,
            });
        }
        let fields: Vec<Type> = case
            .fields
            .iter()
            .map(|(_, t)| self.annotation(t))
            .collect();
        let mut cases = self.table.declared_union_cases(exn).to_vec();
        if let Some(slot) = cases.get_mut(index) {
            slot.1 = fields;
        }
        self.table.set_union_cases(exn, cases);
    }

    /// A case's fields, for a fresh instance of its union.
    fn case_fields(&mut self, decl: NodeId, index: usize) -> (Type, Vec<Type>) {
        let ty = self.instantiate(decl);
        let fields = self
            .table
            .union_cases(&ty)
            .and_then(|cases| cases.into_iter().nth(index))
            .map(|(_, fs)| fs)
            .unwrap_or_default();
        (ty, fields)
    }

    /// The type of a case used as a value: the union itself when it has
    /// no fields, else a function from its field (or tuple of fields).
    pub(super) fn case_constructor(&mut self, decl: NodeId, index: usize) -> Type {
        let (ty, fields) = self.case_fields(decl, index);
        match fields.len() {
            0 => ty,
            1 => Type::fun(fields.into_iter().next().expect("one field"), ty),
            _ => Type::fun(Type::Tuple(fields), ty),
        }
    }

    /// `Case`, `Case p`, `Case (p1, p2)` against the matched value's type.
    pub(super) fn case_pattern(&mut self, pat: NodeId, expected: &Type) -> Type {
        let span = self.psg.span(pat);
        let kids = self.psg.children(pat);
        let name = match self.psg.kind(pat) {
            NodeKind::Pattern(PatternKind::Case(n)) => n.clone(),
            _ => String::new(),
        };
        let Some((decl, index)) = self.psg.case(pat).map(|(d, i)| (d.node(), i)) else {
            kids.iter().for_each(|&k| self.pattern(k, &Type::Error));
            return Type::Error;
        };
        let (ty, fields) = self.case_fields(decl, index);
        if self.unify(expected, &ty).is_err() {
            let exp = self.zonk(expected);
            self.errors.push(TypeError::CasePatternMismatch {
                case: name,
                union: ty,
                expected: exp,
                at: span,
            });
            kids.iter().for_each(|&k| self.pattern(k, &Type::Error));
            return Type::Error;
        }
        match (fields.len(), kids.first()) {
            (0, None) => {}
            (0, Some(&k)) => {
                self.arity_error(span, &name, 0);
                self.pattern(k, &Type::Error);
            }
            (_, None) => self.arity_error(span, &name, fields.len()),
            (1, Some(&k)) => self.pattern(k, &fields[0]),
            (n, Some(&k)) => {
                // Several fields: a tuple pattern of that many, or `_`.
                let sub = self.psg.children(k);
                match self.psg.kind(k) {
                    NodeKind::Pattern(PatternKind::Tuple) if sub.len() == n => {
                        for (&s, f) in sub.iter().zip(&fields) {
                            self.pattern(s, f);
                        }
                        self.pattern_tuple_type(k, &fields);
                    }
                    NodeKind::Pattern(PatternKind::Wildcard) => {
                        self.pattern(k, &Type::Tuple(fields.clone()))
                    }
                    _ => {
                        self.arity_error(self.psg.span(k), &name, n);
                        self.pattern(k, &Type::Error);
                    }
                }
            }
        }
        ty
    }

    fn pattern_tuple_type(&mut self, k: NodeId, fields: &[Type]) {
        self.set_type(k, Type::Tuple(fields.to_vec()));
    }

    fn arity_error(&mut self, span: Span, name: &str, n: usize) {
        self.errors.push(TypeError::CaseArity {
            case: name.to_string(),
            fields: n,
            at: span,
        });
    }

    /// `h :: t` (also what `[a; b]` is built from), typed element by
    /// element from the left, so a wrong element is reported where it is,
    /// against the type the earlier elements fixed.
    pub(super) fn cons(&mut self, head: NodeId, args: &[NodeId]) -> Option<Type> {
        let [arg] = args else { return None };
        self.cons_parts(head, *arg)?;
        // The chain: (cons var, pair, element) for each `::`, then the tail.
        let mut chain = Vec::new();
        let (mut h, mut pair) = (head, *arg);
        let tail = loop {
            let parts = self.psg.children(pair);
            chain.push((h, pair, parts[0]));
            let next = parts[1];
            let next_kids = self.psg.children(next);
            match (self.psg.expr(next), next_kids.as_slice()) {
                (Some(ExprKind::Apply), [nh, na]) if self.cons_parts(*nh, *na).is_some() => {
                    h = *nh;
                    pair = *na;
                }
                _ => break next,
            }
        };
        let elem = self.fresh();
        let list = self.list_of(elem.clone());
        let mut first: Option<NodeId> = None;
        for &(_, _, e) in &chain {
            let t = self.expr(e);
            let why = first.map(|f| (self.psg.span(f), Reason::ListElements(self.zonk(&elem))));
            self.expect(e, &t, &elem, why);
            first.get_or_insert(e);
        }
        let t = self.expr(tail);
        let why = first.map(|f| (self.psg.span(f), Reason::ListElements(self.zonk(&elem))));
        self.expect(tail, &t, &list, why);
        let pair_ty = Type::Tuple(vec![elem, list.clone()]);
        for (k, &(h, pair, _)) in chain.iter().enumerate() {
            self.set_type(pair, pair_ty.clone());
            self.set_type(h, Type::fun(pair_ty.clone(), list.clone()));
            if k > 0 {
                // The inner applications (the tails) are lists too.
                let apply = self.psg.parent(pair).expect("a pair is an argument");
                self.set_type(apply, list.clone());
            }
        }
        Some(list)
    }

    /// `Some(())` when `head` is the `::` case applied to a pair expression.
    fn cons_parts(&self, head: NodeId, arg: NodeId) -> Option<()> {
        let (decl, index) = self.psg.case(head)?;
        let is_cons = Some(decl) == self.psg.prelude_type(PreludeType::List) && index == 1;
        (is_cons && self.psg.expr(arg) == Some(&ExprKind::Tuple)).then_some(())
    }

    /// The prelude's type `p` (`List`, `Option`) applied to `a`.
    fn prelude_of(&self, p: PreludeType, a: Type) -> Type {
        let decl = self
            .psg
            .prelude_type(p)
            .expect("the prelude declares Option and List");
        Type::Named {
            decl: self.psg.decl_ref(decl),
            name: p.decl_name().into(),
            args: vec![a],
        }
    }

    /// `exn`, the type of exceptions.
    pub(super) fn exn_type(&self) -> Type {
        self.psg.exn_type()
    }

    /// `'a list` for a type `a`.
    pub(super) fn list_of(&mut self, a: Type) -> Type {
        self.prelude_of(PreludeType::List, a)
    }

    /// `'a option` for a type `a`.
    fn option_of(&mut self, a: Type) -> Type {
        self.prelude_of(PreludeType::Option, a)
    }

    /// The types of `defaultArg` and the `Option` module's functions.
    pub(super) fn option_builtin(&mut self, b: Builtin) -> Type {
        let a = self.fresh();
        let opt = self.option_of(a.clone());
        match b {
            Builtin::DefaultArg => Type::curried([opt, a.clone()], a),
            Builtin::OptionDefaultValue => Type::curried([a.clone(), opt], a),
            Builtin::OptionIsSome | Builtin::OptionIsNone => Type::fun(opt, Type::Bool),
            Builtin::OptionGet => Type::fun(opt, a),
            _ => {
                let r = self.fresh();
                let ropt = self.option_of(r.clone());
                Type::curried([Type::fun(a, r), opt], ropt)
            }
        }
    }

    /// `.IsSome`, `.IsNone`, `.Value` on an `option`.
    pub(super) fn option_member(&mut self, obj: &Type, name: &str) -> Option<(Type, Member)> {
        let t = self.shallow(obj);
        let Type::Named { args, .. } = &t else {
            return None;
        };
        if !t.is_prelude(PreludeType::Option) {
            return None;
        }
        match name {
            "IsSome" => Some((Type::Bool, Member::OptionIsSome)),
            "IsNone" => Some((Type::Bool, Member::OptionIsNone)),
            "Value" => Some((args.first()?.clone(), Member::OptionValue)),
            _ => None,
        }
    }

    /// `e.Message` of an exception.
    pub(super) fn exn_member(&mut self, obj: &Type, name: &str) -> Option<(Type, Member)> {
        let t = self.shallow(obj);
        (t.is_prelude(PreludeType::Exn) && name == "Message")
            .then_some((Type::String, Member::ExnMessage))
    }
}
