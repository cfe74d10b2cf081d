//! The image as the lower layer of a filesystem, and the reader's defences.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::test_image::{build, Node, MTIME, OWNER};
use super::{format as f, Image};
use crate::ops::test_support::{names, read_file, read_in_batches, write_file, TickingClock};
use crate::{mode, Errno, FileType, MountOptions, OpenFlags as O, RenameFlags, Timespec, Vfs, AT_FDCWD};

static BIG: [u8; 300_000] = [b'z'; 300_000];

fn tree() -> &'static [u8] {
    build(
        &[
            ("/etc", Node::Dir(0o755)),
            ("/etc/hosts", Node::File(0o644, b"127.0.0.1 localhost\n")),
            ("/etc/alias", Node::HardLink("/etc/hosts")),
            ("/etc/secret", Node::File(0o600, b"s3cret")),
            ("/srv", Node::Dir(0o750)),
            ("/srv/big", Node::File(0o644, &BIG)),
            ("/srv/empty", Node::Dir(0o700)),
            ("/srv/hosts", Node::Symlink(b"/etc/hosts")),
            ("/srv/loop", Node::Symlink(b"loop")),
        ],
        &["/srv", "/etc"],
    )
}

/// Like [`tree`] with small files only, for tests that copy it thousands
/// of times.
fn small_tree() -> &'static [u8] {
    build(
        &[
            ("/etc", Node::Dir(0o755)),
            ("/etc/hosts", Node::File(0o644, b"127.0.0.1 localhost\n")),
            ("/etc/alias", Node::HardLink("/etc/hosts")),
            ("/srv", Node::Dir(0o750)),
            ("/srv/data", Node::File(0o644, &BIG[..700])),
            ("/srv/hosts", Node::Symlink(b"/etc/hosts")),
        ],
        &["/srv"],
    )
}

fn vfs_on(image: &'static [u8]) -> Vfs {
    let image = Image::open(image).expect("a valid image");
    Vfs::with_image(Box::new(TickingClock::starting_at(2_000_000_000)), image, MountOptions::default())
}

#[test]
fn image_metadata_and_contents_read_through() {
    let mut vfs = vfs_on(tree());
    let hosts = vfs.stat(b"/etc/hosts").unwrap();
    assert_eq!((hosts.uid, hosts.gid), OWNER);
    assert_eq!(hosts.mode, mode::S_IFREG | 0o644);
    assert_eq!(hosts.mtime, Timespec::new(MTIME.0, MTIME.1));
    assert_eq!(hosts.nlink, 2);
    assert_eq!(vfs.stat(b"/etc/alias").unwrap().ino, hosts.ino, "hard links are one inode");
    assert_eq!(vfs.stat(b"/").unwrap().ino, 1);
    assert_eq!(vfs.stat(b"/srv").unwrap().nlink, 3);
    assert_eq!(read_file(&mut vfs, b"/srv/hosts"), b"127.0.0.1 localhost\n");
    assert_eq!(read_file(&mut vfs, b"/srv/big"), BIG.to_vec());
    assert_eq!(vfs.stat(b"/srv/big").unwrap().blocks, 0, "image data is not memory we own");
    assert_eq!(vfs.stat(b"/srv/loop"), Err(Errno::LOOP));
    assert_eq!(names(&mut vfs, b"/srv"), [&b"big"[..], b"empty", b"hosts", b"loop"].map(<[u8]>::to_vec));
    let mut buf = [0u8; 64];
    let n = vfs.readlink(b"/srv/hosts", &mut buf).unwrap();
    assert_eq!(&buf[..n], b"/etc/hosts");
}

