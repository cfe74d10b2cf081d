//! Telling AddressSanitizer about [`super::instance`]'s stack switches, so
//! that it knows which stack is running (without this it warns that it
//! can not, and may report false positives). Nothing without ASan.
//!
//! The protocol (`sanitizer/common_interface_defs.h`): `start` right before
//! a switch, naming the stack switched to; `finish` first thing after it,
//! on the new stack, learning the stack switched from. A stack left for
//! good (a finished or abandoned call) starts its last switch with no
//! fake-stack slot, and ASan forgets it.

use std::ffi::c_void;
use std::ptr::null_mut;

#[cfg(sanitize = "address")]
extern "C" {
    fn __sanitizer_start_switch_fiber(fake_stack_save: *mut *mut c_void, bottom: *const c_void, size: usize);
    fn __sanitizer_finish_switch_fiber(
        fake_stack_save: *mut c_void,
        bottom_old: *mut *const c_void,
        size_old: *mut usize,
    );
}

/// A stack's lowest address and size.
#[derive(Clone, Copy)]
#[cfg_attr(not(sanitize = "address"), allow(dead_code))]
pub struct Stack {
    pub bottom: *const c_void,
    pub size: usize,
}

/// Before switching to `to`; `save` keeps the current stack's fake-stack
/// handle for its `finish` (`None`: the current stack is left for good).
pub fn start(save: Option<&mut *mut c_void>, to: Stack) {
    let save = save.map_or(null_mut(), |slot| slot as *mut _);
    #[cfg(sanitize = "address")]
    // SAFETY: the documented protocol; `save` is null or a valid slot.
    unsafe {
        __sanitizer_start_switch_fiber(save, to.bottom, to.size)
    };
    #[cfg(not(sanitize = "address"))]
    let _ = (save, to);
}

/// After a switch: `saved` is what `start` kept when this stack was left
/// (null for a fresh one). Returns the stack switched from.
pub fn finish(saved: *mut c_void) -> Stack {
    #[cfg_attr(not(sanitize = "address"), allow(unused_mut))]
    let mut from = Stack { bottom: std::ptr::null(), size: 0 };
    #[cfg(sanitize = "address")]
    // SAFETY: the documented protocol.
    unsafe {
        __sanitizer_finish_switch_fiber(saved, &mut from.bottom, &mut from.size)
    };
    #[cfg(not(sanitize = "address"))]
    let _ = saved;
    from
}
