//! pack → extract gives back the tree: names, types, contents, targets,
//! hard-link groups, modes, mtimes to the nanosecond (and owners as root).

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{lchown, symlink};
use std::path::{Path, PathBuf};

use common::*;
use strata_vfs::image::Image;
use strata_vfs::FileType;

/// Depth of the deep chain of directories.
const DEPTH: usize = 35;

/// Builds the tricky tree under `root`; returns every path it made, so the
/// caller can set times afterwards.
fn build_tricky_tree(root: &Path) -> Vec<PathBuf> {
    let mut made = Vec::new();
    let dir = |relative: &str| {
        let path = root.join(relative);
        fs::create_dir_all(&path).unwrap();
        path
    };
    for d in ["a", "b", "sub/deeper", "emptydir", "private", "tmp", "names"] {
        made.push(dir(d));
    }
    let file = |relative: &Path, bytes: &[u8]| {
        let path = root.join(relative);
        fs::write(&path, bytes).unwrap();
        path
    };
    // Names: unicode, spaces, and bytes that are not UTF-8.
    made.push(file(Path::new("names/héllo wörld ☃.txt"), b"unicode"));
    made.push(file(Path::new("names/日本語のファイル"), b"japanese"));
    made.push(file(Path::new("names/  leading and trailing spaces  "), b"spaces"));
    made.push(file(&Path::new("names").join(OsStr::from_bytes(b"caf\xe9 \xff\xfe")), b"latin-1 and junk"));
    made.push(file(Path::new("names/-dash"), b""));
    // Empty files, a big file with varied bytes.
    made.push(file(Path::new("empty"), b""));
    made.push(file(Path::new("sub/empty too"), b""));
    made.push(file(Path::new("big.bin"), &varied_bytes(1_500_001, 7)));
    // Deep nesting.
    let mut deep = PathBuf::from("deep");
    for level in 0..DEPTH {
        deep.push(format!("level{level}"));
        made.push(dir(deep.to_str().unwrap()));
    }
    made.push(file(&deep.join("bottom.txt"), b"at the bottom"));
    // Hard links: a pair across directories, and a group of three names.
    made.push(file(Path::new("a/linked"), b"one inode, two names"));
    fs::hard_link(root.join("a/linked"), root.join("b/linked again")).unwrap();
    made.push(root.join("b/linked again"));
    made.push(file(Path::new("g1"), b"three names"));
    fs::hard_link(root.join("g1"), root.join("sub/g2")).unwrap();
    fs::hard_link(root.join("g1"), root.join("sub/deeper/g3")).unwrap();
    // Symlinks: to a directory, dangling, absolute, relative upward.
    for (link, target) in [
        ("to-dir", "a"),
        ("dangling", "no/such/thing"),
        ("absolute", "/etc/passwd"),
        ("sub/deeper/up", "../../a/linked"),
    ] {
        symlink(target, root.join(link)).unwrap();
        made.push(root.join(link));
    }
    // A hard link to a symlink (link(2) does not follow it).
    fs::hard_link(root.join("dangling"), root.join("b/dangling too")).unwrap();
    made.push(root.join("b/dangling too"));
    // Modes.
    made.push(file(Path::new("secret"), b"640"));
    made.push(file(Path::new("tool"), b"#!/bin/sh\n"));
    made.push(file(Path::new("suid"), b"setuid"));
    if is_root() {
        // Before the chmods: chown clears set-id bits.
        lchown(root.join("secret"), Some(1234), Some(5678)).unwrap();
        lchown(root.join("suid"), Some(4321), Some(0)).unwrap();
        lchown(root.join("private"), Some(1000), Some(1000)).unwrap();
        lchown(root.join("dangling"), Some(77), Some(88)).unwrap();
    }
    chmod(&root.join("private"), 0o700);
    chmod(&root.join("secret"), 0o640);
    chmod(&root.join("tool"), 0o755);
    chmod(&root.join("tmp"), 0o1777);
    chmod(&root.join("suid"), 0o4755);
    chmod(&root.join("empty"), 0o400);
    made
}

/// Distinct times: seconds from the list (one before 1970), nanoseconds
/// never zero.
fn set_times(root: &Path, made: &[PathBuf]) {
    let seconds = [1_700_000_000i64, 0, 1, 946_684_799, 2_000_000_000, -86_400 * 400];
    for (i, path) in made.iter().enumerate() {
        set_mtime(path, seconds[i % seconds.len()] + i as i64, (i as u32 * 7_919_111 + 1) % 1_000_000_000);
    }
    set_mtime(root, 1_600_000_000, 999_999_999);
}

