//! The known differences of `@bjorn3/browser_wasi_shim` 0.4.2 (the
//! preview1 host of `docs/web/strata-web.js`, given stdio only) from
//! wasmtime's host, on the calls a wrapped module hands to its host (fds
//! 0-2, clocks): one list for every engine that runs it (Chromium,
//! Firefox, Deno, Bun), since the host is the same JavaScript everywhere
//! and the tests find the same lines in each.
//!
//! strata-web.js itself answers the sock_* calls (the shim throws from
//! them, ending the run) and makes stdin read-only; the rest is the shim's.

use crate::known::{known, Known};

/// The shim's `Fd` base class answers ENOTSUP for every call a kind of fd
/// does not implement (stdout and stderr are `ConsoleStdout`s: fd_write,
/// fd_fdstat_get and fd_filestat_get only); wasmtime answers by the fd's
/// kind (EBADF, ESPIPE, ENOTDIR).
const UNSUPPORTED: &str = "the shim's ENOTSUP for what an fd kind lacks; wasmtime answers by the kind";
/// `Fd.path_open` on a non-directory answers ENOTDIR; wasmtime: EBADF.
const PATH_OPEN: &str = "the shim's path_open on a non-directory fd: ENOTDIR; wasmtime: EBADF";
/// The shim's fdstat: FD_WRITE alone on stdout and stderr, no rights on
/// stdin (an in-memory file), no inheriting rights; wasmtime: FD_READ
/// (stdin) or FD_WRITE (stdout, stderr), base and inheriting.
const FDSTAT: &str = "the shim's stdio fdstat rights; wasmtime: FD_READ/FD_WRITE base and inheriting";
/// `fd_write` writes every ciovec; wasmtime writes only the first
/// non-empty one.
const WRITEV: &str = "the shim writes every ciovec; wasmtime only the first";
/// stdin is an empty in-memory file (`OpenFile`): it preads, seeks and
/// tells; wasmtime's stdin is a stream (ESPIPE).
const STDIN_FILE: &str = "stdin is an in-memory file under the shim (seekable); a stream in wasmtime (ESPIPE)";
/// `Filestat.write_bytes` writes atim, mtim and ctim at offsets 38, 46 and
/// 52 instead of 40, 48 and 56: ctim reads back as bytes the guest had
/// there (the fixture's 0x55 filler) and zeros.
const FILESTAT_LAYOUT: &str = "the shim writes filestat's times at wrong offsets (38, 46, 52)";
/// fd_advise, fd_datasync and fd_sync succeed on any open fd; wasmtime
/// refuses them on stdio (EBADF).
const NO_OP: &str = "the shim's fd_advise/fd_datasync/fd_sync succeed on stdio; wasmtime: EBADF";
/// The shim's poll_oneoff takes exactly one clock subscription (ENOTSUP
/// for more, or for an fd subscription, before it looks at a clock id or
/// flags), busy-waits until its deadline, and never writes nevents (the
/// guest's 0 stays).
const POLL: &str = "the shim's poll_oneoff: one clock subscription only, nevents never written";
/// A clock-only poll_oneoff goes to the host as it is, and the shim does
/// not check the events' alignment, where wasmtime traps.
const POLL_POINTERS: &str = "a clock-only poll_oneoff goes to the host: the shim returns where wasmtime traps";

