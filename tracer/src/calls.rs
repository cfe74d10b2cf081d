//! The traced functions, one per preview1 function with its exact
//! signature: describe the arguments, make the real call, describe the
//! result. Out-parameters are read after a successful call.

use crate::line::{self, Call, Text, FDFLAGS, FSTFLAGS, LOOKUPFLAGS, OFLAGS};
use crate::{config, fds, real, summary};

const CLOCKS: [&str; 4] = ["REALTIME", "MONOTONIC", "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID"];
const WHENCE: [&str; 3] = ["SET", "CUR", "END"];
const ADVICE: [&str; 6] = ["NORMAL", "SEQUENTIAL", "RANDOM", "WILLNEED", "DONTNEED", "NOREUSE"];

fn named(call: &mut Call, value: i32, names: &[&str]) {
    match names.get(value as u32 as usize) {
        Some(name) => call.arg(|t| t.push(name)),
        None => call.int(value),
    };
}

/// The bytes a read put in the first iovec: `N "data"`.
fn read_result(t: &mut Text, iovs: i32, count: i32, out: i32) {
    t.u32_result(out);
    let (Some(array), Some(n)) = (line::peek(iovs as u32, 8), line::peek(out as u32, 4)) else { return };
    let n = line::u32_at(&n, 0);
    if count > 0 && n > 0 {
        t.push(" ");
        t.quoted(line::u32_at(&array, 0), n.min(line::u32_at(&array, 4)), line::DATA_SHOWN);
    }
}

/// The data of the first non-empty iovec, as a write shows it.
fn written(call: &mut Call, iovs: i32, count: i32) {
    call.arg(|t| {
        for i in 0..(count.max(0) as u32).min(16) {
            let Some(iovec) = line::peek(iovs as u32 + i * 8, 8) else { break };
            let (ptr, len) = (line::u32_at(&iovec, 0), line::u32_at(&iovec, 4));
            if len > 0 {
                return t.quoted(ptr, len, line::DATA_SHOWN);
            }
        }
        t.push("\"\"");
    });
}

#[no_mangle]
pub extern "C" fn args_get(argv: i32, buf: i32) -> i32 {
    let mut call = Call::start("args_get");
    call.hex(argv as u32 as u64).hex(buf as u32 as u64);
    call.finish(unsafe { real::args_get(argv, buf) }, |_| {})
}

#[no_mangle]
pub extern "C" fn args_sizes_get(count: i32, size: i32) -> i32 {
    let mut call = Call::start("args_sizes_get");
    call.finish(unsafe { real::args_sizes_get(count, size) }, |t| sizes(t, count, size, "argc"))
}

#[no_mangle]
pub extern "C" fn environ_get(environ: i32, buf: i32) -> i32 {
    let mut call = Call::start("environ_get");
    call.hex(environ as u32 as u64).hex(buf as u32 as u64);
    call.finish(unsafe { real::environ_get(environ, buf) }, |_| {})
}

#[no_mangle]
pub extern "C" fn environ_sizes_get(count: i32, size: i32) -> i32 {
    let mut call = Call::start("environ_sizes_get");
    call.finish(unsafe { real::environ_sizes_get(count, size) }, |t| sizes(t, count, size, "count"))
}

fn sizes(t: &mut Text, count: i32, size: i32, what: &str) {
    t.push("0 {");
    t.push(what);
    t.push("=");
    t.u32_result(count);
    t.push(", bytes=");
    t.u32_result(size);
    t.push("}");
}

#[no_mangle]
pub extern "C" fn clock_res_get(id: i32, out: i32) -> i32 {
    let mut call = Call::start("clock_res_get");
    named(&mut call, id, &CLOCKS);
    call.finish(unsafe { real::clock_res_get(id, out) }, |t| t.u64_result(out))
}

#[no_mangle]
pub extern "C" fn clock_time_get(id: i32, precision: i64, out: i32) -> i32 {
    let mut call = Call::start("clock_time_get");
    named(&mut call, id, &CLOCKS);
    call.int(precision as u64);
    call.finish(unsafe { real::clock_time_get(id, precision, out) }, |t| t.u64_result(out))
}

