//! The name cache: whole walks remembered, so that a path looked up again
//! costs one hash of its bytes instead of a lookup per component.
//!
//! Linux's dcache remembers each (directory, name) step, and a walk through
//! it still pays a hash lookup per component. An entry here is a whole walk:
//! the directory it started from, how it treats a final symlink, the path's
//! bytes, and what it returned — where it ended, or its errno. Failed walks
//! are remembered like the others (negative entries: ENOENT, ENOTDIR,
//! EACCES, ELOOP, ...), since a program probing for files it does not have
//! repeats those most. Only lookups are remembered (`stat`, `open`
//! without `O_CREAT`, `access`, ...): the walks of operations on a name
//! (create, unlink, rename, mkdir, ...) would be invalidated by their own
//! success at once.
//!
//! # Invalidation
//! Every entry records the generation it was made in; only entries of the
//! current generation are found. [`NameCache::invalidate`] starts a new
//! generation, and the filesystem calls it on every change that could make
//! any walk end differently (`Vfs::names_changed`): a name added to,
//! removed from or replaced in any directory (which also covers a
//! directory's `..` moving and a removed directory's `nlink` dropping to
//! 0), a mode or owner change (search permission), a mount, a change of
//! credentials. Data, times, descriptors and the working directory leave
//! walks alone (a walk from the working directory is keyed by the
//! directory itself), so a program that reads, writes and stats its working
//! set keeps hitting. Debug builds check every hit against a fresh walk.
//!
//! # Layout
//! A direct-mapped table: a path's hash picks one slot, and a new entry
//! replaces whatever held it. A walk is stored the second time it misses
//! (its slot remembers the hash of the last miss it turned away), so a
//! program that walks each of many paths once — opening every file of a
//! tree, renaming them all — pays a hash for the cache, not a store, and
//! does not push out what is walked again and again. Paths are kept inline in the slot, so neither
//! a hit nor a miss allocates once the table exists; longer paths, and the
//! rare walk whose final name came from a symlink's body, are not cached.

use alloc::vec::Vec;
use core::hash::{BuildHasher, Hash, Hasher};

use crate::errno::{Errno, Result};
use crate::mount::Loc;
use crate::resolve::{FinalLink, Last};

/// Slots in the table (a power of two): about 100 KiB.
const SLOTS: usize = 512;
/// Longest path cached; longer ones are walked every time.
pub const MAX_CACHED_PATH: usize = 128;

/// What a walk returned, without borrowing the path it walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub parent: Loc,
    /// Where the final name lies in the path: `path[name.0..name.1]`.
    pub name: (u16, u16),
    pub last: Last,
    pub target: Option<Loc>,
    pub trailing_slash: bool,
}

/// The key of one walk, hashed once for its lookup and its store.
#[derive(Clone, Copy)]
pub struct Key<'p> {
    start: Loc,
    final_link: FinalLink,
    path: &'p [u8],
    hash: u64,
}

impl<'p> Key<'p> {
    pub fn new(start: Loc, final_link: FinalLink, path: &'p [u8]) -> Key<'p> {
        let mut hasher = crate::hash::State::default().build_hasher();
        start.hash(&mut hasher);
        (final_link as u8).hash(&mut hasher);
        hasher.write(path);
        Key { start, final_link, path, hash: hasher.finish() }
    }
}

struct Slot {
    /// The hash of the last key that missed here and was not stored.
    turned_away: u64,
    /// 0: empty (generations start at 1).
    generation: u64,
    hash: u64,
    start: Loc,
    final_link: FinalLink,
    path_len: u8,
    path: [u8; MAX_CACHED_PATH],
    outcome: Result<Found>,
}

pub struct NameCache {
    /// Empty until the first entry is stored; then `SLOTS` long.
    slots: Vec<Slot>,
    generation: u64,
}

impl Default for NameCache {
    fn default() -> NameCache {
        NameCache { slots: Vec::new(), generation: 1 }
    }
}

impl NameCache {
    /// Forgets every entry: the namespace changed.
    pub fn invalidate(&mut self) {
        self.generation += 1;
    }

