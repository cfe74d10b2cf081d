//! A mirror of the guest's descriptor numbers as wasmtime (and the
//! adapter, which numbers as it does) keeps them: the numbers in use and
//! the numbers freed. The trace file (`file`) uses it to write only when
//! opening and closing the file changes nothing the guest will see.
//!
//! wasmtime gives out the highest freed number, else one past the highest
//! in use. Opening a file takes that number and closing it frees it: with
//! a freed number to take, the state afterwards is what it was; with none,
//! the file's number would stay freed and be given to the guest later in
//! place of a number the guest freed itself.

use alloc::collections::BTreeSet;
use core::cell::UnsafeCell;

use crate::real;

#[derive(Default)]
struct Numbers {
    used: BTreeSet<i32>,
    free: BTreeSet<i32>,
}

struct Slot(UnsafeCell<Option<Numbers>>);

// SAFETY: one thread, and no reference outlives a call.
unsafe impl Sync for Slot {}

static NUMBERS: Slot = Slot(UnsafeCell::new(None));

/// The mirror, built on first use: stdio and the preopens (numbered from
/// 3 without gaps), before the guest opened anything.
fn numbers() -> &'static mut Numbers {
    // SAFETY: see `Slot`.
    unsafe { &mut *NUMBERS.0.get() }.get_or_insert_with(|| {
        let mut numbers = Numbers::default();
        numbers.used.extend(0..3);
        for fd in 3.. {
            let is_preopen = crate::guest::with_scratch(8, |at| unsafe { real::fd_prestat_get(fd, at as i32) } == 0);
            if is_preopen != Some(true) {
                break;
            }
            numbers.used.insert(fd);
        }
        numbers
    })
}

/// Builds the mirror now (call before the guest's first call goes out).
pub fn start() {
    numbers();
}

pub fn opened(fd: i32) {
    let numbers = numbers();
    numbers.free.remove(&fd);
    numbers.used.insert(fd);
}

pub fn closed(fd: i32) {
    let numbers = numbers();
    if numbers.used.remove(&fd) {
        numbers.free.insert(fd);
    }
}

pub fn renumbered(from: i32, to: i32) {
    if from == to {
        return;
    }
    let numbers = numbers();
    numbers.used.remove(&from);
    numbers.free.insert(from);
    numbers.free.remove(&to);
    numbers.used.insert(to);
}

/// Whether a file opened and closed now leaves the numbering as it was.
pub fn open_close_is_invisible() -> bool {
    !numbers().free.is_empty()
}
