//! Module-scoped namespaces: what a name means at a point of the program.
//!
//! Each kind of name (values, union cases, types, record fields) lives in
//! its own [`Namespace`]; name resolution and type inference walk a module's
//! items top to bottom, as F# does, binding each definition as they pass it.
//!
//! Invariants:
//! * A name means the latest definition of it that is visible here: later
//!   definitions shadow earlier ones, and an `open` shadows what came
//!   before it (F#'s rule).
//! * A nested module's members are visible inside it by their short names
//!   and, after it, as `M.name` from the enclosing module (and `A.M.name`
//!   from further out); `open M` binds them by their short names until the
//!   end of the enclosing module. What a module opens is not part of it.
//! * Two definitions clash only within one module ([`Namespace::in_this_module`]);
//!   a nested module may reuse its parent's names.

use std::collections::HashMap;

/// One namespace: names bound so far, innermost last.
#[derive(Debug)]
pub struct Namespace<T> {
    /// (name, meaning, is a member of the module being walked).
    scope: Vec<(String, T, bool)>,
    /// For each name, its meanings in `scope`, innermost last: lookups in
    /// constant time however many names are in scope.
    visible: HashMap<String, Vec<T>>,
    /// The modules being walked, outermost first: full path and the scope
    /// mark where its members start.
    modules: Vec<(String, usize)>,
    /// Finished modules' members by the module's full path (`A.B`).
    exports: HashMap<String, Vec<(String, T)>>,
}

impl<T: Copy> Default for Namespace<T> {
    fn default() -> Self {
        Namespace {
            scope: Vec::new(),
            visible: HashMap::new(),
            modules: Vec::new(),
            exports: HashMap::new(),
        }
    }
}

impl<T: Copy> Namespace<T> {
    /// What `name` (short or qualified, as written) means here.
    pub fn lookup(&self, name: &str) -> Option<T> {
        self.visible.get(name).and_then(|v| v.last()).copied()
    }

