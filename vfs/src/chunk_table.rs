//! A file's owned chunks by index: a two-level table, as a page table (or
//! Linux's xarray for the page cache) is, so finding a chunk is two
//! indexings whatever the file's size, where an ordered map walked a tree
//! on every write.
//!
//! The first level has one slot per group of [`GROUP`] chunks (1 MiB of
//! file), the second one slot per chunk. A hole costs nothing below the
//! first level: a sparse file reaching 4 GiB holds at most 4096 group
//! slots. A slot is `None` (not owned: the file's lower layer, or a hole)
//! or an owned vector, possibly empty (which hides the lower layer).

use alloc::boxed::Box;
use alloc::vec::Vec;

/// Chunks per group (a power of two): a group is 16 slots, small beside
/// a file of one chunk, and a sparse 4 GiB file needs 4096 group slots.
const GROUP: usize = 16;

type Group = [Option<Vec<u8>>; GROUP];

#[derive(Default)]
pub struct ChunkTable {
    /// Group `g` holds chunks `g * GROUP ..`; trailing `None`s are trimmed.
    groups: Vec<Option<Box<Group>>>,
}

fn split(index: u64) -> (usize, usize) {
    ((index / GROUP as u64) as usize, (index % GROUP as u64) as usize)
}

impl ChunkTable {
    pub fn get(&self, index: u64) -> Option<&Vec<u8>> {
        let (group, slot) = split(index);
        self.groups.get(group)?.as_ref()?[slot].as_ref()
    }

    pub fn get_mut(&mut self, index: u64) -> Option<&mut Vec<u8>> {
        let (group, slot) = split(index);
        self.groups.get_mut(group)?.as_mut()?[slot].as_mut()
    }

    pub fn contains(&self, index: u64) -> bool {
        self.get(index).is_some()
    }

    /// Puts `chunk` at `index`; returns what was there.
    pub fn insert(&mut self, index: u64, chunk: Vec<u8>) -> Option<Vec<u8>> {
        let (group, slot) = split(index);
        if self.groups.len() <= group {
            self.groups.resize_with(group + 1, || None);
        }
        let group = self.groups[group].get_or_insert_with(|| Box::new([const { None }; GROUP]));
        group[slot].replace(chunk)
    }

    /// Every owned chunk, in index order.
    pub fn values(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.groups.iter().flatten().flat_map(|group| group.iter().flatten())
    }

    /// Removes every chunk at `first` or after, giving each to `dropped`.
    pub fn remove_from(&mut self, first: u64, mut dropped: impl FnMut(Vec<u8>)) {
        let (first_group, first_slot) = split(first);
        for (number, group) in self.groups.iter_mut().enumerate().skip(first_group) {
            let Some(slots) = group else { continue };
            let from = if number == first_group { first_slot } else { 0 };
            slots[from..].iter_mut().filter_map(Option::take).for_each(&mut dropped);
            if slots.iter().all(Option::is_none) {
                *group = None;
            }
        }
        while self.groups.last().is_some_and(Option::is_none) {
            self.groups.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn chunks_are_found_where_they_were_put() {
        let mut table = ChunkTable::default();
        for index in [0, 1, 63, 64, 65, 1000, 65535] {
            assert_eq!(table.insert(index, vec![index as u8]), None);
        }
        assert_eq!(table.insert(1, Vec::new()), Some(vec![1]), "replaced");
        assert_eq!(table.get(1), Some(&Vec::new()), "an empty chunk is owned");
        assert!(table.contains(65535) && !table.contains(2) && !table.contains(1 << 40));
        let owned: Vec<u8> = table.values().flat_map(|c| c.iter().copied()).collect();
        assert_eq!(owned, [0, 63, 64, 65, 1000u16 as u8, 65535u16 as u8]);
        let mut dropped = 0;
        table.remove_from(64, |_| dropped += 1);
        assert_eq!(dropped, 4);
        assert_eq!(table.groups.len(), 4, "trailing empty groups go");
        assert!(table.contains(63) && !table.contains(64));
        table.remove_from(0, drop);
        assert!(table.groups.is_empty());
    }
}
