//! Node-bound memory: anonymous mappings bound with `mbind(2)`, and where
//! their pages really are, asked with `move_pages(2)`.

use std::ffi::c_void;
use std::io;

const MPOL_PREFERRED: i32 = 1;
const MPOL_BIND: i32 = 2;
const MPOL_MF_STRICT: u32 = 1;
const MADV_POPULATE_WRITE: i32 = 23;

pub fn page_size() -> usize {
    // SAFETY: a plain query.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as usize
    } else {
        4096
    }
}

pub fn round_up(len: usize, to: usize) -> usize {
    len.div_ceil(to) * to
}

/// An anonymous private read-write mapping of `len` bytes (page-rounded).
pub fn map_anonymous(len: usize) -> io::Result<*mut u8> {
    // SAFETY: a fresh anonymous mapping; nothing else refers to it.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        Err(io::Error::last_os_error())
    } else {
        Ok(p as *mut u8)
    }
}

/// # Safety
/// `base..base+len` must be a mapping made by [`map_anonymous`] and not
/// used afterwards.
pub unsafe fn unmap(base: *mut u8, len: usize) {
    // SAFETY: the caller's promise.
    unsafe { libc::munmap(base as *mut c_void, len) };
}

/// Bind `base..base+len` to `node`: strictly (`MPOL_BIND`) or as a
/// preference (`MPOL_PREFERRED`).
pub fn bind(base: *mut u8, len: usize, node: u32, strict: bool) -> io::Result<()> {
    let bits = 8 * std::mem::size_of::<libc::c_ulong>();
    let words = node as usize / bits + 1;
    let mut mask: Vec<libc::c_ulong> = vec![0; words];
    mask[node as usize / bits] |= 1 << (node as usize % bits);
    let mode = if strict { MPOL_BIND } else { MPOL_PREFERRED };
    let flags = if strict { MPOL_MF_STRICT } else { 0 };
    // SAFETY: mbind on our own mapping with a mask of `words` words; the
    // kernel reads `maxnode` bits (one more than the highest, by its rules).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mbind,
            base as *mut c_void,
            len,
            mode,
            mask.as_ptr(),
            (words * bits + 1) as libc::c_ulong,
            flags,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Fault every page in now, so a strict binding that cannot be met fails
/// here with `ENOMEM` instead of killing the program at first touch.
pub(crate) fn populate(base: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: madvise on our own mapping.
    let rc = unsafe { libc::madvise(base as *mut c_void, len, MADV_POPULATE_WRITE) };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EINVAL) {
        // Kernels before 5.14: touch each page.
        let page = page_size();
        let mut off = 0;
        while off < len {
            // SAFETY: inside our writable mapping.
            unsafe { std::ptr::write_volatile(base.add(off), 0) };
            off += page;
        }
        return Ok(());
    }
    Err(err)
}

/// The node each of `pages` is on (`Err(errno)` for a page not yet touched
/// or that could not be queried).
pub fn nodes_of(pages: &[*mut u8]) -> Vec<Result<u32, i32>> {
    let mut status = vec![0i32; pages.len()];
    let ptrs: Vec<*mut c_void> = pages.iter().map(|&p| p as *mut c_void).collect();
    // SAFETY: move_pages in query mode (no target nodes) on our own pages.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_move_pages,
            0,
            ptrs.len() as libc::c_ulong,
            ptrs.as_ptr(),
            std::ptr::null::<i32>(),
            status.as_mut_ptr(),
            0,
        )
    };
    if rc < 0 {
        let errno = io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        return vec![Err(errno); pages.len()];
    }
    status
        .into_iter()
        .map(|s| if s >= 0 { Ok(s as u32) } else { Err(-s) })
        .collect()
}

/// Pages of `base..base+len` per node, from up to `samples` pages spread
/// evenly; pages not yet touched are counted under `None`.
pub fn placement(base: *mut u8, len: usize, samples: usize) -> Vec<(Option<u32>, usize)> {
    let page = page_size();
    let total = len.div_ceil(page).max(1);
    let step = total.div_ceil(samples.max(1)).max(1);
    // Every offset is inside the mapping.
    let pages: Vec<*mut u8> = (0..total)
        .step_by(step)
        .map(|i| base.wrapping_add(i * page))
        .collect();
    let mut counts: std::collections::BTreeMap<Option<u32>, usize> = Default::default();
    for r in nodes_of(&pages) {
        *counts.entry(r.ok()).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// The node of the CPU this thread runs on.
pub fn current_node() -> u32 {
    let (mut cpu, mut node) = (0u32, 0u32);
    // SAFETY: getcpu with two out-pointers.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_getcpu,
            &mut cpu as *mut u32,
            &mut node as *mut u32,
            std::ptr::null_mut::<c_void>(),
        )
    };
    if rc == 0 {
        node
    } else {
        0
    }
}

/// Free memory on `node` per `/sys/devices/system/node/nodeN/meminfo`.
pub fn node_free_bytes(node: u32) -> Option<u64> {
    let text =
        std::fs::read_to_string(format!("/sys/devices/system/node/node{node}/meminfo")).ok()?;
    crate::platform::sysfs::node_meminfo_bytes(&text, node, "MemFree")
}