pub const KNOWN: &[Known] = &[
    known(
        "p1_abi",
        &["fd_prestat_get(0) -> EBADF", "fd_prestat_get(1) -> EBADF", "fd_prestat_get(2) -> EBADF"],
        &["fd_prestat_get(0) -> ENOTSUP", "fd_prestat_get(1) -> ENOTSUP", "fd_prestat_get(2) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &["fd_prestat_dir_name(stdout) -> ENOTDIR"],
        &["fd_prestat_dir_name(stdout) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x0 base=0x2 inheriting=0x2",
            "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x40",
            "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x40",
        ],
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x0 base=0x0 inheriting=0x0",
            "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x0",
            "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x0",
        ],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_flags(stdout, append) -> EBADF"],
        &["fd_fdstat_set_flags(stdout, append) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> EBADF"],
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> EBADF"#],
        &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> ENOTDIR"#],
        PATH_OPEN,
    ),
    known(
        "p1_abi",
        &["fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=48"],
        &["second ciovec line", "fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=67"],
        WRITEV,
    ),
    known("p1_abi", &["fd_read(stdout) -> EBADF"], &["fd_read(stdout) -> ENOTSUP"], UNSUPPORTED),
    known("p1_abi", &["fd_pread(stdin) -> ESPIPE"], &["fd_pread(stdin) -> OK"], STDIN_FILE),
    known(
        "p1_abi",
        &["fd_pwrite(stdout) -> ESPIPE", "fd_pread(stdout) -> EBADF"],
        &["fd_pwrite(stdout) -> ENOTSUP", "fd_pread(stdout) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &["fd_seek(0, cur 0) -> ESPIPE", "fd_tell(0) -> ESPIPE"],
        &["fd_seek(0, cur 0) -> OK", "fd_tell(0) -> OK"],
        STDIN_FILE,
    ),
    known(
        "p1_abi",
        &["fd_seek(1, cur 0) -> ESPIPE", "fd_tell(1) -> ESPIPE", "fd_seek(2, cur 0) -> ESPIPE", "fd_tell(2) -> ESPIPE"],
        &[
            "fd_seek(1, cur 0) -> ENOTSUP",
            "fd_tell(1) -> ENOTSUP",
            "fd_seek(2, cur 0) -> ENOTSUP",
            "fd_tell(2) -> ENOTSUP",
        ],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> EBADF"#],
        &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> ENOTSUP"#],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[
            "fd_filestat_get(0) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0",
            "fd_filestat_get(1) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0",
            "fd_filestat_get(2) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0",
        ],
        &[
            "fd_filestat_get(0) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=6148914689804861440",
            "fd_filestat_get(1) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=6148914689804861440",
            "fd_filestat_get(2) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=6148914689804861440",
        ],
        FILESTAT_LAYOUT,
    ),
    known(
        "p1_abi",
        &["fd_filestat_set_size(stdout, 0) -> EBADF"],
        &["fd_filestat_set_size(stdout, 0) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &["fd_filestat_set_times(stdout) -> EBADF"],
        &["fd_filestat_set_times(stdout) -> ENOTSUP"],
        UNSUPPORTED,
    ),
    known("p1_abi", &["fd_advise(stdout) -> EBADF"], &["fd_advise(stdout) -> OK"], NO_OP),
    known("p1_abi", &["fd_allocate(stdout) -> EBADF"], &["fd_allocate(stdout) -> ENOTSUP"], UNSUPPORTED),
    known("p1_abi", &["fd_datasync(stdout) -> EBADF"], &["fd_datasync(stdout) -> OK"], NO_OP),
    known("p1_abi", &["fd_sync(stdout) -> EBADF"], &["fd_sync(stdout) -> OK"], NO_OP),
    known(
        "p1_abi",
        &[r#"path_create_directory(fd, "x") -> EBADF"#],
        &[r#"path_create_directory(fd, "x") -> ENOTSUP"#],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[r#"path_unlink_file(fd, "x") -> EBADF"#],
        &[r#"path_unlink_file(fd, "x") -> ENOTSUP"#],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[r#"path_readlink(fd, "link-to-hello", buf 64) -> EBADF"#],
        &[r#"path_readlink(fd, "link-to-hello", buf 64) -> ENOTSUP"#],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[r#"path_symlink("hello.txt", fd, "x") -> EBADF"#],
        &[r#"path_symlink("hello.txt", fd, "x") -> ENOTSUP"#],
        UNSUPPORTED,
    ),
    known(
        "p1_abi",
        &[
            "poll_oneoff(monotonic relative 1ms) -> OK 1 events",
            "  userdata=42 type=clock error=OK",
            "poll_oneoff(realtime relative 1ms) -> OK 1 events",
            "  userdata=43 type=clock error=OK",
            "poll_oneoff(monotonic absolute 0) -> OK 1 events",
            "  userdata=44 type=clock error=OK",
            "poll_oneoff(realtime absolute 1ns after the epoch) -> OK 1 events",
            "  userdata=45 type=clock error=OK",
            "poll_oneoff(clocks 10000s and 2ms) -> OK 1 events",
            "  userdata=47 type=clock error=OK",
            "poll_oneoff(process cputime clock + monotonic) -> EINVAL",
            "poll_oneoff(clock id 9 + monotonic) -> EINVAL",
            "poll_oneoff(clock flags 0x4 + monotonic) -> EINVAL",
        ],
        &[
            "poll_oneoff(monotonic relative 1ms) -> OK 0 events",
            "poll_oneoff(realtime relative 1ms) -> OK 0 events",
            "poll_oneoff(monotonic absolute 0) -> OK 0 events",
            "poll_oneoff(realtime absolute 1ns after the epoch) -> OK 0 events",
            "poll_oneoff(clocks 10000s and 2ms) -> ENOTSUP",
            "poll_oneoff(process cputime clock + monotonic) -> ENOTSUP",
            "poll_oneoff(clock id 9 + monotonic) -> ENOTSUP",
            "poll_oneoff(clock flags 0x4 + monotonic) -> ENOTSUP",
        ],
        POLL,
    ),
    // Files are the adapter's and always ready; it asks the host only
    // whether stdout is, and the shim refuses an fd subscription.
    known(
        "p1_abi",
        &[
            "poll_oneoff(clock 10000s, fd_write on rw file, append file, stdout, read-only file) -> OK 4 events",
            "  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=3 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=5 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=7 type=fd_write error=OK nbytes=1 flags=0x0",
        ],
        &["poll_oneoff(clock 10000s, fd_write on rw file, append file, stdout, read-only file) -> ENOTSUP"],
        POLL,
    ),
    known(
        "p1_abi",
        &["poll_oneoff(fd_read stdout + clock) -> EBADF"],
        &["poll_oneoff(fd_read stdout + clock) -> ENOTSUP"],
        POLL,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x0"],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x0"],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x2 inheriting=0x2"],
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x0 inheriting=0x0"],
        FDSTAT,
    ),
    Known {
        run: "p1_abi trap poll_oneoff_events_misaligned",
        host: &[],
        engine: &["not trapped: OK 0"],
        engine_exits: Some(0),
        why: POLL_POINTERS,
    },
    known("p1_readdir", &["fd_readdir(stdout) -> EBADF"], &["fd_readdir(stdout) -> ENOTSUP"], UNSUPPORTED),
];