#[test]
fn writes_copy_on_write_and_leave_the_image_alone() {
    let image = tree();
    let mut vfs = vfs_on(image);
    let fd = vfs.open(b"/srv/big", O::WRONLY | O::APPEND, 0).unwrap();
    vfs.write(fd, b"tail").unwrap();
    let stat = vfs.fstat(fd).unwrap();
    assert_eq!(stat.size, BIG.len() as u64 + 4);
    assert!(stat.blocks * 512 <= 64 * 1024 + 4096, "appending copied one chunk, not the file: {} blocks", stat.blocks);
    let fd = vfs.open(b"/etc/alias", O::WRONLY, 0).unwrap();
    vfs.write(fd, b"::1").unwrap();
    assert_eq!(read_file(&mut vfs, b"/etc/hosts"), b"::1.0.0.1 localhost\n", "seen through the other link");
    let reopened = Image::open(image).unwrap();
    let (_, hosts) = reopened.lookup(2, b"hosts").unwrap();
    assert_eq!(reopened.file_bytes(hosts.ino), b"127.0.0.1 localhost\n", "the image bytes never change");
}

#[test]
fn names_in_image_directories_come_and_go() {
    let mut vfs = vfs_on(tree());
    let old_ino = vfs.stat(b"/etc/secret").unwrap().ino;
    vfs.unlink(b"/etc/secret").unwrap();
    assert_eq!(vfs.stat(b"/etc/secret"), Err(Errno::NOENT));
    write_file(&mut vfs, b"/etc/secret", b"new");
    assert_ne!(vfs.stat(b"/etc/secret").unwrap().ino, old_ino);
    assert!(vfs.stat(b"/etc/secret").unwrap().ino > 9, "new inodes are numbered after the image's");
    assert_eq!(vfs.rmdir(b"/srv"), Err(Errno::NOTEMPTY));
    vfs.rename(b"/srv/empty", b"/etc/moved").unwrap();
    assert_eq!(vfs.stat(b"/srv").unwrap().nlink, 2);
    assert_eq!(vfs.stat(b"/etc").unwrap().nlink, 3);
    vfs.renameat2(AT_FDCWD, b"/etc/hosts", AT_FDCWD, b"/srv/big", RenameFlags::EXCHANGE).unwrap();
    assert_eq!(read_file(&mut vfs, b"/etc/hosts").len(), BIG.len());
    vfs.chdir(b"/etc/moved").unwrap();
    assert_eq!(vfs.getcwd().unwrap(), b"/etc/moved");
    for name in [&b"/srv/big"[..], b"/srv/hosts", b"/srv/loop"] {
        vfs.unlink(name).unwrap();
    }
    vfs.rmdir(b"/srv").unwrap();
    assert_eq!(names(&mut vfs, b"/"), [b"etc".to_vec()]);
}

#[test]
fn iteration_over_both_layers_while_they_change() {
    let files: Vec<(alloc::string::String, Node)> =
        (0..500).map(|i| (alloc::format!("/d/f{i:03}"), Node::File(0o644, b""))).collect();
    let mut tree: Vec<(&str, Node)> = alloc::vec![("/d", Node::Dir(0o755))];
    tree.extend(files.iter().map(|(p, _)| (p.as_str(), Node::File(0o644, b""))));
    let mut vfs = vfs_on(build(&tree, &[]));
    let fd = vfs.open(b"/d", O::RDONLY, 0).unwrap();
    // Between batches: remove an unread image entry, replace another, add a new one.
    let (seen, round) = read_in_batches(&mut vfs, fd, 40, |vfs, round| {
        let _ = vfs.unlink(alloc::format!("/d/f{:03}", 499 - round).as_bytes());
        let _ = vfs.rename(alloc::format!("/d/new{round}").as_bytes(), b"/d/none");
        write_file(vfs, alloc::format!("/d/new{round}").as_bytes(), b"");
        let _ =
            vfs.rename(alloc::format!("/d/new{round}").as_bytes(), alloc::format!("/d/f{:03}", 2 * round).as_bytes());
    });
    for i in 0..(499 - round) {
        let name = alloc::format!("f{i:03}").into_bytes();
        assert_eq!(seen.iter().filter(|n| **n == name).count(), 1, "f{i:03} exactly once");
    }
}

