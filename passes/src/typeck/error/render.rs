//! How each [`TypeError`] reads: its message, labels and help, in F#'s
//! words where F# has them.

use super::*;

impl TypeError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            TypeError::Mismatch {
                expected,
                actual,
                at,
                because,
            } => {
                let d = Diagnostic::error(
                    code,
                    format!("type mismatch: expected `{expected}` but here has type `{actual}`"),
                    *at,
                )
                .with_label(format!("this has type `{actual}`"));
                with_because(d, because).with_help(conversion_help(expected, actual))
            }
            TypeError::Unsupported {
                ty,
                origin,
                class,
                at,
            } => Diagnostic::error(
                code,
                format!("the type `{ty}` does not support {origin}"),
                *at,
            )
            .with_label(format!("this has type `{ty}`"))
            .with_help(format!("{origin} needs {}", class.describe())),
            TypeError::NotAFunction {
                function,
                ty,
                at,
                head,
            } => Diagnostic::error(
                code,
                "this value is not a function and cannot be applied",
                *at,
            )
            .with_label("unexpected argument")
            .with_secondary(
                *head,
                format!("{} has type `{ty}`", function_name(function)),
            )
            .with_help("remove the argument, or check the spelling of the function"),
            TypeError::TooManyArguments {
                function,
                takes,
                given,
                result,
                at,
                head,
            } => {
                let name = function_name(function);
                Diagnostic::error(
                    code,
                    format!("{name} is applied to too many arguments ({given})"),
                    *at,
                )
                .with_label("unexpected argument")
                .with_secondary(
                    *head,
                    format!("{name} takes {takes} argument(s) and then gives `{result}`"),
                )
                .with_help(format!("pass {takes} argument(s)"))
            }
            TypeError::IfWithoutElse { ty, at } => Diagnostic::error(
                code,
                "this `if` has no `else` branch, so its `then` branch must be `unit`",
                *at,
            )
            .with_label(format!("this has type `{ty}`"))
            .with_help("add an `else` branch with a value of the same type"),
            TypeError::MemberOfUnknownType { member, at } => Diagnostic::error(
                code,
                format!("cannot look up `.{member}` on a value of unknown type"),
                *at,
            )
            .with_label("the type of this value is not known at this point")
            .with_help("add a type annotation to the value, e.g. `(argv: string[])`"),
            TypeError::UnknownType {
                name,
                at,
                similar,
                with_args,
            } => {
                let d = Diagnostic::error(code, format!("unknown type `{name}`"), *at)
                    .with_label("no type of this name is in scope");
                match similar {
                    Some(s) => d.with_help(format!("a type in scope is similar: `{s}`")),
                    None if *with_args => d.with_help("declare it with `type`, or check the spelling"),
                    None => d.with_help("the types are int, int64, byte, float, float32, bool, unit, string, arrays `T[]`, options, lists, `SharedBuffer<T, space>`, and the types the program declares"),
                }
            }
            TypeError::EntryPointType { ty, at } => Diagnostic::error(
                code,
                "the entry point must have type `string[] -> int`",
                *at,
            )
            .with_label(format!("this function has type `{ty}`"))
            .with_help("take the arguments as `argv: string[]` and return an int exit code"),
            TypeError::InvalidFormat { problem, at } => {
                Diagnostic::error(code, "invalid format string", *at)
                    .with_label(problem.clone())
                    .with_help("the specifiers are %d %i %f %.Nf %s %b %A and %% for a percent sign")
            }
            TypeError::NoMember {
                ty,
                member,
                members,
                at,
            } => Diagnostic::error(
                code,
                format!("the type `{ty}` has no member `{member}`"),
                *at,
            )
            .with_label("unknown member")
            .with_help(if members.is_empty() {
                member_help(ty)
            } else {
                format!("its members are: {}", members.join(", "))
            }),
            TypeError::NoField {
                ty,
                field,
                fields,
                at,
            } => Diagnostic::error(code, format!("the type `{ty}` has no field `{field}`"), *at)
                .with_label("unknown field")
                .with_help(if fields.is_empty() {
                    "this type has no fields".to_string()
                } else {
                    format!("its fields are: {}", fields.join(", "))
                }),
            TypeError::NotIndexable { ty, at } => {
                Diagnostic::error(code, format!("the type `{ty}` cannot be indexed"), *at)
                    .with_label(format!("this has type `{ty}`"))
                    .with_help(
                        "`.[i]` indexes arrays; annotate the value if its type is not known yet",
                    )
            }
            TypeError::FormatMissing { builtin, at } => Diagnostic::error(
                code,
                format!(
                    "`{}` must be applied to a literal format string",
                    builtin.name()
                ),
                *at,
            )
            .with_label("used without its format")
            .with_help(format!("write `{} \"…%d…\" value`", builtin.name())),
            TypeError::FormatNotLiteral { at } => {
                Diagnostic::error(code, "the format must be a string literal", *at)
                    .with_label("not a literal")
                    .with_help("formats are checked at compile time; write the string in place")
            }
            TypeError::FunctionComparison { at } => {
                Diagnostic::error(code, "functions cannot be compared", *at)
                    .with_label("comparing function values")
                    .with_help("compare the results of calling them instead")
            }
            TypeError::InfiniteType {
                expected,
                actual,
                at,
            } => Diagnostic::error(code, "this expression would have an infinite type", *at)
                .with_label(format!(
                    "`{actual}` would have to equal `{expected}`, which contains it"
                ))
                .with_help(
                    "a function probably returns itself or is applied to itself; check the arguments",
                ),
            TypeError::LiteralPatternMismatch {
                pattern,
                expected,
                at,
            } => Diagnostic::error(
                code,
                format!(
                    "this pattern has type `{pattern}` but the value matched has type `{expected}`"
                ),
                *at,
            )
            .with_label(format!("a pattern of type `{pattern}`"))
            .with_help("patterns must have the type of the value being matched"),
            TypeError::TuplePatternMismatch {
                arity,
                expected,
                at,
            } => Diagnostic::error(
                code,
                format!(
                    "this pattern is a {arity}-tuple but the value matched has type `{expected}`"
                ),
                *at,
            )
            .with_label("a tuple pattern")
            .with_help("the pattern must have the shape of the value being matched"),
            TypeError::CasePatternMismatch {
                case,
                union,
                expected,
                at,
            } => Diagnostic::error(
                code,
                format!(
                    "the case `{case}` belongs to `{union}`, but the value matched has type `{expected}`"
                ),
                *at,
            )
            .with_label(format!("a pattern of type `{union}`"))
            .with_help("patterns must have the type of the value being matched"),
            TypeError::RecordPatternMismatch { expected, at } => Diagnostic::error(
                code,
                format!(
                    "this record pattern does not fit the value matched, of type `{expected}`"
                ),
                *at,
            )
            .with_label("a record pattern")
            .with_help("patterns must have the type of the value being matched"),
            TypeError::UnknownRecord { field, at } => Diagnostic::error(
                code,
                format!("no record type has the field `{field}`"),
                *at,
            )
            .with_label("a record of an unknown type")
            .with_help("declare the record first: `type Name = { Field: type; … }`"),
            TypeError::UnknownRecordPattern { fields, at } => Diagnostic::error(
                code,
                format!("no record type has the field(s) `{}`", fields.join(", ")),
                *at,
            )
            .with_label("a record pattern of an unknown type")
            .with_help("declare the record first: `type Name = { Field: type; … }`"),
            TypeError::TypeArity {
                name,
                arity,
                given,
                at,
            } => Diagnostic::error(
                code,
                format!("the type `{name}` takes {arity} type argument(s), not {given}"),
                *at,
            )
            .with_label("wrong number of type arguments")
            .with_help(format!("write `{name}` with {arity} type argument(s)")),
            TypeError::FieldNotMutable {
                field,
                at,
                declared,
                is_field: true,
            } => {
                let d = Diagnostic::error(code, format!("the field `{field}` is not mutable"), *at)
                    .with_label("assigned here")
                    .with_help(format!(
                        "declare it `mutable {field}: …` in the record type, or make a new record with `{{ r with {field} = … }}`"
                    ));
                match declared {
                    Some(s) => d.with_secondary(*s, "declared without `mutable`"),
                    None => d,
                }
            }
            TypeError::FieldNotMutable { field, at, .. } => Diagnostic::error(
                code,
                format!("`{field}` is not a field and cannot be assigned to"),
                *at,
            )
            .with_label("a member, not a mutable field")
            .with_help("`<-` on a member assigns a `mutable` record field"),
            TypeError::NotSliceable { ty, at } => {
                Diagnostic::error(code, format!("the type `{ty}` cannot be sliced"), *at)
                    .with_label(format!("this has type `{ty}`"))
                    .with_help(
                        "`.[a..b]` slices arrays and strings (lists not yet); annotate the value if its type is not known yet",
                    )
            }
            TypeError::CyclicAbbreviation { name, at } => Diagnostic::error(
                code,
                format!("the type abbreviation `{name}` stands for itself"),
                *at,
            )
            .with_label("expanding this abbreviation reaches it again")
            .with_help("an abbreviation names another type; to define a recursive type, declare a union or a record"),
            TypeError::SharedBufferArity { given, at } => Diagnostic::error(
                code,
                format!("the type `SharedBuffer` takes 2 type arguments, not {given}"),
                *at,
            )
            .with_label("wrong number of type arguments")
            .with_help("write `SharedBuffer<element type, memory space>`, e.g. `SharedBuffer<float32, cxl_mem>`"),
            TypeError::FieldDeclaredTwice { field, at } => Diagnostic::error(
                code,
                format!("the field `{field}` is declared twice"),
                *at,
            )
            .with_label("a second field of this name")
            .with_help("give each field its own name"),
            TypeError::FieldGivenTwice { field, at, first } => {
                Diagnostic::error(code, format!("the field `{field}` is given twice"), *at)
                    .with_label("given again here")
                    .with_secondary(*first, "first given here")
                    .with_help("give each field once")
            }
            TypeError::CaseDeclaredTwice { case, at } => Diagnostic::error(
                code,
                format!("the case `{case}` is declared twice"),
                *at,
            )
            .with_label("a second case of this name")
            .with_help("give each case its own name"),
            TypeError::DuplicateType { name, at, first } => Diagnostic::error(
                code,
                format!("duplicate definition of type `{name}`"),
                *at,
            )
            .with_label("defined again here")
            .with_secondary(*first, "first defined here")
            .with_help("type names must be unique within a module"),
            TypeError::DuplicateMeasure { name, at } => Diagnostic::error(
                code,
                format!("duplicate definition of the measure `{name}`"),
                *at,
            )
            .with_label("defined again here")
            .with_help("measure names must be unique within a module"),
            TypeError::MissingFields { ty, missing, at } => Diagnostic::error(
                code,
                format!(
                    "missing field(s) in this `{ty}` record: {}",
                    missing.join(", ")
                ),
                *at,
            )
            .with_label("not every field is given")
            .with_help("a record expression gives every field; `{ r with … }` copies the others from `r`"),
            TypeError::UpdateNotRecord { ty, at } => Diagnostic::error(
                code,
                format!("`{{ … with … }}` needs a record, but this has type `{ty}`"),
                *at,
            )
            .with_label("not a record")
            .with_help("copy-and-update works on record values"),
            TypeError::CaseArity { case, fields, at } => {
                let what = match fields {
                    0 => "no fields".to_string(),
                    1 => "one field".to_string(),
                    n => format!(
                        "{n} fields, matched with a tuple pattern `({})`",
                        vec!["_"; *n].join(", ")
                    ),
                };
                Diagnostic::error(code, format!("the case `{case}` has {what}"), *at)
                    .with_label("a pattern of the wrong shape for this case")
                    .with_help(match fields {
                        0 => format!("write `{case}` alone"),
                        _ => format!("give `{case}` an argument pattern for its field(s)"),
                    })
            }
            TypeError::SizeofArity { at } => {
                Diagnostic::error(code, "`sizeof` takes one type argument", *at)
                    .with_label("write the type in angle brackets")
                    .with_help("for example `sizeof<float32>`")
            }
            TypeError::TypeArgumentCount {
                name,
                declared,
                given,
                at,
            } => Diagnostic::error(
                code,
                format!("`{name}` takes {declared} explicit type argument(s), not {given}"),
                *at,
            )
            .with_label("wrong number of type arguments")
            .with_help(
                "declare type parameters with `let f<'T> …`, or leave the arguments to inference",
            ),
            TypeError::BufferTypeArgumentCount {
                builtin,
                wanted,
                given,
                at,
            } => {
                let example = match builtin {
                    Builtin::BufferAllocate => "BAREWire.allocate<float32, cxl_mem> n",
                    Builtin::BufferAllocateAuto => "BAREWire.allocateAuto<float32> n",
                    Builtin::BufferMigrate => "BAREWire.migrate<cxl_mem> buf",
                    _ => "BAREWire.copy<gpu_mem> buf",
                };
                Diagnostic::error(
                    code,
                    format!(
                        "`{}` takes {wanted} type argument(s), not {given}",
                        builtin.name()
                    ),
                    *at,
                )
                .with_label("wrong number of type arguments")
                .with_help(format!("for example `{example}`"))
            }
            TypeError::BufferTypeArgumentsSwapped {
                builtin,
                elem,
                space,
                at,
                space_at,
            } => Diagnostic::error(
                code,
                format!(
                    "the type arguments of `{}` are the wrong way round",
                    builtin.name()
                ),
                *at,
            )
            .with_label("the memory space comes second")
            .with_secondary(*space_at, "a memory space, written first")
            .with_help(format!(
                "write `{}<{elem}, {space}>`: the element type, then the memory space",
                builtin.name()
            )),
            TypeError::MissingTypeArguments { builtin, at } => Diagnostic::error(
                code,
                format!("`{}` needs its type arguments", builtin.name()),
                *at,
            )
            .with_label("type arguments missing")
            .with_help("for example `BAREWire.allocate<float32, cxl_mem> n`"),
            TypeError::NotIterable { ty, at } => Diagnostic::error(
                code,
                format!("`for … in` needs a list or an array, not `{ty}`"),
                *at,
            )
            .with_label(format!("this has type `{ty}`"))
            .with_help("iterate a list or an array, or a range `a .. b`; annotate the value if its type is not known yet"),
            TypeError::UseWithoutDisposal { ty, at } => Diagnostic::error(
                code,
                format!("`use` needs a value with a disposal, and `{ty}` has none"),
                *at,
            )
            .with_label("bound with `use`")
            .with_help("bind it with `let`; `use` is for values the runtime must release, such as memory buffers"),
            TypeError::MeasureMismatch {
                expected_measure,
                actual_measure,
                expected,
                actual,
                at,
                because,
            } => {
                let d = measure_mismatch(
                    code,
                    expected_measure,
                    actual_measure,
                    *at,
                    expected,
                    actual,
                );
                with_because(d, because)
            }
            TypeError::UnknownMeasure { name, at } => Diagnostic::error(
                code,
                format!("unknown unit of measure `{name}`"),
                *at,
            )
            .with_label("not a declared measure")
            .with_help(format!("declare it first: `[<Measure>] type {name}`")),
            TypeError::MeasureAsType { at } => {
                Diagnostic::error(code, "a unit of measure is not a type", *at)
                    .with_label("a measure where a type belongs")
                    .with_help("put the measure on a number type: `float<m/s>`, `int64<bytes>`")
            }
            TypeError::NotAMeasure { at } => {
                Diagnostic::error(code, "this is not a unit of measure", *at)
                    .with_label("expected a measure such as `m`, `m/s^2` or `1`")
                    .with_help("measures are products and quotients of declared measures, `'u` variables, powers `^n` and `1`")
            }
            TypeError::MeasureVariableInAbbreviation { at } => Diagnostic::error(
                code,
                "a measure abbreviation cannot mention measure variables",
                *at,
            )
            .with_label("a variable here")
            .with_help("write it in terms of declared measures only"),
            TypeError::UnknownSpace {
                name,
                suggestion,
                at,
            } => {
                let d = Diagnostic::error(code, format!("unknown memory space `{name}`"), *at)
                    .with_label("not a memory space");
                match suggestion {
                    Some(s) => d.with_help(format!(
                        "did you mean `{s}`? The memory spaces are {}",
                        SPACES.join(", ")
                    )),
                    None => d.with_help(format!(
                        "the memory spaces are {}, or a variable such as 'space",
                        SPACES.join(", ")
                    )),
                }
            }
            TypeError::NotASpace { measure, at } => {
                Diagnostic::error(code, format!("`{measure}` is not a memory space"), *at)
                    .with_label("a buffer lives in exactly one memory space")
                    .with_help("write one of cpu_mem, cxl_mem, gpu_mem, gpu_bar, unified, or a variable such as 'space")
            }
            TypeError::SpaceInMeasure { space, at } => Diagnostic::error(
                code,
                format!("the memory space `{space}` is not a physical dimension"),
                *at,
            )
            .with_label("a memory space inside a unit of measure")
            .with_help("memory spaces only go in `SharedBuffer<'T, space>`; they cannot be multiplied, divided or put on numbers"),
            TypeError::Inaccessible {
                domain,
                space,
                at,
                through,
                inside,
            } => {
                let why = match through {
                    Some(name) => format!("`{name}` indexes this buffer in {}", domain.name()),
                    None => format!("this buffer is indexed in {}", domain.name()),
                };
                let mut d = Diagnostic::error(
                    code,
                    format!("{} cannot access `{space}` memory", domain.name()),
                    *at,
                )
                .with_label(why);
                if let Some(inside) = inside {
                    d = d.with_secondary(*inside, format!("indexed here, in {}", domain.name()));
                }
                d.with_help(format!(
                    "{} may touch {}; move the data first (`BAREWire.migrate<unified> buf` or `BAREWire.copy<…> buf`), or allocate it elsewhere",
                    domain.name(),
                    allowed(*domain)
                ))
            }
            TypeError::SpaceMismatch {
                expected,
                actual,
                at,
                origin,
                because,
            } => {
                let mut names = Vec::new();
                let exp = expected.display_in(&mut names);
                let act = actual.display_in(&mut names);
                let space = |t: &Type| match t {
                    Type::Buffer(_, m) => Type::Measure(m.clone()).display_in(&mut names.clone()),
                    _ => "?".into(),
                };
                let (want, have) = (space(expected), space(actual));
                let mut d = Diagnostic::error(
                    code,
                    format!(
                        "memory space mismatch: expected a buffer in `{want}`, but this one is in `{have}`"
                    ),
                    *at,
                )
                .with_label(format!("this has type `{act}`"));
                if let Some((span, origin)) = origin {
                    d = d.with_secondary(*span, origin.to_string());
                }
                with_because(d, because).with_help(format!(
                    "expected `{exp}`: move it with `BAREWire.migrate<{want}> buf`, copy it with `BAREWire.copy<{want}> buf`, or allocate it in `{want}`"
                ))
            }
            TypeError::BufferElement { elem, at } => Diagnostic::error(
                code,
                format!("a `SharedBuffer` cannot hold `{elem}`"),
                *at,
            )
            .with_label("buffers are raw memory outside the collected heap")
            .with_help("buffers hold numbers and booleans; keep other values in arrays or lists"),
            TypeError::IgnoredValue { ty, at } => Diagnostic::warning(
                code,
                format!("the result of this expression has type `{ty}` and is ignored"),
                *at,
            )
            .with_label("value discarded")
            .with_help("use `|> ignore` to discard it explicitly"),
        }
    }
}

