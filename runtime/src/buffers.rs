//! `SharedBuffer<'T, 'space>` for compiled programs: BAREWire placed
//! memory behind a small header that generated code reads directly.
//!
//! Layout (`#[repr(C)]`, what codegen relies on): `len` (elements, i64) at
//! offset 0, `data` at 8, the allocation handle at 16, `host` (1 when the
//! CPU may touch `data`) at 24, `state` at 32 (0 live, 1 released, 2
//! migrated), the allocation site at 40 and the site that released or
//! migrated it at 48 (Clef strings). Residency codes: 0 `cpu_mem`, 2
//! `cxl_mem`, 3 `gpu_mem`, 4 `gpu_bar`, 5 `unified`, 6 a space inference
//! left free (placed as `cpu_mem` until the placement pass decides).
//!
//! Invariant: no access to released memory, ever. The header lives on the
//! collected heap and outlives the memory it describes: releasing or
//! migrating a buffer sets its length to 0 and its data to null and records
//! where, so any later access fails the bounds check, whose failure path
//! ([`barewire_fail_buffer_index`]) tells a released buffer from an index
//! out of range and names both sites (.NET's `ObjectDisposedException`).

use crate::abi::{fail, ClefStr};
use crate::alloc::{Allocation, Allocator, Request, Residency};

#[repr(C)]
pub struct ClefBuffer {
    pub len: i64,
    pub data: *mut u8,
    handle: *mut Allocation,
    pub host: i64,
    state: i64,
    site: *const ClefStr,
    ended_at: *const ClefStr,
}

const LIVE: i64 = 0;
const RELEASED: i64 = 1;
const MIGRATED: i64 = 2;

impl ClefBuffer {
    /// Fail cleanly (naming both sites) unless the buffer is live.
    fn expect_live(&self, loc: *const ClefStr, doing: &str) {
        if self.state == LIVE {
            return;
        }
        let (site, ended) = (location(self.site), location(self.ended_at));
        fail(
            loc,
            &crate::abi::messages::buffer_ended(doing, self.state == MIGRATED, &site, &ended),
        )
    }

    /// Release the memory now; the header stays, empty.
    fn end(&mut self, state: i64, loc: *const ClefStr) {
        if !self.handle.is_null() {
            // SAFETY: made by Box::into_raw in `place_labelled`, released
            // once (the handle is cleared here).
            drop(unsafe { Box::from_raw(self.handle) });
        }
        self.handle = std::ptr::null_mut();
        self.data = std::ptr::null_mut();
        self.len = 0;
        self.state = state;
        self.ended_at = loc;
    }
}

fn residency(code: i32) -> Residency {
    match code {
        2 => Residency::Cxl,
        3 => Residency::GpuMem,
        4 => Residency::GpuBar,
        5 => Residency::Unified,
        _ => Residency::CpuLocal,
    }
}

fn location(loc: *const ClefStr) -> String {
    // SAFETY: codegen passes a string literal.
    String::from_utf8_lossy(unsafe { ClefStr::as_bytes(loc) }).into_owned()
}

fn place(elems: i64, elem_size: i64, code: i32, loc: *const ClefStr) -> *mut ClefBuffer {
    let note = if code == barewire_model::space::LEFT_TO_PLACEMENT {
        " (space left to placement)"
    } else {
        ""
    };
    place_labelled(elems, elem_size, code, loc, note)
}

fn place_labelled(
    elems: i64,
    elem_size: i64,
    code: i32,
    loc: *const ClefStr,
    note: &str,
) -> *mut ClefBuffer {
    if elems < 0 {
        fail(loc, &crate::abi::messages::buffer_negative_size(elems));
    }
    let Some(bytes) = (elems as u64).checked_mul(elem_size.max(1) as u64) else {
        fail(loc, "buffer size overflows");
    };
    let mut label = location(loc);
    label.push_str(note);
    let request = Request::new(bytes as usize, residency(code)).label(label);
    let mut allocation = match Allocator::global().allocate(&request) {
        Ok(a) => a,
        Err(e) => fail(loc, &e.to_string()),
    };
    let host = allocation.host_accessible();
    if !allocation.zeroed() {
        if let Some(bytes) = allocation.as_mut_slice() {
            bytes.fill(0);
        }
    }
    let data = allocation.as_ptr();
    let header = crate::heap::alloc(std::mem::size_of::<ClefBuffer>()) as *mut ClefBuffer;
    // SAFETY: a fresh collected block of the header's size (8-aligned).
    unsafe {
        header.write(ClefBuffer {
            len: elems,
            data,
            handle: Box::into_raw(Box::new(allocation)),
            host: i64::from(host),
            state: LIVE,
            site: loc,
            ended_at: std::ptr::null(),
        })
    };
    header
}

/// `BAREWire.allocate<'T, space> n`: `n` zeroed elements of `elem_size`
/// bytes, or a clear failure naming `loc`.
#[no_mangle]
pub extern "C" fn barewire_buffer_new(
    elems: i64,
    elem_size: i64,
    code: i32,
    loc: *const ClefStr,
) -> *mut ClefBuffer {
    place(elems, elem_size, code, loc)
}