#[test]
fn image_mounts_and_size_limits() {
    let mut vfs = crate::ops::test_support::vfs();
    vfs.mkdir(b"/mnt", 0o755).unwrap();
    let image = Image::open(tree()).unwrap();
    vfs.mount_image(b"/mnt", image, MountOptions { size_limit: Some(100_000), ..Default::default() }).unwrap();
    assert_eq!(read_file(&mut vfs, b"/mnt/etc/secret"), b"s3cret");
    assert_eq!(vfs.stat(b"/mnt/srv/hosts"), Err(Errno::NOENT), "absolute targets resolve from the namespace root");
    let fd = vfs.open(b"/mnt/srv/big", O::WRONLY, 0).unwrap();
    // Overwriting image data takes memory: the limit applies.
    let written = vfs.write(fd, &[1u8; 300_000]).unwrap();
    assert!(written < 300_000);
    assert_eq!(vfs.rename(b"/mnt/etc/hosts", b"/moved"), Err(Errno::XDEV));
}

#[test]
fn read_only_image_root() {
    let image = Image::open(tree()).unwrap();
    let clock = Box::new(TickingClock::starting_at(0));
    let mut vfs = Vfs::with_image(clock, image, MountOptions { read_only: true, ..Default::default() });
    assert_eq!(vfs.open(b"/etc/hosts", O::RDWR, 0), Err(Errno::ROFS));
    assert_eq!(vfs.unlink(b"/etc/hosts"), Err(Errno::ROFS));
    assert_eq!(read_file(&mut vfs, b"/etc/hosts"), b"127.0.0.1 localhost\n");
}

#[test]
fn the_reader_exposes_what_was_packed() {
    let image = Image::open(tree()).unwrap();
    assert_eq!(image.mounts().collect::<Vec<_>>(), [&b"/srv"[..], b"/etc"]);
    assert_eq!(image.inode(1).kind, FileType::Directory);
    assert_eq!(image.entries(1).map(|e| e.name).collect::<Vec<_>>(), [&b"etc"[..], b"srv"]);
    assert!(image.lookup(1, b"nope").is_none());
    assert_eq!(image.verify_data(), Ok(()));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = small_tree();
    for len in 0..bytes.len() {
        let err = Image::open(&bytes[..len]).err();
        assert!(err.is_some(), "truncated to {len} bytes yet opened");
    }
}

/// Flipping bytes anywhere gives an error, or an image that can be walked
/// completely without a panic — and a flip in file data fails verification.
#[test]
fn byte_flips_are_caught_or_harmless() {
    let original = small_tree();
    let data_start = Image::open(original).unwrap().bytes().len() - Image::open(original).unwrap().data_len() as usize;
    let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
    let (mut rejected, mut opened) = (0, 0);
    for round in 0..3000 {
        let mut bytes = original.to_vec();
        let flips = 1 + round % 3;
        let mut in_data = false;
        for _ in 0..flips {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] ^= 1 << (next() % 8);
            in_data |= at >= data_start;
        }
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let Ok(image) = Image::open(bytes) else {
            rejected += 1;
            continue;
        };
        opened += 1;
        walk_everything(image);
        if in_data && bytes[data_start..] != original[data_start..] {
            assert!(image.verify_data().is_err(), "round {round}: a data flip went unnoticed");
        }
        let mut vfs = Vfs::with_image(Box::new(TickingClock::starting_at(0)), image, MountOptions::default());
        for path in [&b"/etc/hosts"[..], b"/srv/data", b"/srv/hosts"] {
            if let Ok(fd) = vfs.open(path, O::RDONLY, 0) {
                let _ = vfs.read(fd, &mut [0u8; 64]);
            }
        }
    }
    // Metadata flips are caught by its checksum; data flips open (and
    // were caught by `verify_data` above).
    assert!(rejected > 1000 && opened > 100, "rejected {rejected}, opened {opened}");
}

