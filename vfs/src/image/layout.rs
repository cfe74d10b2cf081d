//! Laying a tree out as an image: number the inodes and encode every
//! metadata record, so that the image's size and all of its bytes but the
//! file data are known before a byte of data is read. `strata pack` lays
//! out host trees with it, the adapter the guest's tree when it saves it.
//!
//! Inode numbers follow a breadth-first walk of the tree with each
//! directory's entries in name-byte order, the root being 1; a node named
//! by several entries (a hard-link group) takes the number of its first
//! name in that walk. Directories' entry blocks, and files' data, are laid
//! out in inode order. Names and symlink targets are stored once each in
//! the names section, in the order they are first needed; the save path
//! comes last. So the bytes depend only on the tree.

use alloc::vec;
use alloc::vec::Vec;

use super::crc32::crc32;
use super::format::{self as f, DirentRecord, Header, InodeRecord, MountRecord, SECTIONS_START};
use crate::flags::mode;
use crate::hash::HashMap;

/// A node of a [`Tree`], by index; the root is [`ROOT`].
pub type NodeId = usize;
pub const ROOT: NodeId = 0;

/// The metadata an image keeps for every inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Permission bits (`0o7777`).
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime_sec: i64,
    pub mtime_nsec: u32,
}

impl From<&super::ImageInode> for Meta {
    fn from(inode: &super::ImageInode) -> Meta {
        Meta {
            perm: inode.perm,
            uid: inode.uid,
            gid: inode.gid,
            mtime_sec: inode.mtime.sec,
            mtime_nsec: inode.mtime.nsec,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind<'a> {
    /// A directory with `entries` entries ([`Tree::entry`]); the root's
    /// parent is itself.
    Dir {
        parent: NodeId,
        entries: usize,
    },
    File {
        size: u64,
    },
    Symlink {
        target: &'a [u8],
    },
}

/// What is laid out. Every node but the root is named by at least one
/// entry, a directory by exactly one (in its `parent`), and each
/// directory's entries are sorted by name bytes, strictly.
pub trait Tree {
    fn node_count(&self) -> usize;
    fn meta(&self, node: NodeId) -> Meta;
    fn kind(&self, node: NodeId) -> Kind<'_>;
    /// Entry `index` of directory `dir`: its name and the node it names.
    fn entry(&self, dir: NodeId, index: usize) -> (&[u8], NodeId);
}

/// A mount record to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mount<'a> {
    pub name: &'a [u8],
    /// [`f::MOUNT_READ_ONLY`], [`f::MOUNT_TMPFS`].
    pub flags: u32,
    pub size_limit: u64,
}

impl<'a> Mount<'a> {
    /// The record of preopen `name`: read-only or not; a tmpfs with a size
    /// limit (`Some(None)`: none) or the tree's own directory (`None`).
    pub fn new(name: &'a [u8], read_only: bool, tmpfs: Option<Option<u64>>) -> Mount<'a> {
        let mut flags = 0;
        if read_only {
            flags |= f::MOUNT_READ_ONLY;
        }
        if tmpfs.is_some() {
            flags |= f::MOUNT_TMPFS;
        }
        Mount { name, flags, size_limit: tmpfs.flatten().unwrap_or(0) }
    }
}

/// How many inodes of each type an image holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub files: u64,
    /// The root included.
    pub dirs: u64,
    pub symlinks: u64,
}

/// Everything about an image except its file bytes and their checksum.
pub struct Layout {
    /// Complete but for `data_crc` (see [`Layout::header_with`]).
    pub header: Header,
    /// The image's bytes from [`SECTIONS_START`] up to the data section.
    pub metadata: Vec<u8>,
    /// The regular files, in inode order, which is their data order.
    pub files: Vec<NodeId>,
    pub data_len: u64,
    pub counts: Counts,
}

/// The tree has more than 2³² − 1 inodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyInodes;

impl Layout {
    /// Lays `tree` out with `mounts` and `save_path`. The image may be
    /// longer than its u32 offsets can address; callers refuse images over
    /// their own limit (always below 4 GiB) by `header.image_len`.
    pub fn new(tree: &impl Tree, mounts: &[Mount], save_path: Option<&[u8]>) -> Result<Layout, TooManyInodes> {
        let n = tree.node_count();
        let (order, ino_of) = number(tree)?;

        // Entries naming each node, and subdirectories of each directory.
        let mut named = vec![0u32; n];
        let mut subdirs = vec![0u32; n];
        for (id, subdir_count) in subdirs.iter_mut().enumerate() {
            if let Kind::Dir { entries, .. } = tree.kind(id) {
                for index in 0..entries {
                    let (_, node) = tree.entry(id, index);
                    named[node] += 1;
                    if matches!(tree.kind(node), Kind::Dir { .. }) {
                        *subdir_count += 1;
                    }
                }
            }
        }

        let mut names = Names::default();
        let mut inodes = Vec::with_capacity(order.len() * f::INODE_LEN);
        let mut dirents = Vec::new();
        let mut files = Vec::new();
        let (mut data_len, mut dirent_count) = (0u64, 0u64);
        let mut counts = Counts::default();
        for &id in &order {
            let meta = tree.meta(id);
            let mut record = InodeRecord {
                mode: meta.perm & mode::PERMISSIONS,
                uid: meta.uid,
                gid: meta.gid,
                nlink: named[id],
                mtime_sec: meta.mtime_sec,
                mtime_nsec: meta.mtime_nsec,
                ..InodeRecord::default()
            };
            match tree.kind(id) {
                Kind::Dir { parent, entries } => {
                    counts.dirs += 1;
                    record.mode |= mode::S_IFDIR;
                    record.nlink = 2 + subdirs[id];
                    record.parent = ino_of[parent];
                    record.a = dirent_count;
                    record.b = entries as u64;
                    dirent_count += entries as u64;
                    for index in 0..entries {
                        let (name, node) = tree.entry(id, index);
                        debug_assert!(index == 0 || tree.entry(id, index - 1).0 < name, "entries are sorted");
                        let dirent = DirentRecord {
                            name_offset: names.intern(name),
                            name_len: name.len() as u16,
                            type_code: type_code(tree.kind(node)),
                            ino: ino_of[node],
                        };
                        dirents.extend_from_slice(&dirent.encode());
                    }
                }
                Kind::File { size } => {
                    counts.files += 1;
                    record.mode |= mode::S_IFREG;
                    record.a = data_len;
                    record.b = size;
                    data_len = data_len.saturating_add(size);
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

        // Mount records keep each preopen name as the guest will read it;
        // readers derive its place in the tree (`preopen_tree_path`).
        let mut mount_bytes = Vec::with_capacity(mounts.len() * f::MOUNT_LEN);
        for mount in mounts {
            let record = MountRecord {
                name_offset: names.intern(mount.name),
                name_len: mount.name.len() as u32,
                flags: mount.flags,
                size_limit: mount.size_limit,
            };
            mount_bytes.extend_from_slice(&record.encode());
        }
        let save = save_path.map_or((0, 0), |path| (names.append(path), path.len() as u32));

        let lengths =
            [inodes.len() as u64, dirents.len() as u64, mount_bytes.len() as u64, names.bytes.len() as u64, data_len];
        let image_len = lengths.iter().fold(SECTIONS_START as u64, |sum, &len| sum.saturating_add(len));
        let mut header = Header { image_len, inode_count: order.len() as u32, save_path: save, ..Header::default() };
        let mut offset = SECTIONS_START as u64;
        for (section, len) in header.sections.iter_mut().zip(lengths) {
            *section = (offset, len);
            offset = offset.saturating_add(len);
        }
        let mut metadata = inodes;
        metadata.extend_from_slice(&dirents);
        metadata.extend_from_slice(&mount_bytes);
        metadata.extend_from_slice(&names.bytes);
        // metadata_crc covers [HEADER_LEN, data offset): the section table
        // and the metadata sections.
        header.metadata_crc = crc32(crc32(0, &header.encode()[f::HEADER_LEN..]), &metadata);
        Ok(Layout { header, metadata, files, data_len, counts })
    }

    /// The header and section table, with the data section's checksum.
    pub fn header_with(&self, data_crc: u32) -> [u8; SECTIONS_START] {
        Header { data_crc, ..self.header }.encode()
    }
}

/// Numbers the nodes breadth-first: the nodes in inode order (`order[i]`
/// has inode `i + 1`), and each node's inode number.
fn number(tree: &impl Tree) -> Result<(Vec<NodeId>, Vec<u32>), TooManyInodes> {
    let mut ino_of = vec![0u32; tree.node_count()];
    let mut order = Vec::with_capacity(tree.node_count());
    order.push(ROOT);
    ino_of[ROOT] = f::ROOT_INO;
    let mut cursor = 0;
    while cursor < order.len() {
        let dir = order[cursor];
        if let Kind::Dir { entries, .. } = tree.kind(dir) {
            for index in 0..entries {
                let (_, node) = tree.entry(dir, index);
                if ino_of[node] == 0 {
                    order.push(node);
                    ino_of[node] = u32::try_from(order.len()).map_err(|_| TooManyInodes)?;
                }
            }
        }
        cursor += 1;
    }
    debug_assert_eq!(order.len(), tree.node_count(), "every node is named by an entry");
    Ok((order, ino_of))
}

fn type_code(kind: Kind) -> u8 {
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
    /// here, but such an image is over every caller's limit.
    fn intern(&mut self, name: &'a [u8]) -> u32 {
        let bytes = &mut self.bytes;
        *self.offsets.entry(name).or_insert_with(|| {
            let offset = bytes.len() as u32;
            bytes.extend_from_slice(name);
            offset
        })
    }

    /// Appends `bytes` unshared: the offset they start at.
    fn append(&mut self, bytes: &[u8]) -> u32 {
        let offset = self.bytes.len() as u32;
        self.bytes.extend_from_slice(bytes);
        offset
    }
}

/// An image is a tree too: node `i` is inode `i + 1`.
impl Tree for super::Image<'_> {
    fn node_count(&self) -> usize {
        self.inode_count() as usize
    }

    fn meta(&self, node: NodeId) -> Meta {
        Meta::from(&self.inode(node as u32 + 1))
    }

    fn kind(&self, node: NodeId) -> Kind<'_> {
        let ino = node as u32 + 1;
        let inode = self.inode(ino);
        match inode.kind {
            crate::FileType::Directory => Kind::Dir { parent: inode.parent as usize - 1, entries: inode.size as usize },
            crate::FileType::Symlink => Kind::Symlink { target: self.symlink_target(ino) },
            _ => Kind::File { size: inode.size },
        }
    }

    fn entry(&self, dir: NodeId, index: usize) -> (&[u8], NodeId) {
        let entry = self.entry_of(dir as u32 + 1, index);
        (entry.name, entry.ino as usize - 1)
    }
}

/// `image`'s bytes again with `save_path` in place of its own (`None`:
/// none): the same tree, mounts and data, laid out anew.
pub fn with_save_path(image: &super::Image, save_path: Option<&[u8]>) -> Result<Vec<u8>, TooManyInodes> {
    let mounts: Vec<Mount> =
        image.mount_records().map(|mount| Mount::new(mount.name, mount.read_only, mount.tmpfs)).collect();
    relayout(image, &mounts, save_path)
}

/// `image`'s tree and data laid out anew with `mounts` and `save_path`.
pub fn relayout(image: &super::Image, mounts: &[Mount], save_path: Option<&[u8]>) -> Result<Vec<u8>, TooManyInodes> {
    let layout = Layout::new(image, mounts, save_path)?;
    let mut bytes = Vec::with_capacity((layout.header.image_len as usize).min(image.bytes().len() + 8192));
    bytes.extend_from_slice(&[0; SECTIONS_START]);
    bytes.extend_from_slice(&layout.metadata);
    let mut crc = 0;
    for &node in &layout.files {
        let data = image.file_bytes(node as u32 + 1);
        crc = crc32(crc, data);
        bytes.extend_from_slice(data);
    }
    bytes[..SECTIONS_START].copy_from_slice(&layout.header_with(crc));
    Ok(bytes)
}
