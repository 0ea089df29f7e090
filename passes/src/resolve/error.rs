//! Name resolution's errors, as data: one variant per problem, its code
//! derived from the variant ([`ResolveError::code`]) and its words in one
//! place ([`ResolveError::to_diagnostic`]). The resolver records what it
//! found; how that reads is decided here.

use clef_frontend::{Diagnostic, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// A name that no binding, union case or builtin in scope has.
    NotDefined {
        name: String,
        at: Span,
        why: Undefined,
    },
    /// A second top-level binding of a name in one module, or of one name
    /// in one `let rec … and …` group.
    Duplicate {
        name: String,
        at: Span,
        first: Span,
        in_rec_group: bool,
    },
    UnknownModule {
        path: String,
        at: Span,
    },
    /// `v.M<int>` where `v` is a value: a member does not take type
    /// arguments.
    TypeArgumentsOnMember {
        member: String,
        at: Span,
    },
    NotMutable {
        name: String,
        at: Span,
        defined: Span,
    },
    EntryPointNotLast {
        at: Span,
    },
    EntryPointArity {
        at: Span,
        arity: usize,
    },
    ParameterTwice {
        name: String,
        at: Span,
        first: Span,
    },
    NotAssignable {
        at: Span,
    },
    PatternVariableTwice {
        name: String,
        at: Span,
        first: Span,
    },
    OrPatternBindsDifferently {
        right: Span,
        left: Span,
    },
    NotACase {
        name: String,
        at: Span,
    },
}

/// What the resolver knows about a name it could not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undefined {
    /// It is the binding whose value is being computed (`let x = x + 1`,
    /// or a function that is not `rec`).
    BeingDefined {
        binding: Span,
    },
    /// It is defined further down the module (F# scopes top to bottom).
    DefinedLater {
        definition: Span,
    },
    /// `M.x` where `M` is a module without `x`.
    NoSuchMember {
        module: String,
        member: String,
    },
    /// A name in scope is spelt nearly the same.
    Similar(String),
    Unknown,
}

impl ResolveError {
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::NotDefined { .. } => "E0401",
            ResolveError::Duplicate { .. } => "E0402",
            ResolveError::UnknownModule { .. } => "E0403",
            ResolveError::TypeArgumentsOnMember { .. } => "E0415",
            ResolveError::NotMutable { .. } => "E0404",
            ResolveError::EntryPointNotLast { .. } => "E0405",
            ResolveError::EntryPointArity { .. } => "E0406",
            ResolveError::ParameterTwice { .. } => "E0407",
            ResolveError::NotAssignable { .. } => "E0408",
            ResolveError::PatternVariableTwice { .. } => "E0410",
            ResolveError::OrPatternBindsDifferently { .. } => "E0411",
            ResolveError::NotACase { .. } => "E0412",
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            ResolveError::NotDefined { name, at, why } => {
                let d = Diagnostic::error(code, format!("the value `{name}` is not defined"), *at)
                    .with_label("not found in this scope");
                match why {
                    Undefined::BeingDefined { binding } => d
                        .with_secondary(*binding, format!("`{name}` is being defined here; its own value cannot use it"))
                        .with_help("write `let rec` for a recursive function; if the line that uses it is meant as the next statement, indent it to the column of this `let` (a line indented further continues the expression above)"),
                    Undefined::DefinedLater { definition } => d
                        .with_secondary(*definition, format!("`{name}` is defined here, below its use"))
                        .with_help("F# sees only what is defined above: move the definition before its first use, or define both with `let rec … and …`"),
                    Undefined::NoSuchMember { module, member } => {
                        d.with_help(format!("module `{module}` has no member `{member}`"))
                    }
                    Undefined::Similar(similar) => {
                        d.with_help(format!("a name in scope is similar: `{similar}`"))
                    }
                    Undefined::Unknown => d.with_help(
                        "define it with `let` before this point; F# scoping is top to bottom",
                    ),
                }
            }
            ResolveError::Duplicate {
                name,
                at,
                first,
                in_rec_group,
            } => Diagnostic::error(code, format!("duplicate definition of `{name}`"), *at)
                .with_label("defined again here")
                .with_secondary(*first, "first defined here")
                .with_help(if *in_rec_group {
                    "the bindings of one `let rec … and …` need distinct names"
                } else {
                    "top-level names must be unique within a module; rename one of them"
                }),
            ResolveError::TypeArgumentsOnMember { member, at } => Diagnostic::error(
                code,
                format!("type arguments on the member `{member}` are not supported"),
                *at,
            )
            .with_label("a field or property of a value, not a function of a module")
            .with_help(format!(
                "write the value without `<…>` (`x.{member}`); explicit type arguments apply to a function named by its module path"
            )),
            ResolveError::UnknownModule { path, at } => {
                Diagnostic::error(code, format!("unknown module `{path}`"), *at)
                    .with_label("no module or namespace of this name")
                    .with_help(
                        "`open` takes a module declared above with `module Name =`, or `System`",
                    )
            }
            ResolveError::NotMutable { name, at, defined } => {
                Diagnostic::error(code, format!("`{name}` is not mutable"), *at)
                    .with_label("cannot assign to this value")
                    .with_secondary(*defined, "defined here without `mutable`")
                    .with_help(format!("declare it with `let mutable {name} = …`"))
            }
            ResolveError::EntryPointNotLast { at } => Diagnostic::error(
                code,
                "the entry point must be the last declaration in the file",
                *at,
            )
            .with_label("`[<EntryPoint>]` function followed by other declarations")
            .with_help("move this function to the end of the file"),
            ResolveError::EntryPointArity { at, arity } => {
                Diagnostic::error(code, "the entry point must take exactly one parameter", *at)
                    .with_label(format!("takes {arity} parameters"))
                    .with_help("write it as `let main argv = …`, where `argv : string[]`")
            }
            ResolveError::ParameterTwice { name, at, first } => Diagnostic::error(
                code,
                format!("`{name}` is bound twice in this parameter list"),
                *at,
            )
            .with_label("bound again here")
            .with_secondary(*first, "first bound here")
            .with_help("give each parameter its own name"),
            ResolveError::NotAssignable { at } => {
                Diagnostic::error(code, "this expression cannot be assigned to", *at)
                    .with_label("not a mutable variable")
                    .with_help("`<-` assigns to a `let mutable` variable")
            }
            ResolveError::PatternVariableTwice { name, at, first } => Diagnostic::error(
                code,
                format!("`{name}` is bound twice in this pattern"),
                *at,
            )
            .with_label("bound again here")
            .with_secondary(*first, "first bound here")
            .with_help("use a different name, or `_` for a value you do not need"),
            ResolveError::OrPatternBindsDifferently { right, left } => Diagnostic::error(
                code,
                "the two sides of this `|` pattern bind different variables",
                *right,
            )
            .with_label("binds a different set of names")
            .with_secondary(*left, "than this side")
            .with_help("both alternatives must bind the same names, as in F#"),
            ResolveError::NotACase { name, at } => {
                Diagnostic::error(code, format!("`{name}` is not a union case"), *at)
                    .with_label("a pattern `Name p` needs a union case")
                    .with_help(
                        "declare the case in a `type … = | Case of …`, or check the spelling",
                    )
            }
        }
    }
}
