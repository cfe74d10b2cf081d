//! The namespace as it stands, as a tree to lay out as an image
//! ([`crate::image::layout`]): what a guest saving its filesystem at exit
//! writes, and what `strata extract` of that image gives back.
//!
//! The walk starts at `/` and crosses into mounted filesystems the caller
//! chooses (a tmpfs is scratch: its mountpoint is saved empty). It reads
//! inodes without materializing them: an image inode nothing touched is
//! taken from the image record, its directory entries and file bytes from
//! the image in place, so saving costs the walk of what changed plus the
//! copy of the bytes, not a live inode per image inode.

use alloc::vec::Vec;

use crate::file_data::{FileData, ReadSink};
use crate::hash::HashMap;
use crate::image::crc32;
use crate::image::format::SECTIONS_START;
use crate::image::layout::{Kind, Layout, Meta, NodeId, Tree};
use crate::inode::{Ino, Node};
use crate::memfs::Peeked;
use crate::mount::{FsId, Loc};
use crate::stat::FileType;
use crate::Vfs;

/// The tree under `/`, walked once; it borrows the filesystem, which can
/// not change meanwhile.
pub struct Snapshot<'v> {
    nodes: Vec<SnapNode<'v>>,
    /// Every directory's entries, sorted within each directory.
    entries: Vec<(&'v [u8], NodeId)>,
}

struct SnapNode<'v> {
    meta: Meta,
    kind: SnapKind<'v>,
}

enum SnapKind<'v> {
    Dir { parent: NodeId, first: usize, count: usize },
    File(Contents<'v>),
    Symlink(&'v [u8]),
}

/// A file's bytes: live (chunks over an image slice), or the image's.
#[derive(Clone, Copy)]
enum Contents<'v> {
    Live(&'v FileData),
    Image(&'static [u8]),
}

impl Vfs {
    /// The tree as the guest sees it from `/`, crossing into a mounted
    /// filesystem where `enter(fs)` says so (elsewhere its mountpoint is
    /// the covered directory, as before the mount).
    pub fn snapshot(&self, enter: &dyn Fn(FsId) -> bool) -> Snapshot<'_> {
        let mut snapshot = Snapshot { nodes: Vec::new(), entries: Vec::new() };
        // Non-directories named more than once, by location: one node each.
        let mut linked: HashMap<Loc, NodeId> = HashMap::default();
        let root = self.mounts.root();
        let root = self.crossing(root, enter);
        snapshot
            .nodes
            .push(SnapNode { meta: self.meta_of(root), kind: SnapKind::Dir { parent: 0, first: 0, count: 0 } });
        let mut queue = alloc::collections::VecDeque::from([(0usize, root)]);
        let mut names: Vec<(&[u8], Loc)> = Vec::new();
        while let Some((dir_node, dir)) = queue.pop_front() {
            names.clear();
            self.entries_of(dir, &mut names);
            names.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let first = snapshot.entries.len();
            for &(name, child) in &names {
                let child = self.crossing(child, enter);
                let seen = self.seen(child);
                let meta = meta(&seen);
                let nlink = links(&seen);
                let node = match &seen {
                    Peeked::Live(inode) if inode.is_dir() => None,
                    Peeked::Image(image, ino) if image.inode(*ino).kind == FileType::Directory => None,
                    _ => linked.get(&child).copied(),
                };
                let node = match node {
                    Some(existing) => existing,
                    None => {
                        let id = snapshot.nodes.len();
                        let kind = match seen {
                            Peeked::Live(inode) => match &inode.node {
                                Node::Dir(_) => None,
                                Node::File(data) => Some(SnapKind::File(Contents::Live(data))),
                                Node::Symlink(target) => Some(SnapKind::Symlink(target)),
                            },
                            Peeked::Image(image, ino) => match image.inode(ino).kind {
                                FileType::Directory => None,
                                FileType::Symlink => Some(SnapKind::Symlink(image.symlink_target(ino))),
                                _ => Some(SnapKind::File(Contents::Image(image.file_bytes(ino)))),
                            },
                        };
                        let kind = kind.unwrap_or_else(|| {
                            queue.push_back((id, child));
                            SnapKind::Dir { parent: dir_node, first: 0, count: 0 }
                        });
                        if !matches!(kind, SnapKind::Dir { .. }) && nlink > 1 {
                            linked.insert(child, id);
                        }
                        snapshot.nodes.push(SnapNode { meta, kind });
                        id
                    }
                };
                snapshot.entries.push((name, node));
            }
            if let SnapKind::Dir { first: f, count: c, .. } = &mut snapshot.nodes[dir_node].kind {
                (*f, *c) = (first, names.len());
            }
        }
        snapshot
    }

    /// Where a walk that found `loc` goes: into what is mounted on it, if
    /// the caller enters that filesystem.
    fn crossing(&self, loc: Loc, enter: &dyn Fn(FsId) -> bool) -> Loc {
        let entered = self.mounts.enter(loc);
        if entered != loc && enter(entered.fs) {
            entered
        } else {
            loc
        }
    }

    /// `loc`, live or as the image has it (never materialized here).
    fn seen(&self, loc: Loc) -> Peeked<'_> {
        self.mounts.fs(loc.fs).peek(loc.ino)
    }

    fn meta_of(&self, loc: Loc) -> Meta {
        meta(&self.seen(loc))
    }

    /// The entries of directory `dir`, unsorted.
    fn entries_of<'v>(&'v self, dir: Loc, out: &mut Vec<(&'v [u8], Loc)>) {
        let at = |ino: u64| Loc { fs: dir.fs, ino: Ino(ino) };
        match self.seen(dir) {
            Peeked::Live(inode) => {
                let listing = inode.dir().expect("walked directories are directories").iter_from(0);
                out.extend(listing.map(|entry| (entry.name, at(entry.ino.0))));
            }
            Peeked::Image(image, ino) => out.extend(image.entries(ino).map(|entry| (entry.name, at(entry.ino as u64)))),
        }
    }
}

