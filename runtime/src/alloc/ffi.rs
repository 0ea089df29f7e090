//! The C ABI of placed allocation, for generated code and C callers.
//!
//! Residency codes: 0 `cpu_mem`, 1 a given node (`node` argument), 2
//! `cxl_mem`, 3 `gpu_mem`, 4 `gpu_bar`, 5 `unified`. Flags: bit 0 strict
//! binding, bit 1 no fallback. Handles are opaque; a null handle or pool
//! means failure, and `barewire_mem_last_error` says why.

use super::pool::Pool;
use super::{Allocation, Allocator, Request, Residency, Target};
use crate::abi::ClefStr;
use std::cell::RefCell;
use std::ffi::{c_char, CString};

pub const FLAG_STRICT: u32 = 1;
pub const FLAG_NO_FALLBACK: u32 = 2;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(message: String) {
    let c = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

fn residency(code: u32, node: i32) -> Option<Residency> {
    Some(match code {
        0 => Residency::CpuLocal,
        1 if node >= 0 => Residency::Node(node as u32),
        2 => Residency::Cxl,
        3 => Residency::GpuMem,
        4 => Residency::GpuBar,
        5 => Residency::Unified,
        _ => return None,
    })
}

fn residency_code(r: Residency) -> u32 {
    match r {
        Residency::CpuLocal => 0,
        Residency::Node(_) => 1,
        Residency::Cxl => 2,
        Residency::GpuMem => 3,
        Residency::GpuBar => 4,
        Residency::Unified => 5,
    }
}

fn request(len: usize, code: u32, node: i32, flags: u32) -> Result<Request, String> {
    let r =
        residency(code, node).ok_or_else(|| format!("bad residency code {code} (node {node})"))?;
    let mut req = Request::new(len, r);
    if flags & FLAG_STRICT != 0 {
        req = req.strict();
    }
    if flags & FLAG_NO_FALLBACK != 0 {
        req = req.fallback(vec![]);
    }
    Ok(req)
}

fn allocate(len: usize, code: u32, node: i32, flags: u32) -> Result<Allocation, String> {
    let req = request(len, code, node, flags)?;
    Allocator::global()
        .allocate(&req)
        .map_err(|e| e.to_string())
}

/// Allocate; null on failure.
#[no_mangle]
pub extern "C" fn barewire_mem_alloc(
    len: usize,
    code: u32,
    node: i32,
    flags: u32,
) -> *mut Allocation {
    match allocate(len, code, node, flags) {
        Ok(a) => Box::into_raw(Box::new(a)),
        Err(e) => {
            set_error(e);
            std::ptr::null_mut()
        }
    }
}

/// Allocate, or stop the program with a clear message (compiled programs).
#[no_mangle]
pub extern "C" fn barewire_mem_alloc_or_fail(
    len: usize,
    code: u32,
    node: i32,
    flags: u32,
    loc: *const ClefStr,
) -> *mut Allocation {
    match allocate(len, code, node, flags) {
        Ok(a) => Box::into_raw(Box::new(a)),
        Err(e) => crate::abi::fail(loc, &e),
    }
}

/// Why the last call on this thread failed (empty if none did).
#[no_mangle]
pub extern "C" fn barewire_mem_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// # Safety
/// `h` is a live handle from `barewire_mem_alloc`.
#[no_mangle]
pub unsafe extern "C" fn barewire_mem_ptr(h: *const Allocation) -> *mut u8 {
    // SAFETY: the caller's promise.
    unsafe { (*h).as_ptr() }
}

/// # Safety
/// As for [`barewire_mem_ptr`].
#[no_mangle]
pub unsafe extern "C" fn barewire_mem_len(h: *const Allocation) -> usize {
    // SAFETY: the caller's promise.
    unsafe { (*h).len() }
}

/// The residency code that was met.
///
/// # Safety
/// As for [`barewire_mem_ptr`].
#[no_mangle]
pub unsafe extern "C" fn barewire_mem_actual_residency(h: *const Allocation) -> u32 {
    // SAFETY: the caller's promise.
    residency_code(unsafe { (*h).actual() })
}

/// The node the memory is bound to, or -1 when it is not node memory.
///
/// # Safety
/// As for [`barewire_mem_ptr`].
#[no_mangle]
pub unsafe extern "C" fn barewire_mem_actual_node(h: *const Allocation) -> i32 {
    // SAFETY: the caller's promise.
    match unsafe { (*h).target() } {
        Target::Node(n) => *n as i32,
        _ => -1,
    }
}

/// # Safety
/// `h` is null or a handle from `barewire_mem_alloc`, freed once.
#[no_mangle]
pub unsafe extern "C" fn barewire_mem_free(h: *mut Allocation) {
    if !h.is_null() {
        // SAFETY: the caller's promise.
        drop(unsafe { Box::from_raw(h) });
    }
}

/// A pool of `capacity` bytes; null on failure.
#[no_mangle]
pub extern "C" fn barewire_pool_create(
    capacity: usize,
    code: u32,
    node: i32,
    flags: u32,
) -> *mut Pool {
    let made = request(capacity, code, node, flags)
        .and_then(|req| Pool::new(Allocator::global(), &req).map_err(|e| e.to_string()));
    match made {
        Ok(p) => Box::into_raw(Box::new(p)),
        Err(e) => {
            set_error(e);
            std::ptr::null_mut()
        }
    }
}

/// An object of `size` bytes; null when too large or the pool is full.
///
/// # Safety
/// `pool` is a live pool from `barewire_pool_create`, used by one thread.
#[no_mangle]
pub unsafe extern "C" fn barewire_pool_alloc(pool: *mut Pool, size: usize) -> *mut u8 {
    // SAFETY: the caller's promise.
    unsafe { (*pool).alloc(size) }.map_or(std::ptr::null_mut(), |p| p.as_ptr())
}

/// # Safety
/// `object` came from `barewire_pool_alloc(pool, size)` and is freed once.
#[no_mangle]
pub unsafe extern "C" fn barewire_pool_free(pool: *mut Pool, object: *mut u8, size: usize) {
    if let Some(p) = std::ptr::NonNull::new(object) {
        // SAFETY: the caller's promise.
        unsafe { (*pool).free(p, size) }
    }
}

/// # Safety
/// `pool` is null or from `barewire_pool_create`, destroyed once.
#[no_mangle]
pub unsafe extern "C" fn barewire_pool_destroy(pool: *mut Pool) {
    if !pool.is_null() {
        // SAFETY: the caller's promise.
        drop(unsafe { Box::from_raw(pool) });
    }
}
