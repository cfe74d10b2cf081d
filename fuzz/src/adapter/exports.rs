//! Every function the adapter exports, with what kind of value each of its
//! parameters takes, callable with raw argument values.
//!
//! The adapter's host build defines them as `#[no_mangle] extern "C"`
//! symbols (adapter/src/exports/*.rs); they are declared here with the
//! exact signatures, each i32 parameter getting the low 32 bits of its
//! argument.

use super::args::Kind::{self, *};

/// One export: its name, its parameters' kinds, and a call with raw
/// arguments (one per kind; the result as i32, 0 for none).
pub struct Export {
    pub name: &'static str,
    pub kinds: &'static [Kind],
    pub call: fn(&[i64]) -> i32,
}

/// `preview1` flag sets: their known bits.
const LOOKUP: Kind = Flags32(1);
const OFLAGS: Kind = Flags16(0xf);
const FDFLAGS: Kind = Flags16(0x1f);
const FSTFLAGS: Kind = Flags16(0xf);

macro_rules! exports {
    ($($name:ident($($arg:ident: $ty:ident = $kind:expr),*) -> $ret:tt;)*) => {
        mod raw {
            extern "C" {
                $(pub fn $name($($arg: $ty),*) -> exports!(@type $ret);)*
            }
        }

        /// Every export, in the order of `docs/adapter.md`'s table.
        // `proc_exit` returns `!`: what follows its call is unreachable.
        #[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
        pub const EXPORTS: &[Export] = &[$(Export {
            name: stringify!($name),
            kinds: &[$($kind),*],
            call: |args| {
                let mut args = args.iter().copied();
                let _ = &mut args;
                // SAFETY: the declaration matches the export's definition;
                // any argument value is one a guest can pass.
                let result = unsafe { raw::$name($(args.next().expect(stringify!($arg)) as $ty),*) };
                exports!(@code $ret, result)
            },
        }),*];
    };
    (@type i32) => { i32 };
    (@type ()) => { () };
    (@type !) => { ! };
    (@code i32, $result:ident) => { $result };
    (@code (), $result:ident) => {{ let () = $result; 0 }};
    (@code !, $result:ident) => { $result };
}

