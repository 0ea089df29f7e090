//! The Program Semantic Graph: nodes for modules, bindings, parameters and
//! expressions, in a tree (each node's ordered children, indexed by id),
//! with the def-use edges of name resolution in a petgraph graph.
//!
//! Invariants:
//! * Node ids are dense and assigned deterministically by [`crate::build`]
//!   (a walk in source order; an expression gets its id after its operands);
//!   nodes are never removed, so ids are stable.
//! * The PSG is written only while it is constructed: [`crate::build`],
//!   then name resolution (def-use edges, builtins, union cases) and the
//!   eta-expansion that needs it. Every later pass reads it and writes its
//!   own table in [`crate::facts::Facts`].
//! * Every node except the root and prelude modules has exactly one
//!   parent ([`Psg::parent`]), and [`Psg::kids`] lists a node's children in
//!   order; the tree is not in the petgraph graph, whose edges are only the
//!   semantic ones.
//! * The children of an expression node are its operands, in evaluation
//!   order (see [`ExprKind`] for each shape).

use crate::types::{DeclRef, PreludeType};
use crate::Builtin;
pub use barewire_model::MemorySpace;
use clef_frontend::ast::{BinOp, ForDirection, TypeExpr};
use clef_frontend::Span;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::HashMap;

pub type NodeId = NodeIndex<u32>;

/// A node known to be a binding (`NodeKind::Binding`): what a reference
/// names, what a closure captures. Only the PSG makes one, after checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(NodeId);

/// A node known to be a type declaration (`NodeKind::TypeDecl`): what a
/// union case or a named type refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeDeclId(NodeId);

impl BindingId {
    /// The binding's node, for walking the tree.
    pub fn node(self) -> NodeId {
        self.0
    }
}

