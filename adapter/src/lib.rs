//! strata-adapter: `wasi_snapshot_preview1` served by strata-vfs.
//!
//! Built as a wasm32-unknown-unknown cdylib and fused into a guest by
//! `strata wrap`. Its exports are the preview1 functions it virtualizes,
//! under their preview1 names (every `fd_*` and `path_*`, `poll_oneoff`
//! and the `sock_*` functions); its imports are the intrinsics of
//! [`guest`] and the host's own preview1 functions it forwards to
//! ([`host`]). args, environ, clocks, random and sched_yield are not
//! touched: the guest keeps calling the host for them. `proc_exit` is
//! served to save the tree first when asked to (`save`), then forwarded;
//! `strata_finish` and `strata_save` are the fused module's own.
//!
//! The reference for every errno, trap and quirk is wasmtime's preview1
//! host on Linux; where the adapter knowingly differs, the function says
//! so (and `docs/adapter.md` lists it).
#![no_std]

extern crate alloc;

pub mod abi;
mod call;
mod errno;
mod exports;
mod fds;
pub mod guest;
mod heap;
mod host;
mod save;
mod state;
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    guest::trap()
}
