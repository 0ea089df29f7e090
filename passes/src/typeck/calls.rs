//! Names, builtins and applications: instantiating schemes (with explicit
//! type arguments and the space requirements they carry), the builtins'
//! types, function application, and `printf` formats checked against
//! their arguments.

use super::*;

impl Infer<'_> {
    pub(super) fn var(&mut self, id: NodeId) -> Type {
        if self.psg.builtin(id) == Some(Builtin::Sizeof) {
            return self.sizeof(id);
        }
        if let Some(
            b @ (Builtin::BufferAllocate
            | Builtin::BufferAllocateAuto
            | Builtin::BufferMigrate
            | Builtin::BufferCopy),
        ) = self.psg.builtin(id)
        {
            return self.buffer_builtin(id, b);
        }
        if let Some(b) = self.psg.builtin(id) {
            return self.builtin(b, self.psg.span(id));
        }
        if let Some((decl, index)) = self.psg.case(id).map(|(d, i)| (d.node(), i)) {
            return self.case_constructor(decl, index);
        }
        let Some(def) = self.psg.definition(id).map(BindingId::node) else {
            return Type::Error;
        };
        self.reference(id, def)
    }

    /// The type of a reference `id` (a name, or a member access) to the
    /// binding `def`: its scheme instantiated, the instance recorded on
    /// `id`.
    pub(super) fn reference(&mut self, id: NodeId, def: NodeId) -> Type {
        let Some((vars, ty)) = self.schemes.get(&def).cloned() else {
            // A binding whose type is not known yet: only possible for
            // recursive references, which have a monomorphic entry, so this
            // is a reference to a binding that failed earlier.
            return Type::Error;
        };
        if vars.is_empty() {
            self.explicit_type_args(id, def, &HashMap::new());
            return ty;
        }
        let inst: Vec<(TyVar, Type)> = vars.iter().map(|&v| (v, self.fresh())).collect();
        self.instantiations.push((id, inst.clone()));
        let map: HashMap<TyVar, Type> = inst.into_iter().collect();
        self.explicit_type_args(id, def, &map);
        self.instantiate_requirements(id, def, &map);
        self.zonk(&ty).map_vars(&|v| map.get(&v).cloned())
    }

    /// `sizeof<T>`: an int; `T` is recorded as the node's instantiation.
    pub(super) fn sizeof(&mut self, id: NodeId) -> Type {
        let args = self.psg.explicit_type_args(id).to_vec();
        let [arg] = &args[..] else {
            self.errors.push(TypeError::SizeofArity {
                at: self.psg.span(id),
            });
            return Type::Int;
        };
        let t = self.annotation(arg);
        let Type::Var(v) = self.fresh() else {
            unreachable!("fresh gives a variable")
        };
        let _ = self.unify(&Type::Var(v), &t);
        self.instantiations.push((id, vec![(v, Type::Var(v))]));
        Type::Int
    }

    /// `f<int>`: each explicit type argument fixes the instance of the
    /// corresponding declared parameter (`let f<'T> …`).
    pub(super) fn explicit_type_args(
        &mut self,
        id: NodeId,
        def: NodeId,
        inst: &HashMap<TyVar, Type>,
    ) {
        let args = self.psg.explicit_type_args(id).to_vec();
        if args.is_empty() {
            return;
        }
        let declared = self.declared_params.get(&def).cloned().unwrap_or_default();
        if declared.len() != args.len() {
            let name = self
                .psg
                .binding(def)
                .map_or(String::new(), |b| b.name.clone());
            self.errors.push(TypeError::TypeArgumentCount {
                name,
                declared: declared.len(),
                given: args.len(),
                at: self.psg.span(id),
            });
            return;
        }
        for (dv, arg) in declared.iter().zip(&args) {
            let given = self.annotation(arg);
            let target = match self.zonk(&Type::Var(*dv)) {
                Type::Var(v) => inst.get(&v).cloned().unwrap_or(Type::Var(v)),
                t => t,
            };
            self.expect(id, &target, &given, Some((arg.span, Reason::TypeArgument)));
        }
    }

    pub(super) fn builtin(&mut self, b: Builtin, span: Span) -> Type {
        let origin = Origin::Builtin(b);
        match b {
            // Typed with their type arguments by `buffer_builtin`; reached
            // here only without a node to read them from.
            Builtin::DetectedCxlVersion | Builtin::DetectedNumaNodes | Builtin::DetectedGpus => {
                Type::fun(Type::Unit, Type::Int)
            }
            Builtin::DetectedFarNodes => Type::fun(Type::Unit, Type::Array(Box::new(Type::Int))),
            Builtin::DetectedResizableBar => Type::fun(Type::Unit, Type::Bool),
            Builtin::BufferAllocate
            | Builtin::BufferAllocateAuto
            | Builtin::BufferMigrate
            | Builtin::BufferCopy => {
                self.errors.push(TypeError::MissingTypeArguments {
                    builtin: b,
                    at: span,
                });
                Type::Error
            }
            Builtin::Printf | Builtin::Printfn => {
                self.errors.push(TypeError::FormatMissing {
                    builtin: b,
                    at: span,
                });
                Type::Error
            }
            Builtin::ToInt
            | Builtin::ToInt64
            | Builtin::ToByte
            | Builtin::ToFloat
            | Builtin::ToFloat32
            | Builtin::ToChar => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Convertible, span, origin);
                let r = match b {
                    Builtin::ToInt => Type::Int,
                    Builtin::ToChar => Type::Char,
                    Builtin::ToInt64 => Type::Int64,
                    Builtin::ToByte => Type::Byte,
                    Builtin::ToFloat => Type::Float,
                    _ => Type::Float32,
                };
                Type::fun(a, r)
            }
            Builtin::Not => Type::fun(Type::Bool, Type::Bool),
            Builtin::Failwith => {
                let a = self.fresh();
                Type::fun(Type::String, a)
            }
            Builtin::Raise => {
                let a = self.fresh();
                Type::fun(self.exn_type(), a)
            }
            Builtin::Reraise => {
                let a = self.fresh();
                Type::fun(Type::Unit, a)
            }
            Builtin::Sizeof => Type::Int,
            Builtin::ToString => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Stringable, span, origin);
                Type::fun(a, Type::String)
            }
            Builtin::StringLength => Type::fun(Type::String, Type::Int),
            Builtin::Sprintf => {
                self.errors.push(TypeError::FormatMissing {
                    builtin: b,
                    at: span,
                });
                Type::Error
            }
            Builtin::DefaultOf => {
                let a = self.fresh();
                Type::fun(Type::Unit, a)
            }
            Builtin::ArrayZeroCreate => {
                let a = self.fresh();
                Type::fun(Type::Int, Type::Array(Box::new(a)))
            }
            Builtin::ArrayLength => {
                let a = self.fresh();
                Type::fun(Type::Array(Box::new(a)), Type::Int)
            }
            Builtin::ArraySum | Builtin::ArrayMax | Builtin::ArrayMin => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                Type::fun(Type::Array(Box::new(a.clone())), a)
            }
            Builtin::ListMapForward | Builtin::ListFilterForward => {
                let a = self.fresh();
                let r = if b == Builtin::ListMapForward {
                    self.fresh()
                } else {
                    Type::Bool
                };
                let input = self.list_of(a.clone());
                let output = if b == Builtin::ListMapForward {
                    self.list_of(r.clone())
                } else {
                    input.clone()
                };
                Type::curried([Type::fun(a, r), input], output)
            }
            Builtin::ListSum => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                let list = self.list_of(a.clone());
                Type::fun(list, a)
            }
            Builtin::Ignore => {
                let a = self.fresh();
                Type::fun(a, Type::Unit)
            }
            Builtin::Exit => {
                let a = self.fresh();
                Type::fun(Type::Int, a)
            }
            Builtin::Sqrt => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Floating, span, origin);
                Type::fun(a.clone(), a)
            }
            Builtin::Abs => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Signed, span, origin);
                Type::fun(a.clone(), a)
            }
            Builtin::DefaultArg
            | Builtin::OptionMap
            | Builtin::OptionDefaultValue
            | Builtin::OptionIsSome
            | Builtin::OptionIsNone
            | Builtin::OptionGet => self.option_builtin(b),
            Builtin::Fst | Builtin::Snd => {
                let (first, second) = (self.fresh(), self.fresh());
                let r = if b == Builtin::Fst {
                    first.clone()
                } else {
                    second.clone()
                };
                Type::fun(Type::Tuple(vec![first, second]), r)
            }
            Builtin::Min | Builtin::Max => {
                let a = self.fresh();
                self.constrain(a.clone(), Class::Numeric, span, origin);
                Type::curried([a.clone(), a.clone()], a)
            }
        }
    }

    pub(super) fn apply(&mut self, id: NodeId, kids: &[NodeId]) -> Type {
        let (head, args) = (kids[0], &kids[1..]);
        let head_builtin = self.psg.builtin(head);
        if let Some(t) = self.cons(head, args) {
            return t;
        }
        // `xs |> List.map (fun x -> x.Length)`: as in F#, the piped value
        // is inferred first, so the function's arguments know its type.
        let piped = match args.last() {
            Some(&x) if self.psg.is_piped(id) && head_builtin.is_none() => Some(self.expr(x)),
            _ => None,
        };
        let mut f = if matches!(
            head_builtin,
            Some(Builtin::Printf | Builtin::Printfn | Builtin::Sprintf)
        ) {
            let t = self.printf(id, head, args);
            self.set_type(head, t.clone());
            // The format string is the first argument; it is typed there.
            return self.apply_args(head, t, &args[1.min(args.len())..], None);
        } else {
            let before = self.constraints.len();
            let f = self.expr(head);
            // A conversion's class constraint is on its argument: report
            // a violation there (`int flag`: `flag` is the bool), not on
            // the builtin's name.
            let on_argument = matches!(
                head_builtin,
                Some(
                    Builtin::ToInt
                        | Builtin::ToInt64
                        | Builtin::ToByte
                        | Builtin::ToFloat
                        | Builtin::ToFloat32
                        | Builtin::ToChar
                        | Builtin::ToString
                )
            );
            if let (true, Some(&arg)) = (on_argument, args.first()) {
                let span = self.psg.span(arg);
                for c in &mut self.constraints[before..] {
                    c.span = span;
                }
            }
            f
        };
        f = self.apply_args(head, f, args, piped);
        f
    }

    /// Apply `head` (of type `f`) to `args`; `piped`: the last argument's
    /// type, inferred before the others (`x |> f a`).
    pub(super) fn apply_args(
        &mut self,
        head: NodeId,
        mut f: Type,
        args: &[NodeId],
        piped: Option<Type>,
    ) -> Type {
        if let (Some(t), Some(before_last)) = (&piped, args.len().checked_sub(1)) {
            // The piped value's type is the last parameter's before the
            // other arguments are inferred (F# checks `f a` against the
            // type `x` gives it), so a lambda in `a` knows its argument.
            let mut g = f.clone();
            for _ in 0..before_last {
                match self.shallow(&g) {
                    Type::Fun(_, r) => g = *r,
                    _ => break,
                }
            }
            if let Type::Fun(p, _) = self.shallow(&g) {
                // A mismatch is reported where the argument is checked.
                let _ = self.unify(&p, t);
            }
        }
        let mut piped = piped;
        for (i, &arg) in args.iter().enumerate() {
            let last = i + 1 == args.len();
            let a = match if last { piped.take() } else { None } {
                Some(t) => t,
                None => {
                    // A record argument builds the record type the function
                    // takes (F# resolves record expressions by the type they
                    // must have).
                    if let Type::Fun(p, _) = self.shallow(&f) {
                        self.hint_record(arg, &p);
                        self.hint_lambda(arg, &p);
                    }
                    self.expr(arg)
                }
            };
            match self.shallow(&f) {
                Type::Fun(p, r) => {
                    let why = (
                        self.psg.span(head),
                        Reason::FunctionTakes as fn(_) -> _,
                        &*p,
                    );
                    self.expect_because(arg, &a, &p, why);
                    f = *r;
                }
                Type::Var(_) => {
                    // A function whose type is not known yet: it takes
                    // this argument. (`x x` fails here: an infinite type.)
                    let r = self.fresh();
                    let wanted = Type::fun(a, r.clone());
                    if let Err(e) = self.unify(&f, &wanted) {
                        self.report_mismatch(head, &f, &wanted, None, e);
                    }
                    f = r;
                }
                Type::Error => f = Type::Error,
                other => {
                    let ty = self.zonk(&other);
                    let function = match self.psg.expr(head) {
                        Some(ExprKind::Var(n)) => Some(n.clone()),
                        _ => None,
                    };
                    let (at, head_at) = (self.psg.span(arg), self.psg.span(head));
                    self.errors.push(if i == 0 {
                        TypeError::NotAFunction {
                            function,
                            ty,
                            at,
                            head: head_at,
                        }
                    } else {
                        TypeError::TooManyArguments {
                            function,
                            takes: i,
                            given: args.len(),
                            result: ty,
                            at,
                            head: head_at,
                        }
                    });
                    for &rest in &args[i + 1..] {
                        self.expr(rest);
                    }
                    return Type::Error;
                }
            }
        }
        f
    }

    /// The type of `printf fmt` (without the format argument): one curried
    /// parameter per hole, returning unit.
    pub(super) fn printf(&mut self, apply: NodeId, head: NodeId, args: &[NodeId]) -> Type {
        let Some(&fmt_node) = args.first() else {
            return self.builtin(Builtin::Printf, self.psg.span(head));
        };
        self.set_type(fmt_node, Type::String);
        let Some(ExprKind::Lit(Literal::Str(fmt))) = self.psg.expr(fmt_node).cloned() else {
            self.expr(fmt_node);
            self.errors.push(TypeError::FormatNotLiteral {
                at: self.psg.span(fmt_node),
            });
            return Type::Error;
        };
        let pieces = match parse_format(&fmt) {
            Ok(p) => p,
            Err((_, problem)) => {
                self.errors.push(TypeError::InvalidFormat {
                    problem,
                    at: self.psg.span(fmt_node),
                });
                return Type::Error;
            }
        };
        let span = self.psg.span(fmt_node);
        let mut holes = Vec::new();
        for p in &pieces {
            if let FormatPiece::Hole { conv, .. } = p {
                let t = match conv {
                    'd' | 'i' | 'x' | 'X' | 'o' => {
                        let t = self.fresh();
                        self.constrain(t.clone(), Class::Integer, span, Origin::IntegerFormat);
                        t
                    }
                    'f' => {
                        let t = self.fresh();
                        self.constrain(t.clone(), Class::Floating, span, Origin::FloatFormat);
                        t
                    }
                    's' => Type::String,
                    'c' => Type::Char,
                    // `%A` prints any value, structurally.
                    'A' => self.fresh(),
                    _ => Type::Bool,
                };
                holes.push(t);
            }
        }
        self.table.set_format(apply, pieces);
        let is_sprintf = self.psg.builtin(head) == Some(Builtin::Sprintf);
        Type::curried(holes, if is_sprintf { Type::String } else { Type::Unit })
    }
}
