//! Sequences of strata-vfs operations, each result checked against what
//! it must have done; see `strata_fuzz::vfs` for the input and the checks,
//! and docs/fuzzing.md for how to run it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_fuzz::vfs::{self, heap, ops::Input};

/// Counts the heap, so that file data stops growing at `heap::LIMIT`.
#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

fuzz_target!(|input: Input| vfs::run(&input));
