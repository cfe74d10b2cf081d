//! strata-vfs's Linux errnos as preview1 errnos, the way wasmtime's host
//! converts the errors Linux gives it.
//!
//! wasmtime maps a fixed list of Linux errnos and turns every other one into
//! EIO (EXDEV, EROFS, EMFILE, EAGAIN, ...); the table keeps that, so a guest
//! sees the same errno wrapped or not, except for the two errnos only
//! strata's own mounts give (EROFS, EXDEV).

use strata_vfs::Errno as Linux;

use crate::abi::{errno, Errno};

pub fn from_linux(linux: Linux) -> Errno {
    match linux {
        Linux::PIPE => errno::PIPE,
        Linux::PERM => errno::PERM,
        Linux::NOENT => errno::NOENT,
        Linux::NOMEM => errno::NOMEM,
        Linux::IO => errno::IO,
        Linux::BADF => errno::BADF,
        Linux::BUSY => errno::BUSY,
        Linux::ACCES => errno::ACCES,
        Linux::NOTDIR => errno::NOTDIR,
        Linux::ISDIR => errno::ISDIR,
        Linux::INVAL => errno::INVAL,
        Linux::EXIST => errno::EXIST,
        Linux::FBIG => errno::FBIG,
        Linux::NOSPC => errno::NOSPC,
        Linux::SPIPE => errno::SPIPE,
        Linux::MLINK => errno::MLINK,
        Linux::NAMETOOLONG => errno::NAMETOOLONG,
        Linux::NOTEMPTY => errno::NOTEMPTY,
        Linux::LOOP => errno::LOOP,
        Linux::OVERFLOW => errno::OVERFLOW,
        Linux::ILSEQ => errno::ILSEQ,
        Linux::OPNOTSUPP => errno::NOTSUP,
        Linux::INTR => errno::INTR,
        // Only strata's own mounts (`--dir ...:ro`, `--tmpfs`) give these,
        // and wasmtime has no such mounts: Linux's answer, as preview1
        // spells it.
        Linux::ROFS => errno::ROFS,
        Linux::XDEV => errno::XDEV,
        _ => errno::IO,
    }
}
