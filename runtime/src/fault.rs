//! Fatal faults in compiled programs: stack overflow, bad memory accesses,
//! arithmetic traps. Each ends the program with a clear message on stderr
//! and exit status 1, after writing out the stdout already buffered.
//!
//! How a stack overflow is told from other faults: every thread that runs
//! Clef code calls [`guard_this_thread`], which records the thread's stack
//! range (with the guard area below it) and gives it an alternate signal
//! stack (`sigaltstack`), so the handler can run when the stack itself is
//! exhausted. A SIGSEGV whose fault address lies in the faulting thread's
//! stack range is a stack overflow; any other is an invalid access, named
//! with the BAREWire allocation it falls in, if any.
//!
//! Invariants:
//! - The handler allocates nothing and takes no lock it could wait on
//!   (`try_lock` only): it formats into a fixed buffer and writes with
//!   `write(2)`, then leaves with `_exit(2)`.
//! - The main thread's stack is raised at start-up to [`stack_size`]
//!   (`CLEF_STACK_SIZE`, default 256 MiB of address space, touched only as
//!   used), so F#-style recursion a few hundred thousand frames deep works.

use std::cell::Cell;
use std::fmt::Write as _;

/// Exit status of a program ended by a fault (as for every other run-time
/// failure).
pub const FAULT_EXIT: i32 = 1;

/// Default stack of the main thread: address space reserved, not memory.
pub const DEFAULT_STACK: usize = 256 << 20;

/// Size of each thread's alternate signal stack.
const ALT_STACK: usize = 64 << 10;

thread_local! {
    /// `(low, high)`: the addresses a stack overflow of this thread faults
    /// in (the stack and its guard area). `(0, 0)` until guarded.
    static STACK_RANGE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Whether this thread is the process's main thread.
    static IS_MAIN: Cell<bool> = const { Cell::new(false) };
}

/// The main thread's stack size: `CLEF_STACK_SIZE` (bytes, or with a `k`,
/// `m` or `g` suffix), else [`DEFAULT_STACK`].
pub fn stack_size() -> usize {
    std::env::var("CLEF_STACK_SIZE")
        .ok()
        .and_then(|v| parse_size(&v))
        .unwrap_or(DEFAULT_STACK)
}

/// `"64m"` → 64 MiB; plain numbers are bytes.
pub fn parse_size(text: &str) -> Option<usize> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, unit) = if let Some(d) = t.strip_suffix('k') {
        (d, 1 << 10)
    } else if let Some(d) = t.strip_suffix('m') {
        (d, 1 << 20)
    } else if let Some(d) = t.strip_suffix('g') {
        (d, 1 << 30)
    } else {
        (t.as_str(), 1)
    };
    digits.parse::<usize>().ok()?.checked_mul(unit)
}

/// Start-up, on the main thread: raise its stack limit, install the fault
/// handlers, and guard the thread.
pub fn install() {
    raise_main_stack(stack_size());
    for signal in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
        // SAFETY: a zeroed sigaction with our handler, SA_SIGINFO and
        // SA_ONSTACK; the handler only performs async-signal-safe work.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
    guard_this_thread();
}

/// The kernel grows the main thread's stack up to the soft `RLIMIT_STACK`
/// read at each fault, so raising the limit now gives this process a larger
/// stack. (Address space below the stack is kept free for at least 128 MiB
/// at exec time; beyond that, mappings may already sit in the way, and the
/// stack then ends where they begin, which [`guard_this_thread`] reads.)
fn raise_main_stack(size: usize) {
    // SAFETY: plain getrlimit/setrlimit on this process.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_STACK, &mut limit) != 0 {
            return;
        }
        let want = size as libc::rlim_t;
        if limit.rlim_cur == libc::RLIM_INFINITY || limit.rlim_cur >= want {
            return;
        }
        limit.rlim_cur = if limit.rlim_max == libc::RLIM_INFINITY {
            want
        } else {
            want.min(limit.rlim_max)
        };
        libc::setrlimit(libc::RLIMIT_STACK, &limit);
    }
}

/// Record this thread's stack range and give it an alternate signal stack.
/// Every thread that runs Clef code calls this once, first thing.
pub fn guard_this_thread() {
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; the
    // alternate stack is a fresh private mapping owned by this thread for
    // the rest of its life.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) == 0 {
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let mut guard: libc::size_t = 0;
            libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
            libc::pthread_attr_getguardsize(&attr, &mut guard);
            libc::pthread_attr_destroy(&mut attr);
            let low = addr as usize;
            let is_main = libc::getpid() == libc::gettid();
            // Below the main stack the kernel keeps `stack_guard_gap`
            // (256 pages) unmapped; below a thread's, glibc's guard page.
            let below = if is_main { 1 << 20 } else { guard.max(4096) };
            STACK_RANGE.with(|r| r.set((low.saturating_sub(below), low + size)));
            IS_MAIN.with(|m| m.set(is_main));
        }
        let stack = libc::mmap(
            std::ptr::null_mut(),
            ALT_STACK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if stack != libc::MAP_FAILED {
            let alt = libc::stack_t {
                ss_sp: stack,
                ss_flags: 0,
                ss_size: ALT_STACK,
            };
            libc::sigaltstack(&alt, std::ptr::null_mut());
        }
    }
}

