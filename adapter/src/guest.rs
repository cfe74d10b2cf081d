//! The guest's memory, reached only through the intrinsics `strata wrap`
//! inlines.
//!
//! # The contract with the fuser
//!
//! The adapter imports these functions from the module `strata_intrinsics`.
//! In a fused module no call to them remains: `strata wrap` replaces each
//! `call` with the one instruction in the right column, operands already on
//! the stack in the order given. "guest" is memory 0 (the guest's own,
//! 32-bit), "adapter" is the adapter's memory.
//!
//! | import | signature | becomes |
//! | --- | --- | --- |
//! | `copy_in` | `(dst: adapter addr, src: guest addr, len) -> ()` | `memory.copy adapter guest` |
//! | `copy_out` | `(dst: guest addr, src: adapter addr, len) -> ()` | `memory.copy guest adapter` |
//! | `fill` | `(dst: guest addr, byte, len) -> ()` | `memory.fill guest` |
//! | `load_u8` | `(guest addr) -> i32` | `i32.load8_u guest` |
//! | `load_u16` | `(guest addr) -> i32` | `i32.load16_u guest` |
//! | `load_u32` | `(guest addr) -> i32` | `i32.load guest` |
//! | `load_u64` | `(guest addr) -> i64` | `i64.load guest` |
//! | `store_u8` | `(guest addr, i32) -> ()` | `i32.store8 guest` |
//! | `store_u16` | `(guest addr, i32) -> ()` | `i32.store16 guest` |
//! | `store_u32` | `(guest addr, i32) -> ()` | `i32.store guest` |
//! | `store_u64` | `(guest addr, i64) -> ()` | `i64.store guest` |
//! | `guest_pages` | `() -> i32` | `memory.size guest` (64 KiB pages) |
//! | `image_base` | `() -> i32` | `i32.const` where the image starts in adapter memory (0: no image) |
//! | `image_len` | `() -> i32` | `i32.const` the image's length in bytes (0: no image) |
//!
//! All loads and stores use offset 0 and alignment 1, so any address is
//! valid wasm; the preview1 alignment rules are checked here, before the
//! access. An access outside the guest's memory traps, as wasmtime's own
//! host traps on an out-of-bounds pointer.

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "strata_intrinsics")]
extern "C" {
    fn copy_in(dst: *mut u8, src: u32, len: u32);
    fn copy_out(dst: u32, src: *const u8, len: u32);
    fn fill(dst: u32, byte: u32, len: u32);
    fn load_u8(addr: u32) -> u32;
    fn load_u16(addr: u32) -> u32;
    fn load_u32(addr: u32) -> u32;
    fn load_u64(addr: u32) -> u64;
    fn store_u8(addr: u32, value: u32);
    fn store_u16(addr: u32, value: u32);
    fn store_u32(addr: u32, value: u32);
    fn store_u64(addr: u32, value: u64);
    fn guest_pages() -> u32;
    fn image_base() -> u32;
    fn image_len() -> u32;
}

/// Stops the guest the way wasmtime does on a bad pointer: a trap.
#[cold]
pub fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

/// A guest address, checked by the accessors below.
pub type GuestPtr = u32;

/// Traps unless `ptr` is a multiple of `align` (preview1's rule for every
/// pointer to a value: a misaligned pointer traps).
#[inline]
pub fn check_aligned(ptr: GuestPtr, align: u32) {
    if ptr & (align - 1) != 0 {
        trap();
    }
}

/// Traps unless `len` bytes at `ptr` lie inside the guest's memory. wasmtime
/// checks a whole region before it touches any of it; so does the adapter
/// where an operation would otherwise have side effects first.
#[inline]
pub fn check_region(ptr: GuestPtr, len: u32) {
    let end = ptr as u64 + len as u64;
    if end > memory_len() {
        trap();
    }
}

/// The guest memory's current size in bytes.
#[inline]
pub fn memory_len() -> u64 {
    unsafe { guest_pages() as u64 * 65536 }
}

