//! Whole-tree checks: the tree as a walk from `/` sees it, its link
//! counts, and a snapshot of it written out and read back.

use std::collections::BTreeMap;

use strata_vfs::file_data::ReadSink;
use strata_vfs::image::layout::{Layout, Mount};
use strata_vfs::image::{crc32, Image};
use strata_vfs::{mode, AtFlags, Fd, FileType, FsId, OpenFlags, Stat, Timespec, Vfs};

/// What a path shows, comparable between the live tree and an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: FileType,
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: Timespec,
    /// Files and symlinks: length and a checksum of the bytes or target.
    pub bytes: Option<(u64, u32)>,
    /// Non-directories: the first path (in path order) of the same file.
    pub first_name: Option<Vec<u8>>,
}

/// Images larger than this are laid out but not written (a sparse 4 GiB
/// file is a legal tree, and a 4 GiB image).
const IMAGE_MAX: u64 = 16 << 20;

/// What any stat result must look like.
pub fn check_stat(stat: &Stat) {
    let kind = stat.mode & mode::S_IFMT;
    assert!([mode::S_IFREG, mode::S_IFDIR, mode::S_IFLNK].contains(&kind), "a file type {kind:o}");
    match stat.file_type() {
        // A removed directory has no links at all.
        FileType::Directory => assert!(stat.nlink >= 2 || stat.nlink == 0, "a directory's {} links", stat.nlink),
        FileType::Symlink => assert!((1..4096).contains(&stat.size), "a symlink of {} bytes", stat.size),
        FileType::Regular => {
            assert!(stat.size <= strata_vfs::file_data::MAX_FILE_SIZE, "a file of {} bytes", stat.size)
        }
    }
}

/// One path of a walk: its stat, and for files and symlinks (when asked)
/// the length and checksum of the bytes or target.
struct Seen {
    stat: Stat,
    bytes: Option<(u64, u32)>,
}

/// Every path under `/`, in path order, and each directory's count of
/// subdirectories. Walked by descriptor, so that any depth works. Run as
/// root.
fn walk(vfs: &mut Vfs, with_bytes: bool) -> (BTreeMap<Vec<u8>, Seen>, BTreeMap<Vec<u8>, u64>) {
    let mut walk = Walk { with_bytes, paths: BTreeMap::new(), subdirs: BTreeMap::new() };
    let root = vfs.open(b"/", OpenFlags::RDONLY | OpenFlags::DIRECTORY, 0).expect("open /");
    walk.paths.insert(b"/".to_vec(), Seen { stat: vfs.fstat(root).expect("fstat /"), bytes: None });
    walk.dir(vfs, root, b"");
    vfs.close(root).expect("close /");
    (walk.paths, walk.subdirs)
}

struct Walk {
    with_bytes: bool,
    paths: BTreeMap<Vec<u8>, Seen>,
    subdirs: BTreeMap<Vec<u8>, u64>,
}

impl Walk {
    fn dir(&mut self, vfs: &mut Vfs, dir: Fd, path: &[u8]) {
        let mut names = Vec::new();
        vfs.readdir(dir, 0, |entry| {
            if entry.name != b"." && entry.name != b".." {
                names.push((entry.name.to_vec(), entry.kind));
            }
            true
        })
        .expect("list a directory of the tree");
        let here = if path.is_empty() { b"/".to_vec() } else { path.to_vec() };
        self.subdirs.insert(here, names.iter().filter(|(_, kind)| *kind == FileType::Directory).count() as u64);
        for (name, kind) in names {
            let child = [path, b"/", &name].concat();
            let stat = vfs.fstatat(dir, &name, AtFlags::SYMLINK_NOFOLLOW).expect("stat a listed name");
            check_stat(&stat);
            assert_eq!(stat.file_type(), kind, "the listed type of {}", String::from_utf8_lossy(&child));
            let bytes = match kind {
                FileType::Regular if self.with_bytes => Some(file_bytes(vfs, dir, &name, stat.size)),
                FileType::Symlink if self.with_bytes => {
                    let mut target = vec![0; 4096];
                    let n = vfs.readlinkat(dir, &name, &mut target).expect("readlink in the tree");
                    Some((n as u64, crc32(0, &target[..n])))
                }
                _ => None,
            };
            self.paths.insert(child.clone(), Seen { stat, bytes });
            if kind == FileType::Directory {
                let flags = OpenFlags::RDONLY | OpenFlags::DIRECTORY | OpenFlags::NOFOLLOW;
                let sub = vfs.openat(dir, &name, flags, 0).expect("open a listed directory");
                self.dir(vfs, sub, &child);
                vfs.close(sub).expect("close");
            }
        }
    }
}

/// The length and checksum of file `name` in `dir`, read whole.
fn file_bytes(vfs: &mut Vfs, dir: Fd, name: &[u8], size: u64) -> (u64, u32) {
    let fd = vfs.openat(dir, name, OpenFlags::RDONLY | OpenFlags::NOFOLLOW, 0).expect("open a file of the tree");
    let mut crc = Crc(0, 0);
    let n = vfs.pread_to(fd, 0, size as usize, &mut crc).expect("read a file of the tree");
    assert_eq!((n as u64, crc.1), (size, size), "a whole file reads");
    vfs.close(fd).expect("close");
    (size, crc.0)
}

