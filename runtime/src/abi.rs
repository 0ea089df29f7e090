//! The C ABI between generated code and the runtime.
//!
//! Value layouts (all little-endian, 8-byte aligned):
//! * `string`: a pointer to `{ len: i64, bytes: [u8; len] }` (UTF-8, no
//!   terminator). String literals are emitted by codegen in this layout.
//! * `T[]`: a pointer to `{ len: i64, elems: [T; len] }`.
//!
//! Failures (`barewire_fail_*`) flush stdout, print one line to stderr
//! naming the source location, and exit with status 1.

use crate::exceptions::throw_at;
use crate::io;
use barewire_model::exceptions;
use std::ffi::{c_char, CStr};
use std::sync::OnceLock;

#[repr(C)]
pub struct ClefStr {
    pub len: i64,
    pub bytes: [u8; 0],
}

impl ClefStr {
    /// # Safety
    /// `s` must point to a valid Clef string.
    pub unsafe fn as_bytes<'a>(s: *const ClefStr) -> &'a [u8] {
        if s.is_null() {
            return &[];
        }
        std::slice::from_raw_parts((*s).bytes.as_ptr(), (*s).len.max(0) as usize)
    }

    /// Allocate a string on the collected heap (it holds no pointers).
    pub fn alloc(bytes: &[u8]) -> *const ClefStr {
        let base = crate::heap::alloc_atomic(8 + bytes.len());
        // SAFETY: the block has room for the 8-byte header and `bytes`, and
        // the collector aligns blocks to at least 8 bytes.
        unsafe {
            (base as *mut i64).write(bytes.len() as i64);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(8), bytes.len());
        }
        base as *const ClefStr
    }
}

#[repr(C)]
pub struct ClefArray {
    pub len: i64,
    pub elems: [u64; 0],
}

static ARGS: OnceLock<usize> = OnceLock::new();

/// Called first by the generated `main`.
///
/// # Safety
/// `argv` must be the `argv` the C runtime passed to `main`.
#[no_mangle]
pub unsafe extern "C" fn barewire_rt_start(argc: i32, argv: *const *const c_char) {
    crate::fault::install();
    crate::heap::init();
    // A bug in the runtime: say so, after the program's own output.
    std::panic::set_hook(Box::new(|info| {
        io::flush();
        eprintln!("internal error in the BAREWire runtime: {info}");
    }));
    // F#'s `argv` excludes the program name.
    let mut args: Vec<u64> = Vec::with_capacity(argc.max(1) as usize);
    args.push(0);
    for i in 1..argc.max(0) as isize {
        let arg = CStr::from_ptr(*argv.offset(i));
        args.push(ClefStr::alloc(arg.to_bytes()) as u64);
    }
    args[0] = (args.len() - 1) as u64;
    let ptr = args.as_ptr() as usize;
    std::mem::forget(args);
    let _ = ARGS.set(ptr);
}

/// The program's arguments as a `string[]`.
#[no_mangle]
pub extern "C" fn barewire_rt_args() -> *const ClefArray {
    static EMPTY: [u64; 1] = [0];
    ARGS.get().map_or(EMPTY.as_ptr() as *const ClefArray, |&p| {
        p as *const ClefArray
    })
}

/// Flush output and exit with `code` (F#'s `exit`, and the end of `main`).
#[no_mangle]
pub extern "C" fn barewire_rt_exit(code: i32) -> ! {
    io::flush();
    std::process::exit(code)
}

/// The failure messages, shared with `clefc interp` so the two cannot
/// drift.
pub mod messages {
    use barewire_model::exceptions as tag;

