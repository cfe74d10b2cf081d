//! Phase 1: the host trees → the guest tree, from `lstat` alone.
//!
//! Every `--dir` is walked breadth-first. Directories, regular files and
//! symlinks become nodes; files sharing a host `(dev, ino)` become one node
//! named by several entries (a hard-link group); fifos, sockets and device
//! nodes are skipped with a warning. Files are remembered by host
//! directory, name and size: their bytes are read only by
//! [`super::write`].

use std::collections::{HashMap, VecDeque};
use std::ffi::OsStr;
use std::fs::{self, Metadata};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use strata_vfs::image::format::{NAME_MAX, TARGET_MAX};

use super::progress::Progress;
use crate::exclude::Excludes;
use crate::mapping::{self, Mapping};

/// An index into [`Tree::nodes`].
pub(crate) type NodeId = usize;

/// The guest root directory.
pub(crate) const ROOT: NodeId = 0;

/// The metadata an image keeps for every inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    /// Permission bits (`0o7777`).
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime_sec: i64,
    pub mtime_nsec: u32,
}

impl Meta {
    /// Guest directories that no mapping provides (`/usr` for
    /// `--dir x::/usr/lib`).
    const SYNTHETIC_DIR: Meta = Meta { perm: 0o755, uid: 0, gid: 0, mtime_sec: 0, mtime_nsec: 0 };

    fn of(meta: &Metadata) -> Meta {
        Meta {
            perm: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            mtime_sec: meta.mtime(),
            // The kernel keeps it below 10⁹; clamp rather than trust.
            mtime_nsec: meta.mtime_nsec().clamp(0, 999_999_999) as u32,
        }
    }
}

/// A host `(st_dev, st_ino)`.
type HostId = (u64, u64);

pub(crate) enum Kind {
    Dir {
        /// The parent directory (the root's is itself).
        parent: NodeId,
        /// Sorted by name bytes once the scan ends.
        entries: Vec<Entry>,
        /// The host directory it was read from; `None` if synthetic.
        host: Option<HostId>,
    },
    File {
        /// Where to read the bytes: entry `name` (the group's first name)
        /// of host directory [`Tree::host_dirs`]`[dir]`.
        dir: usize,
        name: Box<[u8]>,
        /// The size `lstat` reported; the copy checks it still holds.
        size: u64,
    },
    Symlink {
        target: Box<[u8]>,
    },
}

pub(crate) struct Entry {
    pub name: Box<[u8]>,
    pub node: NodeId,
}

pub(crate) struct Node {
    pub meta: Meta,
    pub kind: Kind,
}

/// The guest tree: nodes in discovery order, [`ROOT`] first.
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    /// Every host directory read, in the order read.
    pub(crate) host_dirs: Vec<PathBuf>,
}

/// One directory waiting to be read.
struct Pending {
    host: PathBuf,
    node: NodeId,
    /// Its path relative to the mapping's host root (only kept when an
    /// exclude pattern needs it).
    relative: Vec<u8>,
}

impl Tree {
    pub(crate) fn scan(
        mappings: &[Mapping],
        excludes: &Excludes,
        progress: &mut Progress,
        warn: &mut dyn FnMut(&str),
    ) -> Result<Tree> {
        let root =
            Node { meta: Meta::SYNTHETIC_DIR, kind: Kind::Dir { parent: ROOT, entries: Vec::new(), host: None } };
        let mut scan = Scan {
            tree: Tree { nodes: vec![root], host_dirs: Vec::new() },
            links: HashMap::new(),
            excludes,
            entries_seen: 0,
        };
        // Outer trees first, so a nested mapping is grafted into the tree
        // that encloses it (stable: equal depths keep argument order).
        let mut by_depth: Vec<&Mapping> = mappings.iter().collect();
        by_depth.sort_by_key(|mapping| mapping.guest.len());
        for mapping in by_depth {
            if mapping.tmpfs.is_some() {
                // An empty mount point; the adapter mounts the tmpfs on it.
                scan.tree.mount_point(mappings, mapping)?;
                continue;
            }
            let meta =
                fs::metadata(&mapping.host).with_context(|| format!("cannot stat {}", mapping.host.display()))?;
            let at = scan.tree.mount_point(mappings, mapping)?;
            let node = &mut scan.tree.nodes[at];
            node.meta = Meta::of(&meta);
            if let Kind::Dir { host, .. } = &mut node.kind {
                *host = Some((meta.dev(), meta.ino()));
            }
            scan.walk(&mapping.host, at, progress, warn)?;
        }
        for node in &mut scan.tree.nodes {
            if let Kind::Dir { entries, .. } = &mut node.kind {
                entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                debug_assert!(entries.windows(2).all(|pair| pair[0].name < pair[1].name), "names are unique");
            }
        }
        Ok(scan.tree)
    }

