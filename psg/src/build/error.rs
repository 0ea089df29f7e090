//! The PSG builder's errors, as data: the code comes from the variant and
//! the words from [`BuildError::to_diagnostic`].

use crate::graph::IntTy;
use clef_frontend::{Diagnostic, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// A numeric literal that does not fit its type (`type_name` as the
    /// program writes it).
    LiteralOutOfRange {
        ty: IntTy,
        type_name: &'static str,
        at: Span,
    },
    /// `module M` after other declarations.
    ModuleNotFirst { at: Span },
    /// An attribute clefc does not know.
    UnknownAttribute { name: String, at: Span },
    /// `let (a, b) = …` at the top level.
    TopLevelPattern { at: Span },
    /// A nested module's path used as a value.
    ModuleAsValue { path: String, at: Span },
    /// `yield` (or `for … -> e`) outside a list or array expression, or
    /// inside a lambda within one.
    YieldOutsideListExpression { at: Span },
    /// `return`, `let!`, `do!` … outside a computation expression.
    OutsideComputation { keyword: String, at: Span },
    /// `:? T` where `T` is not one of the exceptions the runtime raises.
    TypeTestNotException { name: String, at: Span },
    /// An interface implementation (in a class or an object expression)
    /// that leaves out slots of the interface or defines others (F#'s
    /// FS0366 and FS0855).
    InterfaceMismatch {
        interface: String,
        missing: Vec<String>,
        extra: Vec<String>,
        at: Span,
    },
    /// `interface IFoo with`, `:> IFoo` or `{ new IFoo with … }` where
    /// `IFoo` is not an interface declared before.
    UnknownInterface { name: String, at: Span },
    /// An active pattern used where clefc cannot desugar it (nested in
    /// another pattern, given too many patterns, a non-value argument).
    ActivePattern { message: String, at: Span },
    /// `Shape.Triangle` where `Shape` has no such case.
    NotACaseOf {
        case: String,
        union: String,
        cases: Vec<String>,
        at: Span,
    },
}

impl BuildError {
    pub fn code(&self) -> &'static str {
        match self {
            BuildError::LiteralOutOfRange { .. } => "E0108",
            BuildError::ModuleNotFirst { .. } => "E0307",
            BuildError::UnknownAttribute { .. } => "E0308",
            BuildError::TopLevelPattern { .. } => "E0309",
            BuildError::ModuleAsValue { .. } => "E0413",
            BuildError::NotACaseOf { .. } => "E0414",
            BuildError::YieldOutsideListExpression { .. } => "E0416",
            BuildError::OutsideComputation { .. } => "E0417",
            BuildError::TypeTestNotException { .. } => "E0418",
            BuildError::InterfaceMismatch { .. } => "E0419",
            BuildError::UnknownInterface { .. } => "E0420",
            BuildError::ActivePattern { .. } => "E0421",
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            BuildError::InterfaceMismatch {
                interface,
                missing,
                extra,
                at,
            } => {
                let message = match missing.first() {
                    Some(m) => format!("no implementation was given for `{interface}.{m}`"),
                    None => format!("`{}` is not a member of the interface `{interface}`", extra[0]),
                };
                let mut help = String::new();
                if !missing.is_empty() {
                    help = format!("implement every member of `{interface}`; missing: {}", missing.join(", "));
                }
                if !extra.is_empty() {
                    if !help.is_empty() {
                        help.push_str("; ");
                    }
                    help.push_str(&format!("not in `{interface}`: {}", extra.join(", ")));
                }
                Diagnostic::error(code, message, *at)
                    .with_label("this implementation")
                    .with_help(help)
            }
            BuildError::ActivePattern { message, at } => Diagnostic::error(code, message.clone(), *at)
                .with_label("this active pattern")
                .with_help("match the value with the active pattern at the top of an arm (`| Even -> …`, `| Prefix \"ab\" rest -> …`), binding the rest to names matched inside the arm"),
            BuildError::UnknownInterface { name, at } => Diagnostic::error(
                code,
                format!("`{name}` is not an interface"),
                *at,
            )
            .with_label("no interface of this name is declared before here")
            .with_help("declare it first: `type IName = abstract Member : type`; `IDisposable` is predefined"),
            BuildError::LiteralOutOfRange { ty, type_name, at } => Diagnostic::error(
                code,
                format!("this literal is out of range for `{type_name}`"),
                *at,
            )
            .with_label(format!("does not fit in `{type_name}`"))
            .with_help(match ty {
                IntTy::Int => "use an `int64` literal with the `L` suffix, e.g. `3000000000L`",
                IntTy::Int64 => {
                    "int64 literals range from -9223372036854775808 to 9223372036854775807"
                }
                IntTy::Byte => "byte literals range from 0uy to 255uy",
            }),
            BuildError::ModuleNotFirst { at } => Diagnostic::error(
                code,
                "`module` must be the first declaration of the file",
                *at,
            )
            .with_label("a module declaration after other declarations")
            .with_help(
                "move `module` to the top, or remove it (nested modules are not supported yet)",
            ),
            BuildError::UnknownAttribute { name, at } => Diagnostic::error(
                code,
                format!("unknown attribute `{name}`"),
                *at,
            )
            .with_label("not an attribute clefc knows")
            .with_help(
                "the supported attributes are `[<EntryPoint>]`, `[<Kernel>]` and `[<Measure>]`",
            ),
            BuildError::TopLevelPattern { at } => Diagnostic::error(
                code,
                "pattern bindings at the top level are not supported yet",
                *at,
            )
            .with_label("a `let` that destructures at module level")
            .with_help("bind each value with its own `let`, or destructure inside a function"),
            BuildError::YieldOutsideListExpression { at } => Diagnostic::error(
                code,
                "`yield` is only allowed in a list or array expression",
                *at,
            )
            .with_label("not directly inside `[ … ]` or `[| … |]`")
            .with_help(
                "put the loop in brackets to build a list (`[ for x in xs -> x * 2 ]`); a lambda inside a list expression cannot yield for it",
            ),
            BuildError::OutsideComputation { keyword, at } => Diagnostic::error(
                code,
                format!("`{keyword}` is only allowed in a computation expression"),
                *at,
            )
            .with_label("not inside `async { … }`, `seq { … }` or another builder")
            .with_help(if keyword == "return" {
                "a function's value is its last expression: drop `return`".to_string()
            } else {
                format!("`{keyword}` belongs inside a computation expression's braces")
            }),
            BuildError::TypeTestNotException { name, at } => Diagnostic::error(
                code,
                format!("the type test `:? {name}` is not supported"),
                *at,
            )
            .with_label("not an exception type clefc knows")
            .with_help(format!(
                "`:?` tests an exception's type, one of {}; match an exception declared with `exception` by its name",
                barewire_model::exceptions::BUILTIN[1..].join(", ")
            )),
            BuildError::ModuleAsValue { path, at } => {
                Diagnostic::error(code, format!("`{path}` is a module, not a value"), *at)
                    .with_label("a module used as a value")
                    .with_help(format!("name one of its members: `{path}.name`"))
            }
            BuildError::NotACaseOf {
                case,
                union,
                cases,
                at,
            } => Diagnostic::error(
                code,
                format!("`{case}` is not a case of the union `{union}`"),
                *at,
            )
            .with_label(format!("not a case of `{union}`"))
            .with_help(format!("the cases of `{union}` are {}", cases.join(", "))),
        }
    }
}
