//! The abstract syntax tree produced by the parser. Every node has a span.
//! Light syntax is already resolved: blocks are nested `Let`/`Seq`
//! expressions, and `elif` is an `If` in the else branch.

use crate::diagnostics::Span;
pub use crate::lexer::IntSuffix;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `module A.B` (only as the first item).
    Module {
        path: Vec<Ident>,
        span: Span,
    },
    /// `module Name =` followed by an indented block of items.
    NestedModule {
        name: Ident,
        items: Vec<Item>,
        span: Span,
    },
    /// `open A.B`
    Open {
        path: Vec<Ident>,
        span: Span,
    },
    Let(LetDecl),
    /// `do e` or a bare expression at the top level: run at start-up.
    Do(Expr),
    /// `type Name<'T> = …`
    Type(TypeDecl),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    /// `'T` parameters, without the quote.
    pub params: Vec<Ident>,
    /// The parameters marked `[<Measure>]` (units of measure).
    pub measure_params: Vec<String>,
    pub repr: TypeRepr,
    /// `member this.Area = …`, `static member Create(x) = …`
    pub members: Vec<MemberDecl>,
    pub span: Span,
}

/// A member of a record or union: `member this.Name params = body` (an
/// instance member; `self_name` is `this`) or `static member Name params
/// = body`. Without parameters it is a property.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDecl {
    pub self_name: Option<Ident>,
    pub name: Ident,
    pub params: Vec<Param>,
    pub return_type: Option<TypeExpr>,
    pub body: Expr,
    /// `interface IDisposable with member …`: the interface it implements.
    pub interface: Option<Ident>,
    pub span: Span,
}

/// `abstract Name : type` in an interface: a property (a type that is
/// not a function) or a method.
#[derive(Debug, Clone, PartialEq)]
pub struct AbstractSlot {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// What a class body holds besides members, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassItem {
    /// `let [mutable] x = e` or `let f x = …`: a field or a private method.
    Let(LetDecl),
    /// `do e`: run by the constructor.
    Do(Expr),
}

