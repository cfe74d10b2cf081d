//! One memory filesystem instance (a tmpfs superblock): its inodes, their
//! numbering, and the memory they hold against an optional size limit.
//!
//! A filesystem may stand on an image. Image inodes keep the image's numbers
//! (1 to N, the root is 1) and are materialized on first access, file data
//! and symlink targets still read in place; inodes created later are
//! numbered from N + 1.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::OnceCell;

use crate::directory::Directory;
use crate::file_data::FileData;
use crate::hash::HashMap;
use crate::image::Image;
use crate::inode::{FlockState, Ino, Inode, Node};
use crate::stat::FileType;
use crate::time::Timespec;

pub struct MemFs {
    image: Option<Image<'static>>,
    /// Image inode `i` at index `i - 1`, filled on first access. Emptied
    /// again when the inode is freed; by then nothing can reach it.
    lower: Vec<OnceCell<Box<Inode>>>,
    /// Inodes created in memory (a hash map: found in constant time).
    upper: HashMap<Ino, Inode>,
    /// Next inode number to hand out; numbers are never reused.
    next_ino: u64,
    root: Ino,
    /// Bytes of file data and symlink targets this filesystem may hold.
    limit: Option<u64>,
    /// Bytes currently charged (see [`Inode::charged_bytes`]).
    used: u64,
    /// Inodes alive (materialized or not).
    count: u64,
}

/// An inode seen by [`MemFs::peek`].
pub enum Peeked<'a> {
    Live(&'a Inode),
    /// Image inode number `.1`, never materialized.
    Image(&'a Image<'static>, u32),
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
        let mut fs = MemFs::empty(None, limit);
        let root_ino = fs.allocate(Node::Dir(Directory::new(Ino(1))), root);
        fs.root = root_ino;
        fs.get_mut(root_ino).nlink = 2;
        fs
    }

    /// A filesystem whose initial contents are `image`, read in place.
    pub fn with_image(image: Image<'static>, limit: Option<u64>) -> MemFs {
        let mut fs = MemFs::empty(Some(image), limit);
        let n = image.inode_count() as usize;
        fs.lower = (0..n).map(|_| OnceCell::new()).collect();
        fs.next_ino = n as u64 + 1;
        fs.count = n as u64;
        fs
    }

    /// A filesystem whose contents are image directory `root` and what
    /// lies beneath it (a bind mount of part of an image). The image's
    /// other inodes are never reached.
    pub fn with_image_root(image: Image<'static>, root: u32, limit: Option<u64>) -> MemFs {
        let mut fs = MemFs::with_image(image, limit);
        fs.root = Ino(root as u64);
        fs
    }

    fn empty(image: Option<Image<'static>>, limit: Option<u64>) -> MemFs {
        MemFs {
            image,
            lower: Vec::new(),
            upper: HashMap::default(),
            next_ino: 1,
            root: Ino(1),
            limit,
            used: 0,
            count: 0,
        }
    }

    pub fn root(&self) -> Ino {
        self.root
    }

    /// The inode `ino`. Callers hold inode numbers only while the inode is
    /// alive (linked or pinned), so a miss is a bug in this crate.
    pub fn get(&self, ino: Ino) -> &Inode {
        match self.lower_slot(ino) {
            Some(slot) => slot.get_or_init(|| self.materialize(ino)),
            None => self.upper.get(&ino).expect("inode referenced after it was freed"),
        }
    }

    pub fn get_mut(&mut self, ino: Ino) -> &mut Inode {
        if self.lower_slot(ino).is_some() {
            self.get(ino);
            let slot = &mut self.lower[ino.0 as usize - 1];
            return slot.get_mut().expect("materialized just above");
        }
        self.upper.get_mut(&ino).expect("inode referenced after it was freed")
    }

    /// `ino` as it stands, without materializing it: the live inode, or
    /// the image's record of an inode nothing has touched (so it, and its
    /// contents, are exactly as the image has them).
    pub fn peek(&self, ino: Ino) -> Peeked<'_> {
        match self.lower_slot(ino) {
            Some(slot) => match slot.get() {
                Some(inode) => Peeked::Live(inode),
                None => {
                    Peeked::Image(self.image.as_ref().expect("lower inodes exist only with an image"), ino.0 as u32)
                }
            },
            None => Peeked::Live(self.upper.get(&ino).expect("inode referenced after it was freed")),
        }
    }

    fn lower_slot(&self, ino: Ino) -> Option<&OnceCell<Box<Inode>>> {
        let index = usize::try_from(ino.0).ok()?.checked_sub(1)?;
        self.lower.get(index)
    }

    /// Builds the live inode for image inode `ino`.
    fn materialize(&self, ino: Ino) -> Box<Inode> {
        let image = self.image.expect("lower inodes exist only with an image");
        let number = ino.0 as u32;
        let record = image.inode(number);
        let node = match record.kind {
            FileType::Regular => Node::File(FileData::from_lower(image.file_bytes(number))),
            FileType::Directory => Node::Dir(Directory::from_image(image, number, Ino(record.parent as u64))),
            FileType::Symlink => Node::Symlink(Cow::Borrowed(image.symlink_target(number))),
        };
        Box::new(Inode {
            ino,
            perm: record.perm,
            uid: record.uid,
            gid: record.gid,
            nlink: record.nlink,
            pins: 0,
            atime: record.mtime,
            mtime: record.mtime,
            ctime: record.mtime,
            flock: FlockState::default(),
            node,
        })
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
        self.count += 1;
        self.upper.insert(ino, inode);
        ino
    }

    /// Frees `ino` if nothing names or pins it any more.
    pub fn release_if_unused(&mut self, ino: Ino) {
        let inode = self.get(ino);
        if inode.nlink != 0 || inode.pins != 0 {
            return;
        }
        let charged = inode.charged_bytes();
        match self.lower_slot(ino) {
            Some(_) => drop(self.lower[ino.0 as usize - 1].take()),
            None => drop(self.upper.remove(&ino)),
        }
        self.used -= charged;
        self.count -= 1;
    }

    /// Memory a write may still take.
    pub fn budget(&self) -> u64 {
        self.limit.map_or(u64::MAX, |limit| limit.saturating_sub(self.used))
    }

    /// Runs `f` on `ino` with the remaining budget, then charges whatever
    /// the inode's memory grew or shrank by.
    pub fn with_budget<R>(&mut self, ino: Ino, f: impl FnOnce(&mut Inode, &mut u64) -> R) -> R {
        let mut budget = self.budget();
        let inode = self.get_mut(ino);
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
        self.count
    }

    /// How many image inodes have been materialized.
    #[cfg(test)]
    pub fn materialized(&self) -> usize {
        self.lower.iter().filter(|slot| slot.get().is_some()).count()
    }
}