/// An allocation whose space the placement pass left to run time: the
/// same rules (`crate::placement`) on this machine and the real size.
#[no_mangle]
pub extern "C" fn barewire_buffer_new_policy(
    elems: i64,
    elem_size: i64,
    gpu_access: i32,
    large_threshold: i64,
    loc: *const ClefStr,
) -> *mut ClefBuffer {
    use crate::placement::{decide, PlacementConfig, SiteFacts, Verdict};
    let facts = SiteFacts {
        space: None,
        size_bytes: Some((elems.max(0) as u64).saturating_mul(elem_size.max(1) as u64)),
        gpu_access: gpu_access != 0,
    };
    let config = PlacementConfig {
        large_threshold: large_threshold.max(0) as u64,
    };
    match decide(&facts, Allocator::global().platform(), &config) {
        Verdict::Decided(d) => {
            let code = d.space.residency_code();
            place_labelled(
                elems,
                elem_size,
                code,
                loc,
                &format!(" (placed at run time: {})", d.reason),
            )
        }
        Verdict::AtRunTime { reason, .. } | Verdict::Unsatisfiable { reason, .. } => {
            fail(loc, &reason)
        }
    }
}

/// The end of a `use` scope (`loc`: the `use` binding). Releasing a
/// buffer twice is a clean error; releasing one that was migrated does
/// nothing, since its memory moved with the buffer `migrate` returned.
///
/// # Safety
/// `buf` comes from `barewire_buffer_new` (or copy, migrate).
#[no_mangle]
pub unsafe extern "C" fn barewire_buffer_free(buf: *mut ClefBuffer, loc: *const ClefStr) {
    if buf.is_null() {
        return;
    }
    // SAFETY: the caller's promise.
    let b = unsafe { &mut *buf };
    match b.state {
        LIVE => b.end(RELEASED, loc),
        MIGRATED => {}
        _ => b.expect_live(loc, "release the buffer again"),
    }
}

fn copy_into(src: &ClefBuffer, code: i32, elem_size: i64, loc: *const ClefStr) -> *mut ClefBuffer {
    src.expect_live(loc, "copy the buffer");
    let dst = place(src.len, elem_size, code, loc);
    // SAFETY: `dst` was just made.
    let d = unsafe { &*dst };
    if src.host == 0 || d.host == 0 {
        fail(
            loc,
            "copying between device memory and host memory needs the GPU runtime, which this build does not drive",
        );
    }
    let bytes = (src.len * elem_size.max(1)) as usize;
    // SAFETY: both are host memory of at least `bytes` bytes.
    unsafe { std::ptr::copy_nonoverlapping(src.data, d.data, bytes) };
    dst
}

/// `BAREWire.copy<space> buf`.
///
/// # Safety
/// `buf` is a live buffer.
#[no_mangle]
pub unsafe extern "C" fn barewire_buffer_copy(
    buf: *mut ClefBuffer,
    elem_size: i64,
    code: i32,
    loc: *const ClefStr,
) -> *mut ClefBuffer {
    // SAFETY: the caller's promise.
    copy_into(unsafe { &*buf }, code, elem_size, loc)
}

/// `BAREWire.migrate<space> buf`: the contents move and the old memory is
/// released at once. The old buffer stays an empty header that says it was
/// migrated, so a later access fails cleanly naming the migration, and the
/// end of its `use` scope releases nothing.
///
/// # Safety
/// `buf` is a live buffer.
#[no_mangle]
pub unsafe extern "C" fn barewire_buffer_migrate(
    buf: *mut ClefBuffer,
    elem_size: i64,
    code: i32,
    loc: *const ClefStr,
) -> *mut ClefBuffer {
    // SAFETY: the caller's promise.
    let old = unsafe { &mut *buf };
    old.expect_live(loc, "migrate the buffer");
    let moved = copy_into(old, code, elem_size, loc);
    old.end(MIGRATED, loc);
    moved
}

/// Coherency (inserted by the compiler's coherency pass where the hardware
/// does not keep memory coherent): drain this CPU's stores before a device
/// reads them.
#[no_mangle]
pub extern "C" fn barewire_sync_fence() {
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
}

/// Coherency: wait for the GPU's work, so its writes are visible to the
/// CPU. Without a CUDA driver (kernels compiled for the CPU have already
/// finished) there is nothing to wait for.
#[no_mangle]
pub extern "C" fn barewire_sync_device() {
    if let Ok(cuda) = crate::platform::cuda::driver() {
        if let Err(e) = cuda.synchronize() {
            crate::io::flush();
            eprintln!("error: waiting for the GPU failed: {e}");
            std::process::exit(1);
        }
    }
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
}

/// An index outside a buffer, or any access to one that was released or
/// migrated (its length is 0).
///
/// # Safety
/// `buf` is a buffer header.
#[no_mangle]
pub unsafe extern "C" fn barewire_fail_buffer_index(
    buf: *const ClefBuffer,
    index: i64,
    len: i64,
    loc: *const ClefStr,
) -> ! {
    // SAFETY: the caller's promise.
    if let Some(b) = unsafe { buf.as_ref() } {
        b.expect_live(loc, "access the buffer");
    }
    fail(loc, &crate::abi::messages::buffer_index(index, len))
}

/// `.Length` of a buffer that was released or migrated.
///
/// # Safety
/// `buf` is a buffer header.
#[no_mangle]
pub unsafe extern "C" fn barewire_fail_buffer_ended(
    buf: *const ClefBuffer,
    loc: *const ClefStr,
) -> ! {
    // SAFETY: the caller's promise.
    if let Some(b) = unsafe { buf.as_ref() } {
        b.expect_live(loc, "access the buffer");
    }
    fail(loc, "the buffer is no longer usable")
}

/// A kernel (compiled for the CPU) touched memory only the GPU can reach.
#[no_mangle]
pub extern "C" fn barewire_fail_device_memory(loc: *const ClefStr) -> ! {
    fail(
        loc,
        "this buffer is GPU device memory, and this code runs on the CPU (kernels are compiled for the CPU until the GPU back end exists)",
    )
}