/// Copies guest bytes into `dst`; traps if they are out of bounds.
#[inline]
pub fn read_bytes(src: GuestPtr, dst: &mut [u8]) {
    unsafe { copy_in(dst.as_mut_ptr(), src, dst.len() as u32) }
}

/// Copies `src` into guest memory; traps if out of bounds.
#[inline]
pub fn write_bytes(dst: GuestPtr, src: &[u8]) {
    unsafe { copy_out(dst, src.as_ptr(), src.len() as u32) }
}

/// Sets `len` guest bytes at `dst` to zero; traps if out of bounds.
#[inline]
pub fn zero(dst: GuestPtr, len: u32) {
    unsafe { fill(dst, 0, len) }
}

#[inline]
pub fn read_u8(ptr: GuestPtr) -> u8 {
    unsafe { load_u8(ptr) as u8 }
}

#[inline]
pub fn read_u16(ptr: GuestPtr) -> u16 {
    check_aligned(ptr, 2);
    unsafe { load_u16(ptr) as u16 }
}

#[inline]
pub fn read_u32(ptr: GuestPtr) -> u32 {
    check_aligned(ptr, 4);
    unsafe { load_u32(ptr) }
}

#[inline]
pub fn read_u64(ptr: GuestPtr) -> u64 {
    check_aligned(ptr, 8);
    unsafe { load_u64(ptr) }
}

#[inline]
pub fn write_u8(ptr: GuestPtr, value: u8) {
    unsafe { store_u8(ptr, value as u32) }
}

#[inline]
pub fn write_u16(ptr: GuestPtr, value: u16) {
    check_aligned(ptr, 2);
    unsafe { store_u16(ptr, value as u32) }
}

#[inline]
pub fn write_u32(ptr: GuestPtr, value: u32) {
    check_aligned(ptr, 4);
    unsafe { store_u32(ptr, value) }
}

#[inline]
pub fn write_u64(ptr: GuestPtr, value: u64) {
    check_aligned(ptr, 8);
    unsafe { store_u64(ptr, value) }
}

/// The packed image `strata wrap` placed in adapter memory, if any.
pub fn image() -> Option<&'static [u8]> {
    let (base, len) = unsafe { (image_base(), image_len()) };
    if len == 0 {
        return None;
    }
    // SAFETY: the fuser placed `len` bytes at `base` in this memory as an
    // active data segment, past everything the adapter itself uses, and
    // nothing writes there.
    Some(unsafe { core::slice::from_raw_parts(base as *const u8, len as usize) })
}

/// Where [`with_scratch`] borrows guest memory: the start, 8-aligned.
const SCRATCH: GuestPtr = 0;
const SCRATCH_MAX: usize = 32;

/// Lends the host `len` bytes of guest memory (at most 32) for a result it
/// writes there, and puts the guest's own bytes back afterwards. The guest
/// is not running meanwhile (one thread; the adapter does not call it), so
/// it never sees the borrowed bytes. `None` if the guest's memory is too
/// small to lend them.
pub fn with_scratch<R>(len: usize, use_it: impl FnOnce(GuestPtr) -> R) -> Option<R> {
    if len > SCRATCH_MAX || memory_len() < SCRATCH_MAX as u64 {
        return None;
    }
    let mut saved = [0u8; SCRATCH_MAX];
    read_bytes(SCRATCH, &mut saved[..len]);
    let result = use_it(SCRATCH);
    write_bytes(SCRATCH, &saved[..len]);
    Some(result)
}

/// Lends the host the first `len` bytes of guest memory, as
/// [`with_scratch`] does, for larger things (paths, environment strings,
/// image bytes on their way out): the guest's bytes are kept in adapter
/// memory and put back afterwards. `None` if the guest's memory is
/// smaller.
pub fn with_window<R>(len: u32, use_it: impl FnOnce(GuestPtr) -> R) -> Option<R> {
    if len as u64 > memory_len() {
        return None;
    }
    let mut saved = alloc::vec![0u8; len as usize];
    read_bytes(0, &mut saved);
    let result = use_it(0);
    write_bytes(0, &saved);
    Some(result)
}