/// A seeded xorshift64 generator: tests that flip bytes are reproducible.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

fn walk_everything(image: Image<'_>) {
    let mut pending = alloc::vec![f::ROOT_INO];
    while let Some(dir) = pending.pop() {
        for entry in image.entries(dir) {
            match entry.kind {
                FileType::Directory => pending.push(entry.ino),
                FileType::Regular => drop(image.file_bytes(entry.ino).len()),
                FileType::Symlink => drop(image.symlink_target(entry.ino).len()),
            }
        }
    }
}

/// A crafted image carries a correct checksum: flips in the metadata with
/// the checksum recomputed must be rejected by the structural checks, or
/// give an image on which the filesystem works without a panic or a hang.
#[test]
fn crafted_metadata_is_validated() {
    let original = small_tree();
    let data_start = original.len() - Image::open(original).unwrap().data_len() as usize;
    let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
    let (mut rejected, mut opened) = (0, 0);
    for round in 0..5000 {
        let mut bytes = original.to_vec();
        for _ in 0..1 + round % 2 {
            let at = f::SECTIONS_START + (next() as usize % (data_start - f::SECTIONS_START));
            bytes[at] = match next() % 4 {
                0 => 0,
                1 => 0xFF,
                2 => bytes[at].wrapping_add(1),
                _ => next() as u8,
            };
        }
        let crc = super::crc32(0, &bytes[f::HEADER_LEN..data_start]);
        bytes[28..32].copy_from_slice(&crc.to_le_bytes());
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let Ok(image) = Image::open(bytes) else {
            rejected += 1;
            continue;
        };
        opened += 1;
        walk_everything(image);
        let mut vfs = Vfs::with_image(Box::new(TickingClock::starting_at(0)), image, MountOptions::default());
        exercise(&mut vfs, b"/");
    }
    assert!(rejected > 1000 && opened > 100, "rejected {rejected}, opened {opened}");
}

/// Lists, stats, reads, renames and removes everything under `dir`.
fn exercise(vfs: &mut Vfs, dir: &[u8]) {
    let Ok(fd) = vfs.open(dir, O::RDONLY | O::DIRECTORY, 0) else { return };
    let mut children = Vec::new();
    let _ = vfs.getdents(fd, |e| {
        if e.name != b"." && e.name != b".." {
            children.push(e.name.to_vec());
        }
        true
    });
    vfs.close(fd).unwrap();
    for name in children {
        let mut path = dir.to_vec();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(&name);
        let _ = vfs.stat(&path);
        if let Ok(fd) = vfs.open(&path, O::RDWR, 0) {
            let _ = vfs.read(fd, &mut [0u8; 128]);
            let _ = vfs.write(fd, b"x");
            vfs.close(fd).unwrap();
        }
        exercise(vfs, &path);
        let _ = vfs.rename(&path, b"/renamed");
        let _ = vfs.unlink(b"/renamed");
        let _ = vfs.rmdir(b"/renamed");
        let _ = vfs.getcwd();
    }
}

/// Opening a large image builds no inode; a lookup builds the ones on its
/// path, a listing none of its entries' inodes.
#[test]
fn only_what_is_touched_is_materialized() {
    let paths: Vec<alloc::string::String> = (0..20_000).map(|i| alloc::format!("/d/f{i:05}")).collect();
    let mut tree: Vec<(&str, Node)> = alloc::vec![("/d", Node::Dir(0o755))];
    tree.extend(paths.iter().map(|p| (p.as_str(), Node::File(0o644, b"x"))));
    let image = Image::open(build(&tree, &[])).unwrap();
    let mut vfs = Vfs::with_image(Box::new(TickingClock::starting_at(0)), image, MountOptions::default());
    let fs = |vfs: &Vfs| vfs.mounts.fs(vfs.mounts.root().fs).materialized();
    assert_eq!(fs(&vfs), 1, "only the root, which the working directory pins");
    vfs.stat(b"/d/f12345").unwrap();
    assert_eq!(fs(&vfs), 3, "root, /d, /d/f12345");
    assert_eq!(names(&mut vfs, b"/d").len(), 20_000);
    assert_eq!(fs(&vfs), 3, "listing reads entries in place");
}

