//! Type annotations as written (`int`, `'a list`, `float<m/s>`,
//! `SharedBuffer<int, cxl_mem>`, `Vec2<m>`) → types.

use super::*;

impl Infer<'_> {
    pub(super) fn annotation(&mut self, t: &TypeExpr) -> Type {
        match &t.kind {
            TypeExprKind::Named { name, args } if args.is_empty() && name.name == "_" => {
                self.fresh()
            }
            TypeExprKind::Infer => self.fresh(),
            TypeExprKind::Named { name, args }
                if name.name == "SharedBuffer" && args.len() == 2 =>
            {
                let elem = self.annotation(&args[0]);
                let space = self.space_of(&args[1]);
                self.buffer_annotation(elem, space, args[1].span)
            }
            // `float<m>`, `int64<bytes>`, `float<'u>`.
            TypeExprKind::Named { name, args }
                if args.len() == 1
                    && matches!(
                        name.name.as_str(),
                        "int"
                            | "int32"
                            | "int64"
                            | "byte"
                            | "uint8"
                            | "float"
                            | "double"
                            | "float32"
                            | "single"
                    ) =>
            {
                let base = self.annotation(&TypeExpr {
                    kind: TypeExprKind::Named {
                        name: name.clone(),
                        args: Vec::new(),
                    },
                    span: name.span,
                });
                let m = self.measure_of(&args[0]);
                self.check_physical(&m, args[0].span);
                Type::measured(base, m)
            }
            TypeExprKind::Quotient(..) | TypeExprKind::Power(..) | TypeExprKind::Number(_) => {
                self.errors.push(TypeError::MeasureAsType { at: t.span });
                Type::Error
            }
            TypeExprKind::Named { name, args }
                if self.type_names.lookup(&name.name).is_some()
                    || name.name == "option"
                    || name.name == "list" =>
            {
                // `int option` and `int list` name the prelude's unions.
                let prelude = if name.name == "list" {
                    PreludeType::List
                } else {
                    PreludeType::Option
                };
                let decl = self
                    .type_names
                    .lookup(&name.name)
                    .or(self.psg.prelude_type(prelude).map(TypeDeclId::node))
                    .expect("checked by the guard");
                if let NodeKind::TypeDecl(TypeDeclInfo {
                    abbreviation: Some(body),
                    params,
                    ..
                }) = self.psg.kind(decl)
                {
                    return self.expand_abbreviation(decl, &name.name, params, body, args, t.span);
                }
                let arity = self.table.generalized(decl).len();
                if args.len() != arity {
                    self.errors.push(TypeError::TypeArity {
                        name: name.name.clone(),
                        arity,
                        given: args.len(),
                        at: t.span,
                    });
                    return Type::Error;
                }
                // A `[<Measure>] 'u` parameter takes a measure: `Vec2<m/s>`.
                let (decl_name, measure_params) = match self.psg.kind(decl) {
                    NodeKind::TypeDecl(info) => (info.name.clone(), info.measure_params.clone()),
                    _ => (name.name.clone(), Vec::new()),
                };
                let param_names = match self.psg.kind(decl) {
                    NodeKind::TypeDecl(info) => info.params.clone(),
                    _ => Vec::new(),
                };
                let args = args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let is_measure = param_names
                            .get(i)
                            .is_some_and(|p| measure_params.contains(p));
                        if is_measure {
                            let m = self.measure_of(a);
                            self.check_physical(&m, a.span);
                            Type::Measure(m)
                        } else {
                            self.annotation(a)
                        }
                    })
                    .collect();
                let name = decl_name;
                Type::Named {
                    decl: self.decl_ref(decl),
                    name,
                    args,
                }
            }
            TypeExprKind::Named { name, .. } if name.name == "SharedBuffer" => {
                self.errors.push(TypeError::SharedBufferArity {
                    given: args_len(t),
                    at: t.span,
                });
                Type::Error
            }
            TypeExprKind::Named { name, args } if args.is_empty() => match name.name.as_str() {
                "int" | "int32" => Type::Int,
                "int64" => Type::Int64,
                "byte" | "uint8" => Type::Byte,
                "float" | "double" => Type::Float,
                "float32" | "single" => Type::Float32,
                "bool" => Type::Bool,
                "char" => Type::Char,
                "unit" => Type::Unit,
                "string" => Type::String,
                other => {
                    self.errors.push(TypeError::UnknownType {
                        name: other.to_string(),
                        at: t.span,
                        similar: self.similar_type(other),
                        with_args: false,
                    });
                    Type::Error
                }
            },
            TypeExprKind::Named { name, args } => {
                if name.name == "array" && args.len() == 1 {
                    let inner = self.annotation(&args[0]);
                    return Type::Array(Box::new(inner));
                }
                self.errors.push(TypeError::UnknownType {
                    name: name.name.clone(),
                    at: name.span,
                    similar: self.similar_type(&name.name),
                    with_args: true,
                });
                Type::Error
            }
            TypeExprKind::Var(v) => {
                if let Some(tv) = self.named_vars.get(&v.name) {
                    return Type::Var(*tv);
                }
                let fresh = self.fresh();
                if let Type::Var(tv) = fresh {
                    self.named_vars.insert(v.name.clone(), tv);
                }
                fresh
            }
            TypeExprKind::Array(inner) => Type::Array(Box::new(self.annotation(inner))),
            TypeExprKind::Fun(a, b) => Type::fun(self.annotation(a), self.annotation(b)),
            TypeExprKind::Tuple(items) => {
                Type::Tuple(items.iter().map(|t| self.annotation(t)).collect())
            }
        }
    }

    /// `Name<args>` where `type Name<'p…> = body`: the body, its
    /// parameters replaced by the arguments.
    fn expand_abbreviation(
        &mut self,
        decl: NodeId,
        name: &str,
        params: &[String],
        body: &TypeExpr,
        args: &[TypeExpr],
        at: Span,
    ) -> Type {
        if args.len() != params.len() {
            self.errors.push(TypeError::TypeArity {
                name: name.to_string(),
                arity: params.len(),
                given: args.len(),
                at,
            });
            return Type::Error;
        }
        if self.expanding.contains(&decl) {
            self.errors.push(TypeError::CyclicAbbreviation {
                name: name.to_string(),
                at,
            });
            return Type::Error;
        }
        let map: HashMap<&str, &TypeExpr> = params.iter().map(String::as_str).zip(args).collect();
        let body = substitute(body, &map);
        self.expanding.push(decl);
        let t = self.annotation(&body);
        self.expanding.pop();
        t
    }

    /// A type name in scope near `name`, for "did you mean" help.
    fn similar_type(&self, name: &str) -> Option<String> {
        const DECLARED_BY_NAME: [&str; 4] = ["option", "list", "array", "SharedBuffer"];
        let built_in = PRIMITIVE_TYPE_NAMES.into_iter().chain(DECLARED_BY_NAME);
        crate::resolve::nearest(name, self.type_names.names().chain(built_in)).map(str::to_string)
    }
}

