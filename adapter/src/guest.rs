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
    arch::unreachable()
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

/// Appends `len` guest bytes at `src` to `dst`, which has room for them
/// (one `memory.copy` into its spare capacity, nothing zeroed first);
/// traps if they are out of bounds.
#[inline]
pub fn read_into_spare(src: GuestPtr, dst: &mut alloc::vec::Vec<u8>, len: usize) {
    let spare = &mut dst.spare_capacity_mut()[..len];
    // SAFETY: `spare` is `len` bytes of `dst`'s allocation; `copy_in`
    // writes all of them (or traps, and nothing runs after a trap), so
    // they are initialized when the length covers them.
    unsafe {
        copy_in(spare.as_mut_ptr().cast(), src, len as u32);
        dst.set_len(dst.len() + len);
    }
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

// The host build, for fuzzing only (`fuzz/`, `docs/fuzzing.md`). The code
// above stays as it is, line for line; below, what it calls becomes plain
// functions over a fake guest memory and image that the fuzz target
// installs. Nothing below exists in the wasm32 build.

/// Where [`trap`]'s `unreachable` comes from: the wasm instruction, or on
/// the host [`fuzzing::stop`].
#[cfg(target_arch = "wasm32")]
use core::arch::wasm32 as arch;
#[cfg(not(target_arch = "wasm32"))]
use fuzzing::arch;
#[cfg(not(target_arch = "wasm32"))]
use fuzzing::{
    copy_in, copy_out, fill, guest_pages, image_base, image_len, load_u16, load_u32, load_u64, load_u8, store_u16,
    store_u32, store_u64, store_u8,
};

/// The adapter's guest on the host: a memory and an image the fuzz target
/// installs, and what stopping the guest does there.
///
/// A wasm trap ends the whole instance, unwinding nothing. On the host the
/// exports are `extern "C"` functions, out of which no panic can unwind (it
/// aborts the process), so a trap can not be a panic: it calls the handler
/// the target installs ([`set_stop_handler`]), which must leave the call
/// without returning or unwinding, and then forget the instance
/// ([`reset_for_fuzzing`]) as an engine discards a trapped one.
///
/// One thread, as a wasm instance has: nothing here is synchronized.
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing {
    use alloc::vec::Vec;
    use core::cell::{Cell, UnsafeCell};
    use core::ops::Range;

    pub use crate::state::reset_for_fuzzing;

    /// How a guest stops before the call it made returns.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Stop {
        /// A wasm trap: an out-of-bounds or misaligned pointer, an argument
        /// that does not fit its type, the adapter's own `unreachable`.
        Trap,
        /// The host's `proc_exit` with this code.
        Exit(u32),
    }

    struct Guest {
        /// The guest's memory, a whole number of 64 KiB pages.
        memory: UnsafeCell<Vec<u8>>,
        image: Cell<Option<&'static [u8]>>,
        on_stop: Cell<Option<fn(Stop) -> !>>,
    }

    // SAFETY: one thread (see the module's docs); `memory` is borrowed for
    // the length of one intrinsic, or of `with_memory`, never both.
    unsafe impl Sync for Guest {}

    static GUEST: Guest =
        Guest { memory: UnsafeCell::new(Vec::new()), image: Cell::new(None), on_stop: Cell::new(None) };

    fn memory() -> &'static mut Vec<u8> {
        // SAFETY: see `Guest`.
        unsafe { &mut *GUEST.memory.get() }
    }

    /// Gives the guest a zeroed memory of `pages` 64 KiB pages.
    pub fn set_memory(pages: u32) {
        let memory = memory();
        memory.clear();
        memory.resize(pages as usize * 65536, 0);
    }

    /// Lends the guest's memory to `f`, which must not call into the
    /// adapter.
    pub fn with_memory<R>(f: impl FnOnce(&mut [u8]) -> R) -> R {
        f(memory())
    }

    /// The packed image `image_base`/`image_len` describe; `None`: no image.
    pub fn set_image(image: Option<&'static [u8]>) {
        GUEST.image.set(image);
    }

    /// What [`stop`] calls. It must not return or unwind (see the module's
    /// docs).
    pub fn set_stop_handler(handler: fn(Stop) -> !) {
        GUEST.on_stop.set(Some(handler));
    }

    /// Stops the guest: the handler's business, or without one a panic
    /// (which aborts when it reaches an export).
    #[cold]
    pub fn stop(why: Stop) -> ! {
        match GUEST.on_stop.get() {
            Some(handler) => handler(why),
            None => panic!("strata-adapter: the guest stopped: {why:?}"),
        }
    }

    /// `core::arch::wasm32`'s one function [`super::trap`] needs.
    pub(super) mod arch {
        pub fn unreachable() -> ! {
            super::stop(super::Stop::Trap)
        }
    }

    /// The guest bytes `[addr, addr + len)`; a trap past the end, as wasm's
    /// bounds check (an empty range may start at the very end, not past it).
    fn region(addr: u32, len: u32) -> Range<usize> {
        let end = addr as u64 + len as u64;
        if end > memory().len() as u64 {
            stop(Stop::Trap);
        }
        addr as usize..end as usize
    }

    fn load<const N: usize>(addr: u32) -> [u8; N] {
        let mut bytes = [0; N];
        bytes.copy_from_slice(&memory()[region(addr, N as u32)]);
        bytes
    }

    fn store<const N: usize>(addr: u32, bytes: [u8; N]) {
        let range = region(addr, N as u32);
        memory()[range].copy_from_slice(&bytes);
    }

    // The intrinsics, with the signatures of the wasm imports (`unsafe`
    // like them: the adapter memory pointers must be valid for `len`).

    pub(super) unsafe fn copy_in(dst: *mut u8, src: u32, len: u32) {
        let from = &memory()[region(src, len)];
        // SAFETY: the caller's `dst` holds `len` bytes; `from` is as long,
        // and the two never overlap (the guest's memory is nobody's slice).
        unsafe { core::ptr::copy_nonoverlapping(from.as_ptr(), dst, from.len()) }
    }

    pub(super) unsafe fn copy_out(dst: u32, src: *const u8, len: u32) {
        let range = region(dst, len);
        let to = &mut memory()[range];
        // SAFETY: as in `copy_in`.
        unsafe { core::ptr::copy_nonoverlapping(src, to.as_mut_ptr(), to.len()) }
    }

    pub(super) unsafe fn fill(dst: u32, byte: u32, len: u32) {
        let range = region(dst, len);
        memory()[range].fill(byte as u8);
    }

    pub(super) unsafe fn load_u8(addr: u32) -> u32 {
        u8::from_le_bytes(load(addr)) as u32
    }

    pub(super) unsafe fn load_u16(addr: u32) -> u32 {
        u16::from_le_bytes(load(addr)) as u32
    }

    pub(super) unsafe fn load_u32(addr: u32) -> u32 {
        u32::from_le_bytes(load(addr))
    }

    pub(super) unsafe fn load_u64(addr: u32) -> u64 {
        u64::from_le_bytes(load(addr))
    }

    pub(super) unsafe fn store_u8(addr: u32, value: u32) {
        store(addr, (value as u8).to_le_bytes());
    }

    pub(super) unsafe fn store_u16(addr: u32, value: u32) {
        store(addr, (value as u16).to_le_bytes());
    }

    pub(super) unsafe fn store_u32(addr: u32, value: u32) {
        store(addr, value.to_le_bytes());
    }

    pub(super) unsafe fn store_u64(addr: u32, value: u64) {
        store(addr, value.to_le_bytes());
    }

    pub(super) unsafe fn guest_pages() -> u32 {
        (memory().len() / 65536) as u32
    }

    /// A host address where the wasm import gives a u32: [`super::image`]
    /// casts either to `*const u8`.
    pub(super) unsafe fn image_base() -> usize {
        GUEST.image.get().map_or(0, |image| image.as_ptr() as usize)
    }

    pub(super) unsafe fn image_len() -> u32 {
        GUEST.image.get().map_or(0, |image| image.len() as u32)
    }
}
