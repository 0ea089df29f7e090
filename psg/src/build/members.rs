//! Members of records and unions: each becomes a top-level binding named
//! `Type.Name`, placed right after the type's declaration.
//!
//! * `member this.Area = e` is the function `Type.Area (this: Type) = e`;
//!   `member this.Scale(k) = e` is `Type.Scale (this: Type) (k) = e` (an
//!   F# method's parameters are one tuple, so `x.Scale(a, b)` applies it
//!   to the object and then to a tuple).
//! * `static member Create(x, y) = e` is `Type.Create (x, y) = e`;
//!   `static member Zero = e` is the value `Type.Zero`.
//! * The methods and instance properties of a type are one `let rec …
//!   and …` group (members see each other in any order, as in F#); static
//!   properties follow it, each its own `let`.
//!
//! The declaration lists its members ([`TypeDeclInfo::members`]) so the
//! type checker finds `x.Name` from `x`'s type; `Type.Name` is an ordinary
//! qualified name (`Builder::dot`).

use super::*;

impl Builder {
    /// Build the members of `decl` (declared by `type_node`) as bindings;
    /// returns them in the order they go into the module.
    /// A class's constructor, `ctor`, is the first binding of the group.
    pub(super) fn members(
        &mut self,
        decl: &ast::TypeDecl,
        type_node: NodeId,
        ctor: Option<ast::Binding>,
    ) -> Vec<NodeId> {
        if decl.members.is_empty() && ctor.is_none() {
            return Vec::new();
        }
        let self_type = super::classes::self_type(decl);
        let binding = |m: &ast::MemberDecl| {
            let mut params = Vec::new();
            if let Some(this) = &m.self_name {
                params.push(ast::Param::Named {
                    name: this.clone(),
                    ty: Some(self_type.clone()),
                });
            }
            params.extend(m.params.iter().cloned());
            ast::Binding {
                pattern: None,
                is_mutable: false,
                name: ast::Ident {
                    name: format!("{}.{}", decl.name.name, m.name.name),
                    span: m.name.span,
                },
                type_params: Vec::new(),
                params,
                return_type: m.return_type.clone(),
                body: m.body.clone(),
                span: m.span,
            }
        };
        let (values, functions): (Vec<&ast::MemberDecl>, Vec<&ast::MemberDecl>) = decl
            .members
            .iter()
            .partition(|m| m.self_name.is_none() && m.params.is_empty());
        // Known before the bodies are built: members call `Type.Create`.
        let statics = decl
            .members
            .iter()
            .filter(|m| m.self_name.is_none())
            .map(|m| m.name.name.clone())
            .collect();
        self.static_members
            .push((self.qualified(&decl.name.name), statics));
        let mut nodes = Vec::new();
        let has_ctor = ctor.is_some();
        if !functions.is_empty() || has_ctor {
            let group = ast::LetDecl {
                attributes: Vec::new(),
                is_rec: true,
                is_use: false,
                bindings: ctor
                    .into_iter()
                    .chain(functions.iter().map(|m| binding(m)))
                    .collect(),
                span: decl.span,
            };
            nodes.extend(self.let_decl(&group));
        }
        let constructor = if has_ctor {
            Some(nodes.remove(0))
        } else {
            None
        };
        for m in &values {
            let single = ast::LetDecl {
                attributes: Vec::new(),
                is_rec: false,
                is_use: false,
                bindings: vec![binding(m)],
                span: m.span,
            };
            nodes.extend(self.let_decl(&single));
        }
        let infos: Vec<MemberInfo> = functions
            .iter()
            .chain(&values)
            .zip(&nodes)
            .map(|(m, &binding)| MemberInfo {
                name: m.name.name.clone(),
                binding,
                is_static: m.self_name.is_none(),
                is_property: m.params.is_empty(),
            })
            .collect();
        if let NodeKind::TypeDecl(info) = &mut self.psg.node_mut(type_node).kind {
            info.members = infos;
            info.constructor = constructor;
        }
        nodes.splice(0..0, constructor);
        nodes
    }

    /// The name of a type declared in the module being built, as seen
    /// from the top (`Geo.Point`).
    pub(super) fn qualified(&self, name: &str) -> String {
        if self.current_module.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.current_module)
        }
    }

    /// `Point.Create`: the path as written, if `e` names a type visible
    /// here that has a static member `name`.
    pub(super) fn static_member(&self, e: &ast::Expr, name: &str) -> Option<String> {
        let (path, (_, statics)) = self.named_type(e, &self.static_members)?;
        statics.iter().any(|m| m == name).then_some(path)
    }
}
