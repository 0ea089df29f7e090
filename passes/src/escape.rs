//! Buffer escape analysis: a buffer bound with `use` does not outlive its
//! scope (E0538).
//!
//! `use b = BAREWire.allocate … ` releases the memory when the scope of
//! `b` ends. F# would let the value escape and throw
//! `ObjectDisposedException` when it is touched later; the compiler sees
//! the data flow, so an escape it can prove is a compile-time error.
//!
//! Input: the PSG and its types (after `lower`). Output: diagnostics only.
//!
//! The analysis follows, from each use of a `use`-bound buffer, every place
//! the value can flow to, until it is consumed (indexed, measured, passed
//! to a function whose result cannot hold it, compared, printed) or leaves
//! the scope. It leaves the scope when it
//! - becomes the value of the scope (returned), also inside a tuple,
//!   record, union case, list, array or option, through `if`/`match`
//!   branches, aliases (`let c = b`) and functions that return it;
//! - is captured by a closure (a lambda or a local function used as a
//!   value) whose value leaves the scope, or by a partial application;
//! - is stored into a mutable, an array element or a field that was not
//!   made inside the scope.
//!
//! A function that may keep its argument somewhere the analysis cannot see
//! is not an escape here; the runtime invalidates the buffer at disposal
//! and any later access fails cleanly (docs/language.md).
//!
//! Invariants: the analysis reads the PSG and never changes it; it
//! reports at most one escape per `use` binding; it visits each node at
//! most once per binding, so it is linear in the scope's size.

use clef_frontend::{Diagnostic, Span};
use clef_psg::*;
use std::collections::HashSet;

pub fn check_escapes(psg: &Psg, types: &TypeTable) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for id in psg.graph.node_indices() {
        let Some(info) = psg.binding(id) else {
            continue;
        };
        if !info.is_use || !matches!(types.ty(id), Some(Type::Buffer(..))) {
            continue;
        }
        let Some(scope) = psg.parent(id) else {
            continue;
        };
        if !matches!(psg.expr(scope), Some(ExprKind::Let)) {
            continue; // a module-level `use` lives as long as the program
        }
        if let Some(escape) = (Flow {
            psg,
            types,
            scope,
            seen: HashSet::new(),
        })
        .escape_of(id)
        {
            diags.push(report(&info.name, info.name_span, escape));
        }
    }
    diags
}

/// How a buffer leaves its scope.
enum Escape {
    /// This expression's value is the scope's value.
    Returned(Span, Via),
    /// Stored into this place, made outside the scope.
    Stored(Span, Via),
}

/// What carries the buffer out, for the message.
#[derive(Clone, Copy)]
enum Via {
    Itself,
    /// A closure (lambda, local function or partial application) made here.
    Closure(Span),
}

/// A node whose value holds the buffer; `shown` is the expression a
/// message points at if it leaves the scope (the innermost one that does,
/// not the block around it).
#[derive(Clone, Copy)]
struct Item {
    node: NodeId,
    via: Via,
    shown: Span,
}

struct Flow<'a> {
    psg: &'a Psg,
    types: &'a TypeTable,
    /// The `Let` whose body is the buffer's scope.
    scope: NodeId,
    seen: HashSet<NodeId>,
}