/// The same tree, built in memory by syscalls or loaded from an image, must
/// answer every operation the same way. The memory filesystem is checked
/// against Linux by the differential test; this carries that to the image
/// layer (lookups, whiteouts, copy-up, renames over image entries, ...).
#[test]
fn image_layer_behaves_like_memory() {
    let (mut succeeded, mut total) = (0, 0);
    for seed in 0..300 {
        let mut from_image = vfs_on(tree());
        let mut in_memory = tree_by_syscalls();
        let ops = random_ops(seed);
        let (mut ours, mut theirs) = (InoNames::default(), InoNames::default());
        for (i, op) in ops.iter().enumerate() {
            let a = apply(&mut from_image, op, &mut ours);
            let b = apply(&mut in_memory, op, &mut theirs);
            assert_eq!(a, b, "seed {seed}, op {i} {op:?}; ops: {ops:#?}");
            succeeded += a.starts_with("Ok") as usize;
            total += 1;
        }
    }
    // The sequences must mostly do things, not mostly fail.
    assert!(succeeded * 3 > total, "{succeeded} of {total} operations succeeded");
}

/// [`tree`], made with syscalls on an empty filesystem.
fn tree_by_syscalls() -> Vfs {
    let mut vfs = Vfs::new(Box::new(TickingClock::starting_at(2_000_000_000)));
    vfs.umask(0);
    vfs.mkdir(b"/etc", 0o755).unwrap();
    write_file(&mut vfs, b"/etc/hosts", b"127.0.0.1 localhost\n");
    vfs.link(b"/etc/hosts", b"/etc/alias").unwrap();
    write_file(&mut vfs, b"/etc/secret", b"s3cret");
    vfs.chmod(b"/etc/secret", 0o600).unwrap();
    vfs.mkdir(b"/srv", 0o750).unwrap();
    write_file(&mut vfs, b"/srv/big", &BIG);
    vfs.mkdir(b"/srv/empty", 0o700).unwrap();
    vfs.symlink(b"/etc/hosts", b"/srv/hosts").unwrap();
    vfs.symlink(b"loop", b"/srv/loop").unwrap();
    for path in [
        &b"/"[..],
        b"/etc",
        b"/etc/hosts",
        b"/etc/secret",
        b"/srv",
        b"/srv/big",
        b"/srv/empty",
        b"/srv/hosts",
        b"/srv/loop",
    ] {
        vfs.lchown(path, OWNER.0, OWNER.1).unwrap();
    }
    vfs.umask(0o022);
    vfs
}

#[derive(Debug, Clone)]
enum RandomOp {
    Stat(Vec<u8>),
    Lstat(Vec<u8>),
    List(Vec<u8>),
    ReadAll(Vec<u8>),
    WriteAt(Vec<u8>, u64, Vec<u8>),
    Truncate(Vec<u8>, u64),
    Create(Vec<u8>),
    Mkdir(Vec<u8>),
    Unlink(Vec<u8>),
    Rmdir(Vec<u8>),
    Rename(Vec<u8>, Vec<u8>, RenameFlags),
    Link(Vec<u8>, Vec<u8>),
    Symlink(Vec<u8>, Vec<u8>),
    Readlink(Vec<u8>),
    Chmod(Vec<u8>, u32),
}