    /// Every meaning of `name` here, latest first.
    pub fn lookup_all(&self, name: &str) -> impl Iterator<Item = T> + '_ {
        self.visible
            .get(name)
            .into_iter()
            .flat_map(|v| v.iter().rev().copied())
    }

    /// Define `name` as a member of the module being walked (or a local,
    /// which [`Namespace::unbind_to`] forgets at the end of its scope).
    pub fn bind(&mut self, name: impl Into<String>, meaning: T) {
        self.push(name.into(), meaning, true);
    }

    fn push(&mut self, name: String, meaning: T, member: bool) {
        self.visible.entry(name.clone()).or_default().push(meaning);
        self.scope.push((name, meaning, member));
    }

    /// Where the scope is now, for [`Namespace::unbind_to`].
    pub fn mark(&self) -> usize {
        self.scope.len()
    }

    /// Leave a scope: forget the names bound since `mark`.
    pub fn unbind_to(&mut self, mark: usize) {
        while self.scope.len() > mark {
            if let Some((name, _, _)) = self.scope.pop() {
                if let Some(v) = self.visible.get_mut(&name) {
                    v.pop();
                }
            }
        }
    }

    /// The full path of the nested module being walked (`None` at the
    /// top of the file).
    pub fn current_module(&self) -> Option<&str> {
        self.modules.last().map(|(full, _)| full.as_str())
    }

    /// Start walking the nested module `name` (its short name).
    pub fn enter_module(&mut self, name: &str) {
        let full = match self.modules.last() {
            Some((parent, _)) => format!("{parent}.{name}"),
            None => name.to_string(),
        };
        self.modules.push((full, self.scope.len()));
    }

    /// Finish the module being walked: its members become `M.name` in the
    /// enclosing module, and `open`-able by its full path.
    pub fn leave_module(&mut self) {
        let Some((full, mark)) = self.modules.pop() else {
            return;
        };
        let members: Vec<(String, T)> = self.scope[mark..]
            .iter()
            .filter(|(_, _, member)| *member)
            .map(|(n, t, _)| (n.clone(), *t))
            .collect();
        self.unbind_to(mark);
        let short = full.rsplit('.').next().unwrap_or(&full).to_string();
        for (name, t) in &members {
            self.bind(format!("{short}.{name}"), *t);
        }
        self.exports.insert(full, members);
    }

    /// The full path of the module `path` names here: relative to the
    /// modules being walked (innermost first), then from the top.
    pub fn module(&self, path: &str) -> Option<String> {
        self.modules
            .iter()
            .rev()
            .map(|(m, _)| format!("{m}.{path}"))
            .chain(std::iter::once(path.to_string()))
            .find(|full| self.exports.contains_key(full))
    }

    /// `open path`: bind the module's members by their short names (not as
    /// members of the module being walked). `false` if there is no such
    /// module.
    pub fn open(&mut self, path: &str) -> bool {
        let Some(full) = self.module(path) else {
            return false;
        };
        let members = self.exports[&full].clone();
        for (name, t) in members {
            self.push(name, t, false);
        }
        true
    }

    /// The meaning `name` has as a member of the module being walked
    /// (not from an enclosing module or an `open`), for duplicate checks.
    pub fn in_this_module(&self, name: &str) -> Option<T> {
        let start = self.modules.last().map_or(0, |(_, mark)| *mark);
        self.scope[start..]
            .iter()
            .rev()
            .find(|(n, _, member)| *member && n == name)
            .map(|(_, t, _)| *t)
    }

    /// Every name in scope, for "a similar name" help.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.scope.iter().map(|(n, _, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Namespace;

    #[test]
    fn later_definitions_shadow_and_scopes_end() {
        let mut ns = Namespace::default();
        ns.bind("x", 1);
        let mark = ns.mark();
        ns.bind("x", 2);
        assert_eq!(ns.lookup("x"), Some(2));
        ns.unbind_to(mark);
        assert_eq!(ns.lookup("x"), Some(1));
    }

    #[test]
    fn nested_modules_export_qualified_names() {
        let mut ns = Namespace::default();
        ns.enter_module("A");
        ns.enter_module("B");
        ns.bind("f", 1);
        ns.leave_module();
        // Inside A: `B.f`.
        assert_eq!(ns.lookup("B.f"), Some(1));
        assert_eq!(ns.lookup("f"), None);
        ns.bind("T", 2);
        ns.leave_module();
        assert_eq!(ns.lookup("A.B.f"), Some(1));
        assert_eq!(ns.lookup("A.T"), Some(2));
        assert_eq!(ns.lookup("B.f"), None);
        // `open A` then `B.f`, and `open A.B` then `f`.
        let mark = ns.mark();
        assert!(ns.open("A"));
        assert_eq!(ns.lookup("B.f"), Some(1));
        ns.unbind_to(mark);
        assert!(ns.open("A.B"));
        assert_eq!(ns.lookup("f"), Some(1));
        assert!(!ns.open("B"));
    }

    #[test]
    fn each_module_has_its_own_names() {
        let mut ns = Namespace::default();
        ns.enter_module("A");
        ns.bind("T", 1);
        ns.leave_module();
        ns.enter_module("B");
        assert_eq!(ns.in_this_module("T"), None);
        ns.bind("T", 2);
        assert_eq!(ns.in_this_module("T"), Some(2));
        ns.leave_module();
        assert_eq!(ns.lookup("A.T"), Some(1));
        assert_eq!(ns.lookup("B.T"), Some(2));
    }

    #[test]
    fn what_a_module_opens_is_not_its_member() {
        let mut ns = Namespace::default();
        ns.enter_module("A");
        ns.bind("x", 1);
        ns.leave_module();
        ns.enter_module("B");
        assert!(ns.open("A"));
        assert_eq!(ns.lookup("x"), Some(1));
        ns.leave_module();
        assert_eq!(ns.lookup("B.x"), None);
        assert_eq!(ns.lookup("x"), None);
    }
}
