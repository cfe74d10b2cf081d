//! Directory contents: names (bytes) to inodes, with stable iteration cookies.
//!
//! A directory has two layers. The lower one is an image directory, read in
//! place: sorted entries found by binary search. The upper one holds what
//! was added since, in a hash map by name, and in a map by sequence number
//! for iteration. Removing a lower name hides
//! its index; replacing it (rename over it) hides it and puts an upper entry
//! of the same name in its place. Invariant: an upper name that the lower
//! layer also has always has that lower entry hidden, so a name is found in
//! exactly one layer.
//!
//! Every entry has a sequence number, fixed when it appears: lower entry
//! `i` has [`FIRST_ENTRY_COOKIE`] + `i`; upper entries count on from after
//! the lower ones, except that a replacing entry takes over the number of
//! the lower entry it replaces. Iteration goes in sequence order, and a
//! cookie is "the number after the last entry returned", so an entry that
//! exists for the whole iteration is returned exactly once whatever else is
//! added or removed meanwhile; new entries get larger numbers and may or may
//! not be seen, as POSIX allows.
//!
//! `.` and `..` are synthesized: cookies 0 and 1 are theirs.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use core::cell::OnceCell;

use hashbrown::HashTable;

use crate::hash::{hash_name, HashMap};
use crate::image::{Image, ImageEntry};
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

/// Image directories with more entries than this get a hash index on
/// their first lookup; smaller ones are searched in place.
const HASHED_FROM: usize = 32;

/// The image directory under a directory.
struct Lower {
    image: Image<'static>,
    ino: u32,
    count: usize,
    /// Indexes of lower entries removed or replaced.
    hidden: BTreeSet<usize>,
    /// Entry indexes by name hash, built on the first lookup in a large
    /// directory: the image's sorted entries give O(log n) lookups, this
    /// gives lookups that cost the same whatever the directory's size.
    by_hash: OnceCell<HashTable<u32>>,
}

impl Lower {
    fn lookup(&self, name: &[u8]) -> Option<(usize, ImageEntry<'static>)> {
        if self.count <= HASHED_FROM {
            return self.image.lookup(self.ino, name);
        }
        let entry = |index: u32| self.image.entry_of(self.ino, index as usize);
        let table = self.by_hash.get_or_init(|| {
            let mut table = HashTable::with_capacity(self.count);
            for index in 0..self.count as u32 {
                table.insert_unique(hash_name(entry(index).name), index, |&i| hash_name(entry(i).name));
            }
            table
        });
        let &index = table.find(hash_name(name), |&i| entry(i).name == name)?;
        Some((index as usize, entry(index)))
    }

    fn get(&self, name: &[u8]) -> Option<(usize, Entry)> {
        let (index, entry) = self.lookup(name)?;
        if self.hidden.contains(&index) {
            return None;
        }
        let kind = entry.kind;
        Some((index, Entry { ino: Ino(entry.ino as u64), kind, seq: FIRST_ENTRY_COOKIE + index as u64 }))
    }
}

pub struct Directory {
    /// The parent directory within the same filesystem; the root's parent
    /// is itself. Directories have exactly one name, so exactly one parent.
    pub parent: Ino,
    /// Boxed: most directories have none, and it is large.
    lower: Option<Box<Lower>>,
    /// Upper entries by name: a hash map, so a lookup costs the same in a
    /// directory of any size.
    by_name: HashMap<Box<[u8]>, Entry>,
    /// Upper entries in iteration order, each with what it names, so a
    /// listing looks nothing up by name.
    by_seq: BTreeMap<u64, Named>,
    next_seq: u64,
}

