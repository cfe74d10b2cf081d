//! `vfs_ops`'s memory, bounded as the wasm adapter bounds its own: file
//! data may grow only while the process holds less than [`LIMIT`] of heap
//! (`strata_vfs::memory`'s growth guard), so an input that fills memory
//! (a 2 GiB `fallocate` on an unlimited root, writes without end) meets
//! ENOSPC instead of libFuzzer's RSS limit. Everything else allocates as
//! usual.
//!
//! [`Counting`] is `vfs_ops`'s global allocator; without it nothing is
//! counted and file data may always grow.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Heap bytes past which file data stops growing.
pub const LIMIT: usize = 64 << 20;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Installs the guard (once per input is fine: it is one store).
pub fn bound_file_data() {
    strata_vfs::memory::set_growth_guard(|| LIVE.load(Relaxed) < LIMIT);
}

/// The system allocator, counting the bytes it holds.
pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
