//! # strata-vfs
//!
//! An inode-centric filesystem with Linux (tmpfs) semantics, for WebAssembly
//! guests. `no_std` + `alloc`; knows nothing about wasm or WASI.
//!
//! A [`Vfs`] is a mount namespace plus one process using it (working
//! directory, umask, credentials, descriptor table). Each of its methods is
//! one Linux syscall, with Linux's arguments, results and errno ([`Errno`],
//! Linux-numbered):
//!
//! | family | calls |
//! | --- | --- |
//! | descriptors | `open` `openat` `creat` `close` `dup` `dup2` `dup3` `fd_flags` `set_fd_flags` `status_flags` `set_status_flags` |
//! | data | `read` `write` `readv` `writev` `pread` `pwrite` `preadv` `pwritev` `lseek` `truncate` `ftruncate` `fallocate` `fsync` `fdatasync` `sync` `syncfs` |
//! | metadata | `stat` `lstat` `fstat` `fstatat` `utimensat` `futimens` `statfs` `fstatfs` |
//! | directories | `getdents` `readdir` (resumable cookies) `mkdir` `mkdirat` `rmdir` |
//! | names | `unlink` `unlinkat` `link` `linkat` `symlink` `symlinkat` `readlink` `readlinkat` `rename` `renameat` `renameat2` |
//! | process | `chdir` `fchdir` `getcwd` `umask` `set_credentials` |
//! | permissions | `chmod` `fchmod` `fchmodat` `chown` `fchown` `lchown` `fchownat` `access` `faccessat` |
//! | locks | `flock` |
//! | mounts | `mount` (memory filesystems: read-only, size-limited) |
//!
//! ## Model
//! - Inodes live in per-filesystem tables with stable, never-reused numbers;
//!   directories map names (bytes) to inode numbers, `.`/`..` synthesized;
//!   hard links are two names for one inode; an unlinked inode lives while
//!   an open file description (or the working directory) refers to it.
//! - Descriptors point at shared open file descriptions (offset, status
//!   flags, access mode, flock); `dup` shares them.
//! - Path resolution is one worklist loop ([`resolve`]); mount crossings are
//!   handled in one place ([`mount`]). Whole walks are remembered, failed
//!   ones too, until the namespace changes (`name_cache`), so a path looked
//!   up again costs one hash of its bytes.
//! - File data is chunked and sparse, and can be read in place from a lower
//!   layer with copy-on-write per chunk ([`file_data`]).
//!
//! ## Not here (yet)
//! `mmap` and `inotify` are out of scope. There are no device nodes, fifos
//! or sockets in the filesystem, no xattrs/ACLs, and no set-id semantics
//! (the bits are stored, never acted on). A blocking `flock` that would wait
//! fails with EWOULDBLOCK: with one process nothing could ever release it.
//! Differences from Linux are listed in `docs/vfs-linux-differences.md`.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod chunk_table;
pub mod cred;
pub mod directory;
pub mod errno;
pub mod fd_table;
pub mod file_data;
pub mod flags;
mod hash;
pub mod image;
pub mod inode;
pub mod memfs;
pub mod memory;
pub mod mount;
mod name_cache;
pub mod open_file;
mod ops;
pub mod resolve;
pub mod snapshot;
pub mod stat;
pub mod time;
mod vfs;

pub use cred::Credentials;
pub use errno::{Errno, Result};
pub use fd_table::{Fd, AT_FDCWD};
pub use flags::{
    mode, AccessCheck, AccessMode, AtFlags, FallocateMode, FdFlags, FlockOp, OpenFlags, RenameFlags, StatusFlags,
    Whence,
};
pub use mount::{FsId, MountOptions};
pub use ops::readdir::DirEntry;
pub use stat::{FileType, Stat, StatFs};
pub use time::{Clock, FixedClock, SetTime, Timespec};
pub use vfs::Vfs;