/// `d` with the secondary label saying what imposed the expected type.
fn with_because(d: Diagnostic, because: &Option<(Span, Reason)>) -> Diagnostic {
    match because {
        Some((span, why)) => d.with_secondary(*span, why.to_string()),
        None => d,
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Annotation => f.write_str("the type is given here"),
            Reason::ExitCode => {
                f.write_str("the entry point returns the program's exit code, an `int`")
            }
            Reason::ThenBranch(t) => write!(f, "the `then` branch has type `{t}`"),
            Reason::FirstArm(t) => write!(f, "the first arm has type `{t}`"),
            Reason::TryBody(t) => write!(f, "the body of `try` has type `{t}`"),
            Reason::AssignedVariable(t) => write!(f, "the variable has type `{t}`"),
            Reason::AssignedElement(t) => write!(f, "the element has type `{t}`"),
            Reason::TypeArgument => f.write_str("the type argument is given here"),
            Reason::FunctionTakes(t) => write!(f, "this function takes `{t}` here"),
            Reason::LeftOperand(t) => write!(f, "the left operand has type `{t}`"),
            Reason::FieldDeclared(field) => {
                write!(f, "the field `{field}` is declared with this type")
            }
            Reason::ListElements(t) => write!(f, "the list's elements have type `{t}`"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Operator(op) => write!(f, "the operator `{}`", op.symbol()),
            Origin::Negation => f.write_str("negation"),
            Origin::ForLoop => f.write_str("a `for` loop"),
            Origin::Builtin(b) => write!(f, "`{}`", b.name()),
            Origin::IntegerFormat => f.write_str("`%d`"),
            Origin::FloatFormat => f.write_str("`%f`"),
        }
    }
}

