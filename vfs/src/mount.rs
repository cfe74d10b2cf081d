//! The mount table: filesystems attached at directories of one namespace.
//!
//! Crossing mounts is handled here and nowhere else: [`Mounts::enter`] when a
//! lookup lands on a covered directory, [`Mounts::parent`] for `..`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::inode::{Ino, Inode};
use crate::memfs::MemFs;

/// Which mounted filesystem, by position in the table (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FsId(pub u32);

/// An inode anywhere in the namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub fs: FsId,
    pub ino: Ino,
}

/// How to mount a new memory filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountOptions {
    /// Every change fails with EROFS.
    pub read_only: bool,
    /// Bytes of file data and symlink targets it may hold; past it, writes
    /// are short and then fail with ENOSPC.
    pub size_limit: Option<u64>,
    /// Permission bits of its root directory.
    pub root_perm: u32,
    pub root_uid: u32,
    pub root_gid: u32,
}

impl Default for MountOptions {
    fn default() -> MountOptions {
        MountOptions { read_only: false, size_limit: None, root_perm: 0o755, root_uid: 0, root_gid: 0 }
    }
}

pub struct Mount {
    pub fs: MemFs,
    /// `st_dev` of every inode on it.
    pub dev: u64,
    pub read_only: bool,
    /// The directory this filesystem covers; `None` for the namespace root.
    pub mountpoint: Option<Loc>,
}

pub struct Mounts {
    list: Vec<Mount>,
    /// Covered directory → the filesystem mounted on it.
    covering: BTreeMap<Loc, FsId>,
}

/// Device ids start here so that they never look like a host's `0`.
const FIRST_DEV: u64 = 0x5354_0001;

impl Mounts {
    /// A table holding only the root filesystem.
    pub fn new(root: MemFs, read_only: bool) -> Mounts {
        let root = Mount { fs: root, dev: FIRST_DEV, read_only, mountpoint: None };
        Mounts { list: alloc::vec![root], covering: BTreeMap::new() }
    }

    pub fn root(&self) -> Loc {
        Loc { fs: FsId(0), ino: self.list[0].fs.root() }
    }

    pub fn mount(&self, fs: FsId) -> &Mount {
        &self.list[fs.0 as usize]
    }

    pub fn fs(&self, fs: FsId) -> &MemFs {
        &self.list[fs.0 as usize].fs
    }

    pub fn fs_mut(&mut self, fs: FsId) -> &mut MemFs {
        &mut self.list[fs.0 as usize].fs
    }

    pub fn inode(&self, loc: Loc) -> &Inode {
        self.fs(loc.fs).get(loc.ino)
    }

    pub fn inode_mut(&mut self, loc: Loc) -> &mut Inode {
        self.fs_mut(loc.fs).get_mut(loc.ino)
    }

    pub fn is_covered(&self, loc: Loc) -> bool {
        self.covering.contains_key(&loc)
    }

    /// Attaches `fs` over the directory `at`, which must not be covered.
    pub fn attach(&mut self, at: Loc, fs: MemFs, read_only: bool) -> FsId {
        let id = FsId(self.list.len() as u32);
        let dev = FIRST_DEV + self.list.len() as u64;
        self.list.push(Mount { fs, dev, read_only, mountpoint: Some(at) });
        self.covering.insert(at, id);
        id
    }

    /// Where a lookup that found `loc` really lands: the root of whatever is
    /// mounted on it, repeatedly.
    pub fn enter(&self, mut loc: Loc) -> Loc {
        while let Some(&fs) = self.covering.get(&loc) {
            loc = Loc { fs, ino: self.fs(fs).root() };
        }
        loc
    }

    /// `..` of the directory `dir`: its parent, leaving filesystems upward
    /// through their mountpoints; the namespace root is its own parent.
    pub fn parent(&self, mut dir: Loc) -> Loc {
        loop {
            let fs = self.fs(dir.fs);
            if dir.ino != fs.root() {
                let parent = self.inode(dir).dir().map_or(dir.ino, |d| d.parent);
                return Loc { fs: dir.fs, ino: parent };
            }
            match self.mount(dir.fs).mountpoint {
                Some(mountpoint) => dir = mountpoint,
                None => return dir,
            }
        }
    }

    /// Whether `loc` is the root of its filesystem (a mount root or `/`).
    pub fn is_fs_root(&self, loc: Loc) -> bool {
        self.fs(loc.fs).root() == loc.ino
    }
}