    /// The directory `mapping`'s tree goes into: its guest path, with the
    /// missing directories on the way made synthetic. Within an enclosing
    /// mapping's tree (already scanned) the way must be directories and
    /// the place itself absent or an empty directory, as a mount point is:
    /// anything else would hide or merge the outer tree's files.
    fn mount_point(&mut self, mappings: &[Mapping], mapping: &Mapping) -> Result<NodeId> {
        let mut at = ROOT;
        for (depth, component) in mapping.guest.iter().enumerate() {
            let last = depth + 1 == mapping.guest.len();
            at = match self.child(at, component) {
                None => self.add(
                    at,
                    component,
                    Meta::SYNTHETIC_DIR,
                    Kind::Dir { parent: at, entries: Vec::new(), host: None },
                ),
                Some(existing) => match &self.nodes[existing].kind {
                    Kind::Dir { entries, .. } if !last || entries.is_empty() => existing,
                    _ => {
                        let taken: Vec<u8> = mapping.guest[..=depth]
                            .iter()
                            .flat_map(|name| [&b"/"[..], name])
                            .flatten()
                            .copied()
                            .collect();
                        let outer = match mapping::enclosing(mappings, mapping) {
                            Some(outer) => format!("the tree of {}", outer.arg()),
                            None => "the image".to_owned(),
                        };
                        bail!(
                            "{}: {} in {outer} is {}; a nested mount needs a path there that is absent or an empty directory (leave it out with --exclude)",
                            mapping.arg(),
                            String::from_utf8_lossy(&taken),
                            if last { "not an empty directory" } else { "not a directory" },
                        );
                    }
                },
            };
        }
        Ok(at)
    }

    /// The host path of entry `name` of host directory `dir`.
    pub(crate) fn host_path(&self, dir: usize, name: &[u8]) -> PathBuf {
        self.host_dirs[dir].join(OsStr::from_bytes(name))
    }

    /// The node `name` in directory `dir`, if any (linear: only used on
    /// the way to a mount point).
    fn child(&self, dir: NodeId, name: &[u8]) -> Option<NodeId> {
        match &self.nodes[dir].kind {
            Kind::Dir { entries, .. } => entries.iter().find(|entry| &*entry.name == name).map(|entry| entry.node),
            _ => None,
        }
    }

    /// Adds a new node named `name` in directory `dir`.
    fn add(&mut self, dir: NodeId, name: &[u8], meta: Meta, kind: Kind) -> NodeId {
        let node = self.nodes.len();
        self.nodes.push(Node { meta, kind });
        self.link(dir, name, node);
        node
    }

    /// Names the existing `node` `name` in directory `dir`.
    fn link(&mut self, dir: NodeId, name: &[u8], node: NodeId) {
        match &mut self.nodes[dir].kind {
            Kind::Dir { entries, .. } => entries.push(Entry { name: name.into(), node }),
            _ => unreachable!("entries are only added to directories"),
        }
    }