/// The tree's link counts agree with its names: a directory has 2 plus
/// one per subdirectory, a file one per name (at least, where a mount may
/// hide names). Run as root, at the end of every input.
pub fn check_links(vfs: &mut Vfs, mounted: bool) {
    let (paths, subdirs) = walk(vfs, false);
    let mut names: BTreeMap<(u64, u64), (u64, u64)> = BTreeMap::new();
    for (path, Seen { stat, .. }) in &paths {
        if stat.file_type() == FileType::Directory {
            let expected = 2 + subdirs[path];
            assert_eq!(stat.nlink, expected, "links of directory {}", String::from_utf8_lossy(path));
        } else {
            names.entry((stat.dev, stat.ino)).or_insert((0, stat.nlink)).0 += 1;
        }
    }
    for ((dev, ino), (seen, nlink)) in names {
        if mounted {
            assert!(seen <= nlink, "file {dev}:{ino} has {seen} names and {nlink} links");
        } else {
            assert_eq!(seen, nlink, "file {dev}:{ino}: names and links");
        }
    }
}

/// Checksums bytes as they come.
struct Crc(u32, u64);

impl ReadSink for Crc {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0 = crc32(self.0, bytes);
        self.1 += bytes.len() as u64;
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

/// The live tree as [`Node`]s. Run as root.
fn live_nodes(vfs: &mut Vfs) -> BTreeMap<Vec<u8>, Node> {
    let (paths, _) = walk(vfs, true);
    let mut first: BTreeMap<(u64, u64), Vec<u8>> = BTreeMap::new();
    let mut nodes = BTreeMap::new();
    for (path, Seen { stat, bytes }) in paths {
        let first_name = (stat.file_type() != FileType::Directory)
            .then(|| first.entry((stat.dev, stat.ino)).or_insert_with(|| path.clone()).clone());
        let node = Node {
            kind: stat.file_type(),
            perm: stat.mode & mode::PERMISSIONS,
            uid: stat.uid,
            gid: stat.gid,
            mtime: stat.mtime,
            bytes,
            first_name,
        };
        nodes.insert(path, node);
    }
    nodes
}

/// An image's tree as [`Node`]s, and each file's name count.
fn image_nodes(image: &Image) -> BTreeMap<Vec<u8>, Node> {
    let mut nodes = BTreeMap::new();
    let mut first: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut names: BTreeMap<u32, u32> = BTreeMap::new();
    let mut stack = vec![(b"/".to_vec(), 1u32)];
    while let Some((path, ino)) = stack.pop() {
        let inode = image.inode(ino);
        let bytes = match inode.kind {
            FileType::Directory => {
                for entry in image.entries(ino) {
                    let child = if path == b"/" {
                        [b"/", entry.name].concat()
                    } else {
                        [&path, &b"/"[..], entry.name].concat()
                    };
                    stack.push((child, entry.ino));
                }
                None
            }
            FileType::Regular => Some((inode.size, crc32(0, image.file_bytes(ino)))),
            FileType::Symlink => Some((inode.size, crc32(0, image.symlink_target(ino)))),
        };
        if inode.kind != FileType::Directory {
            *names.entry(ino).or_default() += 1;
        }
        let node = Node {
            kind: inode.kind,
            perm: inode.perm,
            uid: inode.uid,
            gid: inode.gid,
            mtime: inode.mtime,
            bytes,
            // Filled in below, once every path is known.
            first_name: (inode.kind != FileType::Directory).then(Vec::new),
        };
        nodes.insert(path, (node, ino));
    }
    // First names in path order, now that every path is known.
    let mut out = BTreeMap::new();
    for (path, (mut node, ino)) in nodes {
        if node.first_name.is_some() {
            node.first_name = Some(first.entry(ino).or_insert_with(|| path.clone()).clone());
            assert_eq!(image.inode(ino).nlink, names[&ino], "an image file's links are its names");
        }
        out.insert(path, node);
    }
    out
}

/// A snapshot of the tree, laid out and written, opens as an image whose
/// data verifies and, when it crossed into every mount, whose tree is the
/// live one. Run as root.
pub fn snapshot_round_trip(vfs: &mut Vfs, all_mounts: bool, mounted: bool) {
    let bytes = {
        let snapshot = vfs.snapshot(&|fs| all_mounts || fs == FsId(0));
        let mounts = [Mount::new(b"/", false, None)];
        let layout = Layout::new(&snapshot, &mounts, Some(b"/out/state.img")).expect("a tree of few inodes");
        if layout.header.image_len > IMAGE_MAX {
            return;
        }
        let mut bytes = Vec::new();
        snapshot.write(&layout, &mut bytes);
        assert_eq!(bytes.len() as u64, layout.header.image_len, "the image's length");
        bytes
    };
    let image = Image::open(&bytes).unwrap_or_else(|e| panic!("a snapshot does not open: {e:?}"));
    image.verify_data().unwrap_or_else(|e| panic!("a snapshot's data does not verify: {e:?}"));
    assert_eq!(image.save_path(), Some(&b"/out/state.img"[..]));
    assert_eq!(image.mounts().collect::<Vec<_>>(), [&b"/"[..]]);
    let saved = image_nodes(&image);
    if all_mounts {
        let live = live_nodes(vfs);
        for (path, node) in &live {
            let shown = String::from_utf8_lossy(path);
            assert_eq!(Some(node), saved.get(path), "{shown} in the tree and in its snapshot");
        }
        if let Some(path) = saved.keys().find(|path| !live.contains_key(*path)) {
            panic!("{} is in the snapshot, not in the tree", String::from_utf8_lossy(path));
        }
        if !mounted {
            // Without hidden names, link counts agree too.
            check_links(vfs, false);
        }
    }
}
