//! Type checking's errors, as data: one variant per problem, its code
//! derived from the variant ([`TypeError::code`]) and its words in one
//! place ([`TypeError::to_diagnostic`]). Inference records what it found
//! (names, spans, counts, and types already resolved as far as inference
//! got, so rendering them needs no inference state); how that reads is
//! decided here. W0020 is the one warning.

use super::buffers::Domain;
use super::Class;
use clef_frontend::ast::BinOp;
use clef_frontend::{Diagnostic, Span};
use clef_psg::measure::{Measure, MEMORY_SPACES as SPACES};
use clef_psg::{Builtin, PreludeType, Type};
use std::fmt;

mod render;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    /// A value whose type is not the one expected: F#'s "expected … but
    /// here has type …" (with `because`, what imposed the expected type).
    Mismatch {
        expected: Type,
        actual: Type,
        at: Span,
        because: Option<(Span, Reason)>,
    },
    /// A class constraint that the type turned out not to meet, e.g. `+`
    /// on `bool` (`origin`: what imposed the constraint).
    Unsupported {
        ty: Type,
        origin: Origin,
        class: Class,
        at: Span,
    },
    /// An argument given to a value that is not a function (`function`:
    /// the name of the head, when it is a name; `head`: its span).
    NotAFunction {
        function: Option<String>,
        ty: Type,
        at: Span,
        head: Span,
    },
    /// A function given more arguments than it takes: after `takes` of
    /// the `given` arguments it gives `result`, which is not a function.
    TooManyArguments {
        function: Option<String>,
        takes: usize,
        given: usize,
        result: Type,
        at: Span,
        head: Span,
    },
    /// `if` without `else` whose `then` branch is not `unit`.
    IfWithoutElse { ty: Type, at: Span },
    /// `.member` on a value whose type is not known yet.
    MemberOfUnknownType { member: String, at: Span },
    /// A type name that no declaration or builtin type has (`with_args`:
    /// it was written with type arguments, `Name<…>`; `similar`: a type
    /// in scope spelt nearly the same).
    UnknownType {
        name: String,
        at: Span,
        similar: Option<String>,
        with_args: bool,
    },
    /// An `[<EntryPoint>]` function whose type is not `string[] -> int`.
    EntryPointType { ty: Type, at: Span },
    /// A `printf` format the format parser rejects (`problem`: what it
    /// says is wrong).
    InvalidFormat { problem: String, at: Span },
    /// `.member` on a type without that member (not a record).
    /// `members`: the instance members the type declares.
    NoMember {
        ty: Type,
        member: String,
        members: Vec<String>,
        at: Span,
    },
    /// A field that the record type does not declare (`fields`: those it
    /// does declare).
    NoField {
        ty: Type,
        field: String,
        fields: Vec<String>,
        at: Span,
    },
    /// `.[i]` on a value that is neither an array nor a buffer.
    NotIndexable { ty: Type, at: Span },
    /// `printf`, `printfn` or `sprintf` used without a format string.
    FormatMissing { builtin: Builtin, at: Span },
    /// A `printf` format that is not a string literal.
    FormatNotLiteral { at: Span },
    /// `=`, `<` and the other comparisons on function values.
    FunctionComparison { at: Span },
    /// Unification would build an infinite type (`'a = 'a -> 'b`).
    InfiniteType {
        expected: Type,
        actual: Type,
        at: Span,
    },
    /// A literal pattern of type `pattern` against a value of type
    /// `expected`.
    LiteralPatternMismatch {
        pattern: Type,
        expected: Type,
        at: Span,
    },
    /// A tuple pattern of `arity` items against a value of another type.
    TuplePatternMismatch {
        arity: usize,
        expected: Type,
        at: Span,
    },
    /// A case pattern of the union `union` (as instantiated for the
    /// pattern, its arguments not resolved) against a value of another
    /// type.
    CasePatternMismatch {
        case: String,
        union: Type,
        expected: Type,
        at: Span,
    },
    /// A record pattern against a value of another type.
    RecordPatternMismatch { expected: Type, at: Span },
    /// A record expression whose first field no record type declares.
    UnknownRecord { field: String, at: Span },
    /// A record pattern whose fields no record type declares (`fields`:
    /// the first field no record has, or all of them if each is declared
    /// by some record).
    UnknownRecordPattern { fields: Vec<String>, at: Span },
    /// A declared type written with the wrong number of type arguments.
    TypeArity {
        name: String,
        arity: usize,
        given: usize,
        at: Span,
    },
    /// `r.X <- v` where `X` is not declared `mutable` (F#'s FS0005), or
    /// the member assigned is not a field at all.
    FieldNotMutable {
        field: String,
        at: Span,
        /// The field's declaration, when it is in the program.
        declared: Option<Span>,
        is_field: bool,
    },
    /// `x.[a..b]` on a value that is not an array or a string.
    NotSliceable { ty: Type, at: Span },
    /// A type abbreviation that stands for itself (`type A = A list`).
    CyclicAbbreviation { name: String, at: Span },
    /// `SharedBuffer` written with other than two type arguments.
    SharedBufferArity { given: usize, at: Span },
    /// A record type declaring two fields of one name.
    FieldDeclaredTwice { field: String, at: Span },
    /// A record expression giving one field twice.
    FieldGivenTwice {
        field: String,
        at: Span,
        first: Span,
    },
    /// A union type declaring two cases of one name.
    CaseDeclaredTwice { case: String, at: Span },
    /// Two types of one name declared in one module.
    DuplicateType { name: String, at: Span, first: Span },
    /// A measure declared twice.
    DuplicateMeasure { name: String, at: Span },
    /// A record expression that does not give every field (`ty`: the
    /// record type as instantiated for the expression).
    MissingFields {
        ty: Type,
        missing: Vec<String>,
        at: Span,
    },
    /// `{ r with … }` where `r` is not a record.
    UpdateNotRecord { ty: Type, at: Span },
    /// A case pattern whose shape does not fit the case's `fields` fields.
    CaseArity {
        case: String,
        fields: usize,
        at: Span,
    },
    /// `sizeof` without exactly one type argument.
    SizeofArity { at: Span },
    /// `f<…>` with a number of type arguments other than the `declared`
    /// type parameters of `f`.
    TypeArgumentCount {
        name: String,
        declared: usize,
        given: usize,
        at: Span,
    },
    /// A `BAREWire` builtin given the wrong number of type arguments.
    BufferTypeArgumentCount {
        builtin: Builtin,
        wanted: usize,
        given: usize,
        at: Span,
    },
    /// `BAREWire.allocate<space, elem>`: the memory space written first
    /// (`elem`, `space`: the type arguments as written; `space_at`: where
    /// the space is).
    BufferTypeArgumentsSwapped {
        builtin: Builtin,
        elem: String,
        space: String,
        at: Span,
        space_at: Span,
    },
    /// A `BAREWire` builtin used without its type arguments.
    MissingTypeArguments { builtin: Builtin, at: Span },
    /// `for … in` over a value that is neither a list nor an array.
    NotIterable { ty: Type, at: Span },
    /// `use` binding a value without a disposal (not a buffer).
    UseWithoutDisposal { ty: Type, at: Span },
    /// Units of measure that cannot be made equal, in F#'s words (the
    /// measures, and the whole types they are in).
    MeasureMismatch {
        expected_measure: Measure,
        actual_measure: Measure,
        expected: Type,
        actual: Type,
        at: Span,
        because: Option<(Span, Reason)>,
    },
    /// A measure name that no `[<Measure>]` declaration has.
    UnknownMeasure { name: String, at: Span },
    /// A measure (`m/s`, `1`) written where a type belongs.
    MeasureAsType { at: Span },
    /// Something written where a measure belongs that is not one.
    NotAMeasure { at: Span },
    /// A measure abbreviation mentioning a measure variable.
    MeasureVariableInAbbreviation { at: Span },
    /// A memory space name that is not one (`suggestion`: the space meant,
    /// if one is close).
    UnknownSpace {
        name: String,
        suggestion: Option<String>,
        at: Span,
    },
    /// A buffer's space that is not exactly one space or one variable.
    NotASpace { measure: Measure, at: Span },
    /// A memory space inside a physical unit of measure.
    SpaceInMeasure { space: String, at: Span },
    /// A buffer indexed from a domain that cannot reach its space
    /// (`through`: the generic function that indexes it, if the access is
    /// inside one; `inside`: where that function indexes).
    Inaccessible {
        domain: Domain,
        space: String,
        at: Span,
        through: Option<String>,
        inside: Option<Span>,
    },
    /// A buffer in one memory space where another is required (`origin`:
    /// where its space came from, when that can be found).
    SpaceMismatch {
        expected: Type,
        actual: Type,
        at: Span,
        origin: Option<(Span, SpaceOrigin)>,
        because: Option<(Span, Reason)>,
    },
    /// A buffer allocated with an element type a buffer cannot hold.
    BufferElement { elem: Type, at: Span },
    /// W0020: a non-unit value in a sequence, discarded.
    IgnoredValue { ty: Type, at: Span },
}

