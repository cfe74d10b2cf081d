//! The descriptor table: small integers to (open file description, fd flags).

use alloc::vec::Vec;

use crate::errno::{Errno, Result};
use crate::flags::FdFlags;
use crate::open_file::FileId;

/// A file descriptor number.
pub type Fd = i32;

/// `AT_FDCWD`: resolve relative paths from the working directory.
pub const AT_FDCWD: Fd = -100;

/// Default `RLIMIT_NOFILE`.
pub const DEFAULT_FD_LIMIT: u32 = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdEntry {
    pub file: FileId,
    pub flags: FdFlags,
}

pub struct FdTable {
    entries: Vec<Option<FdEntry>>,
    /// Descriptors must be below this; allocation past it gives EMFILE.
    limit: u32,
}

impl FdTable {
    pub fn new(limit: u32) -> FdTable {
        FdTable { entries: Vec::new(), limit }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn set_limit(&mut self, limit: u32) {
        self.limit = limit;
    }

    pub fn get(&self, fd: Fd) -> Result<FdEntry> {
        usize::try_from(fd).ok().and_then(|i| self.entries.get(i).copied().flatten()).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut FdEntry> {
        usize::try_from(fd).ok().and_then(|i| self.entries.get_mut(i)).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// Whether a descriptor could be allocated now.
    pub fn has_room(&self) -> bool {
        self.entries.len() < self.limit as usize || self.entries.iter().any(Option::is_none)
    }

    /// Places `entry` at the lowest free descriptor `>= min`.
    pub fn allocate(&mut self, min: Fd, entry: FdEntry) -> Result<Fd> {
        let min = usize::try_from(min).map_err(|_| Errno::INVAL)?;
        let free = (min..self.entries.len()).find(|&i| self.entries[i].is_none());
        let fd = free.unwrap_or(self.entries.len().max(min));
        if fd >= self.limit as usize {
            return Err(Errno::MFILE);
        }
        if fd >= self.entries.len() {
            self.entries.resize(fd + 1, None);
        }
        self.entries[fd] = Some(entry);
        Ok(fd as Fd)
    }

    /// Puts `entry` at exactly `fd`, returning what was there.
    pub fn replace(&mut self, fd: Fd, entry: FdEntry) -> Result<Option<FdEntry>> {
        let index = usize::try_from(fd).map_err(|_| Errno::BADF)?;
        if index >= self.limit as usize {
            return Err(Errno::BADF);
        }
        if index >= self.entries.len() {
            self.entries.resize(index + 1, None);
        }
        Ok(self.entries[index].replace(entry))
    }

    pub fn remove(&mut self, fd: Fd) -> Result<FdEntry> {
        let entry =
            usize::try_from(fd).ok().and_then(|i| self.entries.get_mut(i)).and_then(Option::take).ok_or(Errno::BADF)?;
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        Ok(entry)
    }

    /// Every open descriptor, lowest first.
    pub fn open_fds(&self) -> impl Iterator<Item = (Fd, FdEntry)> + '_ {
        self.entries.iter().enumerate().filter_map(|(i, e)| e.map(|e| (i as Fd, e)))
    }
}