exports! {
    fd_advise(fd: i32 = Fd, offset: i64 = Offset, len: i64 = Offset, advice: i32 = Enum(6)) -> i32;
    fd_allocate(fd: i32 = Fd, offset: i64 = Offset, len: i64 = Offset) -> i32;
    fd_close(fd: i32 = Fd) -> i32;
    fd_datasync(fd: i32 = Fd) -> i32;
    fd_fdstat_get(fd: i32 = Fd, out: i32 = Out) -> i32;
    fd_fdstat_set_flags(fd: i32 = Fd, flags: i32 = FDFLAGS) -> i32;
    fd_fdstat_set_rights(fd: i32 = Fd, base: i64 = Rights, inheriting: i64 = Rights) -> i32;
    fd_filestat_get(fd: i32 = Fd, out: i32 = Out) -> i32;
    fd_filestat_set_size(fd: i32 = Fd, size: i64 = Offset) -> i32;
    fd_filestat_set_times(fd: i32 = Fd, atim: i64 = Time, mtim: i64 = Time, flags: i32 = FSTFLAGS) -> i32;
    fd_pread(fd: i32 = Fd, iovs: i32 = Iovs, count: i32 = Count, offset: i64 = Offset, out: i32 = Out) -> i32;
    fd_prestat_get(fd: i32 = Fd, out: i32 = Out) -> i32;
    fd_prestat_dir_name(fd: i32 = Fd, path: i32 = Buf, len: i32 = Len) -> i32;
    fd_pwrite(fd: i32 = Fd, iovs: i32 = Iovs, count: i32 = Count, offset: i64 = Offset, out: i32 = Out) -> i32;
    fd_read(fd: i32 = Fd, iovs: i32 = Iovs, count: i32 = Count, out: i32 = Out) -> i32;
    fd_readdir(fd: i32 = Fd, buf: i32 = Buf, len: i32 = Len, cookie: i64 = Cookie, out: i32 = Out) -> i32;
    fd_renumber(from: i32 = Fd, to: i32 = Fd) -> i32;
    fd_seek(fd: i32 = Fd, offset: i64 = Offset, whence: i32 = Enum(3), out: i32 = Out) -> i32;
    fd_sync(fd: i32 = Fd) -> i32;
    fd_tell(fd: i32 = Fd, out: i32 = Out) -> i32;
    fd_write(fd: i32 = Fd, iovs: i32 = Iovs, count: i32 = Count, out: i32 = Out) -> i32;
    path_create_directory(fd: i32 = Fd, path: i32 = PathPtr, len: i32 = PathLen) -> i32;
    path_filestat_get(fd: i32 = Fd, flags: i32 = LOOKUP, path: i32 = PathPtr, len: i32 = PathLen, out: i32 = Out)
        -> i32;
    path_filestat_set_times(
        fd: i32 = Fd,
        flags: i32 = LOOKUP,
        path: i32 = PathPtr,
        len: i32 = PathLen,
        atim: i64 = Time,
        mtim: i64 = Time,
        fst: i32 = FSTFLAGS
    ) -> i32;
    path_link(
        old_fd: i32 = Fd,
        flags: i32 = LOOKUP,
        old: i32 = PathPtr,
        old_len: i32 = PathLen,
        new_fd: i32 = Fd,
        new: i32 = PathPtr,
        new_len: i32 = PathLen
    ) -> i32;
    path_open(
        fd: i32 = Fd,
        dirflags: i32 = LOOKUP,
        path: i32 = PathPtr,
        len: i32 = PathLen,
        oflags: i32 = OFLAGS,
        base: i64 = Rights,
        inheriting: i64 = Rights,
        fdflags: i32 = FDFLAGS,
        out: i32 = Out
    ) -> i32;
    path_readlink(fd: i32 = Fd, path: i32 = PathPtr, len: i32 = PathLen, buf: i32 = Buf, buf_len: i32 = Len, out: i32 = Out)
        -> i32;
    path_remove_directory(fd: i32 = Fd, path: i32 = PathPtr, len: i32 = PathLen) -> i32;
    path_rename(
        old_fd: i32 = Fd,
        old: i32 = PathPtr,
        old_len: i32 = PathLen,
        new_fd: i32 = Fd,
        new: i32 = PathPtr,
        new_len: i32 = PathLen
    ) -> i32;
    path_symlink(old: i32 = PathPtr, old_len: i32 = PathLen, fd: i32 = Fd, new: i32 = PathPtr, new_len: i32 = PathLen)
        -> i32;
    path_unlink_file(fd: i32 = Fd, path: i32 = PathPtr, len: i32 = PathLen) -> i32;
    poll_oneoff(subs: i32 = Subs, events: i32 = Events, count: i32 = Count, out: i32 = Out) -> i32;
    sock_accept(fd: i32 = Fd, flags: i32 = FDFLAGS, out: i32 = Out) -> i32;
    sock_recv(fd: i32 = Fd, iovs: i32 = Iovs, len: i32 = Count, flags: i32 = Flags16(3), out_len: i32 = Out, out_flags: i32 = Out)
        -> i32;
    sock_send(fd: i32 = Fd, iovs: i32 = Iovs, len: i32 = Count, flags: i32 = Flags16(0xffff), out: i32 = Out) -> i32;
    sock_shutdown(fd: i32 = Fd, how: i32 = Flags8(3)) -> i32;
    proc_exit(code: i32 = Code) -> !;
    strata_finish() -> ();
    strata_save() -> i32;
}

/// The export called `name`.
pub fn by_name(name: &str) -> usize {
    EXPORTS.iter().position(|export| export.name == name).unwrap_or_else(|| panic!("no export {name}"))
}
