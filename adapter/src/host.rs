//! The host's own `wasi_snapshot_preview1` functions, for what the adapter
//! forwards: descriptors it does not serve (stdio, the runtime's preopens
//! and what is opened beneath them, sockets), clocks, polling and the exit;
//! and for saving the tree into a runtime preopen (environment included).
//!
//! Every pointer passed here is a guest-memory address: in the fused module
//! the host reads and writes memory 0, the guest's.

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "environ_get"]
    pub fn environ_get(pointers: u32, buffer: u32) -> i32;
    #[link_name = "environ_sizes_get"]
    pub fn environ_sizes_get(count: u32, size: u32) -> i32;
    #[link_name = "proc_exit"]
    pub fn proc_exit(code: u32) -> !;

    #[link_name = "clock_time_get"]
    pub fn clock_time_get(id: u32, precision: u64, out: u32) -> i32;
    #[link_name = "poll_oneoff"]
    pub fn poll_oneoff(subs: u32, events: u32, n: u32, nevents: u32) -> i32;

    #[link_name = "fd_advise"]
    pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32;
    #[link_name = "fd_allocate"]
    pub fn fd_allocate(fd: u32, offset: u64, len: u64) -> i32;
    #[link_name = "fd_close"]
    pub fn fd_close(fd: u32) -> i32;
    #[link_name = "fd_datasync"]
    pub fn fd_datasync(fd: u32) -> i32;
    #[link_name = "fd_fdstat_get"]
    pub fn fd_fdstat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_fdstat_set_flags"]
    pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32;
    #[link_name = "fd_fdstat_set_rights"]
    pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32;
    #[link_name = "fd_filestat_get"]
    pub fn fd_filestat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_filestat_set_size"]
    pub fn fd_filestat_set_size(fd: u32, size: u64) -> i32;
    #[link_name = "fd_filestat_set_times"]
    pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> i32;
    #[link_name = "fd_pread"]
    pub fn fd_pread(fd: u32, iovs: u32, len: u32, offset: u64, out: u32) -> i32;
    #[link_name = "fd_prestat_get"]
    pub fn fd_prestat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_prestat_dir_name"]
    pub fn fd_prestat_dir_name(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "fd_pwrite"]
    pub fn fd_pwrite(fd: u32, iovs: u32, len: u32, offset: u64, out: u32) -> i32;
    #[link_name = "fd_read"]
    pub fn fd_read(fd: u32, iovs: u32, len: u32, out: u32) -> i32;
    #[link_name = "fd_readdir"]
    pub fn fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32) -> i32;
    #[link_name = "fd_seek"]
    pub fn fd_seek(fd: u32, offset: i64, whence: u32, out: u32) -> i32;
    #[link_name = "fd_sync"]
    pub fn fd_sync(fd: u32) -> i32;
    #[link_name = "fd_tell"]
    pub fn fd_tell(fd: u32, out: u32) -> i32;
    #[link_name = "fd_write"]
    pub fn fd_write(fd: u32, iovs: u32, len: u32, out: u32) -> i32;

    #[link_name = "path_create_directory"]
    pub fn path_create_directory(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "path_filestat_get"]
    pub fn path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, out: u32) -> i32;
    #[link_name = "path_filestat_set_times"]
    pub fn path_filestat_set_times(fd: u32, flags: u32, path: u32, len: u32, atim: u64, mtim: u64, fst: u32) -> i32;
    #[link_name = "path_link"]
    pub fn path_link(old_fd: u32, flags: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_open"]
    pub fn path_open(
        fd: u32,
        dirflags: u32,
        path: u32,
        len: u32,
        oflags: u32,
        base: u64,
        inheriting: u64,
        fdflags: u32,
        out: u32,
    ) -> i32;
    #[link_name = "path_readlink"]
    pub fn path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32) -> i32;
    #[link_name = "path_remove_directory"]
    pub fn path_remove_directory(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "path_rename"]
    pub fn path_rename(old_fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_symlink"]
    pub fn path_symlink(old: u32, old_len: u32, fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_unlink_file"]
    pub fn path_unlink_file(fd: u32, path: u32, len: u32) -> i32;

    #[link_name = "sock_accept"]
    pub fn sock_accept(fd: u32, flags: u32, out: u32) -> i32;
    #[link_name = "sock_recv"]
    pub fn sock_recv(fd: u32, iovs: u32, len: u32, flags: u32, out_len: u32, out_flags: u32) -> i32;
    #[link_name = "sock_send"]
    pub fn sock_send(fd: u32, iovs: u32, len: u32, flags: u32, out: u32) -> i32;
    #[link_name = "sock_shutdown"]
    pub fn sock_shutdown(fd: u32, how: u32) -> i32;
}

// The host build, for fuzzing only (`fuzz/`, `docs/fuzzing.md`): the same
// functions, faked. Nothing below exists in the wasm32 build.
#[cfg(not(target_arch = "wasm32"))]
pub use fake::*;

/// A host with stdio and nothing else: no runtime preopens (every
/// `fd_prestat_get` is EBADF), no environment, stdout and stderr swallow
/// what they are given, stdin is at its end, and clocks tick by a
/// microsecond per reading. Pointers are read and written through
/// [`crate::guest`], so a bad one traps as in a real host. Answers follow
/// Linux for a terminal where it matters little which errno it is.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc)]
mod fake {
    use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

    use crate::abi::{errno, layout, rights};
    use crate::guest::{self, fuzzing::Stop};

    const SUCCESS: i32 = errno::SUCCESS as i32;
    const BADF: i32 = errno::BADF as i32;
    const INVAL: i32 = errno::INVAL as i32;
    const NOTDIR: i32 = errno::NOTDIR as i32;
    const NOTSOCK: i32 = errno::NOTSOCK as i32;
    const NOTSUP: i32 = errno::NOTSUP as i32;
    const SPIPE: i32 = errno::SPIPE as i32;
    /// `filetype::character_device`, what stdio is.
    const CHARACTER_DEVICE: u8 = 2;

    /// Nanoseconds the clocks read next.
    static CLOCK: AtomicU64 = AtomicU64::new(START);
    const START: u64 = 1_700_000_000_000_000_000;

    /// Back to the first reading, for the next instance.
    pub fn reset_fakes() {
        CLOCK.store(START, Relaxed);
    }

    /// `stdio` for fds 0..=2 (the host's only ones), else EBADF.
    fn on_stdio(fd: u32, stdio: i32) -> i32 {
        if fd < 3 {
            stdio
        } else {
            BADF
        }
    }

    pub unsafe fn environ_get(_pointers: u32, _buffer: u32) -> i32 {
        SUCCESS
    }

    pub unsafe fn environ_sizes_get(count: u32, size: u32) -> i32 {
        guest::write_u32(count, 0);
        guest::write_u32(size, 0);
        SUCCESS
    }

    pub unsafe fn proc_exit(code: u32) -> ! {
        guest::fuzzing::stop(Stop::Exit(code))
    }

    pub unsafe fn clock_time_get(id: u32, _precision: u64, out: u32) -> i32 {
        if id > 3 {
            return INVAL;
        }
        guest::write_u64(out, CLOCK.fetch_add(1000, Relaxed));
        SUCCESS
    }

    /// Every subscription is an event at once: a clock fires, stdio is
    /// ready, any other fd is EBADF in its event.
    pub unsafe fn poll_oneoff(subs: u32, events: u32, n: u32, nevents: u32) -> i32 {
        if n == 0 {
            return INVAL;
        }
        guest::check_aligned(subs, layout::SUBSCRIPTION_ALIGN);
        guest::check_aligned(events, layout::EVENT_ALIGN);
        guest::check_region(subs, n.saturating_mul(layout::SUBSCRIPTION_SIZE));
        guest::check_region(events, n.saturating_mul(layout::EVENT_SIZE));
        for i in 0..n {
            let sub = subs + i * layout::SUBSCRIPTION_SIZE;
            let tag = guest::read_u8(sub + layout::SUBSCRIPTION_TAG);
            let error = match tag {
                0 => SUCCESS,
                1 | 2 => on_stdio(guest::read_u32(sub + layout::SUBSCRIPTION_FD), SUCCESS),
                _ => return INVAL,
            };
            let mut event = [0u8; layout::EVENT_SIZE as usize];
            event[0..8].copy_from_slice(&guest::read_u64(sub).to_le_bytes());
            event[8..10].copy_from_slice(&(error as u16).to_le_bytes());
            event[10] = tag;
            guest::write_bytes(events + i * layout::EVENT_SIZE, &event);
        }
        guest::write_u32(nevents, n);
        SUCCESS
    }

    pub unsafe fn fd_advise(fd: u32, _offset: u64, _len: u64, _advice: u32) -> i32 {
        on_stdio(fd, SPIPE)
    }

    pub unsafe fn fd_allocate(fd: u32, _offset: u64, _len: u64) -> i32 {
        on_stdio(fd, NOTSUP)
    }

    pub unsafe fn fd_close(fd: u32) -> i32 {
        on_stdio(fd, SUCCESS)
    }

    pub unsafe fn fd_datasync(fd: u32) -> i32 {
        on_stdio(fd, INVAL)
    }

    /// A character device, every right.
    pub unsafe fn fd_fdstat_get(fd: u32, out: u32) -> i32 {
        if fd >= 3 {
            return BADF;
        }
        guest::check_aligned(out, layout::FDSTAT_ALIGN);
        let mut bytes = [0u8; layout::FDSTAT_SIZE as usize];
        bytes[0] = CHARACTER_DEVICE;
        bytes[8..16].copy_from_slice(&rights::ALL.to_le_bytes());
        guest::write_bytes(out, &bytes);
        SUCCESS
    }

    pub unsafe fn fd_fdstat_set_flags(fd: u32, _flags: u32) -> i32 {
        on_stdio(fd, SUCCESS)
    }

    pub unsafe fn fd_fdstat_set_rights(fd: u32, _base: u64, _inheriting: u64) -> i32 {
        on_stdio(fd, NOTSUP)
    }

    pub unsafe fn fd_filestat_get(fd: u32, out: u32) -> i32 {
        if fd >= 3 {
            return BADF;
        }
        guest::check_aligned(out, layout::FILESTAT_ALIGN);
        let mut bytes = [0u8; layout::FILESTAT_SIZE as usize];
        bytes[16] = CHARACTER_DEVICE;
        guest::write_bytes(out, &bytes);
        SUCCESS
    }

    pub unsafe fn fd_filestat_set_size(fd: u32, _size: u64) -> i32 {
        on_stdio(fd, INVAL)
    }

    pub unsafe fn fd_filestat_set_times(fd: u32, _atim: u64, _mtim: u64, _flags: u32) -> i32 {
        on_stdio(fd, NOTSUP)
    }

    pub unsafe fn fd_pread(fd: u32, _iovs: u32, _len: u32, _offset: u64, _out: u32) -> i32 {
        on_stdio(fd, SPIPE)
    }

    pub unsafe fn fd_prestat_get(_fd: u32, _out: u32) -> i32 {
        BADF
    }

    pub unsafe fn fd_prestat_dir_name(_fd: u32, _path: u32, _len: u32) -> i32 {
        BADF
    }

    pub unsafe fn fd_pwrite(fd: u32, _iovs: u32, _len: u32, _offset: u64, _out: u32) -> i32 {
        on_stdio(fd, SPIPE)
    }

    /// stdin is at its end; stdout and stderr are not for reading.
    pub unsafe fn fd_read(fd: u32, _iovs: u32, _len: u32, out: u32) -> i32 {
        if fd != 0 {
            return BADF;
        }
        guest::write_u32(out, 0);
        SUCCESS
    }

    pub unsafe fn fd_readdir(fd: u32, _buf: u32, _len: u32, _cookie: u64, _out: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn fd_seek(fd: u32, _offset: i64, _whence: u32, _out: u32) -> i32 {
        on_stdio(fd, SPIPE)
    }

    pub unsafe fn fd_sync(fd: u32) -> i32 {
        on_stdio(fd, INVAL)
    }

    pub unsafe fn fd_tell(fd: u32, _out: u32) -> i32 {
        on_stdio(fd, SPIPE)
    }

    /// stdout and stderr take every byte of every buffer, each of which
    /// must lie in guest memory, as a real host reads them.
    pub unsafe fn fd_write(fd: u32, iovs: u32, len: u32, out: u32) -> i32 {
        if fd != 1 && fd != 2 {
            return BADF;
        }
        guest::check_aligned(iovs, layout::IOVEC_ALIGN);
        guest::check_region(iovs, len.saturating_mul(layout::IOVEC_SIZE));
        let mut total = 0u32;
        for i in 0..len {
            let iovec = iovs + i * layout::IOVEC_SIZE;
            let (buf, buf_len) = (guest::read_u32(iovec), guest::read_u32(iovec + 4));
            guest::check_region(buf, buf_len);
            let Some(sum) = total.checked_add(buf_len) else { return INVAL };
            total = sum;
        }
        guest::write_u32(out, total);
        SUCCESS
    }

    pub unsafe fn path_create_directory(fd: u32, _path: u32, _len: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_filestat_get(fd: u32, _flags: u32, _path: u32, _len: u32, _out: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_filestat_set_times(
        fd: u32,
        _flags: u32,
        _path: u32,
        _len: u32,
        _atim: u64,
        _mtim: u64,
        _fst: u32,
    ) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_link(
        old_fd: u32,
        _flags: u32,
        _old: u32,
        _old_len: u32,
        new_fd: u32,
        _new: u32,
        _new_len: u32,
    ) -> i32 {
        on_stdio(old_fd.max(new_fd), NOTDIR)
    }

    #[allow(clippy::too_many_arguments)]
    pub unsafe fn path_open(
        fd: u32,
        _dirflags: u32,
        _path: u32,
        _len: u32,
        _oflags: u32,
        _base: u64,
        _inheriting: u64,
        _fdflags: u32,
        _out: u32,
    ) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_readlink(fd: u32, _path: u32, _len: u32, _buf: u32, _buf_len: u32, _out: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_remove_directory(fd: u32, _path: u32, _len: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_rename(old_fd: u32, _old: u32, _old_len: u32, new_fd: u32, _new: u32, _new_len: u32) -> i32 {
        on_stdio(old_fd.max(new_fd), NOTDIR)
    }

    pub unsafe fn path_symlink(_old: u32, _old_len: u32, fd: u32, _new: u32, _new_len: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn path_unlink_file(fd: u32, _path: u32, _len: u32) -> i32 {
        on_stdio(fd, NOTDIR)
    }

    pub unsafe fn sock_accept(fd: u32, _flags: u32, _out: u32) -> i32 {
        on_stdio(fd, NOTSOCK)
    }

    pub unsafe fn sock_recv(fd: u32, _iovs: u32, _len: u32, _flags: u32, _out_len: u32, _out_flags: u32) -> i32 {
        on_stdio(fd, NOTSOCK)
    }

    pub unsafe fn sock_send(fd: u32, _iovs: u32, _len: u32, _flags: u32, _out: u32) -> i32 {
        on_stdio(fd, NOTSOCK)
    }

    pub unsafe fn sock_shutdown(fd: u32, _how: u32) -> i32 {
        on_stdio(fd, NOTSOCK)
    }
}
