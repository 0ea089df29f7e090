//! The exceptions the runtime raises: the first cases of the prelude's
//! `exn` union, in this order, each carrying its message (a string). The
//! compiler declares them (so `:? System.DivideByZeroException` and
//! `Failure m` are case tests) and the runtime builds them by index, so
//! the two agree through this list alone.
//!
//! A run-time failure's exception object is `[tag, message, report]`: the
//! union case's block (tag, then its one field) followed by the text the
//! program prints on stderr if nothing catches it (the message with where
//! the failure happened). Code compiled from Clef never reads the report.

/// The bytes a `try` reserves in its frame for the runtime's handler
/// record: the caught exception (offset 0), the next handler out, then
/// the C library's `jmp_buf` at [`HANDLER_JMP_BUF`].
pub const HANDLER_BYTES: u32 = 16 + 512;
/// Where the handler's `jmp_buf` starts.
pub const HANDLER_JMP_BUF: i32 = 16;

/// .NET's names, which F# programs match with `:?`; `Failure` is F#'s
/// `failwith` (a plain `System.Exception`).
pub const BUILTIN: [&str; 10] = [
    "Failure",
    "IndexOutOfRangeException",
    "DivideByZeroException",
    "MatchFailureException",
    "ArgumentException",
    "InvalidOperationException",
    "NullReferenceException",
    "OverflowException",
    "KeyNotFoundException",
    "FormatException",
];

/// The tag (case index in `exn`) of a built-in exception.
pub fn tag(name: &str) -> Option<usize> {
    BUILTIN.iter().position(|n| *n == name)
}

pub const FAILURE: usize = 0;
pub const INDEX_OUT_OF_RANGE: usize = 1;
pub const DIVIDE_BY_ZERO: usize = 2;
pub const MATCH_FAILURE: usize = 3;
pub const ARGUMENT: usize = 4;
pub const INVALID_OPERATION: usize = 5;
pub const NULL_REFERENCE: usize = 6;
pub const OVERFLOW: usize = 7;
pub const KEY_NOT_FOUND: usize = 8;
pub const FORMAT: usize = 9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_tags_are_the_positions_of_their_names() {
        for (tag_, name) in [
            (FAILURE, "Failure"),
            (INDEX_OUT_OF_RANGE, "IndexOutOfRangeException"),
            (DIVIDE_BY_ZERO, "DivideByZeroException"),
            (MATCH_FAILURE, "MatchFailureException"),
            (ARGUMENT, "ArgumentException"),
            (INVALID_OPERATION, "InvalidOperationException"),
            (NULL_REFERENCE, "NullReferenceException"),
            (OVERFLOW, "OverflowException"),
            (KEY_NOT_FOUND, "KeyNotFoundException"),
            (FORMAT, "FormatException"),
        ] {
            assert_eq!(tag(name), Some(tag_));
        }
    }
}
