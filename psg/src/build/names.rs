//! What a dotted name is while the PSG is built: a path to a nested
//! module, a union case qualified by its type, or neither (a member
//! access), as seen from the module being built (its enclosing modules
//! and what it opened).

use super::*;

impl Builder {
    /// `A` or `A.B` naming a nested module declared so far.
    /// The path as written, if `e` names a module visible here: a path
    /// from the top, from an enclosing module, or from an opened one.
    pub(super) fn module_path(&self, e: &ast::Expr) -> Option<String> {
        let path = match &e.kind {
            A::Var(m) => m.name.clone(),
            A::Dot(inner, n) => format!("{}.{}", self.module_path(inner)?, n.name),
            _ => return None,
        };
        self.visible_module(&path, &self.current_module)
            .map(|_| path)
    }

    /// The qualified name of the module `path` names from inside the
    /// module `prefix` (its qualified name; empty for the file's module).
    pub(super) fn visible_module(&self, path: &str, prefix: &str) -> Option<String> {
        self.candidates(path, prefix)
            .into_iter()
            .find(|m| self.modules.contains(m))
    }

    /// What `path` may stand for from inside the module `prefix`, nearest
    /// first: a path from an enclosing module, from the top, or from an
    /// opened module (the latest open first).
    pub(super) fn candidates(&self, path: &str, prefix: &str) -> Vec<String> {
        let mut enclosing: Vec<String> = Vec::new();
        let mut p = prefix;
        while !p.is_empty() {
            enclosing.push(format!("{p}.{path}"));
            p = p.rsplit_once('.').map_or("", |(head, _)| head);
        }
        enclosing.push(path.to_string());
        enclosing.extend(self.opens.iter().rev().map(|o| format!("{o}.{path}")));
        enclosing
    }

    /// The path as written and the case names, if `e` names a union type
    /// visible here (`Shape` in `Shape.Circle`, `Geo.Shape` in
    /// `Geo.Shape.Circle`).
    pub(super) fn union_type(&self, e: &ast::Expr) -> Option<(String, &[String])> {
        let (path, found) = self.named_type(e, &self.union_types)?;
        Some((path, &found.1))
    }

    /// The path as written and the entry of `types` (by qualified name,
    /// latest last) that `e` names from here: `Shape` in `Shape.Circle`,
    /// `Geo.Point` in `Geo.Point.Create`.
    pub(super) fn named_type<'t>(
        &self,
        e: &ast::Expr,
        types: &'t [(String, Vec<String>)],
    ) -> Option<(String, &'t (String, Vec<String>))> {
        if types.is_empty() {
            return None;
        }
        let path = match &e.kind {
            A::Var(t) => t.name.clone(),
            A::Dot(inner, t) => format!("{}.{}", self.module_path(inner)?, t.name),
            _ => return None,
        };
        let found = self
            .candidates(&path, &self.current_module)
            .into_iter()
            .find_map(|q| {
                // The latest declaration of that name decides.
                types.iter().rev().find(|(t, _)| *t == q)
            })?;
        Some((path, found))
    }

    /// `obj.name`, decided once: a member of a nested module, a case
    /// qualified by its union type, or a member access on a value.
    pub(super) fn dot(&mut self, obj: &ast::Expr, name: &ast::Ident, span: Span) -> NodeId {
        if let Some(path) = self.module_path(obj) {
            let full = format!("{path}.{}", name.name);
            if self.visible_module(&full, &self.current_module).is_some() {
                self.errors.push(BuildError::ModuleAsValue {
                    path: full.clone(),
                    at: span,
                });
            }
            return self.node(ExprKind::Var(full), span, &[]);
        }
        if let Some(path) = self.static_member(obj, &name.name) {
            return self.node(ExprKind::Var(format!("{path}.{}", name.name)), span, &[]);
        }
        if let Some((path, cases)) = self.union_type(obj) {
            if cases.contains(&name.name) {
                return self.node(ExprKind::Var(format!("{path}.{}", name.name)), span, &[]);
            }
            let cases = cases.to_vec();
            self.errors.push(BuildError::NotACaseOf {
                case: name.name.clone(),
                union: path,
                cases,
                at: name.span,
            });
            return self.node(ExprKind::Error, span, &[]);
        }
        let o = self.expr(obj);
        self.node(ExprKind::Member(name.name.clone()), span, &[o])
    }
}
