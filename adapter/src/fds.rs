//! The guest's descriptor table: every fd the guest sees, virtual or the
//! host's, numbered exactly as wasmtime's preview1 host numbers them.
//!
//! wasmtime hands out the highest number freed so far, else one past the
//! highest in use (not the lowest free number, as POSIX does); guests
//! observe fd numbers, so the adapter allocates the same way.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};

use crate::abi::{errno, Errno};

/// What one guest fd stands for.
pub enum Slot {
    /// A descriptor of the host's, passed through under this host number:
    /// stdio, the runtime's own preopens and what was opened beneath them.
    Host(u32),
    /// A descriptor of the adapter's filesystem.
    Virtual(Virtual),
}

pub struct Virtual {
    /// The strata-vfs descriptor.
    pub vfs_fd: i32,
    pub kind: Kind,
}

pub enum Kind {
    /// A directory; `preopen` is its preopen name if it is one.
    Dir { preopen: Option<Box<[u8]>> },
    /// A regular file (or anything else opened without O_DIRECTORY).
    File(FileState),
}

/// What preview1 tracks per file descriptor beyond the open description.
pub struct FileState {
    pub readable: bool,
    pub writable: bool,
    pub append: bool,
    pub nonblock: bool,
    /// The file position. wasmtime keeps it apart from the host file's and
    /// lets it be any u64 (a seek past 2^63 succeeds; a read there is
    /// EINVAL), so the adapter keeps it too and reads and writes at it.
    pub position: u64,
}

#[derive(Default)]
pub struct Fds {
    used: BTreeMap<u32, Slot>,
    free: BTreeSet<u32>,
}

impl Fds {
    pub fn get(&self, fd: i32) -> Option<&Slot> {
        self.used.get(&(fd as u32))
    }

    pub fn get_mut(&mut self, fd: i32) -> Option<&mut Slot> {
        self.used.get_mut(&(fd as u32))
    }

    /// Gives `slot` a number, wasmtime's way.
    pub fn push(&mut self, slot: Slot) -> Result<u32, Errno> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((&last, _)) => last.checked_add(1).ok_or(errno::NOMEM)?,
                None => 0,
            },
        };
        self.used.insert(fd, slot);
        Ok(fd)
    }

    /// Removes `fd`, remembering its number for reuse.
    pub fn remove(&mut self, fd: i32) -> Option<Slot> {
        let slot = self.used.remove(&(fd as u32))?;
        self.free.insert(fd as u32);
        Some(slot)
    }

    /// Moves `from` to the free number `to` (the caller closed `to`).
    pub fn renumber(&mut self, from: i32, to: i32) {
        if let Some(slot) = self.used.remove(&(from as u32)) {
            self.free.insert(from as u32);
            self.free.remove(&(to as u32));
            self.used.insert(to as u32, slot);
        }
    }
}