    /// Whether `host` is the host directory of `dir` or of one of its
    /// ancestors (a bind mount of an ancestor would loop forever).
    fn is_ancestor(&self, mut dir: NodeId, host: HostId) -> bool {
        loop {
            let Kind::Dir { parent, host: dir_host, .. } = &self.nodes[dir].kind else {
                unreachable!("parents are directories")
            };
            if *dir_host == Some(host) {
                return true;
            }
            if *parent == dir {
                return false;
            }
            dir = *parent;
        }
    }
}

struct Scan<'a> {
    tree: Tree,
    /// Non-directories with more than one host link, by host id.
    links: HashMap<HostId, NodeId>,
    excludes: &'a Excludes,
    entries_seen: u64,
}

impl Scan<'_> {
    /// Reads the host directory `host` (and everything below it) into the
    /// guest directory `node`.
    fn walk(&mut self, host: &Path, node: NodeId, progress: &mut Progress, warn: &mut dyn FnMut(&str)) -> Result<()> {
        let mut queue = VecDeque::from([Pending { host: host.to_owned(), node, relative: Vec::new() }]);
        while let Some(dir) = queue.pop_front() {
            let reader = fs::read_dir(&dir.host).with_context(|| format!("cannot read {}", dir.host.display()))?;
            let host_dir = self.tree.host_dirs.len();
            self.tree.host_dirs.push(dir.host.clone());
            for item in reader {
                let item = item.with_context(|| format!("cannot read {}", dir.host.display()))?;
                let path = item.path();
                let name = item.file_name();
                let name = name.as_bytes();
                if name.len() > NAME_MAX {
                    bail!("cannot pack {}: its name is longer than {NAME_MAX} bytes", path.display());
                }
                let meta = item.metadata().with_context(|| format!("cannot stat {}", path.display()))?;
                let kind = meta.file_type();
                let mut relative = Vec::new();
                if self.excludes.uses_paths() {
                    relative.reserve(dir.relative.len() + 1 + name.len());
                    if !dir.relative.is_empty() {
                        relative.extend_from_slice(&dir.relative);
                        relative.push(b'/');
                    }
                    relative.extend_from_slice(name);
                }
                if self.excludes.excludes(name, &relative, kind.is_dir()) {
                    continue;
                }
                self.entries_seen += 1;
                progress.scanned(self.entries_seen);
                if kind.is_dir() {
                    let id = (meta.dev(), meta.ino());
                    if self.tree.is_ancestor(dir.node, id) {
                        bail!("cannot pack {}: it is one of its own ancestors (a bind mount loop?)", path.display());
                    }
                    let child = self.tree.add(
                        dir.node,
                        name,
                        Meta::of(&meta),
                        Kind::Dir { parent: dir.node, entries: Vec::new(), host: Some(id) },
                    );
                    queue.push_back(Pending { host: path, node: child, relative });
                    continue;
                }
                if !kind.is_file() && !kind.is_symlink() {
                    let what = if kind.is_fifo() {
                        "a fifo"
                    } else if kind.is_socket() {
                        "a socket"
                    } else if kind.is_char_device() {
                        "a character device"
                    } else if kind.is_block_device() {
                        "a block device"
                    } else {
                        "of an unknown type"
                    };
                    warn(&format!("skipping {}: it is {what}", path.display()));
                    continue;
                }
                let id = (meta.dev(), meta.ino());
                if meta.nlink() > 1 {
                    if let Some(&existing) = self.links.get(&id) {
                        self.tree.link(dir.node, name, existing);
                        continue;
                    }
                }
                let node_kind = if kind.is_file() {
                    Kind::File { dir: host_dir, name: name.into(), size: meta.len() }
                } else {
                    let target = fs::read_link(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    let target = target.into_os_string().into_vec();
                    if target.is_empty() || target.len() > TARGET_MAX {
                        bail!("cannot pack {}: its target is not 1 to {TARGET_MAX} bytes long", path.display());
                    }
                    Kind::Symlink { target: target.into() }
                };
                let child = self.tree.add(dir.node, name, Meta::of(&meta), node_kind);
                if meta.nlink() > 1 {
                    self.links.insert(id, child);
                }
            }
        }
        Ok(())
    }
}