impl fmt::Display for SpaceOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpaceOrigin::Inferred => "allocated here; an earlier use decided its space",
            SpaceOrigin::Fixed => "the buffer's space is fixed here",
            SpaceOrigin::Declared => "the buffer's space is declared here",
        })
    }
}

impl Class {
    /// What the class accepts, for the help of [`TypeError::Unsupported`].
    fn describe(self) -> &'static str {
        match self {
            Class::Numeric => "a numeric type (int, int64, byte, float, float32)",
            Class::Integer => "an integer type (int, int64, byte)",
            Class::Floating => "a floating-point type (float, float32)",
            Class::Signed => "a signed numeric type (int, int64, float, float32)",
            Class::Addable => "a numeric type or string",
            Class::Stringable => "a number, bool or string",
            Class::Convertible => "a number, or a string to parse",
        }
    }
}

/// The spaces code in `domain` may touch, for the help of
/// [`TypeError::Inaccessible`].
fn allowed(domain: Domain) -> &'static str {
    match domain {
        Domain::Cpu => "`cpu_mem`, `cxl_mem`, `gpu_bar` or `unified`",
        Domain::Gpu => "`gpu_mem`, `gpu_bar` or `unified`",
    }
}

/// The head of an application, as the E0503 messages name it.
fn function_name(function: &Option<String>) -> String {
    match function {
        Some(n) => format!("`{n}`"),
        None => "this expression".to_string(),
    }
}