fn random_ops(seed: u64) -> Vec<RandomOp> {
    let mut next = xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let names: [&[u8]; 12] = [
        b"/etc",
        b"/etc/hosts",
        b"/etc/alias",
        b"/etc/secret",
        b"/srv",
        b"/srv/big",
        b"/srv/empty",
        b"/srv/hosts",
        b"/srv/loop",
        b"/srv/empty/new",
        b"/new",
        b"/etc/new/",
    ];
    let mut path = || names[(next() % names.len() as u64) as usize].to_vec();
    let mut ops = Vec::new();
    let mut pick = xorshift(seed + 77);
    for _ in 0..40 {
        let op = match pick() % 15 {
            0 => RandomOp::Stat(path()),
            1 => RandomOp::Lstat(path()),
            2 => RandomOp::List(path()),
            3 => RandomOp::ReadAll(path()),
            4 => RandomOp::WriteAt(path(), pick() % 200_000, alloc::vec![b'w'; (pick() % 70_000) as usize]),
            5 => RandomOp::Truncate(path(), pick() % 400_000),
            6 => RandomOp::Create(path()),
            7 => RandomOp::Mkdir(path()),
            8 => RandomOp::Unlink(path()),
            9 => RandomOp::Rmdir(path()),
            10 => {
                let flags =
                    [RenameFlags::empty(), RenameFlags::NOREPLACE, RenameFlags::EXCHANGE][(pick() % 3) as usize];
                RandomOp::Rename(path(), path(), flags)
            }
            11 => RandomOp::Link(path(), path()),
            12 => RandomOp::Symlink(path(), path()),
            13 => RandomOp::Readlink(path()),
            _ => RandomOp::Chmod(path(), [0o644, 0o600, 0o755, 0o000][(pick() % 4) as usize]),
        };
        ops.push(op);
    }
    ops
}

/// Inode numbers differ between the two filesystems (an image numbers
/// breadth-first); compare them by order of first appearance.
#[derive(Default)]
struct InoNames(Vec<u64>);

impl InoNames {
    fn name(&mut self, ino: u64) -> usize {
        self.0.iter().position(|&i| i == ino).unwrap_or_else(|| {
            self.0.push(ino);
            self.0.len() - 1
        })
    }
}

/// What an operation returned, without timestamps, raw inode numbers and
/// `st_blocks` (image data is not memory the filesystem owns).
fn apply(vfs: &mut Vfs, op: &RandomOp, inos: &mut InoNames) -> alloc::string::String {
    use alloc::format;
    let mut stat = |r: crate::Result<crate::Stat>| r.map(|s| (s.mode, s.nlink, s.uid, s.gid, s.size, inos.name(s.ino)));
    match op {
        RandomOp::Stat(p) => format!("{:?}", stat(vfs.stat(p))),
        RandomOp::Lstat(p) => format!("{:?}", stat(vfs.lstat(p))),
        RandomOp::List(p) => match vfs.open(p, O::RDONLY | O::DIRECTORY, 0) {
            Ok(fd) => {
                let mut entries = Vec::new();
                let r = vfs.getdents(fd, |e| {
                    entries.push((e.name.to_vec(), e.kind));
                    true
                });
                vfs.close(fd).unwrap();
                entries.sort();
                format!("{r:?} {entries:?}")
            }
            Err(e) => format!("{e:?}"),
        },
        RandomOp::ReadAll(p) => match vfs.open(p, O::RDONLY, 0) {
            Ok(fd) => {
                let mut all = alloc::vec![0u8; 500_000];
                let r = vfs.read(fd, &mut all);
                vfs.close(fd).unwrap();
                let n = r.unwrap_or(0);
                format!("{r:?} crc {:08x}", super::crc32(0, &all[..n]))
            }
            Err(e) => format!("{e:?}"),
        },
        RandomOp::WriteAt(p, off, data) => match vfs.open(p, O::WRONLY, 0) {
            Ok(fd) => {
                let r = vfs.pwrite(fd, data, *off);
                vfs.close(fd).unwrap();
                format!("{r:?}")
            }
            Err(e) => format!("{e:?}"),
        },
        RandomOp::Truncate(p, len) => format!("{:?}", vfs.truncate(p, *len)),
        RandomOp::Create(p) => format!("{:?}", vfs.open(p, O::CREAT | O::WRONLY, 0o640).map(|fd| vfs.close(fd))),
        RandomOp::Mkdir(p) => format!("{:?}", vfs.mkdir(p, 0o755)),
        RandomOp::Unlink(p) => format!("{:?}", vfs.unlink(p)),
        RandomOp::Rmdir(p) => format!("{:?}", vfs.rmdir(p)),
        RandomOp::Rename(a, b, flags) => format!("{:?}", vfs.renameat2(AT_FDCWD, a, AT_FDCWD, b, *flags)),
        RandomOp::Link(a, b) => format!("{:?}", vfs.link(a, b)),
        RandomOp::Symlink(a, b) => format!("{:?}", vfs.symlink(a, b)),
        RandomOp::Readlink(p) => {
            let mut buf = [0u8; 64];
            format!("{:?}", vfs.readlink(p, &mut buf).map(|n| buf[..n].to_vec()))
        }
        RandomOp::Chmod(p, m) => format!("{:?}", vfs.chmod(p, *m)),
    }
}

