//! Exceptions: `try … with` handlers, `raise`, and what an exception no
//! handler catches prints.
//!
//! How a `try` works (the compiler's side is `mir::lower::function::
//! exceptions`): the enclosing function keeps a [`Handler`] in a stack
//! slot and calls the `try` body as a function of its own. That function
//! first calls [`barewire_try_enter`] (push the handler on this thread's
//! chain) and `barewire_setjmp` on the handler's buffer; the first return
//! runs the body and [`barewire_try_leave`] (pop), and returns the body's
//! value. [`barewire_raise`] pops the innermost handler, stores the
//! exception in it and `longjmp`s there: `setjmp` returns a second time,
//! and the body function returns at once; the enclosing function sees the
//! exception in the handler and runs its `with` arms.
//!
//! Invariants:
//! - The function that calls `setjmp` uses no value after its second
//!   return (it only returns), so no register or spill slot can be stale
//!   there; the compiler never inlines it.
//! - Only frames of generated code and plain runtime frames with nothing
//!   to drop lie between a raise and its handler: every runtime routine
//!   that raises builds the exception, drops its own values, then calls
//!   [`raise`].
//! - Cost when nothing is thrown: nothing in code without `try`; a `try`
//!   costs two runtime calls and a `setjmp` (no signal mask saved) each
//!   time it is entered.
//! - Stack overflow and invalid memory accesses stay fatal (as in .NET,
//!   where a stack overflow cannot be caught).

use crate::abi::{messages, ClefStr};
use crate::io;
use barewire_model::exceptions;
pub use barewire_model::exceptions::{BUILTIN, FAILURE, FORMAT};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;

/// Bytes reserved for the C library's `jmp_buf` (glibc's is 200 on
/// x86-64 and 312 on AArch64).
pub const JMP_BUF_BYTES: usize = 512;

/// One active `try`: lives in the frame of the function that entered it.
#[repr(C)]
pub struct Handler {
    /// The exception caught (a Clef `exn`), null while none is.
    pub exn: *const u64,
    /// The next handler out.
    prev: *mut Handler,
    buf: [u64; JMP_BUF_BYTES / 8],
}

thread_local! {
    /// The innermost active handler of this thread (null: none).
    static TOP: Cell<*mut Handler> = const { Cell::new(std::ptr::null_mut()) };
    /// The last exception the runtime raised for a failure, with the
    /// report (message and location) printed if nothing catches it.
    static REPORT: RefCell<Option<(usize, String)>> = const { RefCell::new(None) };
    /// The program's `%A` of an exception (registered by `main`).
    static TEXT: Cell<Option<ExceptionText>> = const { Cell::new(None) };
}

type ExceptionText = unsafe extern "C" fn(*const u64) -> *const ClefStr;

extern "C" {
    fn longjmp(env: *mut c_void, val: i32) -> !;
}

// `barewire_setjmp` is the C library's `_setjmp` (a jump, so that it
// returns twice into the caller's frame exactly as `_setjmp` would).
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".globl barewire_setjmp",
    ".type barewire_setjmp, @function",
    "barewire_setjmp:",
    "jmp _setjmp@PLT",
);
#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".globl barewire_setjmp",
    ".type barewire_setjmp, %function",
    "barewire_setjmp:",
    "b _setjmp",
);

/// Push `h` on this thread's handler chain.
///
/// # Safety
/// `h` points to a [`Handler`] that stays in place until
/// [`barewire_try_leave`] or a raise pops it.
#[no_mangle]
pub unsafe extern "C" fn barewire_try_enter(h: *mut Handler) {
    (*h).exn = std::ptr::null();
    (*h).prev = TOP.with(Cell::get);
    TOP.with(|t| t.set(h));
}

/// Pop `h` (the body returned normally).
///
/// # Safety
/// `h` is the innermost handler, pushed by [`barewire_try_enter`].
#[no_mangle]
pub unsafe extern "C" fn barewire_try_leave(h: *mut Handler) {
    TOP.with(|t| t.set((*h).prev));
}

