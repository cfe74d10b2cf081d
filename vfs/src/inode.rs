//! Inodes: identity, metadata and the node's contents.

use alloc::borrow::Cow;

use crate::directory::Directory;
use crate::file_data::FileData;
use crate::stat::FileType;
use crate::time::Timespec;

/// An inode number, unique within one filesystem and never reused while
/// that filesystem exists (as tmpfs's `get_next_ino`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ino(pub u64);

/// What an inode holds.
pub enum Node {
    File(FileData),
    Dir(Directory),
    /// The target bytes, verbatim; never empty (symlink refuses ""). An
    /// image's targets are borrowed from it and cost no memory.
    Symlink(Cow<'static, [u8]>),
}

/// An advisory `flock` held on an inode by open file descriptions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlockState {
    /// Descriptions holding a shared lock.
    pub shared: u32,
    /// Whether one description holds the exclusive lock.
    pub exclusive: bool,
}

pub struct Inode {
    pub ino: Ino,
    /// Permission bits (`0o7777`); the type is `node`'s.
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    /// Names referring to this inode; for a directory, 2 + subdirectories
    /// while it exists and 0 once removed.
    pub nlink: u32,
    /// Open file descriptions and working directories referring to it. An
    /// inode is freed when both `nlink` and `pins` reach 0.
    pub pins: u32,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
    pub flock: FlockState,
    pub node: Node,
}

impl Inode {
    pub fn file_type(&self) -> FileType {
        match self.node {
            Node::File(_) => FileType::Regular,
            Node::Dir(_) => FileType::Directory,
            Node::Symlink(_) => FileType::Symlink,
        }
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.node, Node::Dir(_))
    }

    pub fn dir(&self) -> Option<&Directory> {
        match &self.node {
            Node::Dir(dir) => Some(dir),
            _ => None,
        }
    }

    pub fn dir_mut(&mut self) -> Option<&mut Directory> {
        match &mut self.node {
            Node::Dir(dir) => Some(dir),
            _ => None,
        }
    }

    pub fn file(&self) -> Option<&FileData> {
        match &self.node {
            Node::File(data) => Some(data),
            _ => None,
        }
    }

    pub fn file_mut(&mut self) -> Option<&mut FileData> {
        match &mut self.node {
            Node::File(data) => Some(data),
            _ => None,
        }
    }

    /// `st_size`: bytes for files, target length for symlinks, and for
    /// directories what tmpfs reports (a fixed cost per entry plus `.`/`..`).
    pub fn size(&self) -> u64 {
        match &self.node {
            Node::File(data) => data.size(),
            Node::Dir(dir) => DIR_ENTRY_SIZE * (dir.len() as u64 + 2),
            Node::Symlink(target) => target.len() as u64,
        }
    }

    /// Memory charged to the filesystem's size limit for this inode.
    pub fn charged_bytes(&self) -> u64 {
        match &self.node {
            Node::File(data) => data.owned_bytes(),
            Node::Dir(_) => 0,
            Node::Symlink(Cow::Owned(target)) => target.len() as u64,
            Node::Symlink(Cow::Borrowed(_)) => 0,
        }
    }

    /// Updates mtime and ctime to `now` (a content change).
    pub fn touch_modified(&mut self, now: Timespec) {
        self.mtime = now;
        self.ctime = now;
    }
}

/// tmpfs's `BOGO_DIRENT_SIZE`: directory sizes grow by this per entry.
pub const DIR_ENTRY_SIZE: u64 = 20;
