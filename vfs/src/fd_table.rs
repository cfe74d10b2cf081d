//! The descriptor table: small integers to (open file description, fd flags).

use alloc::collections::BTreeSet;
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
    /// Every index below `entries.len()` whose slot is empty: the lowest
    /// free descriptor is a lookup here, not a scan (a guest holding a
    /// million files open must not pay a million steps per open).
    free: BTreeSet<usize>,
    /// Descriptors must be below this; allocation past it gives EMFILE.
    limit: u32,
}

impl FdTable {
    pub fn new(limit: u32) -> FdTable {
        FdTable { entries: Vec::new(), free: BTreeSet::new(), limit }
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
        self.entries.len() < self.limit as usize || !self.free.is_empty()
    }

    /// Places `entry` at the lowest free descriptor `>= min`.
    pub fn allocate(&mut self, min: Fd, entry: FdEntry) -> Result<Fd> {
        let min = usize::try_from(min).map_err(|_| Errno::INVAL)?;
        let fd = self.free.range(min..).next().copied().unwrap_or(self.entries.len().max(min));
        if fd >= self.limit as usize {
            return Err(Errno::MFILE);
        }
        self.place(fd, entry);
        Ok(fd as Fd)
    }

    /// Puts `entry` at exactly `fd`, returning what was there.
    pub fn replace(&mut self, fd: Fd, entry: FdEntry) -> Result<Option<FdEntry>> {
        let index = usize::try_from(fd).map_err(|_| Errno::BADF)?;
        if index >= self.limit as usize {
            return Err(Errno::BADF);
        }
        let old = self.entries.get_mut(index).and_then(Option::take);
        self.place(index, entry);
        Ok(old)
    }

    /// `entry` into slot `index`, which is empty or past the end (the
    /// slots skipped become free).
    fn place(&mut self, index: usize, entry: FdEntry) {
        if index >= self.entries.len() {
            self.free.extend(self.entries.len()..index);
            self.entries.resize(index + 1, None);
        } else {
            self.free.remove(&index);
        }
        self.entries[index] = Some(entry);
    }

    pub fn remove(&mut self, fd: Fd) -> Result<FdEntry> {
        let index = usize::try_from(fd).map_err(|_| Errno::BADF)?;
        let entry = self.entries.get_mut(index).and_then(Option::take).ok_or(Errno::BADF)?;
        self.free.insert(index);
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
            self.free.remove(&self.entries.len());
        }
        Ok(entry)
    }

    /// Every open descriptor, lowest first.
    pub fn open_fds(&self) -> impl Iterator<Item = (Fd, FdEntry)> + '_ {
        self.entries.iter().enumerate().filter_map(|(i, e)| e.map(|e| (i as Fd, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> FdEntry {
        FdEntry { file: FileId(n), flags: FdFlags::empty() }
    }

    #[test]
    fn the_lowest_free_descriptor_at_or_above_min_is_taken() {
        let mut table = FdTable::new(10);
        for n in 0..5 {
            assert_eq!(table.allocate(0, entry(n)), Ok(n as Fd));
        }
        table.remove(3).unwrap();
        table.remove(1).unwrap();
        assert_eq!(table.allocate(2, entry(9)), Ok(3), "the lowest free at or above 2");
        assert_eq!(table.allocate(0, entry(9)), Ok(1));
        assert_eq!(table.allocate(0, entry(9)), Ok(5), "none free below the end");
        // A slot far past the end leaves the ones between free.
        assert_eq!(table.replace(8, entry(8)), Ok(None));
        assert_eq!(table.allocate(0, entry(9)), Ok(6));
        assert_eq!(table.allocate(0, entry(9)), Ok(7));
        assert_eq!(table.allocate(0, entry(9)), Ok(9));
        assert!(!table.has_room());
        assert_eq!(table.allocate(0, entry(9)), Err(Errno::MFILE));
        // Removing the last ones shrinks the table; their numbers come back.
        table.remove(9).unwrap();
        table.remove(8).unwrap();
        assert!(table.has_room());
        assert_eq!(table.allocate(0, entry(9)), Ok(8));
        assert_eq!(table.open_fds().count(), 9);
    }
}
