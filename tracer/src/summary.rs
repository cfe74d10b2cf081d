//! `-c`: calls, errors and time per function, printed at exit as strace
//! prints its table.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::fmt::Write as _;

use crate::line::write_stderr;

#[derive(Default, Clone, Copy)]
struct Counts {
    calls: u64,
    errors: u64,
    nanos: u64,
}

#[derive(Default)]
struct Summary {
    by_name: BTreeMap<&'static str, Counts>,
    first_call: u64,
    printed: bool,
}

struct Slot(UnsafeCell<Option<Summary>>);

// SAFETY: one thread, and no reference outlives a call.
unsafe impl Sync for Slot {}

static SUMMARY: Slot = Slot(UnsafeCell::new(None));

fn summary() -> &'static mut Summary {
    // SAFETY: see `Slot`.
    unsafe { &mut *SUMMARY.0.get() }.get_or_insert_with(Summary::default)
}

pub fn record(name: &'static str, failed: bool, nanos: u64) {
    let counts = summary().by_name.entry(name).or_default();
    counts.calls += 1;
    counts.errors += failed as u64;
    counts.nanos += nanos;
}

/// When the first traced call began (`now` if this is it).
pub fn first_call(now: u64) -> u64 {
    let summary = summary();
    if summary.first_call == 0 {
        summary.first_call = now;
    }
    summary.first_call
}

/// Prints the table, once.
pub fn print() {
    let summary = summary();
    if summary.printed {
        return;
    }
    summary.printed = true;
    let mut rows: Vec<(&str, Counts)> = summary.by_name.iter().map(|(name, counts)| (*name, *counts)).collect();
    rows.sort_by(|a, b| b.1.nanos.cmp(&a.1.nanos).then(b.1.calls.cmp(&a.1.calls)).then(a.0.cmp(b.0)));
    let total: Counts = rows.iter().fold(Counts::default(), |sum, (_, c)| Counts {
        calls: sum.calls + c.calls,
        errors: sum.errors + c.errors,
        nanos: sum.nanos + c.nanos,
    });
    let mut out = alloc::string::String::new();
    let _ = writeln!(out, "% time     seconds  usecs/call     calls    errors function");
    let _ = writeln!(out, "------ ----------- ----------- --------- --------- ------------------------");
    let row = |out: &mut alloc::string::String, name: &str, c: &Counts| {
        let share = if total.nanos == 0 { 0.0 } else { c.nanos as f64 * 100.0 / total.nanos as f64 };
        let per_call = (c.nanos / 1000).checked_div(c.calls).unwrap_or(0);
        let errors = if c.errors == 0 { alloc::string::String::new() } else { alloc::format!("{}", c.errors) };
        let _ = writeln!(
            out,
            "{share:6.2} {:>4}.{:06} {per_call:>11} {:>9} {errors:>9} {name}",
            c.nanos / 1_000_000_000,
            c.nanos % 1_000_000_000 / 1000,
            c.calls
        );
    };
    for (name, counts) in &rows {
        row(&mut out, name, counts);
    }
    let _ = writeln!(out, "------ ----------- ----------- --------- --------- ------------------------");
    row(&mut out, "total", &total);
    write_stderr(out.as_bytes());
}