/// What imposed an expected type: the secondary label of a mismatch.
/// Types in it are as they were when the label applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An annotation.
    Annotation,
    /// The entry point's result, the exit code.
    ExitCode,
    /// The `then` branch, of this type, fixes the `else` branch's type.
    ThenBranch(Type),
    /// The first arm of a `match`, of this type, fixes the other arms'.
    FirstArm(Type),
    /// The body of a `try`, of this type, fixes its handlers' type.
    TryBody(Type),
    /// The variable assigned to with `<-`, of this type.
    AssignedVariable(Type),
    /// The array or buffer element assigned to with `<-`, of this type.
    AssignedElement(Type),
    /// An explicit type argument, `f<int>`.
    TypeArgument,
    /// The function applied takes an argument of this type.
    FunctionTakes(Type),
    /// The left operand of a binary operator, of this type.
    LeftOperand(Type),
    /// The declaration of the record field of this name.
    FieldDeclared(String),
    /// The list's earlier elements, of this type.
    ListElements(Type),
}

/// What imposed a class constraint ([`TypeError::Unsupported`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A binary operator.
    Operator(BinOp),
    /// Unary `-`.
    Negation,
    /// The bounds of `for i = a to b`.
    ForLoop,
    /// A builtin function (`abs`, `int`, `List.sum`…).
    Builtin(Builtin),
    /// A `%d` or `%i` hole of a format.
    IntegerFormat,
    /// A `%f` hole of a format.
    FloatFormat,
}

