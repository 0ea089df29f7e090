//! Pools: one placed allocation carved into small objects.
//!
//! A pool takes its memory from the [`Allocator`] once (so it lives where
//! the request says), then serves objects of up to [`MAX_SMALL`] bytes from
//! power-of-two size classes: a free list per class (the link is stored in
//! the freed object itself) and a bump pointer for fresh memory. The fast
//! path is a few instructions and takes no lock; a pool belongs to one
//! thread (it is `Send`, not `Sync`).

use super::{AllocError, Allocation, Allocator, Request};
use std::ptr::NonNull;

/// The largest object a pool serves.
pub const MAX_SMALL: usize = 4096;
const MIN_CLASS_SHIFT: u32 = 4; // 16 bytes
const CLASSES: usize = 9; // 16, 32, …, 4096

/// Counters for a pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub capacity_bytes: usize,
    /// Bytes in live objects (rounded up to their size class).
    pub in_use_bytes: usize,
    pub peak_bytes: usize,
    pub allocations: u64,
    pub frees: u64,
    /// Requests refused: too large, or the pool was full.
    pub refused: u64,
}

pub struct Pool {
    memory: Allocation,
    bump: usize,
    end: usize,
    free: [*mut u8; CLASSES],
    stats: PoolStats,
}

// SAFETY: the pool owns its memory; moving it to another thread is fine.
unsafe impl Send for Pool {}

#[inline]
fn class_of(size: usize) -> Option<usize> {
    if size > MAX_SMALL {
        return None;
    }
    let size = size.max(1);
    let bits = usize::BITS - (size - 1).leading_zeros();
    Some(bits.saturating_sub(MIN_CLASS_SHIFT) as usize)
}

#[inline]
fn class_size(class: usize) -> usize {
    1 << (class as u32 + MIN_CLASS_SHIFT)
}

impl Pool {
    /// A pool of `request.len` bytes, placed as `request` says.
    pub fn new(allocator: &Allocator, request: &Request) -> Result<Pool, AllocError> {
        let memory = allocator.allocate(request)?;
        if !memory.host_accessible() {
            return Err(AllocError {
                requested: request.residency,
                len: request.len,
                reasons: vec!["pools need memory the CPU can address".into()],
            });
        }
        let bump = memory.as_ptr() as usize;
        let end = bump + memory.len();
        Ok(Pool {
            stats: PoolStats {
                capacity_bytes: memory.len(),
                ..PoolStats::default()
            },
            memory,
            bump,
            end,
            free: [std::ptr::null_mut(); CLASSES],
        })
    }

    /// An object of `size` bytes, aligned to its size class (at most 4096);
    /// `None` if it is too large or the pool is full.
    #[inline]
    pub fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        let Some(class) = class_of(size) else {
            self.stats.refused += 1;
            return None;
        };
        let head = self.free[class];
        let object = if !head.is_null() {
            // SAFETY: a freed object of this class holds the next link.
            self.free[class] = unsafe { *(head as *mut *mut u8) };
            head
        } else {
            let size = class_size(class);
            let start = (self.bump + size - 1) & !(size - 1);
            if start + size > self.end {
                self.stats.refused += 1;
                return None;
            }
            self.bump = start + size;
            start as *mut u8
        };
        self.stats.allocations += 1;
        self.stats.in_use_bytes += class_size(class);
        self.stats.peak_bytes = self.stats.peak_bytes.max(self.stats.in_use_bytes);
        NonNull::new(object)
    }

    /// Return an object.
    ///
    /// # Safety
    /// `object` must come from this pool's [`Pool::alloc`] with the same
    /// `size`, and not be used or freed again.
    #[inline]
    pub unsafe fn free(&mut self, object: NonNull<u8>, size: usize) {
        let class = class_of(size).expect("a pool object is small");
        let p = object.as_ptr();
        // SAFETY: the object is at least 16 bytes and ours again.
        unsafe { *(p as *mut *mut u8) = self.free[class] };
        self.free[class] = p;
        self.stats.frees += 1;
        self.stats.in_use_bytes -= class_size(class);
    }

    pub fn stats(&self) -> PoolStats {
        self.stats
    }

    /// The allocation the pool carves up (where it really lives).
    pub fn memory(&self) -> &Allocation {
        &self.memory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(class_of(1), Some(0));
        assert_eq!(class_of(16), Some(0));
        assert_eq!(class_of(17), Some(1));
        assert_eq!(class_of(4096), Some(8));
        assert_eq!(class_of(4097), None);
        assert_eq!(class_size(8), 4096);
    }
}
