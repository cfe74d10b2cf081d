//! Phase 2: number the inodes and encode every metadata record.
//!
//! Inode numbers follow a breadth-first walk of the guest tree with each
//! directory's entries in name-byte order, the root being 1; a hard-link
//! group takes the number of its first name in that walk. Directories'
//! entry blocks, and files' data, are laid out in inode order. Names and
//! symlink targets are stored once each in the names section, in the order
//! they are first needed. So the bytes depend only on the tree.

use std::collections::HashMap;

use anyhow::{bail, Result};
use strata_vfs::flags::mode;
use strata_vfs::image::crc32;
use strata_vfs::image::format::{
    self as f, DirentRecord, Header, InodeRecord, MountRecord, DIRENT_LEN, INODE_LEN, MOUNT_LEN, SECTIONS_START,
};

use super::scan::{Kind, NodeId, Tree, ROOT};
use super::MAX_IMAGE_LEN;
use crate::display::human_size;
use crate::mapping::Mapping;

/// How many inodes of each type an image holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub files: u64,
    /// The root included.
    pub dirs: u64,
    pub symlinks: u64,
}

/// Everything about an image except its file bytes and their checksum.
pub(crate) struct Layout {
    /// Complete but for `data_crc`.
    pub header: Header,
    /// The image's bytes from [`SECTIONS_START`] up to the data section.
    pub metadata: Vec<u8>,
    /// The regular files, in inode order, which is their data order.
    pub files: Vec<NodeId>,
    pub data_len: u64,
    pub counts: Counts,
}

impl Layout {
    pub(crate) fn new(tree: &Tree, mappings: &[Mapping]) -> Result<Layout> {
        let nodes = &tree.nodes;
        let (order, ino_of) = number(tree)?;

        // Entries naming each node, and subdirectories of each directory.
        let mut named = vec![0u32; nodes.len()];
        let mut subdirs = vec![0u32; nodes.len()];
        for (id, node) in nodes.iter().enumerate() {
            if let Kind::Dir { entries, .. } = &node.kind {
                for entry in entries {
                    named[entry.node] += 1;
                    if matches!(nodes[entry.node].kind, Kind::Dir { .. }) {
                        subdirs[id] += 1;
                    }
                }
            }
        }

        // Mount records keep each preopen name as the guest will read it;
        // readers derive its place in the tree (`preopen_tree_path`).
        let mount_paths: Vec<&[u8]> = mappings.iter().map(|mapping| mapping.name.as_slice()).collect();
        let mut names = Names::default();
        let mut inodes = Vec::with_capacity(order.len() * INODE_LEN);
        let mut dirents = Vec::new();
        let mut files = Vec::new();
        let (mut data_len, mut dirent_count) = (0u64, 0u64);
        let mut counts = Counts::default();
        for &id in &order {
            let node = &nodes[id];
            let mut record = InodeRecord {
                mode: node.meta.perm,
                uid: node.meta.uid,
                gid: node.meta.gid,
                nlink: named[id],
                mtime_sec: node.meta.mtime_sec,
                mtime_nsec: node.meta.mtime_nsec,
                ..InodeRecord::default()
            };
            match &node.kind {
                Kind::Dir { parent, entries, .. } => {
                    counts.dirs += 1;
                    record.mode |= mode::S_IFDIR;
                    record.nlink = 2 + subdirs[id];
                    record.parent = ino_of[*parent];
                    record.a = dirent_count;
                    record.b = entries.len() as u64;
                    dirent_count += entries.len() as u64;
                    for entry in entries {
                        let dirent = DirentRecord {
                            name_offset: names.intern(&entry.name),
                            name_len: entry.name.len() as u16,
                            type_code: type_code(&nodes[entry.node].kind),
                            ino: ino_of[entry.node],
                        };
                        dirents.extend_from_slice(&dirent.encode());
                    }
                }
                Kind::File { size, .. } => {
                    counts.files += 1;
                    record.mode |= mode::S_IFREG;
                    record.a = data_len;
                    record.b = *size;
                    data_len = data_len.saturating_add(*size);
                    files.push(id);
                }
                Kind::Symlink { target } => {
                    counts.symlinks += 1;
                    record.mode |= mode::S_IFLNK;
                    record.a = names.intern(target) as u64;
                    record.b = target.len() as u64;
                }
            }
            inodes.extend_from_slice(&record.encode());
        }

        let mut mounts = Vec::with_capacity(mount_paths.len() * MOUNT_LEN);
        for path in &mount_paths {
            let record = MountRecord { name_offset: names.intern(path), name_len: path.len() as u32 };
            mounts.extend_from_slice(&record.encode());
        }

        let lengths =
            [inodes.len() as u64, dirents.len() as u64, mounts.len() as u64, names.bytes.len() as u64, data_len];
        let image_len = lengths.iter().fold(SECTIONS_START as u64, |sum, &len| sum.saturating_add(len));
        // Also keeps every names offset within the records' u32 fields.
        if image_len > MAX_IMAGE_LEN {
            bail!(
                "the tree is too large: its image would be {}, over the limit of {} (the image and the adapter's own memory must fit in wasm32's 4 GiB)",
                human_size(image_len),
                human_size(MAX_IMAGE_LEN)
            );
        }
        let mut header = Header { image_len, inode_count: order.len() as u32, ..Header::default() };
        let mut offset = SECTIONS_START as u64;
        for (section, len) in header.sections.iter_mut().zip(lengths) {
            *section = (offset, len);
            offset += len;
        }
        let mut metadata = inodes;
        metadata.extend_from_slice(&dirents);
        metadata.extend_from_slice(&mounts);
        metadata.extend_from_slice(&names.bytes);
        debug_assert_eq!(metadata.len() as u64, header.sections[f::DATA].0 - SECTIONS_START as u64);
        debug_assert_eq!(dirents.len(), dirent_count as usize * DIRENT_LEN);
        // metadata_crc covers [HEADER_LEN, data offset): the section table
        // and the metadata sections.
        header.metadata_crc = crc32(crc32(0, &header.encode()[f::HEADER_LEN..]), &metadata);
        Ok(Layout { header, metadata, files, data_len, counts })
    }
}