/// Where a buffer's memory space came from ([`TypeError::SpaceMismatch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceOrigin {
    /// An `allocateAuto`, whose space an earlier use decided.
    Inferred,
    /// An `allocate`, `migrate` or `copy` naming the space.
    Fixed,
    /// A parameter's annotation.
    Declared,
}

impl TypeError {
    pub fn code(&self) -> &'static str {
        match self {
            TypeError::Mismatch { .. } => "E0501",
            TypeError::Unsupported { .. } => "E0502",
            TypeError::NotAFunction { .. } | TypeError::TooManyArguments { .. } => "E0503",
            TypeError::IfWithoutElse { .. } => "E0504",
            TypeError::MemberOfUnknownType { .. } => "E0505",
            TypeError::UnknownType { .. } => "E0506",
            TypeError::EntryPointType { .. } => "E0507",
            TypeError::InvalidFormat { .. } => "E0508",
            TypeError::NoMember { .. } | TypeError::NoField { .. } => "E0510",
            TypeError::NotIndexable { .. } => "E0511",
            TypeError::FormatMissing { .. } | TypeError::FormatNotLiteral { .. } => "E0512",
            TypeError::FunctionComparison { .. } => "E0513",
            TypeError::InfiniteType { .. } => "E0514",
            TypeError::LiteralPatternMismatch { .. }
            | TypeError::TuplePatternMismatch { .. }
            | TypeError::CasePatternMismatch { .. }
            | TypeError::RecordPatternMismatch { .. } => "E0515",
            TypeError::UnknownRecord { .. } | TypeError::UnknownRecordPattern { .. } => "E0516",
            TypeError::TypeArity { .. } | TypeError::SharedBufferArity { .. } => "E0517",
            TypeError::CyclicAbbreviation { .. } => "E0539",
            TypeError::NotSliceable { .. } => "E0540",
            TypeError::FieldNotMutable { .. } => "E0541",
            TypeError::FieldDeclaredTwice { .. }
            | TypeError::FieldGivenTwice { .. }
            | TypeError::CaseDeclaredTwice { .. } => "E0518",
            TypeError::DuplicateType { .. } | TypeError::DuplicateMeasure { .. } => "E0519",
            TypeError::MissingFields { .. } => "E0520",
            TypeError::UpdateNotRecord { .. } => "E0521",
            TypeError::CaseArity { .. } => "E0522",
            TypeError::SizeofArity { .. }
            | TypeError::TypeArgumentCount { .. }
            | TypeError::BufferTypeArgumentCount { .. }
            | TypeError::BufferTypeArgumentsSwapped { .. }
            | TypeError::MissingTypeArguments { .. } => "E0523",
            TypeError::NotIterable { .. } => "E0524",
            TypeError::UseWithoutDisposal { .. } => "E0525",
            TypeError::MeasureMismatch { .. } => "E0530",
            TypeError::UnknownMeasure { .. } => "E0531",
            TypeError::MeasureAsType { .. } => "E0532",
            TypeError::NotAMeasure { .. } | TypeError::MeasureVariableInAbbreviation { .. } => {
                "E0533"
            }
            TypeError::UnknownSpace { .. }
            | TypeError::NotASpace { .. }
            | TypeError::SpaceInMeasure { .. } => "E0534",
            TypeError::Inaccessible { .. } => "E0535",
            TypeError::SpaceMismatch { .. } => "E0536",
            TypeError::BufferElement { .. } => "E0537",
            TypeError::IgnoredValue { .. } => "W0020",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clef_frontend::Severity;

    fn errors(src: &str) -> Vec<TypeError> {
        let mut psg = crate::psg_of(src);
        let resolved = crate::resolve::resolve(&mut psg);
        assert!(resolved.is_empty(), "{resolved:?}");
        crate::eta::expand(&mut psg);
        super::super::infer(&psg).1
    }

    fn at(src: &str, needle: &str, nth: usize) -> Span {
        let start = src.match_indices(needle).nth(nth).expect("needle").0;
        Span::new(start, start + needle.len())
    }

    #[test]
    fn a_mismatch_records_both_types_and_the_annotation() {
        let src = "let x : int = \"s\"\n";
        assert_eq!(
            errors(src),
            vec![TypeError::Mismatch {
                expected: Type::Int,
                actual: Type::String,
                at: at(src, "\"s\"", 0),
                because: Some((at(src, "int", 0), Reason::Annotation)),
            }]
        );
    }

    #[test]
    fn a_printf_argument_of_the_wrong_class_names_the_hole() {
        let src = "let f () = printfn \"%d\" 1.5\n";
        let errs = errors(src);
        assert_eq!(
            errs,
            vec![TypeError::Unsupported {
                ty: Type::Float,
                origin: Origin::IntegerFormat,
                class: Class::Integer,
                at: at(src, "\"%d\"", 0),
            }]
        );
        let d = errs[0].to_diagnostic();
        assert_eq!(d.code, "E0502");
        assert_eq!(d.message, "the type `float` does not support `%d`");
        assert_eq!(
            d.help.as_deref(),
            Some("`%d` needs an integer type (int, int64, byte)")
        );
    }

    #[test]
    fn a_discarded_value_is_a_warning_and_extra_arguments_are_counted() {
        let src = "let g a = a + 1\nlet f () =\n    1 + 1\n    g 1 2\n";
        let errs = errors(src);
        assert_eq!(
            errs,
            vec![
                TypeError::IgnoredValue {
                    ty: Type::Int,
                    at: at(src, "1 + 1", 0),
                },
                TypeError::TooManyArguments {
                    function: Some("g".into()),
                    takes: 1,
                    given: 2,
                    result: Type::Int,
                    at: at(src, "2", 0),
                    head: at(src, "g", 1),
                },
            ]
        );
        let codes: Vec<&str> = errs.iter().map(TypeError::code).collect();
        assert_eq!(codes, ["W0020", "E0503"]);
        assert_eq!(errs[0].to_diagnostic().severity, Severity::Warning);
        let d = errs[1].to_diagnostic();
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            d.secondary,
            vec![(
                at(src, "g", 1),
                "`g` takes 1 argument(s) and then gives `int`".to_string()
            )]
        );
    }
}
