//! The trace appended to a file in one of the guest's preopens
//! (`strata trace --trace-file /out/trace.txt`).
//!
//! Each write opens the file (`O_CREAT`, append), writes and closes it
//! again: a descriptor held open would take a number the guest would
//! otherwise get, and closing it at once hands the number back. It also
//! leaves every line on disk even when the guest traps.
//!
//! That is invisible only while some number is free (`fds`): until then
//! lines wait in memory, and go out with the first write that can, or when
//! the guest ends, or past [`PENDING_MAX`] bytes (then, rarely, a guest
//! that closes and reopens may see another number, as it would have with
//! a descriptor of its own more). The preopen is the one whose name
//! covers most of the path, as wasi-libc picks one; the tracer asks the
//! real `fd_prestat_*` functions itself, which changes nothing.

use alloc::vec::Vec;

use crate::line::{peek, u32_at};
use crate::{guest, real};

/// Preopens are looked for among fds 3, 4, ... up to the first that is
/// none, at most this many.
const PREOPENS_MAX: i32 = 64;

/// Lines waiting for a moment when writing them changes nothing.
const PENDING_MAX: usize = 16 << 20;

struct Pending(core::cell::UnsafeCell<Vec<u8>>);

// SAFETY: one thread, and no reference outlives a call.
unsafe impl Sync for Pending {}

static PENDING: Pending = Pending(core::cell::UnsafeCell::new(Vec::new()));

/// Appends `bytes` to the trace file now, or as soon as that leaves the
/// guest's numbering alone.
pub fn append(path: &[u8], bytes: &[u8]) {
    // SAFETY: see `Pending`.
    let pending = unsafe { &mut *PENDING.0.get() };
    pending.extend_from_slice(bytes);
    if crate::fds::open_close_is_invisible() || pending.len() > PENDING_MAX {
        write_file(path, pending);
        pending.clear();
    }
}

/// Writes what waits: the guest is ending, its numbers no longer matter.
pub fn flush_at_exit() {
    // SAFETY: see `Pending`.
    let pending = unsafe { &mut *PENDING.0.get() };
    if let (Some(path), false) = (&crate::config::get().file, pending.is_empty()) {
        write_file(path, pending);
        pending.clear();
    }
}

/// Appends `bytes` to the file at `path` (absolute guest path); a failure
/// (no such preopen, a full disk) drops them, as a trace must not stop
/// the guest. The first failure is said once on stderr.
fn write_file(path: &[u8], bytes: &[u8]) {
    let Some((dir, relative)) = locate(path) else { return failed(b"no preopen holds the trace file") };
    let window = 16 + relative.len() as u32 + bytes.len().min(1 << 16) as u32;
    let ok = guest::with_window(window, |at| {
        let (name_at, data_at) = (at + 16, at + 16 + relative.len() as u32);
        guest::write_bytes(name_at, &relative);
        const CREAT: i32 = 1;
        const APPEND: i32 = 1;
        const FD_WRITE: i64 = 1 << 6;
        let opened = unsafe {
            real::path_open(dir, 1, name_at as i32, relative.len() as i32, CREAT, FD_WRITE, 0, APPEND, at as i32)
        };
        if opened != 0 {
            return false;
        }
        let fd = u32_at(&peek(at, 4).unwrap_or_default(), 0) as i32;
        let mut ok = true;
        for piece in bytes.chunks(1 << 16) {
            guest::write_bytes(data_at, piece);
            let mut done = 0u32;
            while ok && done < piece.len() as u32 {
                guest::write_bytes(at + 4, &(data_at + done).to_le_bytes());
                guest::write_bytes(at + 8, &(piece.len() as u32 - done).to_le_bytes());
                ok = unsafe { real::fd_write(fd, (at + 4) as i32, 1, (at + 12) as i32) } == 0;
                let moved = peek(at + 12, 4).map_or(0, |n| u32_at(&n, 0));
                ok &= moved > 0;
                done += moved;
            }
        }
        unsafe { real::fd_close(fd) };
        ok
    });
    if ok != Some(true) {
        failed(b"cannot write the trace file");
    }
}

fn failed(why: &[u8]) {
    static SAID: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
    if !SAID.swap(true, core::sync::atomic::Ordering::Relaxed) {
        let mut line = b"strata trace: ".to_vec();
        line.extend_from_slice(why);
        line.extend_from_slice(b"; the trace is lost\n");
        crate::line::write_fd(2, &line);
    }
}

/// The preopen (fd) whose name covers most of `path`, and the rest of
/// the path relative to it.
fn locate(path: &[u8]) -> Option<(i32, Vec<u8>)> {
    let wanted: Vec<&[u8]> = components(path).collect();
    let mut best: Option<(usize, i32)> = None;
    for fd in 3..3 + PREOPENS_MAX {
        let Some(name) = preopen_name(fd) else { break };
        let have: Vec<&[u8]> = components(&name).collect();
        if have.len() < wanted.len() && wanted.starts_with(&have) && best.is_none_or(|(depth, _)| have.len() > depth) {
            best = Some((have.len(), fd));
        }
    }
    let (depth, fd) = best?;
    Some((fd, wanted[depth..].join(&b'/')))
}

fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty() && *c != b".")
}

fn preopen_name(fd: i32) -> Option<Vec<u8>> {
    let len = guest::with_scratch(8, |at| {
        let ok = unsafe { real::fd_prestat_get(fd, at as i32) } == 0;
        let bytes = peek(at, 8)?;
        (ok && bytes[0] == 0).then(|| u32_at(&bytes, 4))
    })??;
    if len > 4096 {
        return None;
    }
    guest::with_window(len, |at| {
        let ok = unsafe { real::fd_prestat_dir_name(fd, at as i32, len as i32) } == 0;
        if ok {
            peek(at, len as usize)
        } else {
            None
        }
    })?
}