/// The "units do not match" diagnostic, in F#'s words.
fn measure_mismatch(
    code: &'static str,
    expected: &Measure,
    actual: &Measure,
    at: Span,
    exp_ty: &Type,
    act_ty: &Type,
) -> Diagnostic {
    // One name list for everything printed, so `'u` and `'v` stay
    // apart.
    let mut names = Vec::new();
    let exp_text = exp_ty.display_in(&mut names);
    let act_text = act_ty.display_in(&mut names);
    let show = |m: &Measure| Type::Measure(m.clone()).display_in(&mut names.clone());
    let factor = expected.div(actual);
    let mut factor_vars = Vec::new();
    factor.vars(&mut factor_vars);
    let help = if factor_vars.is_empty() {
        format!(
            "expected `{exp_text}`: convert with a factor in `{}` (for example `x * 1.0<{}>`), or change the annotation",
            show(&factor),
            show(&factor)
        )
    } else {
        format!(
            "expected `{exp_text}`; a measure variable stands for any measure, so it cannot be made equal to a particular one: generalise the other side or change the annotation"
        )
    };
    Diagnostic::error(
        code,
        format!(
            "the unit of measure `{}` does not match the unit of measure `{}`",
            show(expected),
            show(actual)
        ),
        at,
    )
    .with_label(format!("this has type `{act_text}`"))
    .with_help(help)
}

/// What members exist, for an unknown-member error on a value of type `t`.
fn member_help(t: &Type) -> String {
    match t {
        t if t.is_prelude(PreludeType::Option) => "options have `.IsSome`, `.IsNone` and `.Value`".into(),
        t if t.is_prelude(PreludeType::List) => "use the `List` functions, e.g. `List.length xs`, `List.head xs`".into(),
        Type::Named { .. } => "this union declares no members: match on its cases, or add a `member`".into(),
        _ => "arrays and strings have `.Length`, options `.IsSome`, `.IsNone` and `.Value`, records their fields".into(),
    }
}

/// The help of a mismatch: numbers are never converted implicitly.
fn conversion_help(expected: &Type, actual: &Type) -> String {
    let conv = match expected {
        Type::Int => Some("int"),
        Type::Int64 => Some("int64"),
        Type::Byte => Some("byte"),
        Type::Float => Some("float"),
        Type::Float32 => Some("float32"),
        _ => None,
    };
    match conv {
        Some(c) if actual.is_numeric() => {
            format!("Clef never converts numbers implicitly: write `{c} (…)` to convert")
        }
        _ => "check the expression's type against what is expected here".to_string(),
    }
}