impl TypeDeclId {
    /// The declaration's node, for walking the tree.
    pub fn node(self) -> NodeId {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntTy {
    Int,
    Int64,
    Byte,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Unit,
    /// The value, already range-checked for its type.
    Int(i64, IntTy),
    /// `true` for `float32` (`1.0f`).
    Float(f64, bool),
    Str(String),
    Bool(bool),
    /// `'a'`: a `char`, its UTF-16 code.
    Char(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingRole {
    /// `let` at module level or in an expression.
    Let,
    /// A function parameter (`()` and `_` included).
    Param,
    /// The variable of a `for` loop.
    LoopVar,
    /// A name bound by a pattern (`match` arm, `let (a, b) = …`).
    PatternVar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BindingInfo {
    pub name: String,
    pub role: BindingRole,
    pub is_mutable: bool,
    pub is_rec: bool,
    /// Bindings declared by the same `let … and …` share this number.
    pub group: u32,
    /// `[<EntryPoint>]`
    pub is_entry: bool,
    /// `[<Kernel>]`: a GPU kernel; its body runs in the GPU domain.
    pub is_kernel: bool,
    /// Number of leading children that are parameters (functions only).
    pub arity: usize,
    /// Written type: the parameter's annotation, or a function's return type.
    pub annotation: Option<TypeExpr>,
    /// Explicit type parameters, `let f<'T> …` (without the quote).
    pub type_params: Vec<String>,
    /// `use x = e`: disposed at the end of its scope.
    pub is_use: bool,
    /// Where the name itself is written.
    pub name_span: Span,
}

impl BindingInfo {
    /// A binding that is only a name (a parameter, a pattern or loop
    /// variable): not mutable, not recursive, no annotation.
    pub fn name_only(name: String, role: BindingRole, name_span: Span) -> BindingInfo {
        BindingInfo {
            name,
            role,
            is_mutable: false,
            is_rec: false,
            group: 0,
            is_entry: false,
            is_kernel: false,
            arity: 0,
            annotation: None,
            type_params: Vec::new(),
            is_use: false,
            name_span,
        }
    }

    pub fn is_function(&self) -> bool {
        self.role == BindingRole::Let && self.arity > 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    /// A name; resolution adds a `DefUse` edge or records its builtin.
    Var(String),
    /// `obj.Name` — children: [obj]. Module-qualified names are resolved
    /// to `Var` when the PSG is built, so this is a property access.
    Member(String),
    /// Function application, flattened: children [callee, arg1, …, argN].
    /// `x |> f` and `f <| x` are built as applications.
    Apply,
    /// children [a, b]
    Binary(BinOp),
    /// children [a]
    Neg,
    /// children [cond, then, else?]
    If,
    /// children [cond, body]
    While,
    /// children [loop variable binding, from, to, body]
    For(ForDirection),
    /// `for x in collection do` — children [loop variable binding,
    /// collection (a list or an array), body]
    ForEach,
    /// children [binding…, body]; several bindings for `let rec … and …`.
    Let,
    /// children in order; the value is the last one's.
    Seq,
    /// `x <- e` — children [target, value]
    Assign,
    /// `a, b, …` — children: the elements
    Tuple,
    /// `match e with …` — children [scrutinee, arm…] (arms are
    /// `NodeKind::Arm`)
    Match,
    /// `[| a; b |]` — children: the elements
    Array,
    /// `{ A = a; B = b }` — children: the values, in written order.
    /// `fields` are the short names; `module` is the qualifier of a label
    /// written `{ Geo.X = … }`, which says where to look for the record.
    Record {
        fields: Vec<String>,
        module: Option<String>,
    },
    /// `{ r with A = a }` — children [r, values in written order]
    RecordUpdate(Vec<String>),
    /// `fun a b -> e` — children [binding]: an anonymous function binding
    /// (named `fun`) whose children are its parameters and body, so it is
    /// resolved, typed and lifted like a local function.
    Lambda,
    /// `a.[i]` — children [a, i]
    Index,
    /// `a.[i..j]` — children [a, i, j] (an absent bound is `0` or
    /// `Int32.MaxValue`: slices are clamped to the collection).
    Slice,
    /// `(e : T)` — children [e]
    Typed(TypeExpr),
    /// `try body with arms` — children [body, arm…]; an exception no arm
    /// matches goes on.
    TryWith,
    /// `try body finally cleanup` — children [body, cleanup]
    TryFinally,
    /// A part of the program that failed to parse.
    Error,
}

/// Coherency operations are the model's (`barewire_model::coherency`).
pub use barewire_model::coherency::SyncOp;

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Module(String),
    Open(String),
    /// A named value. Children of a function binding: its parameters (also
    /// `Binding` nodes with role `Param`), then its body.
    Binding(BindingInfo),
    /// Top-level code run at start-up (`do e` or a bare expression);
    /// children [e].
    Init,
    /// A match arm: children [pattern, guard?, body].
    Arm {
        guarded: bool,
    },
    /// `type Name<'T> = { fields }` (no children; typeck records the
    /// field types in its table).
    TypeDecl(TypeDeclInfo),
    /// A pattern; its children are sub-patterns. A pattern variable is a
    /// `Binding` node (role `PatternVar`) in place of a pattern node.
    Pattern(PatternKind),
    Expr(ExprKind),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDeclInfo {
    pub name: String,
    pub name_span: Span,
    /// Type parameters (`'T` without the quote).
    pub params: Vec<String>,
    /// The parameters that are units of measure (`[<Measure>] 'u`).
    pub measure_params: Vec<String>,
    /// Record fields as written, in declaration order (records only).
    pub fields: Vec<(String, TypeExpr)>,
    /// The fields declared `mutable` (assignable: `r.X <- v`).
    pub mutable_fields: Vec<String>,
    /// Union cases: name, where it is written, and its fields (unions only).
    pub cases: Vec<UnionCaseInfo>,
    /// `[<Measure>]` declarations: a base measure or an abbreviation.
    pub measure: Option<MeasureDef>,
    /// `type Position = int * int`: the type this name stands for.
    pub abbreviation: Option<TypeExpr>,
    /// `exception Invalid of string`: the index of its case in the
    /// prelude's `exn`, which holds the case (this declaration has none;
    /// it places the name in its module).
    pub exception_case: Option<usize>,
    /// `member this.Area = …`, `static member Create(…) = …`: each is a
    /// top-level function (or, a static property, a value) named
    /// `Type.Name` right after the declaration.
    pub members: Vec<MemberInfo>,
    /// A class (`type Counter(start: int) = …`, a record underneath): the
    /// binding of its primary constructor, named as the type.
    pub constructor: Option<NodeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberInfo {
    pub name: String,
    /// The binding that implements it; an instance member's first
    /// parameter is the object (`this`).
    pub binding: NodeId,
    pub is_static: bool,
    /// No parameters besides the object: read as `x.Name`, not applied.
    pub is_property: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MeasureDef {
    /// `[<Measure>] type kg`
    Base,
    /// `[<Measure>] type N = kg m / s^2`
    Abbreviation(TypeExpr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionCaseInfo {
    pub name: String,
    pub span: Span,
    pub fields: Vec<(Option<String>, TypeExpr)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatternKind {
    Wildcard,
    /// A constant (unit, number, string, bool).
    Lit(Literal),
    /// children: the element patterns
    Tuple,
    /// children [left, right]
    Or,
    /// `p as x` — children [p, binding]
    As,
    /// `(p : T)` — children [p]
    Typed(TypeExpr),
    /// `{ A = p; … }` — children: a pattern per named field
    Record(Vec<String>),
    /// A union case, `None` or `Some p` — children: the argument pattern,
    /// if any. Name resolution records the case ([`Psg::case`]).
    Case(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// reference → the binding it names
    DefUse,
}

/// The coherency pass's decision for one hand-off.
#[derive(Debug, Clone, PartialEq)]
pub struct Coherency {
    /// `Hardware` (nothing inserted) or `Software` (syncs inserted).
    pub hardware: bool,
    /// Per buffer argument: its name as written, its space, the rule and
    /// the reason.
    pub buffers: Vec<(String, String, String, String)>,
    pub before: Vec<SyncOp>,
    pub after: Vec<SyncOp>,
}

/// The placement pass's decision for one allocation site.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The memory space requested from the runtime, or `None` when the
    /// runtime decides at start of the allocation (`--platform auto`, or a
    /// size known only then).
    pub space: Option<MemorySpace>,
    /// What the runtime falls back to if the hardware is absent.
    pub fallback: Vec<MemorySpace>,
    /// The rule that decided, and why, in words.
    pub rule: String,
    pub reason: String,
    /// Bytes, when the size is a constant.
    pub size_bytes: Option<u64>,
    /// A GPU kernel indexes the buffer.
    pub gpu_access: bool,
    /// The large-buffer threshold in force (for run-time decisions).
    pub large_threshold: u64,
}

/// What residency inference found for one allocation site.
#[derive(Debug, Clone, PartialEq)]
pub struct Residency {
    /// The memory space, or `None` when inference left it free (placement
    /// decides).
    pub space: Option<MemorySpace>,
    /// `allocateAuto`.
    pub auto: bool,
    /// The domains that index it and where (line-sorted).
    pub accesses: Vec<(String, Span)>,
}

/// A piece of a `printf` format string.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatPiece {
    Text(String),
    /// `%d`, `%i`, `%x`, `%X`, `%o`, `%f`, `%.3f`, `%s`, `%b`, `%A`, with
    /// flags and a width (`%-8s`, `%05d`, `%+.2f`); `precision` only for
    /// `%f`.
    Hole {
        conv: char,
        precision: Option<u32>,
        pad: Padding,
    },
}

/// A format hole's flags and minimum width, as .NET's `printf` reads
/// them: `-` left-justifies, `0` pads numbers with zeros after their sign,
/// `+` and ` ` put a sign before non-negative numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Padding {
    pub width: u32,
    pub left: bool,
    pub zero: bool,
    pub plus: bool,
    pub space: bool,
}

/// Whether a format conversion prints a number (which the sign flags
/// and zero padding apply to).
pub fn numeric_conversion(conv: char) -> bool {
    matches!(conv, 'd' | 'i' | 'f' | 'x' | 'X' | 'o')
}

impl Padding {
    /// Whether the hole is printed as written, with nothing to adjust.
    pub fn is_none(&self) -> bool {
        *self == Padding::default()
    }

    /// The flags as the runtime's `barewire_pad` takes them (bit 0 `-`,
    /// 1 `0`, 2 `+`, 3 ` `).
    pub fn bits(&self) -> i32 {
        i32::from(self.left)
            | i32::from(self.zero) << 1
            | i32::from(self.plus) << 2
            | i32::from(self.space) << 3
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// The Program Semantic Graph of one compilation unit.
#[derive(Debug, Default)]
pub struct Psg {
    pub graph: DiGraph<Node, EdgeKind, u32>,
    pub root: Option<NodeId>,
    /// The prelude: a second module holding what every program sees
    /// (today the `Option` type), processed before the root.
    pub prelude: Option<NodeId>,
    /// The prelude's declarations of the types the compiler knows.
    pub prelude_types: Vec<(PreludeType, NodeId)>,
    /// Each node's children in order, and its parent: the tree, indexed,
    /// so that walks neither scan nor sort edges.
    children_of: Vec<Vec<NodeId>>,
    parent_of: Vec<Option<NodeId>>,
    /// Name resolution: the builtin a `Var` names.
    builtins: HashMap<NodeId, Builtin>,
    /// Name resolution: on a `Var` or case pattern naming a union case,
    /// the union's declaration and the case's index.
    cases: HashMap<NodeId, (TypeDeclId, usize)>,
    /// On a `Var` written `f<int>`: the explicit type arguments.
    explicit_type_args: HashMap<NodeId, Vec<TypeExpr>>,
    /// Applications written with a pipe (`x |> f a`): their last argument
    /// comes first in the source, and F# infers it first.
    piped: std::collections::HashSet<NodeId>,
}

impl Psg {
    pub fn add_node(&mut self, kind: NodeKind, span: Span) -> NodeId {
        self.children_of.push(Vec::new());
        self.parent_of.push(None);
        self.graph.add_node(Node { kind, span })
    }

    /// The builtin a `Var` names (name resolution).
    pub fn builtin(&self, id: NodeId) -> Option<Builtin> {
        self.builtins.get(&id).copied()
    }
    pub fn set_builtin(&mut self, id: NodeId, b: Option<Builtin>) {
        match b {
            Some(b) => self.builtins.insert(id, b),
            None => self.builtins.remove(&id),
        };
    }

    /// The union case a `Var` or case pattern names: its declaration and
    /// index (name resolution).
    pub fn case(&self, id: NodeId) -> Option<(TypeDeclId, usize)> {
        self.cases.get(&id).copied()
    }
    pub fn set_case(&mut self, id: NodeId, case: Option<(TypeDeclId, usize)>) {
        match case {
            Some(c) => self.cases.insert(id, c),
            None => self.cases.remove(&id),
        };
    }

    /// The type arguments written on a `Var` (`f<int>`).
    pub fn explicit_type_args(&self, id: NodeId) -> &[TypeExpr] {
        self.explicit_type_args.get(&id).map_or(&[], Vec::as_slice)
    }
    /// Whether the application `id` was written `x |> f …` (or `f … <| x`).
    pub fn is_piped(&self, id: NodeId) -> bool {
        self.piped.contains(&id)
    }
    pub fn set_piped(&mut self, id: NodeId) {
        self.piped.insert(id);
    }

    pub fn set_explicit_type_args(&mut self, id: NodeId, args: Vec<TypeExpr>) {
        if args.is_empty() {
            self.explicit_type_args.remove(&id);
        } else {
            self.explicit_type_args.insert(id, args);
        }
    }

    /// Add `child` as the next child of `parent`.
    pub fn add_child(&mut self, parent: NodeId, child: NodeId) {
        self.children_of[parent.index()].push(child);
        self.parent_of[child.index()] = Some(parent);
    }

    /// Detach a node's children (they stay in the graph, to be attached
    /// elsewhere), in order. For passes that restructure a subtree.
    pub fn take_children(&mut self, id: NodeId) -> Vec<NodeId> {
        let kids = std::mem::take(&mut self.children_of[id.index()]);
        for &k in &kids {
            self.parent_of[k.index()] = None;
        }
        kids
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.graph[id]
    }
    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.graph[id]
    }

    pub fn kind(&self, id: NodeId) -> &NodeKind {
        &self.graph[id].kind
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.graph[id].span
    }

    /// `id` as a binding, if it is one.
    pub fn as_binding(&self, id: NodeId) -> Option<BindingId> {
        self.binding(id).map(|_| BindingId(id))
    }

    /// `id` as a type declaration, if it is one.
    pub fn as_type_decl(&self, id: NodeId) -> Option<TypeDeclId> {
        matches!(self.graph.node_weight(id)?.kind, NodeKind::TypeDecl(_)).then_some(TypeDeclId(id))
    }

    /// A binding's information.
    pub fn info(&self, b: BindingId) -> &BindingInfo {
        self.binding(b.0).expect("a BindingId names a binding")
    }

    /// A type declaration's information.
    pub fn decl(&self, d: TypeDeclId) -> &TypeDeclInfo {
        match &self.graph[d.0].kind {
            NodeKind::TypeDecl(info) => info,
            _ => unreachable!("a TypeDeclId names a type declaration"),
        }
    }

    pub fn binding(&self, id: NodeId) -> Option<&BindingInfo> {
        match &self.graph[id].kind {
            NodeKind::Binding(b) => Some(b),
            _ => None,
        }
    }

    pub fn expr(&self, id: NodeId) -> Option<&ExprKind> {
        match &self.graph[id].kind {
            NodeKind::Expr(e) => Some(e),
            _ => None,
        }
    }

    /// Children in order.
    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        self.kids(id).to_vec()
    }

    /// Children in order, borrowed.
    pub fn kids(&self, id: NodeId) -> &[NodeId] {
        self.children_of.get(id.index()).map_or(&[], Vec::as_slice)
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.parent_of.get(id.index()).copied().flatten()
    }

    /// The binding a reference names (its `DefUse` edge), if any.
    pub fn definition(&self, id: NodeId) -> Option<BindingId> {
        self.targets(id, EdgeKind::DefUse).next().map(BindingId)
    }

    /// Record that reference `id` names binding `def` (name resolution).
    pub fn add_definition(&mut self, id: NodeId, def: BindingId) {
        self.graph.add_edge(id, def.0, EdgeKind::DefUse);
    }

    /// Whether `id` belongs to the prelude (not to the program).
    pub fn in_prelude(&self, mut id: NodeId) -> bool {
        let Some(prelude) = self.prelude else {
            return false;
        };
        loop {
            if id == prelude {
                return true;
            }
            match self.parent(id) {
                Some(p) => id = p,
                None => return false,
            }
        }
    }

    /// The variable nodes that refer to binding `def`.
    pub fn uses(&self, def: BindingId) -> impl Iterator<Item = NodeId> + '_ {
        self.graph
            .edges_directed(def.0, Direction::Incoming)
            .filter(|e| *e.weight() == EdgeKind::DefUse)
            .map(|e| petgraph::visit::EdgeRef::source(&e))
    }

    /// Targets of outgoing edges of a kind.
    pub fn targets(&self, id: NodeId, kind: EdgeKind) -> impl Iterator<Item = NodeId> + '_ {
        self.graph
            .edges_directed(id, Direction::Outgoing)
            .filter(move |e| *e.weight() == kind)
            .map(|e| e.target())
    }

    /// Parameters and body of a function binding (body is `None` only for
    /// bindings that failed to parse).
    pub fn function_parts(&self, binding: NodeId) -> (Vec<NodeId>, Option<NodeId>) {
        let arity = self.binding(binding).map_or(0, |b| b.arity);
        let kids = self.children(binding);
        let params = kids.iter().take(arity).copied().collect();
        (params, kids.get(arity).copied())
    }

    /// The prelude's declaration of `p`.
    pub fn prelude_type(&self, p: PreludeType) -> Option<TypeDeclId> {
        self.prelude_types
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, n)| TypeDeclId(*n))
    }

    /// `exn`, the type of exceptions (the prelude's union).
    pub fn exn_type(&self) -> crate::types::Type {
        let decl = self
            .prelude_type(PreludeType::Exn)
            .expect("the prelude declares exn");
        crate::types::Type::Named {
            decl: self.decl_ref(decl),
            name: PreludeType::Exn.decl_name().into(),
            args: Vec::new(),
        }
    }

    /// The identity of the type declared by `decl`.
    pub fn decl_ref(&self, decl: TypeDeclId) -> DeclRef {
        DeclRef {
            node: decl.0.index() as u32,
            prelude: self
                .prelude_types
                .iter()
                .find(|(_, n)| *n == decl.0)
                .map(|(p, _)| *p),
        }
    }

    /// The prelude's items, then the root module's.
    pub fn all_items(&self) -> Vec<NodeId> {
        let mut v = self.prelude.map(|p| self.children(p)).unwrap_or_default();
        v.extend(self.items());
        v
    }

    /// The root module's items with nested modules' items in their place
    /// (depth first), in order: what runs at start-up, and every top-level
    /// value.
    pub fn items_flat(&self) -> Vec<NodeId> {
        fn walk(psg: &Psg, module: NodeId, out: &mut Vec<NodeId>) {
            for item in psg.children(module) {
                if matches!(psg.kind(item), NodeKind::Module(_)) {
                    walk(psg, item, out);
                } else {
                    out.push(item);
                }
            }
        }
        let mut out = Vec::new();
        if let Some(root) = self.root {
            walk(self, root, &mut out);
        }
        out
    }

    /// The top-level items of the root module, in order.
    pub fn items(&self) -> Vec<NodeId> {
        self.root.map(|r| self.children(r)).unwrap_or_default()
    }
}
