//! What `stat(2)` and `statfs(2)` report.

use crate::flags::mode;
use crate::time::Timespec;

/// The type of an inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
}

impl FileType {
    /// The `S_IFMT` bits of this type.
    pub const fn mode_bits(self) -> u32 {
        match self {
            FileType::Regular => mode::S_IFREG,
            FileType::Directory => mode::S_IFDIR,
            FileType::Symlink => mode::S_IFLNK,
        }
    }

    /// The `d_type` value of `getdents64(2)` (DT_REG, DT_DIR, DT_LNK).
    pub const fn dirent_type(self) -> u8 {
        match self {
            FileType::Regular => 8,
            FileType::Directory => 4,
            FileType::Symlink => 10,
        }
    }
}

/// `struct stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device id of the mount the inode lives on.
    pub dev: u64,
    pub ino: u64,
    /// File type and permission bits.
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// 512-byte blocks allocated in memory (image-backed data counts as
    /// not allocated, like a reflinked extent).
    pub blocks: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

impl Stat {
    pub fn file_type(&self) -> FileType {
        match self.mode & mode::S_IFMT {
            mode::S_IFDIR => FileType::Directory,
            mode::S_IFLNK => FileType::Symlink,
            _ => FileType::Regular,
        }
    }
}

/// `struct statfs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatFs {
    /// `TMPFS_MAGIC`.
    pub fs_type: u64,
    pub block_size: u32,
    /// Total blocks (the size limit, or the 4 GiB address space).
    pub blocks: u64,
    pub blocks_free: u64,
    pub blocks_available: u64,
    /// Inodes in use plus free ones (unbounded: reported as used + free).
    pub files: u64,
    pub files_free: u64,
    pub fsid: u64,
    pub name_max: u32,
    /// `ST_RDONLY` (1) when the mount is read-only.
    pub flags: u64,
}
