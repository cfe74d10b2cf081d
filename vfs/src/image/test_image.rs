//! Builds small images in memory for this crate's unit tests (the real,
//! streaming packer is `strata pack`, in `tooling/`).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::crc32;
use super::format::{self as f, DirentRecord, Header, InodeRecord, MountRecord};
use crate::flags::mode;

/// One path of a test tree.
pub enum Node {
    Dir(u32),
    File(u32, &'static [u8]),
    Symlink(&'static [u8]),
    /// A hard link to the file at this path (listed earlier).
    HardLink(&'static str),
}

/// Ownership given to every inode: uid, gid.
pub const OWNER: (u32, u32) = (1000, 100);
/// Every inode's mtime.
pub const MTIME: (i64, u32) = (1_600_000_000, 123_456_789);

struct Built {
    mode: u32,
    children: BTreeMap<Vec<u8>, usize>,
    data: Vec<u8>,
    parent: usize,
}

/// An image of `tree` (absolute paths, parents before children; `/` is an
/// implicit 0755 root), leaked so that it lives as long as a test's VFS.
pub fn build(tree: &[(&str, Node)], mounts: &[&str]) -> &'static [u8] {
    let mut nodes =
        alloc::vec![Built { mode: mode::S_IFDIR | 0o755, children: BTreeMap::new(), data: Vec::new(), parent: 0 }];
    let mut by_path: BTreeMap<&str, usize> = BTreeMap::new();
    by_path.insert("/", 0);
    for (path, node) in tree {
        let (parent_path, name) = path.rsplit_once('/').expect("absolute path");
        let parent = by_path[if parent_path.is_empty() { "/" } else { parent_path }];
        let index = match node {
            Node::HardLink(existing) => by_path[existing],
            _ => {
                let (mode, data) = match node {
                    Node::Dir(perm) => (mode::S_IFDIR | perm, Vec::new()),
                    Node::File(perm, bytes) => (mode::S_IFREG | perm, bytes.to_vec()),
                    Node::Symlink(target) => (mode::S_IFLNK | 0o777, target.to_vec()),
                    Node::HardLink(_) => unreachable!(),
                };
                nodes.push(Built { mode, children: BTreeMap::new(), data, parent });
                nodes.len() - 1
            }
        };
        nodes[parent].children.insert(name.as_bytes().to_vec(), index);
        by_path.insert(path, index);
    }
    // Inode numbers breadth-first by sorted names; hard links get the first.
    let mut ino_of = alloc::vec![0u32; nodes.len()];
    let mut order = alloc::vec![0usize];
    ino_of[0] = 1;
    let mut next = 0;
    while next < order.len() {
        let children: Vec<usize> = nodes[order[next]].children.values().copied().collect();
        for child in children {
            if ino_of[child] == 0 {
                order.push(child);
                ino_of[child] = order.len() as u32;
            }
        }
        next += 1;
    }
    let mut nlink = alloc::vec![0u32; nodes.len()];
    for node in &nodes {
        for &child in node.children.values() {
            nlink[child] += 1;
        }
    }
    let (mut inodes, mut dirents, mut names, mut data) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &index in &order {
        let node = &nodes[index];
        let is_dir = node.mode & mode::S_IFMT == mode::S_IFDIR;
        let (a, b) = match node.mode & mode::S_IFMT {
            mode::S_IFDIR => {
                let first = dirents.len() / f::DIRENT_LEN;
                for (name, &child) in &node.children {
                    let record = DirentRecord {
                        name_offset: names.len() as u32,
                        name_len: name.len() as u16,
                        type_code: f::type_code(nodes[child].mode).expect("known type"),
                        ino: ino_of[child],
                    };
                    names.extend_from_slice(name);
                    dirents.extend_from_slice(&record.encode());
                }
                (first as u64, node.children.len() as u64)
            }
            mode::S_IFREG => {
                data.extend_from_slice(&node.data);
                ((data.len() - node.data.len()) as u64, node.data.len() as u64)
            }
            _ => {
                names.extend_from_slice(&node.data);
                ((names.len() - node.data.len()) as u64, node.data.len() as u64)
            }
        };
        let subdirs = node.children.values().filter(|&&c| nodes[c].mode & mode::S_IFMT == mode::S_IFDIR).count();
        let record = InodeRecord {
            mode: node.mode,
            uid: OWNER.0,
            gid: OWNER.1,
            nlink: if is_dir { 2 + subdirs as u32 } else { nlink[index] },
            mtime_sec: MTIME.0,
            mtime_nsec: MTIME.1,
            parent: if is_dir { ino_of[node.parent] } else { 0 },
            a,
            b,
        };
        inodes.extend_from_slice(&record.encode());
    }
    let mut mount_records = Vec::new();
    for path in mounts {
        let record = MountRecord { name_offset: names.len() as u32, name_len: path.len() as u32, ..Default::default() };
        names.extend_from_slice(path.as_bytes());
        mount_records.extend_from_slice(&record.encode());
    }
    let mut sections = [(0u64, 0u64); f::SECTION_COUNT];
    let mut at = f::SECTIONS_START as u64;
    for (i, bytes) in [&inodes, &dirents, &mount_records, &names, &data].into_iter().enumerate() {
        sections[i] = (at, bytes.len() as u64);
        at += bytes.len() as u64;
    }
    let mut header = Header {
        image_len: at,
        inode_count: order.len() as u32,
        metadata_crc: 0,
        data_crc: crc32(0, &data),
        sections,
        save_path: (0, 0),
    };
    let mut image = header.encode().to_vec();
    image.extend_from_slice(&inodes);
    image.extend_from_slice(&dirents);
    image.extend_from_slice(&mount_records);
    image.extend_from_slice(&names);
    header.metadata_crc = crc32(0, &image[f::HEADER_LEN..]);
    image[..f::SECTIONS_START].copy_from_slice(&header.encode());
    image.extend_from_slice(&data);
    Box::leak(image.into_boxed_slice())
}
