//! What `AppConfig.autoDetect()` reads: the machine the program runs on,
//! as BAREWire detected it (the same `Platform` allocations use).

use crate::abi::ClefArray;
use crate::alloc::Allocator;
use crate::platform::{MemoryKind, Platform};

fn platform() -> &'static Platform {
    Allocator::global().platform()
}

/// The CXL version: from a description's `cxl_version`, else 2 when the
/// kernel shows CXL memory devices or CXL memory (Linux enumerates CXL 2.0
/// devices), else 0.
#[no_mangle]
pub extern "C" fn barewire_detected_cxl_version() -> i32 {
    let p = platform();
    match p.cxl_version.as_deref() {
        Some(v) if v.starts_with('3') => 3,
        Some(v) if v.starts_with('2') => 2,
        Some(v) if v.starts_with('1') => 1,
        _ if !p.cxl_memdevs.is_empty()
            || p.numa_nodes.iter().any(|n| n.kind == MemoryKind::CXL) =>
        {
            2
        }
        _ => 0,
    }
}

#[no_mangle]
pub extern "C" fn barewire_detected_numa_nodes() -> i32 {
    platform().numa_nodes.len() as i32
}

/// The nodes far memory lives on (CXL or memory-only), as an `int[]`.
#[no_mangle]
pub extern "C" fn barewire_detected_far_nodes() -> *mut ClefArray {
    let far = far_nodes();
    // `{ len: i64, elements: i32… }` on the collected heap.
    let block = crate::heap::alloc(8 + 4 * far.len());
    // SAFETY: a fresh block of 8 + 4n bytes, 8-aligned.
    unsafe {
        (block as *mut i64).write(far.len() as i64);
        for (i, id) in far.iter().enumerate() {
            (block.add(8 + 4 * i) as *mut i32).write(*id);
        }
    }
    block as *mut ClefArray
}

/// The ids of the nodes far memory lives on (CXL or memory-only).
pub fn far_nodes() -> Vec<i32> {
    platform()
        .numa_nodes
        .iter()
        .filter(|n| n.capacity_bytes > 0 && (n.kind == MemoryKind::CXL || n.cpus.is_empty()))
        .map(|n| n.id as i32)
        .collect()
}

#[no_mangle]
pub extern "C" fn barewire_detected_gpus() -> i32 {
    platform().gpus.len() as i32
}

#[no_mangle]
pub extern "C" fn barewire_detected_resizable_bar() -> i8 {
    i8::from(platform().gpus.iter().any(|g| g.bar_resizable))
}
