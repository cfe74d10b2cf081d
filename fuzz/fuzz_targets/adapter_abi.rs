//! The adapter's preview1 exports called as a hostile guest calls them; see
//! `strata_fuzz::adapter` for the input's shape and what is checked, and
//! docs/fuzzing.md for how to run it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_fuzz::adapter;

/// The adapter allocates in an arena dropped with each instance.
#[global_allocator]
static ALLOCATOR: adapter::Routed = adapter::Routed;

fuzz_target!(|bytes: &[u8]| {
    adapter::run(bytes);
});