/// A class body element as parsed (the parser sorts them into
/// `TypeRepr::Class` items and the declaration's members).
#[derive(Debug, Clone, PartialEq)]
pub enum ClassElem {
    Item(ClassItem),
    Members(Vec<MemberDecl>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeRepr {
    /// `{ A: int; B: string }`
    Record(Vec<FieldDecl>),
    /// `| A of int | B of x: float * y: float | C`
    Union(Vec<UnionCase>),
    /// `type Position = int * int`: another name for a type (a bare name,
    /// `type Id = int`, parses as a one-case union; the PSG builder tells
    /// them apart).
    Abbrev(TypeExpr),
    /// `[<Measure>] type kg` (a base measure, `None`) or
    /// `[<Measure>] type N = kg m / s^2` (an abbreviation).
    Measure(Option<TypeExpr>),
    /// `exception Invalid of string * int`: a new case of `exn`.
    Exception(UnionCase),
    /// `type IShape = abstract Area : float …`: an interface's slots.
    Interface(Vec<AbstractSlot>),
    /// `type Counter(start: int) = let … do …` (members are the
    /// declaration's): a class with its primary constructor's parameter.
    Class { ctor: Param, items: Vec<ClassItem> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionCase {
    pub name: Ident,
    /// The case's fields, each optionally named.
    pub fields: Vec<(Option<Ident>, TypeExpr)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    /// `mutable X: int`: assignable with `r.X <- v`.
    pub is_mutable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Ident,
}

/// `let [rec] b1 and b2 …`
#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub attributes: Vec<Attribute>,
    pub is_rec: bool,
    /// `use x = e`: disposed at the end of its scope.
    pub is_use: bool,
    pub bindings: Vec<Binding>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// For `let (a, b) = e`: the pattern; `name` is then `_`.
    pub pattern: Option<Pattern>,
    pub is_mutable: bool,
    pub name: Ident,
    /// Explicit type parameters `let f<'T> …` (names without the quote).
    pub type_params: Vec<Ident>,
    pub params: Vec<Param>,
    pub return_type: Option<TypeExpr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// `()`
    Unit(Span),
    /// `_`
    Wildcard(Span),
    /// `x` or `(x: T)`
    Named { name: Ident, ty: Option<TypeExpr> },
    /// `(a, b)`: a tuple pattern
    Pattern(Pattern),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatternKind {
    Wildcard,
    /// A name binding the matched value.
    Var(Ident),
    Unit,
    /// An integer literal (already negated for `-1`).
    Int(i128, IntSuffix),
    Float(f64, bool),
    Str(String),
    /// `'a'`: the character's UTF-16 code.
    Char(u32),
    Bool(bool),
    Tuple(Vec<Pattern>),
    /// `p1 | p2`
    Or(Box<Pattern>, Box<Pattern>),
    /// `p as x`
    As(Box<Pattern>, Ident),
    /// `(p : T)`
    Typed(Box<Pattern>, TypeExpr),
    /// `{ A = p; … }` (a subset of the fields)
    Record(Vec<(Ident, Pattern)>),
    /// `[p1; p2]` (`[]` when empty)
    List(Vec<Pattern>),
    /// `h :: t`
    Cons(Box<Pattern>, Box<Pattern>),
    /// `Some p`, `Rect (w, h)`: a union case with an argument pattern.
    /// (A bare case name parses as `Var`; name resolution tells them apart.)
    Case(Ident, Box<Pattern>),
    /// `:? System.DivideByZeroException`: a type test (of an exception).
    TypeTest(Ident),
    /// `Prefix "ab" rest`: a parameterised active pattern's case, its
    /// arguments (written as patterns: literals and names) and, last, the
    /// pattern for its result.
    ActiveApp(Ident, Vec<Pattern>),
}

/// `| pattern when guard -> body`
#[derive(Debug, Clone, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

impl Param {
    pub fn span(&self) -> Span {
        match self {
            Param::Unit(s) | Param::Wildcard(s) => *s,
            Param::Named { name, ty } => ty.as_ref().map_or(name.span, |t| name.span.to(t.span)),
            Param::Pattern(p) => p.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `float`, … and postfix applications `int list` (args first).
    Named { name: Ident, args: Vec<TypeExpr> },
    /// `'a`
    Var(Ident),
    /// `T[]`
    Array(Box<TypeExpr>),
    /// `A -> B`
    Fun(Box<TypeExpr>, Box<TypeExpr>),
    /// `A * B` (in a measure: a product)
    Tuple(Vec<TypeExpr>),
    /// Measures only: `m / s`
    Quotient(Box<TypeExpr>, Box<TypeExpr>),
    /// Measures only: `s ^ 2`, `s ^ -1`
    Power(Box<TypeExpr>, i32),
    /// Measures only: `1` (the dimensionless measure); other numbers are
    /// rejected by the type checker.
    Number(u64),
    /// A type left to inference (F#'s `_`); made by desugaring.
    Infer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    PipeRight,
    PipeLeft,
    /// `f >> g`
    ComposeRight,
    /// `g << f`
    ComposeLeft,
    /// `h :: t`
    Cons,
    /// `a @ b`
    Append,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "**",
            Eq => "=",
            Ne => "<>",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            And => "&&",
            Or => "||",
            BitAnd => "&&&",
            BitOr => "|||",
            BitXor => "^^^",
            Shl => "<<<",
            Shr => ">>>",
            PipeRight => "|>",
            PipeLeft => "<|",
            ComposeRight => ">>",
            ComposeLeft => "<<",
            Cons => "::",
            Append => "@",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForDirection {
    To,
    Downto,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Unit,
    Int(u64, IntSuffix),
    Float(f64, bool),
    Str(String),
    /// `'a'`: the character's UTF-16 code.
    Char(u32),
    Bool(bool),
    Var(Ident),
    /// `f<int, string>`: a name with explicit type arguments.
    TypeApp(Ident, Vec<TypeExpr>),
    /// `M.f<int>`: a qualified name with explicit type arguments.
    DotTypeApp(Box<Expr>, Ident, Vec<TypeExpr>),
    /// `(+)`, `(::)`: a binary operator as a function of two arguments.
    OpValue(BinOp),
    /// `e.Name`: a module member or a property, decided by name resolution.
    Dot(Box<Expr>, Ident),
    App(Box<Expr>, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    While(Box<Expr>, Box<Expr>),
    /// `for i in a .. b do` (step 1, inclusive)
    ForIn(Ident, Box<Expr>, Box<Expr>, Box<Expr>),
    /// `for x in collection do` (a list or an array)
    ForEach(Ident, Box<Expr>, Box<Expr>),
    /// `for i = a to/downto b do`
    ForTo(Ident, Box<Expr>, ForDirection, Box<Expr>, Box<Expr>),
    /// A `let` scoping over the rest of its block (or `let … in e`).
    Let(Box<LetDecl>, Box<Expr>),
    Seq(Vec<Expr>),
    /// `x <- e`
    Assign(Box<Expr>, Box<Expr>),
    /// `yield e` in a list or array expression (and `for … -> e`).
    Yield(Box<Expr>),
    /// `yield! xs`
    YieldFrom(Box<Expr>),
    /// A form only a computation expression gives meaning to (`return e`,
    /// `do! e`, `return! e`, `match! …`, the value of `let!`/`use!`),
    /// with its keyword.
    CeOnly(String, Box<Expr>),
    /// `fun a b -> e`
    Lambda(Vec<Param>, Box<Expr>),
    /// `a, b`
    Tuple(Vec<Expr>),
    /// `match e with arms`
    Match(Box<Expr>, Vec<MatchArm>),
    /// `function arms`
    Function(Vec<MatchArm>),
    /// `try body with arms`
    TryWith(Box<Expr>, Vec<MatchArm>),
    /// `try body finally cleanup`
    TryFinally(Box<Expr>, Box<Expr>),
    /// `{ A = 1; B = 2 }`
    Record(Vec<(Ident, Expr)>),
    /// `{ r with A = 1 }`
    RecordUpdate(Box<Expr>, Vec<(Ident, Expr)>),
    /// `[a; b; c]`
    List(Vec<Expr>),
    /// `[a .. b]`
    Range(Box<Expr>, Box<Expr>),
    /// `[a .. step .. b]`, and `[| … |]` with `true`.
    RangeStep(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// `[| a; b |]`
    Array(Vec<Expr>),
    /// `[| a .. b |]`
    ArrayRange(Box<Expr>, Box<Expr>),
    /// `e.[i]`
    Index(Box<Expr>, Box<Expr>),
    /// `e.[a..b]`, `e.[..b]`, `e.[a..]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `(e : T)`
    Typed(Box<Expr>, TypeExpr),
    /// `e :> IShape`: an object as one of its interfaces.
    Upcast(Box<Expr>, TypeExpr),
    /// `{ new IShape with member … }`: an object expression.
    Object(Ident, Vec<MemberDecl>),
    /// A placeholder for a part that failed to parse (already reported).
    Error,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}
