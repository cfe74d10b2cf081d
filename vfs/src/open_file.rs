//! Open file descriptions (Linux `struct file`): what `open` creates and
//! `dup` shares. They hold the offset, status flags, access mode and any
//! `flock`; descriptors only point at them.

use alloc::vec::Vec;

use crate::flags::StatusFlags;
use crate::mount::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// The lock a description holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldLock {
    Shared,
    Exclusive,
}

pub struct OpenFile {
    pub loc: Loc,
    pub readable: bool,
    pub writable: bool,
    pub status: StatusFlags,
    /// File offset; for a directory, the iteration cookie.
    pub offset: u64,
    /// Descriptors referring to this description.
    pub refs: u32,
    pub lock: Option<HeldLock>,
}

/// A slab of descriptions; ids are reused after the last reference goes.
#[derive(Default)]
pub struct OpenFiles {
    slots: Vec<Option<OpenFile>>,
    free: Vec<u32>,
}

impl OpenFiles {
    pub fn insert(&mut self, file: OpenFile) -> FileId {
        match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(file);
                FileId(index)
            }
            None => {
                self.slots.push(Some(file));
                FileId(self.slots.len() as u32 - 1)
            }
        }
    }

    /// The description `id`; ids come only from live descriptors.
    pub fn get(&self, id: FileId) -> &OpenFile {
        self.slots[id.0 as usize].as_ref().expect("descriptor points at a closed description")
    }

    pub fn get_mut(&mut self, id: FileId) -> &mut OpenFile {
        self.slots[id.0 as usize].as_mut().expect("descriptor points at a closed description")
    }

    /// Drops one reference; returns the description if it was the last.
    pub fn release(&mut self, id: FileId) -> Option<OpenFile> {
        let file = self.get_mut(id);
        file.refs -= 1;
        if file.refs > 0 {
            return None;
        }
        self.free.push(id.0);
        self.slots[id.0 as usize].take()
    }
}
