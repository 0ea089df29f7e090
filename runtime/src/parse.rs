//! The C ABI of string conversions (`int "42"`): the parsing itself is the
//! model's ([`barewire_model::parse`]), shared with the interpreter.

use crate::abi::ClefStr;
use crate::exceptions::{builtin_at, raise};
use barewire_model::exceptions::FORMAT;
pub use barewire_model::parse::{parse_char, parse_float, parse_int, IntKind};

/// `int s`, `int64 s`, `byte s` in compiled code (`kind`: [`IntKind::code`]).
///
/// # Safety
/// `s` and `loc` are strings made by generated code.
#[no_mangle]
pub unsafe extern "C" fn barewire_parse_int(
    s: *const ClefStr,
    kind: i32,
    loc: *const ClefStr,
) -> i64 {
    // SAFETY: as the caller promises.
    let text = String::from_utf8_lossy(unsafe { ClefStr::as_bytes(s) });
    let exn = match parse_int(&text, IntKind::from_code(kind)) {
        Ok(v) => return v,
        Err(msg) => format_exception(&msg, loc),
    };
    drop(text);
    raise(exn)
}

/// `FormatException` with the parser's message, raised at `loc`.
fn format_exception(msg: &str, loc: *const ClefStr) -> *const u64 {
    builtin_at((FORMAT, msg), msg, loc)
}

/// `float s`, `float32 s` in compiled code.
///
/// # Safety
/// `s` and `loc` are strings made by generated code.
#[no_mangle]
pub unsafe extern "C" fn barewire_parse_float(s: *const ClefStr, loc: *const ClefStr) -> f64 {
    // SAFETY: as the caller promises.
    let text = String::from_utf8_lossy(unsafe { ClefStr::as_bytes(s) });
    let exn = match parse_float(&text) {
        Ok(v) => return v,
        Err(msg) => format_exception(&msg, loc),
    };
    drop(text);
    raise(exn)
}

/// `char s` in compiled code: the one character of `s` (.NET's
/// `Char.Parse`), or `FormatException`.
///
/// # Safety
/// `s` and `loc` are strings made by generated code.
#[no_mangle]
pub unsafe extern "C" fn barewire_parse_char(s: *const ClefStr, loc: *const ClefStr) -> i32 {
    // SAFETY: as the caller promises.
    let text = String::from_utf8_lossy(unsafe { ClefStr::as_bytes(s) });
    let exn = match parse_char(&text) {
        Ok(c) => return c as i32,
        Err(msg) => format_exception(msg, loc),
    };
    drop(text);
    raise(exn)
}
