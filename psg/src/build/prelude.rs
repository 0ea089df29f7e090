//! The prelude: the second root module every program sees (the `Option`
//! and `List` unions, and the functions of `prelude.clef`), built before
//! the program's own items.

use super::*;

impl Builder {
    /// The prelude module: `type Option<'T> = None | Some of 'T`.
    pub(super) fn prelude(&mut self) {
        let at = Span::default();
        let t = ast::TypeExpr {
            kind: ast::TypeExprKind::Var(ast::Ident {
                name: "T".into(),
                span: at,
            }),
            span: at,
        };
        let info = TypeDeclInfo {
            name: "Option".into(),
            name_span: at,
            params: vec!["T".into()],
            fields: Vec::new(),
            mutable_fields: Vec::new(),
            cases: vec![
                UnionCaseInfo {
                    name: "None".into(),
                    span: at,
                    fields: Vec::new(),
                },
                UnionCaseInfo {
                    name: "Some".into(),
                    span: at,
                    fields: vec![(Some("Value".into()), t)],
                },
            ],
            measure: None,
            abbreviation: None,
            measure_params: Vec::new(),
            exception_case: None,
            members: Vec::new(),
            constructor: None,
        };
        let prelude = self.psg.add_node(NodeKind::Module("Prelude".into()), at);
        let option = self.psg.add_node(NodeKind::TypeDecl(info), at);
        self.psg.add_child(prelude, option);
        self.psg.prelude_types.push((PreludeType::Option, option));
        // `type List<'T> = [] | :: of 'T * 'T list`
        let elem = || ast::TypeExpr {
            kind: ast::TypeExprKind::Var(ast::Ident {
                name: "T".into(),
                span: at,
            }),
            span: at,
        };
        let list = ast::TypeExpr {
            kind: ast::TypeExprKind::Named {
                name: ast::Ident {
                    name: "List".into(),
                    span: at,
                },
                args: vec![elem()],
            },
            span: at,
        };
        let info = TypeDeclInfo {
            name: "List".into(),
            name_span: at,
            params: vec!["T".into()],
            fields: Vec::new(),
            mutable_fields: Vec::new(),
            cases: vec![
                UnionCaseInfo {
                    name: "[]".into(),
                    span: at,
                    fields: Vec::new(),
                },
                UnionCaseInfo {
                    name: "::".into(),
                    span: at,
                    fields: vec![(Some("Head".into()), elem()), (Some("Tail".into()), list)],
                },
            ],
            measure: None,
            abbreviation: None,
            measure_params: Vec::new(),
            exception_case: None,
            members: Vec::new(),
            constructor: None,
        };
        let list = self.psg.add_node(NodeKind::TypeDecl(info), at);
        self.psg.add_child(prelude, list);
        self.psg.prelude_types.push((PreludeType::List, list));
        // `exn`: the runtime's exceptions, each with its message; the
        // program's `exception` declarations add their cases after these.
        let string = || ast::TypeExpr {
            kind: ast::TypeExprKind::Named {
                name: ast::Ident {
                    name: "string".into(),
                    span: at,
                },
                args: Vec::new(),
            },
            span: at,
        };
        let info = TypeDeclInfo {
            name: "exn".into(),
            name_span: at,
            params: Vec::new(),
            fields: Vec::new(),
            mutable_fields: Vec::new(),
            cases: barewire_model::exceptions::BUILTIN
                .iter()
                .map(|name| UnionCaseInfo {
                    name: (*name).into(),
                    span: at,
                    fields: vec![(None, string())],
                })
                .chain(std::mem::take(&mut self.exceptions))
                .collect(),
            measure: None,
            abbreviation: None,
            measure_params: Vec::new(),
            exception_case: None,
            members: Vec::new(),
            constructor: None,
        };
        let exn = self.psg.add_node(NodeKind::TypeDecl(info), at);
        self.psg.add_child(prelude, exn);
        self.psg.prelude_types.push((PreludeType::Exn, exn));
        self.psg.prelude = Some(prelude);
        // The prelude's functions, written in Clef. Their spans point into
        // the prelude source; it is type-correct and its matches complete,
        // so no diagnostic ever points there.
        let parsed = clef_frontend::parse_source(PRELUDE);
        debug_assert!(
            parsed.diagnostics.is_empty(),
            "the prelude must parse: {:?}",
            parsed.diagnostics
        );
        let first = self.psg.graph.node_count();
        for item in &parsed.file.items {
            match item {
                ast::Item::Let(decl) => {
                    for binding in self.let_decl(decl) {
                        self.psg.add_child(prelude, binding);
                    }
                }
                ast::Item::Type(decl) => {
                    for n in self.type_item(decl) {
                        self.psg.add_child(prelude, n);
                    }
                }
                _ => {}
            }
        }
        // `List__map` (definitions and references) becomes `List.map`.
        for i in first..self.psg.graph.node_count() {
            match &mut self.psg.node_mut(NodeId::new(i)).kind {
                NodeKind::Binding(BindingInfo { name, .. })
                | NodeKind::Expr(ExprKind::Var(name)) => {
                    *name = name.replacen("__", ".", 1);
                }
                _ => {}
            }
        }
    }
}
