//! One memory filesystem instance (a tmpfs superblock): its inodes, their
//! numbering, and the memory they hold against an optional size limit.

use alloc::collections::BTreeMap;

use crate::directory::Directory;
use crate::inode::{FlockState, Ino, Inode, Node};
use crate::time::Timespec;

pub struct MemFs {
    inodes: BTreeMap<Ino, Inode>,
    /// Next inode number to hand out; numbers are never reused.
    next_ino: u64,
    root: Ino,
    /// Bytes of file data and symlink targets this filesystem may hold.
    limit: Option<u64>,
    /// Bytes currently charged (see [`Inode::charged_bytes`]).
    used: u64,
}

/// Ownership and permission of a new inode.
#[derive(Clone, Copy, Debug)]
pub struct NewInode {
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub now: Timespec,
}

impl MemFs {
    /// A filesystem holding an empty root directory.
    pub fn new(root: NewInode, limit: Option<u64>) -> MemFs {
        let mut fs = MemFs { inodes: BTreeMap::new(), next_ino: 1, root: Ino(1), limit, used: 0 };
        let root_ino = fs.allocate(Node::Dir(Directory::new(Ino(1))), root);
        fs.root = root_ino;
        fs.get_mut(root_ino).nlink = 2;
        fs
    }

    pub fn root(&self) -> Ino {
        self.root
    }

    /// The inode `ino`. Callers hold inode numbers only while the inode is
    /// alive (linked or pinned), so a miss is a bug in this crate.
    pub fn get(&self, ino: Ino) -> &Inode {
        self.inodes.get(&ino).expect("inode referenced after it was freed")
    }

    pub fn get_mut(&mut self, ino: Ino) -> &mut Inode {
        self.inodes.get_mut(&ino).expect("inode referenced after it was freed")
    }

    pub fn contains(&self, ino: Ino) -> bool {
        self.inodes.contains_key(&ino)
    }

    /// Creates an inode with no links; the caller links it.
    pub fn allocate(&mut self, node: Node, new: NewInode) -> Ino {
        let ino = Ino(self.next_ino);
        self.next_ino += 1;
        let inode = Inode {
            ino,
            perm: new.perm,
            uid: new.uid,
            gid: new.gid,
            nlink: 0,
            pins: 0,
            atime: new.now,
            mtime: new.now,
            ctime: new.now,
            flock: FlockState::default(),
            node,
        };
        self.used += inode.charged_bytes();
        self.inodes.insert(ino, inode);
        ino
    }

    /// Frees `ino` if nothing names or pins it any more.
    pub fn release_if_unused(&mut self, ino: Ino) {
        let inode = self.get(ino);
        if inode.nlink == 0 && inode.pins == 0 {
            let inode = self.inodes.remove(&ino).expect("checked above");
            self.used -= inode.charged_bytes();
        }
    }

    /// Memory a write may still take.
    pub fn budget(&self) -> u64 {
        self.limit.map_or(u64::MAX, |limit| limit.saturating_sub(self.used))
    }

    /// Runs `f` on `ino` with the remaining budget, then charges whatever
    /// the inode's memory grew or shrank by.
    pub fn with_budget<R>(&mut self, ino: Ino, f: impl FnOnce(&mut Inode, &mut u64) -> R) -> R {
        let mut budget = self.budget();
        let inode = self.inodes.get_mut(&ino).expect("inode referenced after it was freed");
        let before = inode.charged_bytes();
        let result = f(inode, &mut budget);
        let after = inode.charged_bytes();
        self.used = self.used + after - before;
        result
    }

    /// Whether `bytes` more would still fit under the limit.
    pub fn fits(&self, bytes: u64) -> bool {
        bytes <= self.budget()
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    pub fn inode_count(&self) -> u64 {
        self.inodes.len() as u64
    }
}