    /// What the walk `key` returned last time, if it is still valid.
    pub fn lookup(&self, key: &Key<'_>) -> Option<Result<Found>> {
        if key.path.len() > MAX_CACHED_PATH {
            return None;
        }
        let slot = self.slots.get(key.hash as usize % SLOTS)?;
        let hit = slot.generation == self.generation
            && slot.hash == key.hash
            && slot.start == key.start
            && slot.final_link == key.final_link
            && same_bytes(&slot.path[..slot.path_len as usize], key.path);
        hit.then_some(slot.outcome)
    }

    /// Remembers what the walk `key` returned, if it missed before.
    pub fn store(&mut self, key: &Key<'_>, outcome: Result<Found>) {
        if key.path.len() > MAX_CACHED_PATH {
            return;
        }
        if self.slots.is_empty() {
            self.slots = (0..SLOTS).map(|_| Slot::empty()).collect();
        }
        let slot = &mut self.slots[key.hash as usize % SLOTS];
        if slot.turned_away != key.hash {
            slot.turned_away = key.hash;
            return;
        }
        slot.generation = self.generation;
        slot.hash = key.hash;
        slot.start = key.start;
        slot.final_link = key.final_link;
        slot.path_len = key.path.len() as u8;
        slot.path[..key.path.len()].copy_from_slice(key.path);
        slot.outcome = outcome;
    }
}

/// `a == b`, eight bytes at a time: on wasm32 slice equality is a call to
/// a `memcmp` that compares byte by byte.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    let differ = a_words
        .iter()
        .zip(b_words)
        .fold(0, |differ, (x, y)| differ | (u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y)));
    differ == 0 && a_rest == b_rest
}

impl Slot {
    fn empty() -> Slot {
        let nowhere = Loc { fs: crate::FsId(0), ino: crate::inode::Ino(0) };
        Slot {
            turned_away: 0,
            generation: 0,
            hash: 0,
            start: nowhere,
            final_link: FinalLink::Follow,
            path_len: 0,
            path: [0; MAX_CACHED_PATH],
            outcome: Err(Errno::NOENT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inode::Ino;
    use crate::FsId;

    fn found(ino: u64) -> Result<Found> {
        let loc = Loc { fs: FsId(0), ino: Ino(ino) };
        Ok(Found { parent: loc, name: (0, 1), last: Last::Normal, target: Some(loc), trailing_slash: false })
    }

    fn key(path: &[u8]) -> Key<'_> {
        Key::new(Loc { fs: FsId(0), ino: Ino(1) }, FinalLink::Follow, path)
    }

    #[test]
    fn entries_last_until_invalidated() {
        let mut cache = NameCache::default();
        assert_eq!(cache.lookup(&key(b"a/b")), None);
        cache.store(&key(b"a/b"), found(5));
        assert_eq!(cache.lookup(&key(b"a/b")), None, "stored the second time it misses");
        cache.store(&key(b"a/b"), found(5));
        cache.store(&key(b"a/c"), Err(Errno::NOENT));
        cache.store(&key(b"a/c"), Err(Errno::NOENT));
        assert_eq!(cache.lookup(&key(b"a/b")), Some(found(5)));
        assert_eq!(cache.lookup(&key(b"a/c")), Some(Err(Errno::NOENT)), "negative entries");
        let other = Key::new(Loc { fs: FsId(0), ino: Ino(1) }, FinalLink::NoFollow, b"a/b");
        assert_eq!(cache.lookup(&other), None, "the final-link mode is part of the key");
        cache.invalidate();
        assert_eq!(cache.lookup(&key(b"a/b")), None);
        assert_eq!(cache.lookup(&key(b"a/c")), None);
    }

    #[test]
    fn long_paths_are_not_cached() {
        let mut cache = NameCache::default();
        let long = [b'x'; MAX_CACHED_PATH + 1];
        cache.store(&key(&long), found(5));
        cache.store(&key(&long), found(5));
        assert_eq!(cache.lookup(&key(&long)), None);
        let longest = [b'x'; MAX_CACHED_PATH];
        cache.store(&key(&longest), found(6));
        cache.store(&key(&longest), found(6));
        assert_eq!(cache.lookup(&key(&longest)), Some(found(6)));
    }
}
