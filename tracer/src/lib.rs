//! strata-tracer: an strace for any WASI preview1 module.
//!
//! Built as a wasm32-unknown-unknown cdylib and fused in front of a guest
//! by `strata trace` with the same fuser as the adapter (`tooling/src/wrap/`):
//! each of the guest's `wasi_snapshot_preview1` imports becomes a call of
//! this module's function of that name ([`calls`]), which describes the
//! arguments, makes the real call (its own import of the same function:
//! the host's, or the adapter's once the traced module is wrapped), and
//! prints one line with the result, as strace does ([`line`]). What it
//! prints, and what it leaves out, is set when the module is traced
//! ([`config`]).
//!
//! Tracing never changes what the guest sees: arguments are read only
//! where they lie inside guest memory (so the tracer never traps where
//! the real call would not), results are passed through untouched, and
//! the lines go to the host's stderr through a window of guest memory
//! given back afterwards, or to a file in a preopen (`file`), opened and
//! closed around each write so that the guest's fd numbers stay its own.
#![no_std]

extern crate alloc;

#[allow(dead_code)]
#[path = "../../adapter/src/abi.rs"]
mod abi;
mod calls;
mod config;
mod fds;
mod file;
#[allow(dead_code)]
#[path = "../../adapter/src/guest.rs"]
mod guest;
mod line;
mod real;
mod summary;

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    guest::trap()
}
