//! Whether file data may take more memory: a question the embedder
//! answers.
//!
//! File contents are the one allocation a guest can make as large as it
//! likes, so they are the one that runs out: strata-vfs grows them with
//! fallible allocations (a failure is ENOSPC, as tmpfs says when the
//! machine is out of memory) and asks the guard first. Every other
//! allocation (inodes, names, directory entries) is small and infallible:
//! an embedder whose memory is bounded (the wasm adapter: 4 GiB) keeps a
//! reserve for those and answers "no" once it is gone, so that filling
//! memory with a file ends in ENOSPC and the filesystem goes on working.
//! Without a guard, file data may always grow.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The guard, as a `fn() -> bool` address; 0: none.
static GUARD: AtomicUsize = AtomicUsize::new(0);

/// Installs `guard`: file data grows only when it returns true.
pub fn set_growth_guard(guard: fn() -> bool) {
    GUARD.store(guard as usize, Ordering::Relaxed);
}

/// Whether file data may grow now.
pub(crate) fn may_grow() -> bool {
    match GUARD.load(Ordering::Relaxed) {
        0 => true,
        address => {
            // SAFETY: only `set_growth_guard` stores a non-zero value, the
            // address of a `fn() -> bool`.
            let guard = unsafe { core::mem::transmute::<usize, fn() -> bool>(address) };
            guard()
        }
    }
}