fn links(seen: &Peeked) -> u32 {
    match seen {
        Peeked::Live(inode) => inode.nlink,
        Peeked::Image(image, ino) => image.inode(*ino).nlink,
    }
}

fn meta(seen: &Peeked) -> Meta {
    match seen {
        Peeked::Live(inode) => Meta {
            perm: inode.perm,
            uid: inode.uid,
            gid: inode.gid,
            mtime_sec: inode.mtime.sec,
            mtime_nsec: inode.mtime.nsec,
        },
        Peeked::Image(image, ino) => Meta::from(&image.inode(*ino)),
    }
}

impl Snapshot<'_> {
    /// Gives file `node`'s bytes to `sink`, in order.
    pub fn read_file(&self, node: NodeId, sink: &mut dyn ReadSink) {
        match self.nodes[node].kind {
            SnapKind::File(Contents::Live(data)) => {
                let mut offset = 0u64;
                while offset < data.size() {
                    // read_to takes a usize; a wasm32 file of 4 GiB needs two.
                    let len = (data.size() - offset).min(1 << 30) as usize;
                    match data.read_to(offset, len, sink) {
                        0 => break,
                        n => offset += n as u64,
                    }
                }
            }
            SnapKind::File(Contents::Image(bytes)) => sink.bytes(bytes),
            _ => {}
        }
    }
}

impl Tree for Snapshot<'_> {
    fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn meta(&self, node: NodeId) -> Meta {
        self.nodes[node].meta
    }

    fn kind(&self, node: NodeId) -> Kind<'_> {
        match self.nodes[node].kind {
            SnapKind::Dir { parent, count, .. } => Kind::Dir { parent, entries: count },
            SnapKind::File(Contents::Live(data)) => Kind::File { size: data.size() },
            SnapKind::File(Contents::Image(bytes)) => Kind::File { size: bytes.len() as u64 },
            SnapKind::Symlink(target) => Kind::Symlink { target },
        }
    }

    fn entry(&self, dir: NodeId, index: usize) -> (&[u8], NodeId) {
        match self.nodes[dir].kind {
            SnapKind::Dir { first, .. } => self.entries[first + index],
            _ => unreachable!("only directories have entries"),
        }
    }
}

/// Where a saved image goes: its bytes in order, then its header again,
/// complete, over the first [`SECTIONS_START`] bytes (the data checksum is
/// known only at the end). A writer that fails keeps its first error and
/// ignores the rest.
pub trait ImageOut {
    fn bytes(&mut self, bytes: &[u8]);
    fn header(&mut self, header: &[u8; SECTIONS_START]);
}

/// An image in memory.
impl ImageOut for Vec<u8> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn header(&mut self, header: &[u8; SECTIONS_START]) {
        self[..SECTIONS_START].copy_from_slice(header);
    }
}

impl Snapshot<'_> {
    /// Writes the image of this tree laid out as `layout` (which
    /// [`Layout::new`] made from it) to `out`.
    pub fn write(&self, layout: &Layout, out: &mut dyn ImageOut) {
        out.bytes(&[0; SECTIONS_START]);
        out.bytes(&layout.metadata);
        let mut data = Checksummed { out, crc: 0 };
        for &file in &layout.files {
            self.read_file(file, &mut data);
        }
        let crc = data.crc;
        out.header(&layout.header_with(crc));
    }
}

/// Passes file bytes on, checksumming them; holes become zeros.
struct Checksummed<'a> {
    out: &'a mut dyn ImageOut,
    crc: u32,
}

impl ReadSink for Checksummed<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.crc = crc32(self.crc, bytes);
        self.out.bytes(bytes);
    }

    fn zeros(&mut self, mut len: usize) {
        const ZEROS: [u8; 4096] = [0; 4096];
        while len > 0 {
            let n = len.min(ZEROS.len());
            self.bytes(&ZEROS[..n]);
            len -= n;
        }
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
