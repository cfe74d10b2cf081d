//! The adapter's heap on the host: everything it allocates during a call
//! comes from one arena, which is dropped whole with the instance.
//!
//! A trap leaves the export's frames on a stack that is never resumed
//! ([`super::instance`]): whatever they own is never freed, nor is the
//! state a trap left halfway. In wasm that memory goes with the instance;
//! here it goes with the arena: [`discard`] forgets every allocation made
//! since the last one. So `adapter_abi` leaks nothing however its calls
//! end, and the adapter starts each input from a fresh heap, as a fresh
//! instance does.
//!
//! [`Routed`] is `adapter_abi`'s global allocator. While a call runs
//! ([`enter`]..[`leave`]) it allocates in the arena; otherwise from the
//! system. A block is freed by whichever holds its address, so a block
//! that crosses over (none should) is still freed correctly.
//!
//! The arena is dlmalloc over one reserved region: dlmalloc asks for
//! memory by the segment and the region hands it out in order; discarding
//! throws dlmalloc's bookkeeping away, returns the pages to the kernel and
//! starts the region over. One thread only, as the adapter is.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};
use std::ptr::null_mut;

use dlmalloc::{Allocator, Dlmalloc};
use strata_adapter::guest::fuzzing::{stop, Stop};

/// The most one instance may hold; past it an allocation fails, which in
/// the wasm adapter is a trap too (an abort in the allocator).
const REGION: usize = 1 << 30;
const PAGE: usize = 4096;

struct Arena {
    base: Cell<*mut u8>,
    /// Bytes of the region handed to dlmalloc since the last discard.
    used: Cell<usize>,
    heap: UnsafeCell<Dlmalloc<Segments>>,
    /// Whether a call is running, so allocations go here.
    active: Cell<bool>,
}

// SAFETY: one thread (the fuzz targets run on libFuzzer's main thread).
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena {
    base: Cell::new(null_mut()),
    used: Cell::new(0),
    heap: UnsafeCell::new(Dlmalloc::new_with_allocator(Segments)),
    active: Cell::new(false),
};

/// dlmalloc's system allocator: segments cut from the region, in order,
/// never given back one by one.
struct Segments;

unsafe impl Allocator for Segments {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let base = region();
        let (used, size) = (ARENA.used.get(), size.next_multiple_of(PAGE));
        if base.is_null() || size > REGION - used {
            return (null_mut(), 0, 0);
        }
        ARENA.used.set(used + size);
        // SAFETY: within the region.
        (unsafe { base.add(used) }, size, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    /// Fresh mappings, and pages [`discard`] gave back, read as zeros.
    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The region's start, reserved on first use (null if that failed).
fn region() -> *mut u8 {
    if ARENA.base.get().is_null() {
        // SAFETY: a fresh private anonymous mapping; NORESERVE, so only the
        // pages touched cost memory.
        let base = unsafe {
            libc::mmap(
                null_mut(),
                REGION,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base != libc::MAP_FAILED {
            ARENA.base.set(base.cast());
        }
    }
    ARENA.base.get()
}

fn holds(ptr: *mut u8) -> bool {
    let base = ARENA.base.get() as usize;
    base != 0 && (base..base + REGION).contains(&(ptr as usize))
}

fn heap() -> &'static mut Dlmalloc<Segments> {
    // SAFETY: one thread, and no allocator call runs inside another.
    unsafe { &mut *ARENA.heap.get() }
}

/// Allocations go to the arena until [`leave`].
pub fn enter() {
    ARENA.active.set(true);
}

pub fn leave() {
    ARENA.active.set(false);
}

/// Forgets every arena allocation; the next call starts an empty heap. Only
/// between instances: nothing may hold an arena block any more (the
/// adapter's state is forgotten first, `reset_for_fuzzing`).
pub fn discard() {
    assert!(!ARENA.active.get(), "discarding the arena during a call");
    let used = ARENA.used.replace(0);
    // The old bookkeeping lives in the region's first segment: forgotten
    // with it (Dlmalloc has no Drop).
    // SAFETY: see `heap`; nothing refers to the old instance.
    unsafe { ARENA.heap.get().write(Dlmalloc::new_with_allocator(Segments)) };
    if used > 0 {
        // SAFETY: the pages handed out since the last discard, which nothing
        // uses any more; they read as zeros from now on.
        unsafe { libc::madvise(ARENA.base.get().cast(), used, libc::MADV_DONTNEED) };
    }
}

/// An arena allocation that failed: the instance is out of memory, which
/// traps in wasm (the allocator aborts).
fn exhausted(block: *mut u8) -> *mut u8 {
    if block.is_null() {
        stop(Stop::Trap);
    }
    block
}

/// `adapter_abi`'s global allocator (see the module's docs).
pub struct Routed;

unsafe impl GlobalAlloc for Routed {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARENA.active.get() {
            exhausted(unsafe { heap().malloc(layout.size(), layout.align()) })
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if ARENA.active.get() {
            exhausted(unsafe { heap().calloc(layout.size(), layout.align()) })
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if holds(ptr) {
            unsafe { heap().free(ptr, layout.size(), layout.align()) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if holds(ptr) {
            exhausted(unsafe { heap().realloc(ptr, layout.size(), layout.align(), new_size) })
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}