impl Flow<'_> {
    fn escape_of(&mut self, binding: NodeId) -> Option<Escape> {
        let mut work: Vec<Item> = Vec::new();
        self.uses_of(binding, Via::Itself, &mut work);
        while let Some(item) = work.pop() {
            if !self.seen.insert(item.node) {
                continue;
            }
            if let Some(closure) = self.enclosing_closure(item.node) {
                let span = self.closure_span(closure);
                self.closure_values(closure, Via::Closure(span), &mut work);
            }
            if let Some(escape) = self.step(item, &mut work) {
                return Some(escape);
            }
        }
        None
    }

    /// Each reference to `binding`, as a value holding the buffer.
    fn uses_of(&self, binding: NodeId, via: Via, work: &mut Vec<Item>) {
        let Some(binding) = self.psg.as_binding(binding) else {
            return;
        };
        work.extend(self.psg.uses(binding).map(|u| Item {
            node: u,
            via,
            shown: self.psg.span(u),
        }));
    }

    /// The innermost function (lambda or local function) inside the scope
    /// that contains the reference `n`: it captures what `n` names.
    fn enclosing_closure(&self, n: NodeId) -> Option<NodeId> {
        if !matches!(self.psg.expr(n), Some(ExprKind::Var(_))) {
            return None;
        }
        let mut at = self.psg.parent(n)?;
        while at != self.scope {
            if self.is_function(at) {
                return Some(at);
            }
            at = self.psg.parent(at)?;
        }
        None
    }

    fn is_function(&self, id: NodeId) -> bool {
        self.psg
            .binding(id)
            .is_some_and(|b| b.is_function() || self.lambda_of(id).is_some())
    }

    /// The `Lambda` expression whose function binding this is.
    fn lambda_of(&self, binding: NodeId) -> Option<NodeId> {
        let p = self.psg.parent(binding)?;
        matches!(self.psg.expr(p), Some(ExprKind::Lambda)).then_some(p)
    }

    fn closure_span(&self, function: NodeId) -> Span {
        match self.lambda_of(function) {
            // From `fun` to the end of the body (a lambda's own span may
            // run on to the next token).
            Some(lambda) => {
                let start = self.psg.span(lambda).start as usize;
                let body = self.psg.function_parts(function).1;
                let end = body.map_or(start, |b| self.psg.span(b).end as usize);
                Span::new(start, end.max(start))
            }
            None => self
                .psg
                .binding(function)
                .map_or(self.psg.span(function), |b| b.name_span),
        }
    }

    /// Where a function's closure can go: the lambda expression, or each
    /// use of a local function other than a direct call.
    fn closure_values(&self, function: NodeId, via: Via, work: &mut Vec<Item>) {
        if let Some(lambda) = self.lambda_of(function) {
            work.push(self.item(lambda, via));
            return;
        }
        let uses = self.psg.as_binding(function).into_iter();
        for u in uses.flat_map(|f| self.psg.uses(f)) {
            if !self.is_call_head(u) {
                work.push(self.item(u, via));
            }
        }
    }

    /// `node` as a new value holding the buffer, shown as itself.
    fn item(&self, node: NodeId, via: Via) -> Item {
        let shown = match via {
            Via::Closure(span) if self.psg.expr(node) == Some(&ExprKind::Lambda) => span,
            _ => self.psg.span(node),
        };
        Item { node, via, shown }
    }

    fn is_call_head(&self, n: NodeId) -> bool {
        self.psg.parent(n).is_some_and(|p| {
            matches!(self.psg.expr(p), Some(ExprKind::Apply))
                && self.psg.children(p).first() == Some(&n)
        })
    }

    /// One step from `n`, whose value holds the buffer, to its parent.
    fn step(&self, item: Item, work: &mut Vec<Item>) -> Option<Escape> {
        let psg = self.psg;
        let (n, via) = (item.node, item.via);
        let p = psg.parent(n)?;
        if p == self.scope {
            let kids = psg.children(p);
            return (kids.last() == Some(&n)).then_some(Escape::Returned(item.shown, via));
        }
        let kids = psg.children(p);
        let is_last = kids.last() == Some(&n);
        match psg.kind(p) {
            NodeKind::Binding(_) if self.is_function(p) && is_last => {
                // The function returns it: so do its calls, and its
                // closure holds it.
                for u in psg.as_binding(p).into_iter().flat_map(|b| psg.uses(b)) {
                    let target = if self.is_call_head(u) {
                        psg.parent(u).unwrap_or(u)
                    } else {
                        u
                    };
                    work.push(self.item(target, via));
                }
                if let Some(lambda) = self.lambda_of(p) {
                    work.push(self.item(lambda, via));
                }
            }
            NodeKind::Binding(_) if self.is_function(p) => {}
            // `let c = b`: `c` is the buffer too.
            NodeKind::Binding(_) => self.uses_of(p, via, work),
            NodeKind::Arm { .. } if is_last => {
                if let Some(m) = psg.parent(p) {
                    work.push(Item { node: m, ..item });
                }
            }
            NodeKind::Expr(kind) => return self.step_expr(item, p, kind, &kids, is_last, work),
            _ => {}
        }
        None
    }

    /// A step into the expression `p` from its child `item.node`.
    fn step_expr(
        &self,
        item: Item,
        p: NodeId,
        kind: &ExprKind,
        kids: &[NodeId],
        is_last: bool,
        work: &mut Vec<Item>,
    ) -> Option<Escape> {
        let psg = self.psg;
        let (n, via) = (item.node, item.via);
        // Through a block or a branch the value is still the child's.
        let same = Item { node: p, ..item };
        match kind {
            ExprKind::Tuple
            | ExprKind::Array
            | ExprKind::Record { .. }
            | ExprKind::RecordUpdate(_) => work.push(self.item(p, via)),
            ExprKind::Typed(_) => work.push(same),
            ExprKind::Seq | ExprKind::Let if is_last => work.push(same),
            ExprKind::If if kids.first() != Some(&n) => work.push(same),
            ExprKind::Apply if kids.first() != Some(&n) => {
                let head = kids[0];
                let fresh = matches!(
                    psg.builtin(head),
                    Some(Builtin::BufferCopy | Builtin::BufferMigrate)
                );
                let result = self.types.ty(p).cloned().unwrap_or(Type::Unit);
                if !fresh && may_hold_buffer(psg, self.types, &result) {
                    let via = match result {
                        Type::Fun(..) => Via::Closure(psg.span(p)),
                        _ => via,
                    };
                    work.push(self.item(p, via));
                }
            }
            // The value of a `try` is its body's (or a handler's).
            ExprKind::TryWith | ExprKind::TryFinally if kids.first() == Some(&n) => work.push(same),
            ExprKind::Match if kids.first() == Some(&n) => {
                // Pattern variables that can hold (part of) it.
                for &arm in &kids[1..] {
                    if let Some(&pattern) = psg.children(arm).first() {
                        self.pattern_bindings(pattern, via, work);
                    }
                }
            }
            ExprKind::ForEach if kids.get(1) == Some(&n) => {
                if let Some(&var) = kids.first() {
                    self.uses_of(var, via, work);
                }
            }
            ExprKind::Assign if kids.get(1) == Some(&n) => {
                let target = kids[0];
                match self.local_place(target) {
                    Some(binding) => self.uses_of(binding, via, work),
                    None => return Some(Escape::Stored(psg.span(target), via)),
                }
            }
            _ => {}
        }
        None
    }

    /// The binding behind an assignment target, when it was made inside
    /// the scope (a local mutable, or an element of a local array).
    fn local_place(&self, target: NodeId) -> Option<NodeId> {
        let psg = self.psg;
        let root = match psg.expr(target) {
            Some(ExprKind::Var(_)) => target,
            Some(ExprKind::Index | ExprKind::Member(_)) => {
                let inner = *psg.children(target).first()?;
                matches!(psg.expr(inner), Some(ExprKind::Var(_))).then_some(inner)?
            }
            _ => return None,
        };
        let binding = psg.definition(root)?.node();
        self.inside_scope(binding).then_some(binding)
    }

    fn inside_scope(&self, mut id: NodeId) -> bool {
        loop {
            match self.psg.parent(id) {
                Some(p) if p == self.scope => return true,
                Some(p) => id = p,
                None => return false,
            }
        }
    }

    fn pattern_bindings(&self, pattern: NodeId, via: Via, work: &mut Vec<Item>) {
        let mut stack = vec![pattern];
        while let Some(p) = stack.pop() {
            if self.psg.binding(p).is_some() {
                let holds = self
                    .types
                    .ty(p)
                    .is_some_and(|t| may_hold_buffer(self.psg, self.types, t));
                if holds {
                    self.uses_of(p, via, work);
                }
            }
            stack.extend(self.psg.children(p));
        }
    }
}

