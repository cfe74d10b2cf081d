//! Flags and small enums of the syscall-like API, with Linux's values so
//! they can be passed straight through from a C-shaped caller.

use bitflags::bitflags;

bitflags! {
    /// `open(2)` flags. The access mode is the two low bits: [`OpenFlags::RDONLY`]
    /// (0), [`OpenFlags::WRONLY`], [`OpenFlags::RDWR`]; read it with
    /// [`OpenFlags::access`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u32 {
        /// `O_RDONLY` (no bits set).
        const RDONLY = 0;
        /// `O_WRONLY`
        const WRONLY = 0o1;
        /// `O_RDWR`
        const RDWR = 0o2;
        /// `O_CREAT`: create the file if it does not exist.
        const CREAT = 0o100;
        /// `O_EXCL`: with `O_CREAT`, fail with EEXIST if the name exists.
        const EXCL = 0o200;
        /// `O_NOCTTY`: accepted, meaningless here.
        const NOCTTY = 0o400;
        /// `O_TRUNC`: truncate a regular file to length 0.
        const TRUNC = 0o1000;
        /// `O_APPEND`: every write goes to the end of the file.
        const APPEND = 0o2000;
        /// `O_NONBLOCK`: accepted; regular files never block.
        const NONBLOCK = 0o4000;
        /// `O_DSYNC`: accepted; memory storage is always synchronized.
        const DSYNC = 0o10000;
        /// `O_DIRECT`: accepted and ignored.
        const DIRECT = 0o40000;
        /// `O_LARGEFILE`: accepted; offsets are always 64-bit.
        const LARGEFILE = 0o100000;
        /// `O_DIRECTORY`: fail with ENOTDIR unless the path is a directory.
        const DIRECTORY = 0o200000;
        /// `O_NOFOLLOW`: fail with ELOOP if the final component is a symlink.
        const NOFOLLOW = 0o400000;
        /// `O_NOATIME`: do not update the access time.
        const NOATIME = 0o1000000;
        /// `O_CLOEXEC`: sets the descriptor's close-on-exec flag.
        const CLOEXEC = 0o2000000;
        /// `O_SYNC` (includes `O_DSYNC`): accepted, as `O_DSYNC`.
        const SYNC = 0o4010000;
        /// `O_PATH`: not supported (EINVAL).
        const PATH = 0o10000000;
        /// `O_TMPFILE` bit (the flag is this with `O_DIRECTORY`): not supported.
        const TMPFILE = 0o20000000;
    }
}

/// How an open file description may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessMode {
    Read,
    Write,
    ReadWrite,
}

impl AccessMode {
    pub fn readable(self) -> bool {
        matches!(self, AccessMode::Read | AccessMode::ReadWrite)
    }
    pub fn writable(self) -> bool {
        matches!(self, AccessMode::Write | AccessMode::ReadWrite)
    }
}

impl OpenFlags {
    /// The access mode, or `None` for the invalid value 3 (Linux accepts it
    /// as "neither read nor write"; so do we, see `open`).
    pub fn access(self) -> Option<AccessMode> {
        match self.bits() & 0o3 {
            0 => Some(AccessMode::Read),
            1 => Some(AccessMode::Write),
            2 => Some(AccessMode::ReadWrite),
            _ => None,
        }
    }
}

bitflags! {
    /// File status flags kept on an open file description and changeable
    /// with [`crate::Vfs::set_status_flags`] (`fcntl(F_SETFL)`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct StatusFlags: u32 {
        const APPEND = 0o2000;
        const NONBLOCK = 0o4000;
        const DSYNC = 0o10000;
        const NOATIME = 0o1000000;
        const SYNC = 0o4010000;
    }
}

bitflags! {
    /// Per-descriptor flags (`fcntl(F_SETFD)`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct FdFlags: u32 {
        /// `FD_CLOEXEC`
        const CLOEXEC = 1;
    }
}

bitflags! {
    /// The `*at` family's flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct AtFlags: u32 {
        /// `AT_SYMLINK_NOFOLLOW`: act on a final symlink itself.
        const SYMLINK_NOFOLLOW = 0x100;
        /// `AT_REMOVEDIR`: `unlinkat` removes a directory.
        const REMOVEDIR = 0x200;
        /// `AT_SYMLINK_FOLLOW`: `linkat` follows a final symlink.
        const SYMLINK_FOLLOW = 0x400;
        /// `AT_EMPTY_PATH`: an empty path names the directory fd itself.
        const EMPTY_PATH = 0x1000;
    }
}

bitflags! {
    /// `renameat2(2)` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct RenameFlags: u32 {
        /// `RENAME_NOREPLACE`: EEXIST instead of replacing the target.
        const NOREPLACE = 1;
        /// `RENAME_EXCHANGE`: atomically swap the two names.
        const EXCHANGE = 2;
        /// `RENAME_WHITEOUT`: overlay-only; EINVAL here as on tmpfs without it.
        const WHITEOUT = 4;
    }
}

bitflags! {
    /// `access(2)` mode bits. `F_OK` is the empty set.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct AccessCheck: u32 {
        /// `X_OK`
        const EXECUTE = 1;
        /// `W_OK`
        const WRITE = 2;
        /// `R_OK`
        const READ = 4;
    }
}

bitflags! {
    /// `fallocate(2)` modes supported by tmpfs.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct FallocateMode: u32 {
        /// `FALLOC_FL_KEEP_SIZE`
        const KEEP_SIZE = 1;
        /// `FALLOC_FL_PUNCH_HOLE` (must come with `KEEP_SIZE`)
        const PUNCH_HOLE = 2;
    }
}

/// `lseek(2)` origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    /// `SEEK_SET`
    Set,
    /// `SEEK_CUR`
    Cur,
    /// `SEEK_END`
    End,
    /// `SEEK_DATA`: the next offset at or after the given one holding data.
    Data,
    /// `SEEK_HOLE`: the next hole at or after the given offset (EOF counts).
    Hole,
}

/// `flock(2)` operation; `nonblocking` is `LOCK_NB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlockOp {
    /// `LOCK_SH`
    Shared,
    /// `LOCK_EX`
    Exclusive,
    /// `LOCK_UN`
    Unlock,
}

/// File type and permission bits of `st_mode`.
pub mod mode {
    pub const S_IFMT: u32 = 0o170000;
    pub const S_IFSOCK: u32 = 0o140000;
    pub const S_IFLNK: u32 = 0o120000;
    pub const S_IFREG: u32 = 0o100000;
    pub const S_IFBLK: u32 = 0o060000;
    pub const S_IFDIR: u32 = 0o040000;
    pub const S_IFCHR: u32 = 0o020000;
    pub const S_IFIFO: u32 = 0o010000;
    /// Set-user-id.
    pub const S_ISUID: u32 = 0o4000;
    /// Set-group-id.
    pub const S_ISGID: u32 = 0o2000;
    /// Sticky: in a directory, only owners may remove or rename entries.
    pub const S_ISVTX: u32 = 0o1000;
    /// All permission bits, including set-id and sticky.
    pub const PERMISSIONS: u32 = 0o7777;
}
