//! The garbage-collected heap for Clef values (strings made at run time,
//! closures, and later records, unions, lists and arrays).
//!
//! It is the Boehm–Demers–Weiser conservative collector (Debian's
//! `libgc-dev`, linked statically into programs): it finds roots by scanning
//! the stack, registers and static data, so generated code needs no stack
//! maps. Objects that hold no pointers (string bytes) are allocated
//! "atomic", so the collector never scans them. Memory that BAREWire places
//! on specific NUMA nodes or devices is managed explicitly and stays outside
//! this heap.

use std::ffi::c_void;

#[link(name = "gc")]
extern "C" {
    fn GC_init();
    fn GC_expand_hp(bytes: usize) -> i32;
    fn GC_malloc(size: usize) -> *mut c_void;
    fn GC_malloc_atomic(size: usize) -> *mut c_void;
    fn GC_malloc_many(size: usize) -> *mut c_void;
    fn GC_get_all_interior_pointers() -> i32;
    fn GC_get_heap_size() -> usize;
    fn GC_gcollect();
    fn GC_set_warn_proc(proc_: extern "C" fn(*const std::ffi::c_char, usize));
}

/// The collector's warnings ("Failed to expand heap", …) are not for the
/// program's user: a failed allocation is reported by [`out_of_memory`].
extern "C" fn ignore_warning(_message: *const std::ffi::c_char, _arg: usize) {}

/// Bytes the collected heap starts with.
const INITIAL_HEAP: usize = 8 << 20;

/// Start the collector; called first thing by the program's `main`.
/// Later calls do nothing.
pub fn init() {
    static START: std::sync::Once = std::sync::Once::new();
    // SAFETY: compiled programs call this on the main thread before any
    // allocation; the collector is only used from that thread.
    START.call_once(|| unsafe {
        GC_init();
        GC_set_warn_proc(ignore_warning);
        // Start with a heap large enough that short-lived garbage does not
        // trigger a collection every few hundred kilobytes (the collector
        // otherwise starts at 128 KiB and sizes to the live data).
        GC_expand_hp(INITIAL_HEAP);
    });
}

fn out_of_memory(size: usize) -> ! {
    crate::io::flush();
    eprintln!("{}", out_of_memory_message(size));
    std::process::exit(1)
}

/// .NET's OutOfMemoryException message, with the request.
pub fn out_of_memory_message(size: usize) -> String {
    format!(
        "error: insufficient memory to continue the execution of the program \
         (out of memory allocating {size} bytes)"
    )
}

/// Allocate `size` zeroed bytes that may hold pointers to other objects.
pub fn alloc(size: usize) -> *mut u8 {
    // SAFETY: GC_malloc returns zeroed memory or null.
    let p = unsafe { GC_malloc(size.max(1)) } as *mut u8;
    if p.is_null() {
        out_of_memory(size)
    }
    p
}

/// Allocate `size` bytes that hold no pointers (not zeroed).
pub fn alloc_atomic(size: usize) -> *mut u8 {
    // SAFETY: GC_malloc_atomic returns memory or null.
    let p = unsafe { GC_malloc_atomic(size.max(1)) } as *mut u8;
    if p.is_null() {
        out_of_memory(size)
    }
    p
}

/// Current size of the collected heap, in bytes.
pub fn heap_size() -> usize {
    // SAFETY: a plain query.
    unsafe { GC_get_heap_size() }
}

/// Run a full collection now.
pub fn collect() {
    // SAFETY: a plain request.
    unsafe { GC_gcollect() }
}

/// Generated code's allocation entry point: `size` bytes, zeroed, scanned
/// for pointers.
#[no_mangle]
pub extern "C" fn barewire_alloc(size: i64) -> *mut u8 {
    alloc(usize::try_from(size).unwrap_or(usize::MAX))
}
/// Bytes in one granule, the collector's unit of object size.
pub const GRANULE: usize = 16;
/// Objects of up to this many granules are allocated inline by generated
/// code from [`barewire_free_lists`].
pub const INLINE_GRANULES: usize = 16;

/// Free lists of collected objects, by size in granules: entry `g` is a
/// list of zeroed objects of `g` granules linked through their first word
/// (the collector's `GC_malloc_many` format), or null. Generated code
/// allocates an object of `g` granules by popping entry `g` and clearing
/// the link word, a few instructions; only an empty list calls
/// [`barewire_alloc_refill`]. The array is static data, so the collector
/// sees every object still on a list as live.
///
/// Single-threaded, as Clef programs are today: a program with several
/// threads needs one array per thread.
#[no_mangle]
pub static mut barewire_free_lists: [*mut u8; INLINE_GRANULES + 1] =
    [std::ptr::null_mut(); INLINE_GRANULES + 1];

/// The slow path of inline allocation: refill free list `granules` from
/// the collector and return its first object (zeroed).
#[no_mangle]
pub extern "C" fn barewire_alloc_refill(granules: i64) -> *mut u8 {
    let g = usize::try_from(granules)
        .ok()
        .filter(|g| (1..=INLINE_GRANULES).contains(g));
    let Some(g) = g else {
        // Not a size generated code asks for; allocate plainly.
        return alloc(usize::try_from(granules).unwrap_or(0) * GRANULE);
    };
    // SAFETY: GC_malloc_many returns a null-terminated list of cleared
    // objects linked through their first word, or null. The request
    // leaves room for the collector's extra byte, so objects are exactly
    // `g` granules.
    unsafe {
        let extra = usize::from(GC_get_all_interior_pointers() != 0);
        let list = GC_malloc_many(g * GRANULE - extra) as *mut *mut u8;
        if list.is_null() {
            out_of_memory(g * GRANULE)
        }
        let next = *list;
        *list = std::ptr::null_mut();
        let lists = &raw mut barewire_free_lists;
        (*lists)[g] = next;
        list as *mut u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{barewire_string_compare, barewire_string_concat, ClefStr};

    // The collector is used from one thread in programs; the test harness
    // runs each test on its own thread, so everything that allocates on
    // the collected heap is in this one test.
    #[test]
    fn collected_heap_strings_and_garbage() {
        init();
        let a = ClefStr::alloc(b"abc");
        let b = ClefStr::alloc(b"abd");
        unsafe {
            assert_eq!(ClefStr::as_bytes(a), b"abc");
            assert_eq!(barewire_string_compare(a, b), -1);
            assert_eq!(barewire_string_compare(b, a), 1);
            assert_eq!(barewire_string_compare(a, a), 0);
            let c = barewire_string_concat(a, b);
            assert_eq!(ClefStr::as_bytes(c), b"abcabd");
            assert_eq!(ClefStr::as_bytes(ClefStr::alloc(b"")), b"");
        }
        // The inline path's refill: zeroed objects of the size asked for,
        // and the rest of the list kept for the generated code.
        for g in [1i64, 2, 3, 16] {
            let p = barewire_alloc_refill(g);
            assert!(!p.is_null());
            let words = g as usize * GRANULE / 8;
            let slice = unsafe { std::slice::from_raw_parts(p as *const u64, words) };
            assert!(
                slice.iter().all(|&w| w == 0),
                "object of {g} granules not zeroed"
            );
        }
        // Allocate far more than we keep: the heap must stay bounded.
        for _ in 0..200_000 {
            assert!(!alloc(1024).is_null());
        }
        collect();
        assert!(
            heap_size() < INITIAL_HEAP + (64 << 20),
            "heap grew to {} bytes",
            heap_size()
        );
    }
}