/// A fixed-size text buffer: formatting into it never allocates.
struct Message {
    bytes: [u8; 1024],
    len: usize,
}

impl std::fmt::Write for Message {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.bytes.len() - self.len;
        let n = s.len().min(room);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Write all of `bytes` to `fd`, retrying short writes; errors end it.
pub(crate) fn write_fd(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: writing from a valid slice.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// The instruction address the fault happened at, from the signal context.
fn fault_pc(context: *mut libc::c_void) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the kernel passes a ucontext_t to SA_SIGINFO handlers.
        let uc = unsafe { (context as *const libc::ucontext_t).as_ref()? };
        Some(uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = context;
        None
    }
}

extern "C" fn handler(signal: i32, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let (addr, code) = unsafe { ((*info).si_addr() as usize, (*info).si_code) };
    crate::io::flush_for_fault();
    let mut msg = Message {
        bytes: [0; 1024],
        len: 0,
    };
    let (low, high) = STACK_RANGE.with(|r| r.get());
    let stack = (low..high).contains(&addr).then(|| {
        if IS_MAIN.with(|m| m.get()) {
            Stack::Main(stack_limit())
        } else {
            Stack::Thread(high - low)
        }
    });
    let mut name = [0u8; 128];
    let function = fault_pc(context)
        .and_then(|pc| crate::symbols::clef_function_at(pc, &mut name))
        .and_then(|n| std::str::from_utf8(&name[..n]).ok());
    let _ = describe(&mut msg, signal, code, addr, stack, function);
    write_fd(2, &msg.bytes[..msg.len]);
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(FAULT_EXIT) }
}

/// ` in the Clef function `f`` when the faulting function is known.
struct InFunction<'a>(Option<&'a str>);

impl std::fmt::Display for InFunction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(name) => write!(f, " in the Clef function `{name}`"),
            None => Ok(()),
        }
    }
}

/// The stack a fault address lies in, with its size in bytes.
#[derive(Clone, Copy)]
enum Stack {
    Main(usize),
    Thread(usize),
}

/// The first line of a stack overflow report (.NET's words).
pub const STACK_OVERFLOW: &str = "Stack overflow.";

fn describe(
    out: &mut Message,
    signal: i32,
    code: i32,
    addr: usize,
    stack: Option<Stack>,
    function: Option<&str>,
) -> std::fmt::Result {
    let inside = InFunction(function);
    match (signal, stack) {
        (libc::SIGSEGV, Some(stack)) => {
            // .NET's words for the same failure.
            writeln!(out, "{STACK_OVERFLOW}")?;
            write!(
                out,
                "error: the stack is exhausted{inside} (deep or endless recursion); "
            )?;
            match stack {
                Stack::Main(size) => writeln!(
                    out,
                    "the main thread's stack is {} MiB, set CLEF_STACK_SIZE (e.g. 1g) for more",
                    size >> 20
                ),
                Stack::Thread(size) => writeln!(out, "this thread's stack is {} KiB", size >> 10),
            }
        }
        (libc::SIGSEGV | libc::SIGBUS, _) => {
            let what = if signal == libc::SIGSEGV {
                "segmentation fault (SIGSEGV)"
            } else {
                "bus error (SIGBUS)"
            };
            write!(
                out,
                "error: {what}{inside}: invalid memory access at address {addr:#x}"
            )?;
            if !crate::alloc::registry::describe_address(addr, out) {
                write!(out, " (not in any BAREWire allocation)")?;
            }
            if signal == libc::SIGBUS {
                write!(
                    out,
                    "; memory behind a mapping went away or could not be provided \
                     (a DAX or CXL device removed, or a file truncated)"
                )?;
            }
            writeln!(out)
        }
        (libc::SIGFPE, _) => {
            // si_code values from <signal.h> (Linux).
            const FPE_INTDIV: i32 = 1;
            const FPE_INTOVF: i32 = 2;
            let why = match code {
                FPE_INTDIV => "integer division by zero",
                FPE_INTOVF => "integer overflow",
                _ => "arithmetic trap",
            };
            writeln!(out, "error: arithmetic fault (SIGFPE){inside}: {why}")
        }
        _ => writeln!(
            out,
            "error: illegal instruction (SIGILL) at address {addr:#x}"
        ),
    }
}

/// The main thread's stack limit now, in bytes.
fn stack_limit() -> usize {
    // SAFETY: a plain query.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_STACK, &mut limit) != 0 {
            return 0;
        }
        limit.rlim_cur as usize
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn stack_sizes_parse_with_suffixes() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999999999999g"), None);
    }
}
