//! The adapter's allocator: dlmalloc, with a reserve so that a guest that
//! fills memory with file data gets ENOSPC and the filesystem goes on.
//!
//! The adapter's memory is at most 4 GiB. File data is the one allocation
//! a guest can make as large as it likes; strata-vfs grows it only when
//! [`file_data_may_grow`] says so, through fallible allocations. Every
//! other allocation (inodes, names, entries, path buffers) is infallible:
//! a null there aborts, which is a trap. So a ballast of [`RESERVE`] bytes
//! is held whenever file data grows: once it can not be (re)taken, memory
//! is within a reserve of full and file data stops (ENOSPC), while a small
//! allocation that fails gives the ballast back and is retried in the room
//! it leaves. Freeing file data (unlink, truncate) lets the ballast be
//! taken again, and file data grow again.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::ptr::null_mut;

/// What is kept back for infallible allocations when memory runs out.
pub const RESERVE: usize = 1 << 20;

const BALLAST: Layout = match Layout::from_size_align(RESERVE, 16) {
    Ok(layout) => layout,
    Err(_) => panic!("a valid layout"),
};

pub struct Heap {
    /// The ballast block while it is held; null once given back.
    ballast: Cell<*mut u8>,
}

// SAFETY: the adapter is single-threaded (wasm32 without threads).
unsafe impl Sync for Heap {}

static DLMALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// The allocator of the wasm build (a host build, for fuzzing, keeps its
/// own).
#[cfg_attr(target_arch = "wasm32", global_allocator)]
pub static HEAP: Heap = Heap { ballast: Cell::new(null_mut()) };

impl Heap {
    /// Holds the ballast, taking it again if it was given back; false if
    /// memory can not spare it.
    fn hold_ballast(&self) -> bool {
        if self.ballast.get().is_null() {
            // SAFETY: BALLAST has a non-zero size.
            self.ballast.set(unsafe { DLMALLOC.alloc(BALLAST) });
        }
        !self.ballast.get().is_null()
    }

    /// Gives the ballast back to the heap; false if it was not held.
    fn release_ballast(&self) -> bool {
        let ballast = self.ballast.replace(null_mut());
        if ballast.is_null() {
            return false;
        }
        // SAFETY: `ballast` came from DLMALLOC.alloc(BALLAST).
        unsafe { DLMALLOC.dealloc(ballast, BALLAST) };
        true
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { DLMALLOC.alloc(layout) };
        if block.is_null() && self.release_ballast() {
            return unsafe { DLMALLOC.alloc(layout) };
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { DLMALLOC.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { DLMALLOC.realloc(block, layout, new_size) };
        if moved.is_null() && self.release_ballast() {
            return unsafe { DLMALLOC.realloc(block, layout, new_size) };
        }
        moved
    }
}

/// strata-vfs's growth guard (`strata_vfs::memory`): file data may grow
/// while the reserve is held.
pub fn file_data_may_grow() -> bool {
    HEAP.hold_ballast()
}