#[test]
fn pack_then_extract_gives_the_same_tree() {
    let work = temp_dir();
    let source = work.path().join("source");
    fs::create_dir(&source).unwrap();
    let made = build_tricky_tree(&source);
    set_times(&source, &made);
    let expected = describe(&source);

    let image = work.path().join("tree.img");
    pack(&[(&source, "/")], &image);
    let out = work.path().join("out");
    strata_ok(["extract".as_ref(), image.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    let actual = describe(&out);
    assert_same_tree(&expected, &actual, is_root());

    // Spot checks a person would make, beyond "everything is equal".
    assert_eq!(fs::read(out.join("big.bin")).unwrap(), varied_bytes(1_500_001, 7));
    let group = &actual[&b"g1"[..]];
    assert_eq!((group.nlink, group.link_group.as_deref()), (3, Some(&b"g1"[..])));
    assert_eq!(actual[&b"sub/deeper/g3"[..]].link_group.as_deref(), Some(&b"g1"[..]));
    assert_eq!(actual[&b"b/linked again"[..]].link_group.as_deref(), Some(&b"a/linked"[..]));
    assert_eq!(actual[&b"b/dangling too"[..]].link_group.as_deref(), Some(&b"b/dangling too"[..]));
    assert_eq!(actual[&b"dangling"[..]].link_group.as_deref(), Some(&b"b/dangling too"[..]));
    assert_eq!(actual[&b"suid"[..]].perm, 0o4755);
    assert_eq!(actual[&b"tmp"[..]].perm, 0o1777);
    assert_eq!(actual[&b""[..]].mtime, (1_600_000_000, 999_999_999));
    assert_eq!(fs::read_link(out.join("dangling")).unwrap(), Path::new("no/such/thing"));
    assert!(actual.contains_key(&b"names/caf\xe9 \xff\xfe"[..]));
    let deep_count = actual.keys().filter(|k| k.starts_with(b"deep/")).count();
    assert_eq!(deep_count, DEPTH + 1);
}

#[test]
fn the_reader_sees_what_was_packed() {
    let work = temp_dir();
    let source = work.path().join("source");
    fs::create_dir(&source).unwrap();
    let made = build_tricky_tree(&source);
    set_times(&source, &made);
    let host = describe(&source);

    let image_path = work.path().join("tree.img");
    pack(&[(&source, "/")], &image_path);
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).expect("a packed image opens");
    image.verify_data().expect("its data checksum holds");

    // One inode per directory and per hard-link group.
    let groups: std::collections::BTreeSet<_> = host.values().filter_map(|d| d.link_group.clone()).collect();
    let dirs = host.values().filter(|d| d.kind == Kind::Dir).count();
    assert_eq!(image.inode_count() as usize, dirs + groups.len());
    assert_eq!(image.mounts().collect::<Vec<_>>(), vec![&b"/"[..]]);
    assert_eq!(image.bytes().len(), bytes.len());

    let walk = |path: &[u8]| {
        let mut ino = 1;
        for name in path.split(|&b| b == b'/') {
            ino = image
                .lookup(ino, name)
                .unwrap_or_else(|| panic!("{} in the image", String::from_utf8_lossy(path)))
                .1
                .ino;
        }
        image.inode(ino)
    };
    let g1 = walk(b"g1");
    assert_eq!((g1.kind, g1.nlink, g1.size), (FileType::Regular, 3, 11));
    assert_eq!(walk(b"sub/g2").ino, g1.ino);
    assert_eq!(walk(b"sub/deeper/g3").ino, g1.ino);
    assert_eq!(image.file_bytes(g1.ino), b"three names");
    let linked = walk(b"a/linked");
    assert_eq!((linked.nlink, walk(b"b/linked again").ino), (2, linked.ino));
    let to_dir = walk(b"to-dir");
    assert_eq!((to_dir.kind, image.symlink_target(to_dir.ino)), (FileType::Symlink, &b"a"[..]));
    // Directories: 2 + subdirectories. The root has a, b, sub, emptydir,
    // private, tmp, names, deep.
    assert_eq!(image.inode(1).nlink, 2 + 8);
    assert_eq!(walk(b"sub").nlink, 3);
    let root = &host[&b""[..]];
    assert_eq!(
        (image.inode(1).perm, image.inode(1).mtime.sec, image.inode(1).mtime.nsec),
        (root.perm, 1_600_000_000, 999_999_999)
    );
    let suid = walk(b"suid");
    assert_eq!(suid.perm, 0o4755);
    if is_root() {
        assert_eq!((walk(b"secret").uid, walk(b"secret").gid), (1234, 5678));
        assert_eq!((walk(b"dangling").uid, walk(b"dangling").gid), (77, 88));
    }
    // Entries come out sorted by name bytes.
    let names: Vec<&[u8]> = image.entries(1).map(|entry| entry.name).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn a_large_file_is_packed_intact() {
    // Larger than the packer's 1 MiB buffer several times over, and not a
    // multiple of it.
    let work = temp_dir();
    let source = work.path().join("source");
    fs::create_dir(&source).unwrap();
    let contents = varied_bytes((5 << 20) + 12_345, 99);
    fs::write(source.join("large"), &contents).unwrap();
    fs::write(source.join("small"), b"after the large one").unwrap();
    let image_path = work.path().join("large.img");
    pack(&[(&source, "/")], &image_path);
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    image.verify_data().unwrap();
    assert_eq!(image.file_bytes(image.lookup(1, b"large").unwrap().1.ino), &contents[..]);
    assert_eq!(image.file_bytes(image.lookup(1, b"small").unwrap().1.ino), b"after the large one");
}
