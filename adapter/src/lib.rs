//! strata-adapter: `wasi_snapshot_preview1` served by strata-vfs.
//!
//! Built as a wasm32-unknown-unknown cdylib and fused into a guest by
//! `strata wrap`. Its exports are the preview1 functions it virtualizes,
//! under their preview1 names; its imports are the intrinsics of
//! [`guest`] and the host's own preview1 functions it forwards to.
#![no_std]

extern crate alloc;

pub mod guest;

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    guest::trap()
}

mod host {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        #[link_name = "fd_write"]
        pub fn fd_write(fd: i32, iovs: i32, len: i32, nwritten: i32) -> i32;
        #[link_name = "clock_time_get"]
        pub fn clock_time_get(id: i32, precision: i64, out: i32) -> i32;
    }
}

// Placeholder exports while the real ones are written: they use every
// intrinsic and a host import, so the fuser has something to fuse.
#[no_mangle]
pub extern "C" fn fd_write(fd: i32, iovs: i32, len: i32, nwritten: i32) -> i32 {
    if fd < 3 {
        return unsafe { host::fd_write(fd, iovs, len, nwritten) };
    }
    let mut buf = alloc::vec![0u8; 16];
    guest::read_bytes(iovs as u32, &mut buf);
    guest::write_bytes(iovs as u32, &buf);
    guest::zero(iovs as u32, 1);
    let a = guest::read_u8(iovs as u32) as u32 + guest::read_u16(iovs as u32) as u32 + guest::read_u32(iovs as u32);
    guest::write_u8(nwritten as u32, 0);
    guest::write_u16(nwritten as u32, 0);
    guest::write_u64(nwritten as u32, guest::read_u64(nwritten as u32));
    guest::write_u32(nwritten as u32, a + guest::memory_len() as u32 + guest::image().map_or(0, |i| i.len() as u32));
    unsafe { host::clock_time_get(0, 0, nwritten) }
}

#[no_mangle]
pub extern "C" fn fd_prestat_get(_fd: i32, _out: i32) -> i32 {
    8
}