/// An upper entry as `by_seq` holds it: a copy of its `by_name` entry.
struct Named {
    name: Box<[u8]>,
    ino: Ino,
    kind: FileType,
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
            lower: None,
            by_name: HashMap::default(),
            by_seq: BTreeMap::new(),
            next_seq: FIRST_ENTRY_COOKIE,
        }
    }

    /// The directory `ino` of `image`, read in place.
    pub fn from_image(image: Image<'static>, ino: u32, parent: Ino) -> Directory {
        let count = image.entries(ino).len();
        let lower = Lower { image, ino, count, hidden: BTreeSet::new(), by_hash: OnceCell::new() };
        Directory {
            next_seq: FIRST_ENTRY_COOKIE + count as u64,
            lower: Some(Box::new(lower)),
            ..Directory::new(parent)
        }
    }

    pub fn get(&self, name: &[u8]) -> Option<Entry> {
        if let Some(entry) = self.by_name.get(name) {
            return Some(*entry);
        }
        self.lower.as_ref()?.get(name).map(|(_, entry)| entry)
    }

    pub fn len(&self) -> usize {
        let lower = self.lower.as_ref().map_or(0, |l| l.count - l.hidden.len());
        self.by_name.len() + lower
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every cookie has been used: no entry can be added (ENOSPC,
    /// as tmpfs when its offset range is exhausted).
    pub fn is_full(&self) -> bool {
        self.next_seq >= END_OF_DIRECTORY
    }

    /// Adds `name`, which must not exist.
    pub fn insert(&mut self, name: &[u8], ino: Ino, kind: FileType) {
        debug_assert!(self.get(name).is_none(), "insert over an existing name");
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_name.insert(name.into(), Entry { ino, kind, seq });
        self.by_seq.insert(seq, Named { name: name.into(), ino, kind });
    }

    /// Removes `name` and returns what it named.
    pub fn remove(&mut self, name: &[u8]) -> Option<Entry> {
        if let Some(entry) = self.by_name.remove(name) {
            self.by_seq.remove(&entry.seq);
            return Some(entry);
        }
        let lower = self.lower.as_mut()?;
        let (index, entry) = lower.get(name)?;
        lower.hidden.insert(index);
        Some(entry)
    }

    /// Points an existing name at another inode in place (rename over a
    /// target, exchange): the name keeps its position in iteration order.
    pub fn replace(&mut self, name: &[u8], ino: Ino, kind: FileType) -> Option<Entry> {
        if let Some(entry) = self.by_name.get_mut(name) {
            let old = *entry;
            entry.ino = ino;
            entry.kind = kind;
            let named = self.by_seq.get_mut(&old.seq).expect("every upper entry is in both maps");
            named.ino = ino;
            named.kind = kind;
            return Some(old);
        }
        let lower = self.lower.as_mut()?;
        let (index, old) = lower.get(name)?;
        lower.hidden.insert(index);
        self.by_name.insert(name.into(), Entry { ino, kind, seq: old.seq });
        self.by_seq.insert(old.seq, Named { name: name.into(), ino, kind });
        Some(old)
    }

    /// Entries from `cookie` on, in iteration order (no `.`/`..`).
    pub fn iter_from(&self, cookie: u64) -> impl Iterator<Item = Listed<'_>> {
        let start = cookie.max(FIRST_ENTRY_COOKIE);
        let mut upper = self
            .by_seq
            .range(start..)
            .map(|(&seq, named)| Listed { name: &named.name, ino: named.ino, kind: named.kind, next: seq + 1 })
            .peekable();
        let mut lower = self.lower_from(start).peekable();
        // Merge the two layers by sequence number.
        core::iter::from_fn(move || match (lower.peek(), upper.peek()) {
            (Some(l), Some(u)) if l.next < u.next => lower.next(),
            (Some(_), None) => lower.next(),
            _ => upper.next(),
        })
    }

    /// Visible lower entries whose sequence number is `start` or more.
    fn lower_from(&self, start: u64) -> impl Iterator<Item = Listed<'_>> {
        let lower = self.lower.as_deref();
        let first = (start - FIRST_ENTRY_COOKIE) as usize;
        let count = lower.map_or(0, |l| l.count);
        (first.min(count)..count).filter_map(move |index| {
            let lower = lower.expect("count is 0 without a lower layer");
            if lower.hidden.contains(&index) {
                return None;
            }
            let entry = lower.image.entry_of(lower.ino, index);
            let next = FIRST_ENTRY_COOKIE + index as u64 + 1;
            Some(Listed { name: entry.name, ino: Ino(entry.ino as u64), kind: entry.kind, next })
        })
    }

    /// The name under which `ino` appears (for `getcwd`); linear.
    pub fn name_of(&self, ino: Ino) -> Option<&[u8]> {
        self.iter_from(0).find(|e| e.ino == ino).map(|e| e.name)
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
    fn replace_keeps_position() {
        let mut dir = Directory::new(Ino(1));
        dir.insert(b"a", Ino(2), FileType::Directory);
        dir.insert(b"b", Ino(3), FileType::Regular);
        dir.replace(b"a", Ino(4), FileType::Regular);
        assert_eq!(names_from(&dir, 0), [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(dir.get(b"a").unwrap().ino, Ino(4));
        assert_eq!(dir.name_of(Ino(3)), Some(&b"b"[..]));
        assert_eq!(dir.len(), 2);
    }

    /// A directory of the image with `n` files, `f000` ... (leaked names:
    /// the test image holds `'static` paths).
    fn image_dir(n: usize) -> Directory {
        use crate::image::test_image::{build, Node};
        let mut tree = alloc::vec![("/d", Node::Dir(0o755))];
        for i in 0..n {
            let path: &'static str = alloc::boxed::Box::leak(alloc::format!("/d/f{i:03}").into_boxed_str());
            tree.push((path, Node::File(0o644, b"")));
        }
        let image = Image::open(build(&tree, &["/"])).unwrap();
        let (_, d) = image.lookup(1, b"d").unwrap();
        Directory::from_image(image, d.ino, Ino(1))
    }

    #[test]
    fn image_lookups_find_every_name_searched_or_hashed() {
        for n in [HASHED_FROM / 2, HASHED_FROM + 1, 300] {
            let mut dir = image_dir(n);
            for i in 0..n {
                let name = alloc::format!("f{i:03}");
                assert!(dir.get(name.as_bytes()).is_some(), "{name} of {n}");
            }
            for absent in [&b"f"[..], b"g000", b"f0000", b""] {
                assert!(dir.get(absent).is_none(), "{absent:?} of {n}");
            }
            // A removed lower name is gone; a replaced one is the upper entry.
            assert!(dir.remove(b"f000").is_some());
            assert!(dir.get(b"f000").is_none());
            dir.replace(b"f001", Ino(9999), FileType::Regular).unwrap();
            assert_eq!(dir.get(b"f001").unwrap().ino, Ino(9999));
            assert_eq!(dir.len(), n - 1);
        }
    }
}