#[no_mangle]
pub extern "C" fn fd_advise(fd: i32, offset: i64, len: i64, advice: i32) -> i32 {
    let mut call = Call::start("fd_advise");
    call.fd(fd).int(offset as u64).int(len as u64);
    named(&mut call, advice, &ADVICE);
    call.finish(unsafe { real::fd_advise(fd, offset, len, advice) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_allocate(fd: i32, offset: i64, len: i64) -> i32 {
    let mut call = Call::start("fd_allocate");
    call.fd(fd).int(offset as u64).int(len as u64);
    call.finish(unsafe { real::fd_allocate(fd, offset, len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_close(fd: i32) -> i32 {
    let mut call = Call::start("fd_close");
    call.fd(fd);
    let code = unsafe { real::fd_close(fd) };
    if code == 0 {
        line::closed(fd);
        fds::closed(fd);
    }
    call.finish(code, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_datasync(fd: i32) -> i32 {
    let mut call = Call::start("fd_datasync");
    call.fd(fd);
    call.finish(unsafe { real::fd_datasync(fd) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_fdstat_get(fd: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_fdstat_get");
    call.fd(fd);
    call.finish(unsafe { real::fd_fdstat_get(fd, out) }, |t| t.fdstat(out))
}

#[no_mangle]
pub extern "C" fn fd_fdstat_set_flags(fd: i32, flags: i32) -> i32 {
    let mut call = Call::start("fd_fdstat_set_flags");
    call.fd(fd).flags(flags as u32 as u64, FDFLAGS);
    call.finish(unsafe { real::fd_fdstat_set_flags(fd, flags) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64) -> i32 {
    let mut call = Call::start("fd_fdstat_set_rights");
    call.fd(fd).arg(|t| t.rights(base as u64)).arg(|t| t.rights(inheriting as u64));
    call.finish(unsafe { real::fd_fdstat_set_rights(fd, base, inheriting) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_filestat_get(fd: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_filestat_get");
    call.fd(fd);
    call.finish(unsafe { real::fd_filestat_get(fd, out) }, |t| t.filestat(out))
}

#[no_mangle]
pub extern "C" fn fd_filestat_set_size(fd: i32, size: i64) -> i32 {
    let mut call = Call::start("fd_filestat_set_size");
    call.fd(fd).int(size as u64);
    call.finish(unsafe { real::fd_filestat_set_size(fd, size) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32) -> i32 {
    let mut call = Call::start("fd_filestat_set_times");
    call.fd(fd).int(atim as u64).int(mtim as u64).flags(flags as u32 as u64, FSTFLAGS);
    call.finish(unsafe { real::fd_filestat_set_times(fd, atim, mtim, flags) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_pread(fd: i32, iovs: i32, len: i32, offset: i64, out: i32) -> i32 {
    let mut call = Call::start("fd_pread");
    call.fd(fd).iovecs(iovs, len).int(offset as u64);
    call.finish(unsafe { real::fd_pread(fd, iovs, len, offset, out) }, |t| read_result(t, iovs, len, out))
}

#[no_mangle]
pub extern "C" fn fd_prestat_get(fd: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_prestat_get");
    call.fd(fd);
    call.finish(unsafe { real::fd_prestat_get(fd, out) }, |t| {
        t.push("0 {dir, name_len=");
        t.u32_result(out + 4);
        t.push("}");
    })
}

#[no_mangle]
pub extern "C" fn fd_prestat_dir_name(fd: i32, path: i32, len: i32) -> i32 {
    let mut call = Call::start("fd_prestat_dir_name");
    call.fd(fd).int(len);
    let code = unsafe { real::fd_prestat_dir_name(fd, path, len) };
    if code == 0 {
        if let Some(name) = line::peek(path as u32, len as u32 as usize) {
            line::preopened(fd, name);
        }
    }
    call.finish(code, |t| {
        t.push("0 ");
        t.quoted(path as u32, len as u32, 4096);
    })
}

#[no_mangle]
pub extern "C" fn fd_pwrite(fd: i32, iovs: i32, len: i32, offset: i64, out: i32) -> i32 {
    let mut call = Call::start("fd_pwrite");
    call.fd(fd);
    written(&mut call, iovs, len);
    call.iovecs(iovs, len).int(offset as u64);
    call.finish(unsafe { real::fd_pwrite(fd, iovs, len, offset, out) }, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn fd_read(fd: i32, iovs: i32, len: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_read");
    call.fd(fd).iovecs(iovs, len);
    call.finish(unsafe { real::fd_read(fd, iovs, len, out) }, |t| read_result(t, iovs, len, out))
}

#[no_mangle]
pub extern "C" fn fd_readdir(fd: i32, buf: i32, len: i32, cookie: i64, out: i32) -> i32 {
    let mut call = Call::start("fd_readdir");
    call.fd(fd).int(len).int(cookie as u64);
    call.finish(unsafe { real::fd_readdir(fd, buf, len, cookie, out) }, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn fd_renumber(fd: i32, to: i32) -> i32 {
    let mut call = Call::start("fd_renumber");
    call.fd(fd).int(to);
    let code = unsafe { real::fd_renumber(fd, to) };
    if code == 0 {
        line::renumbered(fd, to);
        fds::renumbered(fd, to);
    }
    call.finish(code, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_seek(fd: i32, offset: i64, whence: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_seek");
    call.fd(fd).int(offset);
    named(&mut call, whence, &WHENCE);
    call.finish(unsafe { real::fd_seek(fd, offset, whence, out) }, |t| t.u64_result(out))
}

#[no_mangle]
pub extern "C" fn fd_sync(fd: i32) -> i32 {
    let mut call = Call::start("fd_sync");
    call.fd(fd);
    call.finish(unsafe { real::fd_sync(fd) }, |_| {})
}

#[no_mangle]
pub extern "C" fn fd_tell(fd: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_tell");
    call.fd(fd);
    call.finish(unsafe { real::fd_tell(fd, out) }, |t| t.u64_result(out))
}

#[no_mangle]
pub extern "C" fn fd_write(fd: i32, iovs: i32, len: i32, out: i32) -> i32 {
    let mut call = Call::start("fd_write");
    call.fd(fd);
    written(&mut call, iovs, len);
    call.iovecs(iovs, len);
    call.finish(unsafe { real::fd_write(fd, iovs, len, out) }, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn path_create_directory(fd: i32, path: i32, len: i32) -> i32 {
    let mut call = Call::start("path_create_directory");
    call.fd(fd).string(path, len);
    call.finish(unsafe { real::path_create_directory(fd, path, len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, out: i32) -> i32 {
    let mut call = Call::start("path_filestat_get");
    call.fd(fd).flags(flags as u32 as u64, LOOKUPFLAGS).string(path, len);
    call.finish(unsafe { real::path_filestat_get(fd, flags, path, len, out) }, |t| t.filestat(out))
}

#[no_mangle]
pub extern "C" fn path_filestat_set_times(
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> i32 {
    let mut call = Call::start("path_filestat_set_times");
    call.fd(fd).flags(flags as u32 as u64, LOOKUPFLAGS).string(path, len);
    call.int(atim as u64).int(mtim as u64).flags(fst as u32 as u64, FSTFLAGS);
    call.finish(unsafe { real::path_filestat_set_times(fd, flags, path, len, atim, mtim, fst) }, |_| {})
}

#[no_mangle]
pub extern "C" fn path_link(
    old_fd: i32,
    flags: i32,
    old: i32,
    old_len: i32,
    new_fd: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    let mut call = Call::start("path_link");
    call.fd(old_fd).flags(flags as u32 as u64, LOOKUPFLAGS).string(old, old_len).fd(new_fd).string(new, new_len);
    call.finish(unsafe { real::path_link(old_fd, flags, old, old_len, new_fd, new, new_len) }, |_| {})
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn path_open(
    fd: i32,
    dirflags: i32,
    path: i32,
    len: i32,
    oflags: i32,
    base: i64,
    inheriting: i64,
    fdflags: i32,
    out: i32,
) -> i32 {
    let mut call = Call::start("path_open");
    call.fd(fd).flags(dirflags as u32 as u64, LOOKUPFLAGS).string(path, len).flags(oflags as u32 as u64, OFLAGS);
    call.arg(|t| t.rights(base as u64)).arg(|t| t.rights(inheriting as u64));
    call.flags(fdflags as u32 as u64, FDFLAGS);
    let code = unsafe { real::path_open(fd, dirflags, path, len, oflags, base, inheriting, fdflags, out) };
    if code == 0 {
        if let Some(opened) = line::peek(out as u32, 4) {
            let opened = line::u32_at(&opened, 0) as i32;
            fds::opened(opened);
            if let Some(name) = line::peek(path as u32, len as u32 as usize) {
                line::opened(fd, &name, opened);
            }
        }
    }
    call.finish(code, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, out: i32) -> i32 {
    let mut call = Call::start("path_readlink");
    call.fd(fd).string(path, len).int(buf_len);
    call.finish(unsafe { real::path_readlink(fd, path, len, buf, buf_len, out) }, |t| {
        t.u32_result(out);
        if let Some(n) = line::peek(out as u32, 4) {
            t.push(" ");
            t.quoted(buf as u32, line::u32_at(&n, 0), 4096);
        }
    })
}

#[no_mangle]
pub extern "C" fn path_remove_directory(fd: i32, path: i32, len: i32) -> i32 {
    let mut call = Call::start("path_remove_directory");
    call.fd(fd).string(path, len);
    call.finish(unsafe { real::path_remove_directory(fd, path, len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn path_rename(old_fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32) -> i32 {
    let mut call = Call::start("path_rename");
    call.fd(old_fd).string(old, old_len).fd(new_fd).string(new, new_len);
    call.finish(unsafe { real::path_rename(old_fd, old, old_len, new_fd, new, new_len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn path_symlink(old: i32, old_len: i32, fd: i32, new: i32, new_len: i32) -> i32 {
    let mut call = Call::start("path_symlink");
    call.string(old, old_len).fd(fd).string(new, new_len);
    call.finish(unsafe { real::path_symlink(old, old_len, fd, new, new_len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn path_unlink_file(fd: i32, path: i32, len: i32) -> i32 {
    let mut call = Call::start("path_unlink_file");
    call.fd(fd).string(path, len);
    call.finish(unsafe { real::path_unlink_file(fd, path, len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn poll_oneoff(subs: i32, events: i32, count: i32, out: i32) -> i32 {
    let mut call = Call::start("poll_oneoff");
    call.hex(subs as u32 as u64).hex(events as u32 as u64).int(count);
    call.finish(unsafe { real::poll_oneoff(subs, events, count, out) }, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn proc_exit(code: i32) -> ! {
    let mut call = Call::start("proc_exit");
    call.int(code);
    call.finish_noreturn();
    finish();
    unsafe { real::proc_exit(code) }
}

#[no_mangle]
pub extern "C" fn proc_raise(signal: i32) -> i32 {
    let mut call = Call::start("proc_raise");
    call.int(signal);
    call.finish(unsafe { real::proc_raise(signal) }, |_| {})
}

#[no_mangle]
pub extern "C" fn sched_yield() -> i32 {
    Call::start("sched_yield").finish(unsafe { real::sched_yield() }, |_| {})
}

#[no_mangle]
pub extern "C" fn random_get(buf: i32, len: i32) -> i32 {
    let mut call = Call::start("random_get");
    call.hex(buf as u32 as u64).int(len);
    call.finish(unsafe { real::random_get(buf, len) }, |_| {})
}

#[no_mangle]
pub extern "C" fn sock_accept(fd: i32, flags: i32, out: i32) -> i32 {
    let mut call = Call::start("sock_accept");
    call.fd(fd).flags(flags as u32 as u64, FDFLAGS);
    let code = unsafe { real::sock_accept(fd, flags, out) };
    if let (0, Some(accepted)) = (code, line::peek(out as u32, 4)) {
        fds::opened(line::u32_at(&accepted, 0) as i32);
    }
    call.finish(code, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn sock_recv(fd: i32, iovs: i32, len: i32, flags: i32, out_len: i32, out_flags: i32) -> i32 {
    let mut call = Call::start("sock_recv");
    call.fd(fd).iovecs(iovs, len).flags(flags as u32 as u64, &[(1, "RECV_PEEK"), (2, "RECV_WAITALL")]);
    call.finish(unsafe { real::sock_recv(fd, iovs, len, flags, out_len, out_flags) }, |t| {
        read_result(t, iovs, len, out_len)
    })
}

#[no_mangle]
pub extern "C" fn sock_send(fd: i32, iovs: i32, len: i32, flags: i32, out: i32) -> i32 {
    let mut call = Call::start("sock_send");
    call.fd(fd);
    written(&mut call, iovs, len);
    call.iovecs(iovs, len).int(flags);
    call.finish(unsafe { real::sock_send(fd, iovs, len, flags, out) }, |t| t.u32_result(out))
}

#[no_mangle]
pub extern "C" fn sock_shutdown(fd: i32, how: i32) -> i32 {
    let mut call = Call::start("sock_shutdown");
    call.fd(fd).flags(how as u32 as u64, &[(1, "RD"), (2, "WR")]);
    call.finish(unsafe { real::sock_shutdown(fd, how) }, |_| {})
}

/// Called by the fused module's `_start` after the guest's returns (and by
/// `proc_exit`): the summary, if asked for.
#[no_mangle]
pub extern "C" fn strata_finish() {
    finish();
}

fn finish() {
    if config::get().summary {
        summary::print();
    }
    crate::file::flush_at_exit();
}
