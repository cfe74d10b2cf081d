//! Directory contents: names (bytes) to inodes, with stable iteration cookies.
//!
//! Lookups go through a map ordered by name (O(log n)). Iteration goes
//! through a second map ordered by a per-directory sequence number given to
//! each entry when it is inserted. A cookie is "the sequence number after the
//! last entry returned", so an entry that exists for the whole iteration is
//! returned exactly once whatever else is added or removed meanwhile; new
//! entries get larger numbers and may or may not be seen, as POSIX allows.
//!
//! `.` and `..` are synthesized: cookies 0 and 1 are theirs, entries start
//! at [`FIRST_ENTRY_COOKIE`].

use alloc::boxed::Box;
use alloc::collections::BTreeMap;

use crate::inode::Ino;
use crate::stat::FileType;

/// The cookie of the first real entry; 0 is `.` and 1 is `..`.
pub const FIRST_ENTRY_COOKIE: u64 = 2;

/// The position `getdents` leaves at the end of a directory, as tmpfs's
/// `DIR_OFFSET_EOD`: entries added later are not returned until a rewind.
/// Cookies of entries stay below it ([`Directory::is_full`]).
pub const END_OF_DIRECTORY: u64 = i32::MAX as u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub ino: Ino,
    /// Cached so that listing a directory touches no inode.
    pub kind: FileType,
    /// Position in iteration order.
    seq: u64,
}

pub struct Directory {
    /// The parent directory within the same filesystem; the root's parent
    /// is itself. Directories have exactly one name, so exactly one parent.
    pub parent: Ino,
    by_name: BTreeMap<Box<[u8]>, Entry>,
    by_seq: BTreeMap<u64, Box<[u8]>>,
    next_seq: u64,
    /// How many entries are directories (each holds a `..` link to us).
    subdirs: u32,
}

/// One entry as iteration yields it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed<'a> {
    pub name: &'a [u8],
    pub ino: Ino,
    pub kind: FileType,
    /// The cookie that resumes iteration after this entry.
    pub next: u64,
}

impl Directory {
    pub fn new(parent: Ino) -> Directory {
        Directory {
            parent,
            by_name: BTreeMap::new(),
            by_seq: BTreeMap::new(),
            next_seq: FIRST_ENTRY_COOKIE,
            subdirs: 0,
        }
    }

    pub fn get(&self, name: &[u8]) -> Option<Entry> {
        self.by_name.get(name).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether every cookie has been used: no entry can be added (ENOSPC,
    /// as tmpfs when its offset range is exhausted).
    pub fn is_full(&self) -> bool {
        self.next_seq >= END_OF_DIRECTORY
    }

    pub fn subdirs(&self) -> u32 {
        self.subdirs
    }

    /// Adds `name`, which must not exist.
    pub fn insert(&mut self, name: &[u8], ino: Ino, kind: FileType) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let previous = self.by_name.insert(name.into(), Entry { ino, kind, seq });
        debug_assert!(previous.is_none(), "insert over an existing name");
        self.by_seq.insert(seq, name.into());
        if kind == FileType::Directory {
            self.subdirs += 1;
        }
    }

    /// Removes `name` and returns what it named.
    pub fn remove(&mut self, name: &[u8]) -> Option<Entry> {
        let entry = self.by_name.remove(name)?;
        self.by_seq.remove(&entry.seq);
        if entry.kind == FileType::Directory {
            self.subdirs -= 1;
        }
        Some(entry)
    }

    /// Points an existing name at another inode in place (rename over a
    /// target, exchange): the name keeps its position in iteration order.
    pub fn replace(&mut self, name: &[u8], ino: Ino, kind: FileType) -> Option<Entry> {
        let entry = self.by_name.get_mut(name)?;
        let old = *entry;
        entry.ino = ino;
        entry.kind = kind;
        if old.kind == FileType::Directory {
            self.subdirs -= 1;
        }
        if kind == FileType::Directory {
            self.subdirs += 1;
        }
        Some(old)
    }

    /// Entries from `cookie` on, in iteration order (no `.`/`..`).
    pub fn iter_from(&self, cookie: u64) -> impl Iterator<Item = Listed<'_>> {
        self.by_seq.range(cookie.max(FIRST_ENTRY_COOKIE)..).map(move |(&seq, name)| {
            let entry = self.by_name[name];
            Listed { name, ino: entry.ino, kind: entry.kind, next: seq + 1 }
        })
    }

    /// The name under which `ino` appears (for `getcwd`); linear.
    pub fn name_of(&self, ino: Ino) -> Option<&[u8]> {
        self.by_name.iter().find(|(_, e)| e.ino == ino).map(|(name, _)| &**name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn names_from(dir: &Directory, cookie: u64) -> Vec<Vec<u8>> {
        dir.iter_from(cookie).map(|e| e.name.to_vec()).collect()
    }

    #[test]
    fn iteration_survives_concurrent_changes() {
        let mut dir = Directory::new(Ino(1));
        for i in 0..100u64 {
            dir.insert(alloc::format!("f{i}").as_bytes(), Ino(10 + i), FileType::Regular);
        }
        // Read half, then remove some read and unread entries, add new ones.
        let first: Vec<_> = dir.iter_from(0).take(50).map(|e| (e.name.to_vec(), e.next)).collect();
        let resume = first.last().unwrap().1;
        for i in (0..100).step_by(3) {
            dir.remove(alloc::format!("f{i}").as_bytes());
        }
        dir.insert(b"new", Ino(500), FileType::Regular);
        let rest = names_from(&dir, resume);
        let mut seen: Vec<Vec<u8>> = first.into_iter().map(|(n, _)| n).collect();
        seen.extend(rest);
        for i in (0..100).filter(|i| i % 3 != 0) {
            let name = alloc::format!("f{i}").into_bytes();
            assert_eq!(seen.iter().filter(|n| **n == name).count(), 1, "{i} seen once");
        }
    }

    #[test]
    fn replace_keeps_position_and_counts_subdirs() {
        let mut dir = Directory::new(Ino(1));
        dir.insert(b"a", Ino(2), FileType::Directory);
        dir.insert(b"b", Ino(3), FileType::Regular);
        assert_eq!(dir.subdirs(), 1);
        dir.replace(b"a", Ino(4), FileType::Regular);
        assert_eq!(dir.subdirs(), 0);
        assert_eq!(names_from(&dir, 0), [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(dir.get(b"a").unwrap().ino, Ino(4));
        assert_eq!(dir.name_of(Ino(3)), Some(&b"b"[..]));
    }
}