/// `raise e`: to the innermost handler, or, with none, the end of the
/// program (stdout flushed, the exception on stderr, exit status 1).
///
/// # Safety
/// `exn` is a Clef `exn` value.
#[no_mangle]
pub unsafe extern "C" fn barewire_raise(exn: *const u64) -> ! {
    raise(exn)
}

/// `main` registers the program's `%A` printer of `exn`, for the report
/// of an uncaught exception the program declared.
#[no_mangle]
pub extern "C" fn barewire_rt_set_exception_text(f: ExceptionText) {
    TEXT.with(|t| t.set(Some(f)));
}

pub(crate) fn raise(exn: *const u64) -> ! {
    let h = TOP.with(Cell::get);
    if h.is_null() {
        uncaught(exn)
    }
    // SAFETY: `h` is the innermost live handler (its frame is below us
    // on this thread's stack); its buffer was filled by `setjmp`.
    unsafe {
        TOP.with(|t| t.set((*h).prev));
        (*h).exn = exn;
        longjmp((*h).buf.as_mut_ptr() as *mut c_void, 1)
    }
}

/// A built-in exception (`barewire_model::exceptions`) with its .NET
/// message, and the report to print if nothing catches it.
pub(crate) fn builtin((tag, message): (usize, &str), report: String) -> *const u64 {
    let block = crate::heap::alloc(16) as *mut u64;
    // SAFETY: a fresh collected block of two words.
    unsafe {
        *block = tag as u64;
        *block.add(1) = ClefStr::alloc(message.as_bytes()) as u64;
    }
    REPORT.with(|r| *r.borrow_mut() = Some((block as usize, report)));
    block
}

/// A run-time failure at `loc`: the exception `exn`, reported as `what`
/// at `loc` if uncaught.
pub(crate) fn throw_at(exn: messages::Exception, what: &str, loc: *const ClefStr) -> ! {
    raise(builtin_at(exn, what, loc))
}

/// The built-in exception `exn`, reported as `what` at `loc` (a string
/// literal of generated code) if uncaught.
pub(crate) fn builtin_at(exn: (usize, &str), what: &str, loc: *const ClefStr) -> *const u64 {
    // SAFETY: codegen passes a string literal.
    let loc = String::from_utf8_lossy(unsafe { ClefStr::as_bytes(loc) }).into_owned();
    builtin(exn, messages::at(what, &loc))
}

fn uncaught(exn: *const u64) -> ! {
    io::flush();
    let report = REPORT
        .with(|r| r.borrow_mut().take())
        .filter(|(p, _)| *p == exn as usize)
        .map(|(_, report)| report);
    let report = report.unwrap_or_else(|| {
        // SAFETY: `exn` is a Clef `exn`: a tag, then the case's fields.
        let tag = unsafe { *exn } as usize;
        if tag < exceptions::BUILTIN.len() {
            // SAFETY: a built-in exception's field is its message.
            let message = unsafe { ClefStr::as_bytes(*exn.add(1) as *const ClefStr) };
            messages::failwith(&String::from_utf8_lossy(message))
        } else {
            let text = match TEXT.with(Cell::get) {
                // SAFETY: the program's printer of its own `exn` values.
                Some(f) => {
                    String::from_utf8_lossy(unsafe { ClefStr::as_bytes(f(exn)) }).into_owned()
                }
                None => format!("exception case {tag}"),
            };
            messages::uncaught(&text)
        }
    });
    eprintln!("{report}");
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handler_layout_is_what_the_compiler_reserves() {
        assert_eq!(std::mem::offset_of!(Handler, exn), 0);
        assert_eq!(
            std::mem::offset_of!(Handler, buf),
            exceptions::HANDLER_JMP_BUF as usize
        );
        assert_eq!(
            std::mem::size_of::<Handler>(),
            exceptions::HANDLER_BYTES as usize
        );
    }
}