    /// The exception each catchable failure raises: its tag in `exn` and
    /// .NET's message (what `e.Message` reads).
    pub type Exception = (usize, &'static str);
    pub const DIV_BY_ZERO_EXN: Exception = (tag::DIVIDE_BY_ZERO, "Attempted to divide by zero.");
    pub const OVERFLOW_EXN: Exception = (
        tag::OVERFLOW,
        "Arithmetic operation resulted in an overflow.",
    );
    pub const MATCH_EXN: Exception = (tag::MATCH_FAILURE, "The match cases were incomplete");
    pub const NEGATIVE_SIZE_EXN: Exception = (
        tag::ARGUMENT,
        "The input must be non-negative. (Parameter 'count')",
    );
    pub const EMPTY_EXN: Exception = (
        tag::ARGUMENT,
        "The input array was empty. (Parameter 'array')",
    );
    pub const NONE_EXN: Exception = (
        tag::NULL_REFERENCE,
        "Object reference not set to an instance of an object.",
    );
    pub const INDEX_EXN: Exception = (
        tag::INDEX_OUT_OF_RANGE,
        "Index was outside the bounds of the array.",
    );

    pub const DIV_BY_ZERO: &str = "attempted to divide by zero";
    pub const OVERFLOW: &str = "arithmetic operation resulted in an overflow";
    pub const MATCH: &str = "the match cases were incomplete: no arm matched the value";
    pub const NEGATIVE_SIZE: &str = "the array size must not be negative";
    pub const EMPTY: &str = "the input array was empty";
    pub const NONE: &str = "the option value was None (`.Value` of `None`)";

    pub fn index(index: i64, len: i64) -> String {
        format!("index {index} is out of range for an array of length {len}")
    }

    pub fn buffer_index(index: i64, len: i64) -> String {
        format!("index {index} is out of range for a buffer of length {len}")
    }

    /// An operation (`doing`: "access the buffer", …) on a buffer that was
    /// migrated (`migrated`) or released at `ended`, allocated at `site`.
    pub fn buffer_ended(doing: &str, migrated: bool, site: &str, ended: &str) -> String {
        let why = if migrated {
            format!(
                "it was migrated at {ended} (allocated at {site}); use the buffer `BAREWire.migrate` returned"
            )
        } else {
            format!(
                "it was released at the end of the `use` scope of {ended} (allocated at {site}); bind it with `let` to keep it longer"
            )
        };
        format!("cannot {doing}: {why}")
    }

    pub fn buffer_negative_size(elems: i64) -> String {
        format!("a buffer cannot have a negative size ({elems})")
    }

    /// What stderr shows for a failure at `loc` (`file:line:col`).
    pub fn at(msg: &str, loc: &str) -> String {
        format!("error: {msg}\n  at {loc}")
    }

    /// What stderr shows for an exception the program declared that
    /// nothing caught (`text`: its `%A`).
    pub fn uncaught(text: &str) -> String {
        format!("error: unhandled exception {text}")
    }

    /// What stderr shows for `failwith message`.
    pub fn failwith(message: &str) -> String {
        format!("error: {message}")
    }
}

pub(crate) fn fail(loc: *const ClefStr, msg: &str) -> ! {
    io::flush();
    // SAFETY: codegen passes a string literal.
    let loc = String::from_utf8_lossy(unsafe { ClefStr::as_bytes(loc) });
    eprintln!("{}", messages::at(msg, &loc));
    std::process::exit(1)
}

#[no_mangle]
pub extern "C" fn barewire_fail_div_by_zero(loc: *const ClefStr) -> ! {
    throw_at(messages::DIV_BY_ZERO_EXN, messages::DIV_BY_ZERO, loc)
}

#[no_mangle]
pub extern "C" fn barewire_fail_overflow(loc: *const ClefStr) -> ! {
    throw_at(messages::OVERFLOW_EXN, messages::OVERFLOW, loc)
}

#[no_mangle]
pub extern "C" fn barewire_fail_match(loc: *const ClefStr) -> ! {
    throw_at(messages::MATCH_EXN, messages::MATCH, loc)
}

/// F#'s `failwith message`: raises `Failure message`; uncaught, the
/// message is on stderr, exit status 1.
///
/// # Safety
/// `message` must be a valid Clef string.
#[no_mangle]
pub unsafe extern "C" fn barewire_failwith(message: *const ClefStr) -> ! {
    let block = crate::heap::alloc(16) as *mut u64;
    *block = exceptions::FAILURE as u64;
    *block.add(1) = message as u64;
    crate::exceptions::raise(block)
}

#[no_mangle]
pub extern "C" fn barewire_fail_negative_size(loc: *const ClefStr) -> ! {
    throw_at(messages::NEGATIVE_SIZE_EXN, messages::NEGATIVE_SIZE, loc)
}

#[no_mangle]
pub extern "C" fn barewire_fail_empty(loc: *const ClefStr) -> ! {
    throw_at(messages::EMPTY_EXN, messages::EMPTY, loc)
}

#[no_mangle]
pub extern "C" fn barewire_fail_none(loc: *const ClefStr) -> ! {
    throw_at(messages::NONE_EXN, messages::NONE, loc)
}

#[no_mangle]
pub extern "C" fn barewire_fail_index(index: i64, len: i64, loc: *const ClefStr) -> ! {
    let exn = crate::exceptions::builtin_at(messages::INDEX_EXN, &messages::index(index, len), loc);
    crate::exceptions::raise(exn)
}

/// # Safety
/// Both arguments must be valid Clef strings.
#[no_mangle]
pub unsafe extern "C" fn barewire_string_concat(
    a: *const ClefStr,
    b: *const ClefStr,
) -> *const ClefStr {
    let (a, b) = (ClefStr::as_bytes(a), ClefStr::as_bytes(b));
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    ClefStr::alloc(&v)
}

/// Ordinal comparison, as F#'s `compare` on strings: -1, 0 or 1.
///
/// # Safety
/// Both arguments must be valid Clef strings.
#[no_mangle]
pub unsafe extern "C" fn barewire_string_compare(a: *const ClefStr, b: *const ClefStr) -> i32 {
    ClefStr::as_bytes(a).cmp(ClefStr::as_bytes(b)) as i32
}

#[no_mangle]
pub extern "C" fn barewire_pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

#[no_mangle]
pub extern "C" fn barewire_fmod(a: f64, b: f64) -> f64 {
    a % b
}

/// The clamped bounds of slice `[from..to]` of a collection of `len`
/// elements, as F# slices (out-of-range parts are dropped): the first
/// index and the count (`(0, 0)` for an empty slice).
pub fn slice_bounds(len: i64, from: i32, to: i32) -> (i64, i64) {
    let lo = i64::from(from).max(0);
    let hi = i64::from(to).min(len - 1);
    if hi < lo {
        (0, 0)
    } else {
        (lo, hi - lo + 1)
    }
}

/// `s.[from..to]`: the bytes of `s` in that range (strings are UTF-8;
/// indices count bytes, as `String.length` does).
///
/// # Safety
/// `s` must be a valid Clef string.
#[no_mangle]
pub unsafe extern "C" fn barewire_string_slice(
    s: *const ClefStr,
    from: i32,
    to: i32,
) -> *const ClefStr {
    let bytes = ClefStr::as_bytes(s);
    let (lo, n) = slice_bounds(bytes.len() as i64, from, to);
    ClefStr::alloc(&bytes[lo as usize..(lo + n) as usize])
}

/// `a.[from..to]`: a new array of the elements in that range (arrays are
/// `{ len: i64, elements }`, each `elem_size` bytes).
///
/// # Safety
/// `a` must be a valid Clef array of elements of `elem_size` bytes.
#[no_mangle]
pub unsafe extern "C" fn barewire_array_slice(
    a: *const u8,
    elem_size: i64,
    from: i32,
    to: i32,
) -> *mut u8 {
    // SAFETY: the caller passes a Clef array, whose length is its first word.
    let len = unsafe { *(a as *const i64) };
    let (lo, n) = slice_bounds(len, from, to);
    let bytes = (n * elem_size) as usize;
    let out = crate::heap::alloc(8 + bytes);
    // SAFETY: `out` has room for the length and `n` elements; the source
    // range lies inside `a`'s elements.
    unsafe {
        *(out as *mut i64) = n;
        std::ptr::copy_nonoverlapping(a.add(8 + (lo * elem_size) as usize), out.add(8), bytes);
    }
    out
}

#[cfg(test)]
mod slice_tests {
    use super::slice_bounds;

    #[test]
    fn slices_are_clamped_to_the_collection() {
        assert_eq!(slice_bounds(5, 1, 3), (1, 3));
        assert_eq!(slice_bounds(5, -2, 1), (0, 2));
        assert_eq!(slice_bounds(5, 3, 100), (3, 2));
        assert_eq!(slice_bounds(5, 4, 2), (0, 0));
        assert_eq!(slice_bounds(5, 7, 9), (0, 0));
        assert_eq!(slice_bounds(0, 0, i32::MAX), (0, 0));
    }
}
