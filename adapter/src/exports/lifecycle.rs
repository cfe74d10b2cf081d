//! The guest's end: `proc_exit`, the exit shim's `strata_finish` after a
//! command's `_start` returns, and `strata_save` for hosts of reactors.
//! Each saves the tree when a save path is configured (`crate::save`).

use crate::abi::errno;
use crate::host;
use crate::save;
use crate::state::state;

/// Saves if asked to; the exit status to end with: `code`, or 1 in place
/// of 0 when the save failed (a lost state is never a success).
fn finish(code: u32) -> u32 {
    let st = state();
    let Some(path) = save::configured_path(st) else { return code };
    match save::save_reporting(st, &path) {
        Ok(()) => code,
        Err(_) if code == 0 => 1,
        Err(_) => code,
    }
}

#[no_mangle]
pub extern "C" fn proc_exit(code: i32) -> ! {
    let code = finish(code as u32);
    unsafe { host::proc_exit(code) }
}

/// Called by the fused module's `_start` after the guest's returns.
#[no_mangle]
pub extern "C" fn strata_finish() {
    let code = finish(0);
    if code != 0 {
        unsafe { host::proc_exit(code) }
    }
}

/// Saves the tree now: 0, or the preview1 errno of the failure (also
/// described on stderr); ENOENT when no save path is configured.
#[no_mangle]
pub extern "C" fn strata_save() -> i32 {
    let st = state();
    match save::configured_path(st) {
        None => errno::NOENT as i32,
        Some(path) => match save::save_reporting(st, &path) {
            Ok(()) => errno::SUCCESS as i32,
            Err(errno) => errno as i32,
        },
    }
}