/// Numbers the nodes breadth-first: the nodes in inode order (`order[i]`
/// has inode `i + 1`), and each node's inode number.
fn number(tree: &Tree) -> Result<(Vec<NodeId>, Vec<u32>)> {
    let nodes = &tree.nodes;
    let mut ino_of = vec![0u32; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    order.push(ROOT);
    ino_of[ROOT] = f::ROOT_INO;
    let mut cursor = 0;
    while cursor < order.len() {
        if let Kind::Dir { entries, .. } = &nodes[order[cursor]].kind {
            for entry in entries {
                if ino_of[entry.node] == 0 {
                    order.push(entry.node);
                    let Ok(ino) = u32::try_from(order.len()) else {
                        bail!("the tree is too large: more than 2³² inodes")
                    };
                    ino_of[entry.node] = ino;
                }
            }
        }
        cursor += 1;
    }
    debug_assert_eq!(order.len(), nodes.len(), "every node is named by an entry");
    Ok((order, ino_of))
}

fn type_code(kind: &Kind) -> u8 {
    match kind {
        Kind::File { .. } => f::TYPE_FILE,
        Kind::Dir { .. } => f::TYPE_DIR,
        Kind::Symlink { .. } => f::TYPE_SYMLINK,
    }
}

/// The names section: each distinct byte string stored once.
#[derive(Default)]
struct Names<'a> {
    bytes: Vec<u8>,
    offsets: HashMap<&'a [u8], u32>,
}

impl<'a> Names<'a> {
    /// The offset of `name`, appending it if new. Offsets past `u32` wrap
    /// here, but such an image is over [`MAX_IMAGE_LEN`] and rejected.
    fn intern(&mut self, name: &'a [u8]) -> u32 {
        let bytes = &mut self.bytes;
        *self.offsets.entry(name).or_insert_with(|| {
            let offset = bytes.len() as u32;
            bytes.extend_from_slice(name);
            offset
        })
    }
}