fn args_len(t: &TypeExpr) -> usize {
    match &t.kind {
        TypeExprKind::Named { args, .. } => args.len(),
        _ => 0,
    }
}

/// `t` with its type variables named in `map` replaced.
fn substitute(t: &TypeExpr, map: &HashMap<&str, &TypeExpr>) -> TypeExpr {
    let sub = |t: &TypeExpr| substitute(t, map);
    let kind = match &t.kind {
        TypeExprKind::Var(v) => match map.get(v.name.as_str()) {
            Some(arg) => return (*arg).clone(),
            None => t.kind.clone(),
        },
        TypeExprKind::Named { name, args } => TypeExprKind::Named {
            name: name.clone(),
            args: args.iter().map(sub).collect(),
        },
        TypeExprKind::Array(a) => TypeExprKind::Array(Box::new(sub(a))),
        TypeExprKind::Fun(a, b) => TypeExprKind::Fun(Box::new(sub(a)), Box::new(sub(b))),
        TypeExprKind::Tuple(items) => TypeExprKind::Tuple(items.iter().map(sub).collect()),
        TypeExprKind::Quotient(a, b) => TypeExprKind::Quotient(Box::new(sub(a)), Box::new(sub(b))),
        TypeExprKind::Power(a, e) => TypeExprKind::Power(Box::new(sub(a)), *e),
        TypeExprKind::Number(n) => TypeExprKind::Number(*n),
        TypeExprKind::Infer => TypeExprKind::Infer,
    };
    TypeExpr { kind, span: t.span }
}