#[test]
fn mount_options_and_the_save_path_are_kept_and_checked() {
    use super::layout::{relayout, with_save_path, Mount};
    let original = Image::open(small_tree()).unwrap();
    let leak = |bytes: Vec<u8>| -> &'static [u8] { Box::leak(bytes.into_boxed_slice()) };

    let saving = leak(with_save_path(&original, Some(b"/out/state.img")).unwrap());
    let image = Image::open(saving).unwrap();
    assert_eq!(image.save_path(), Some(&b"/out/state.img"[..]));
    assert_eq!(image.mounts().collect::<Vec<_>>(), original.mounts().collect::<Vec<_>>());
    let cleared = leak(with_save_path(&image, None).unwrap());
    assert!(cleared == with_save_path(&original, None).unwrap(), "the same tree lays out to the same bytes");

    let mounts = [Mount::new(b"/srv", true, None), Mount::new(b"etc", false, None)];
    let image = Image::open(leak(relayout(&original, &mounts, None).unwrap())).unwrap();
    let records: Vec<_> = image.mount_records().map(|m| (m.name, m.read_only, m.tmpfs)).collect();
    assert_eq!(records, [(&b"/srv"[..], true, None), (&b"etc"[..], false, None)]);

    let rejected = |mounts: &[Mount], save: Option<&[u8]>| {
        Image::open(leak(relayout(&original, mounts, save).unwrap())).err().map(|error| error.problem)
    };
    assert_eq!(
        rejected(&[Mount::new(b"/srv", false, Some(Some(4096)))], None),
        Some("a tmpfs mountpoint that is not empty")
    );
    assert_eq!(
        rejected(&[Mount { name: b"/srv", flags: 4, size_limit: 0 }], None),
        Some("unknown flags or reserved bytes")
    );
    assert_eq!(
        rejected(&[Mount { name: b"/srv", flags: 0, size_limit: 10 }], None),
        Some("a size limit on a mount that is not a tmpfs")
    );
    assert_eq!(rejected(&[], Some(b"out/x")), Some("save path is not an absolute path"));
    assert_eq!(rejected(&[], Some(b"/out/\0x")), Some("save path is not an absolute path"));
}

#[test]
fn version_1_images_still_open() {
    let mut bytes = Image::open(small_tree()).map(|image| super::layout::relayout(&image, &[], None).unwrap()).unwrap();
    bytes[8..10].copy_from_slice(&f::VERSION_1.to_le_bytes());
    let image = Image::open(Box::leak(bytes.into_boxed_slice())).expect("a version 1 image without mounts");
    assert_eq!((image.mounts().count(), image.save_path()), (0, None));
    let mut newer = small_tree().to_vec();
    newer[8..10].copy_from_slice(&3u16.to_le_bytes());
    assert!(Image::open(Box::leak(newer.into_boxed_slice())).is_err());
}
