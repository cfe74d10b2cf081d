//! The vocabulary of the differential test: operations, their outcomes, and
//! the snapshot of a final tree. Both targets (Linux through the host kernel,
//! and strata-vfs) implement [`Target`] over exactly these types, so a
//! mismatch is always a difference in behaviour, never in encoding.

/// Slot into the per-sequence list of descriptors returned by `Open`/`Dup`.
/// A slot that is closed or out of range is passed to the target as a
/// descriptor that is never valid (EBADF is expected from both).
pub type Slot = usize;

/// Who performs the following operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    /// uid 0, gid 0: bypasses permission checks as on Linux.
    Root,
    /// uid [`USER_UID`], gid [`USER_GID`], no supplementary groups.
    User,
}

pub const USER_UID: u32 = 1000;
pub const USER_GID: u32 = 1000;

/// `open` flags in a target-neutral form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSpec {
    /// 0 = O_RDONLY, 1 = O_WRONLY, 2 = O_RDWR.
    pub access: u8,
    pub create: bool,
    pub excl: bool,
    pub trunc: bool,
    pub append: bool,
    pub directory: bool,
    pub nofollow: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameMode {
    Plain,
    NoReplace,
    Exchange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlockOp {
    Shared,
    Exclusive,
    Unlock,
}

/// One operation. Paths are bytes, relative to the current directory or
/// absolute within the sandbox root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    SetIdentity(Identity),
    Umask(u32),
    Open {
        path: Vec<u8>,
        flags: OpenSpec,
        mode: u32,
    },
    Close(Slot),
    Dup(Slot),
    Read {
        slot: Slot,
        len: usize,
    },
    Write {
        slot: Slot,
        data: Vec<u8>,
    },
    Pread {
        slot: Slot,
        len: usize,
        offset: u64,
    },
    Pwrite {
        slot: Slot,
        data: Vec<u8>,
        offset: u64,
    },
    Lseek {
        slot: Slot,
        offset: i64,
        whence: Whence,
    },
    Ftruncate {
        slot: Slot,
        len: u64,
    },
    Truncate {
        path: Vec<u8>,
        len: u64,
    },
    Fallocate {
        slot: Slot,
        offset: u64,
        len: u64,
    },
    Fsync(Slot),
    Fstat(Slot),
    Stat(Vec<u8>),
    Lstat(Vec<u8>),
    Mkdir {
        path: Vec<u8>,
        mode: u32,
    },
    Rmdir(Vec<u8>),
    Unlink(Vec<u8>),
    /// `linkat(AT_FDCWD, old, AT_FDCWD, new, follow ? AT_SYMLINK_FOLLOW : 0)`.
    Link {
        old: Vec<u8>,
        new: Vec<u8>,
        follow: bool,
    },
    Symlink {
        target: Vec<u8>,
        path: Vec<u8>,
    },
    Readlink(Vec<u8>),
    Rename {
        old: Vec<u8>,
        new: Vec<u8>,
        mode: RenameMode,
    },
    Chmod {
        path: Vec<u8>,
        mode: u32,
    },
    Fchmod {
        slot: Slot,
        mode: u32,
    },
    /// `fchownat(AT_FDCWD, path, uid, gid, follow ? 0 : AT_SYMLINK_NOFOLLOW)`;
    /// `u32::MAX` leaves that id unchanged (the C `-1`).
    Chown {
        path: Vec<u8>,
        uid: u32,
        gid: u32,
        follow: bool,
    },
    /// `faccessat(AT_FDCWD, path, mode, 0)` with mode a subset of R_OK|W_OK|X_OK (or F_OK = 0).
    Access {
        path: Vec<u8>,
        mode: u32,
    },
    Chdir(Vec<u8>),
    Fchdir(Slot),
    Getcwd,
    /// Open `path` with O_RDONLY|O_DIRECTORY, read every entry, close.
    ListDir(Vec<u8>),
    /// Read every remaining entry of an already open directory from its
    /// current position (getdents on the shared description).
    Getdents(Slot),
    /// `flock(fd, op | LOCK_NB)`.
    Flock {
        slot: Slot,
        op: FlockOp,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// What `stat` reports that both targets must agree on. `ino` is not the
/// raw inode number but its class: the index at which the sequence first saw
/// that inode number (so hard links show the same class on both sides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatView {
    pub kind: Kind,
    /// Permission bits only (`st_mode & 0o7777`).
    pub perm: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    /// Size for regular files and symlinks; 0 for directories (their size
    /// is filesystem-specific and is a documented difference).
    pub size: u64,
    pub ino_class: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Success with nothing to compare (close, mkdir, ...).
    Done,
    /// A new descriptor, now in the next slot.
    Fd,
    /// A number: bytes written, new offset, previous umask.
    Num(u64),
    Bytes(Vec<u8>),
    Stat(StatView),
    /// Directory entries other than `.` and `..`, sorted by name.
    Entries(Vec<(Vec<u8>, Kind)>),
    /// A Linux errno value.
    Err(i32),
}

/// One entry of a final tree, by path from the sandbox root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: Vec<u8>,
    pub stat: StatView,
    /// Regular file contents, or a symlink's target.
    pub data: Vec<u8>,
}

/// Something that runs a sequence of operations: the host kernel or strata-vfs.
pub trait Target {
    fn apply(&mut self, op: &Op) -> Outcome;
    /// The whole tree from the sandbox root, sorted by path, read as root
    /// (the identity is switched to root first). Directories are included.
    fn snapshot(&mut self) -> Vec<TreeEntry>;
}

/// Maps raw inode numbers to classes in order of first appearance.
#[derive(Default)]
pub struct InoClasses(Vec<u64>);

impl InoClasses {
    pub fn class(&mut self, ino: u64) -> usize {
        match self.0.iter().position(|&seen| seen == ino) {
            Some(i) => i,
            None => {
                self.0.push(ino);
                self.0.len() - 1
            }
        }
    }
}
