//! The builtins: functions the language provides without a definition in
//! the program, by the names programs call them (`printfn`, `List.sum`,
//! `BAREWire.allocate`, …), with their arities. Name resolution annotates
//! a `Var` with one; type checking, codegen and the interpreter give each
//! its meaning.

/// Functions the language provides without a definition in the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Printfn,
    Printf,
    ToInt,
    ToInt64,
    ToByte,
    ToFloat,
    ToFloat32,
    /// `char n`: the character with that code; `char s`: a one-character
    /// string's character.
    ToChar,
    Not,
    Ignore,
    Exit,
    Sqrt,
    Abs,
    Min,
    Max,
    Fst,
    Snd,
    DefaultArg,
    OptionMap,
    OptionDefaultValue,
    OptionIsSome,
    OptionIsNone,
    OptionGet,
    Failwith,
    /// `raise e`: throw the exception `e`.
    Raise,
    /// `reraise ()`: throw again the exception a `with` handler caught.
    Reraise,
    ArrayZeroCreate,
    ArrayLength,
    ArraySum,
    ArrayMax,
    ArrayMin,
    ListSum,
    ListMapForward,
    ListFilterForward,
    Sizeof,
    Sprintf,
    ToString,
    StringLength,
    /// `BAREWire.allocate<'T, 'space> n`
    BufferAllocate,
    /// `BAREWire.allocateAuto<'T> n`: the space is left to inference.
    BufferAllocateAuto,
    /// `BAREWire.migrate<'dst> buf`: move the contents, free the old buffer.
    BufferMigrate,
    /// `BAREWire.copy<'dst> buf`: a copy in another space.
    BufferCopy,
    /// `BAREWire.detectedCxlVersion ()` and friends: the machine the
    /// program runs on (for `AppConfig.autoDetect`).
    DetectedCxlVersion,
    DetectedNumaNodes,
    DetectedFarNodes,
    DetectedGpus,
    DetectedResizableBar,
    /// `defaultof@ ()`: the zero of its type (null for a heap type), what
    /// a class's fields hold before its constructor assigns them.
    DefaultOf,
}

impl Builtin {
    pub const ALL: [Builtin; 48] = [
        Builtin::Printfn,
        Builtin::Printf,
        Builtin::ToInt,
        Builtin::ToInt64,
        Builtin::ToByte,
        Builtin::ToFloat,
        Builtin::ToFloat32,
        Builtin::ToChar,
        Builtin::Not,
        Builtin::Ignore,
        Builtin::Exit,
        Builtin::Sqrt,
        Builtin::Abs,
        Builtin::Min,
        Builtin::Max,
        Builtin::Fst,
        Builtin::Snd,
        Builtin::DefaultArg,
        Builtin::OptionMap,
        Builtin::OptionDefaultValue,
        Builtin::OptionIsSome,
        Builtin::OptionIsNone,
        Builtin::OptionGet,
        Builtin::Failwith,
        Builtin::Raise,
        Builtin::Reraise,
        Builtin::ArrayZeroCreate,
        Builtin::ArrayLength,
        Builtin::ArraySum,
        Builtin::ArrayMax,
        Builtin::ArrayMin,
        Builtin::ListSum,
        Builtin::ListMapForward,
        Builtin::ListFilterForward,
        Builtin::Sizeof,
        Builtin::Sprintf,
        Builtin::ToString,
        Builtin::StringLength,
        Builtin::BufferAllocate,
        Builtin::BufferAllocateAuto,
        Builtin::BufferMigrate,
        Builtin::BufferCopy,
        Builtin::DetectedCxlVersion,
        Builtin::DetectedNumaNodes,
        Builtin::DetectedFarNodes,
        Builtin::DetectedGpus,
        Builtin::DetectedResizableBar,
        Builtin::DefaultOf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Printfn => "printfn",
            Builtin::Printf => "printf",
            Builtin::ToInt => "int",
            Builtin::ToInt64 => "int64",
            Builtin::ToByte => "byte",
            Builtin::ToFloat => "float",
            Builtin::ToFloat32 => "float32",
            Builtin::ToChar => "char",
            Builtin::Not => "not",
            Builtin::Ignore => "ignore",
            Builtin::Exit => "exit",
            Builtin::Sqrt => "sqrt",
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Fst => "fst",
            Builtin::Snd => "snd",
            Builtin::DefaultArg => "defaultArg",
            Builtin::OptionMap => "Option.map",
            Builtin::OptionDefaultValue => "Option.defaultValue",
            Builtin::OptionIsSome => "Option.isSome",
            Builtin::OptionIsNone => "Option.isNone",
            Builtin::OptionGet => "Option.get",
            Builtin::Failwith => "failwith",
            Builtin::Raise => "raise",
            Builtin::Reraise => "reraise",
            Builtin::ArrayZeroCreate => "Array.zeroCreate",
            Builtin::ArrayLength => "Array.length",
            Builtin::ArraySum => "Array.sum",
            Builtin::ArrayMax => "Array.max",
            Builtin::ArrayMin => "Array.min",
            Builtin::ListSum => "List.sum",
            Builtin::ListMapForward => "List.mapForward",
            Builtin::ListFilterForward => "List.filterForward",
            Builtin::Sizeof => "sizeof",
            Builtin::Sprintf => "sprintf",
            Builtin::ToString => "string",
            Builtin::StringLength => "String.length",
            Builtin::BufferAllocate => "BAREWire.allocate",
            Builtin::BufferAllocateAuto => "BAREWire.allocateAuto",
            Builtin::BufferMigrate => "BAREWire.migrate",
            Builtin::BufferCopy => "BAREWire.copy",
            Builtin::DetectedCxlVersion => "BAREWire.detectedCxlVersion",
            Builtin::DetectedNumaNodes => "BAREWire.detectedNumaNodes",
            Builtin::DetectedFarNodes => "BAREWire.detectedFarNodes",
            Builtin::DetectedGpus => "BAREWire.detectedGpus",
            Builtin::DetectedResizableBar => "BAREWire.detectedResizableBar",
            Builtin::DefaultOf => "defaultof@",
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        // FSharp.Core's other names for the same conversions.
        let name = match name {
            "double" => "float",
            "single" => "float32",
            // What an interpolated string's holes are converted with.
            "string@interpolation" => "string",
            other => other,
        };
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Number of arguments a call must supply (the format string counts
    /// as the first argument of `printfn`; its holes add more).
    pub fn arity(self) -> usize {
        match self {
            Builtin::Min
            | Builtin::Max
            | Builtin::DefaultArg
            | Builtin::OptionMap
            | Builtin::OptionDefaultValue
            | Builtin::ListMapForward
            | Builtin::ListFilterForward => 2,
            _ => 1,
        }
    }
}