/// Whether a value of type `t` can hold a buffer: a buffer, a function (a
/// closure may capture one), or a structure with one inside.
fn may_hold_buffer(psg: &Psg, types: &TypeTable, t: &Type) -> bool {
    let go_psg = (psg, types);
    fn go(cx: (&Psg, &TypeTable), t: &Type, seen: &mut HashSet<DeclRef>) -> bool {
        let (psg, types) = cx;
        match t {
            Type::Buffer(..) | Type::Fun(..) | Type::Var(_) => true,
            Type::Array(e) => go(cx, e, seen),
            Type::Tuple(ts) => ts.iter().any(|t| go(cx, t, seen)),
            Type::Named { decl, args, .. } => {
                if args.iter().any(|t| go(cx, t, seen)) {
                    return true;
                }
                if !seen.insert(*decl) {
                    return false;
                }
                let fields = types.record_fields(psg, t).unwrap_or_default();
                let cases = types.union_cases(t).unwrap_or_default();
                fields.iter().any(|(_, t)| go(cx, t, seen))
                    || cases.iter().flat_map(|(_, ts)| ts).any(|t| go(cx, t, seen))
            }
            _ => false,
        }
    }
    go(go_psg, t, &mut HashSet::new())
}

fn report(name: &str, name_span: Span, escape: Escape) -> Diagnostic {
    let (span, label, via) = match escape {
        Escape::Returned(span, via @ Via::Closure(closure)) if closure == span => (
            span,
            format!("this closure captures `{name}` and outlives its scope"),
            via,
        ),
        Escape::Returned(span, via) => (
            span,
            format!("`{name}` leaves its scope here, after its memory is released"),
            via,
        ),
        Escape::Stored(span, via) => (
            span,
            format!("`{name}` is stored here, in a place that outlives its scope"),
            via,
        ),
    };
    let mut d = Diagnostic::error(
        "E0538",
        format!("the buffer `{name}` is bound with `use` and escapes its scope"),
        span,
    )
    .with_label(label)
    .with_secondary(
        name_span,
        "`use` releases the buffer's memory at the end of this scope",
    );
    if let Via::Closure(closure) = via {
        if closure != span {
            d = d.with_secondary(closure, format!("this closure captures `{name}`"));
        }
    }
    d.with_help(format!(
        "bind it with `let` to keep the memory for as long as the program runs, \
         or return what is computed from `{name}` instead of the buffer itself"
    ))
}
