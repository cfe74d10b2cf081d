//! The same tree gives the same bytes: run to run, and for an identical
//! tree made in another order (other host inode numbers, other readdir
//! order).

mod common;

use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;

use common::*;

/// What the tree holds, in creation order: (path, contents or None for a
/// directory). Hard links and symlinks are added separately.
const ENTRIES: &[(&str, Option<&[u8]>)] = &[
    ("a", None),
    ("a/one", Some(b"1")),
    ("a/two", Some(b"22")),
    ("b", None),
    ("b/c", None),
    ("b/c/deep", Some(b"deep file")),
    ("b/empty", Some(b"")),
    ("z-last", Some(b"zzz")),
    ("A-upper", Some(b"upper case sorts first")),
    ("m", None),
    ("m/n", None),
];

/// Builds the tree in `order` (directories always before their
/// contents), creating and removing `churn` scratch files in between so
/// host inode numbers differ; then sets every mode and time.
fn build(root: &Path, reverse: bool, churn: usize) {
    fs::create_dir(root).unwrap();
    let mut entries: Vec<_> = ENTRIES.to_vec();
    if reverse {
        // Reverse, but keep every directory before what it contains.
        entries.reverse();
        entries.sort_by_key(|(path, _)| path.matches('/').count());
    }
    for (i, (path, contents)) in entries.iter().enumerate() {
        for k in 0..churn {
            let scratch = root.join(format!(".scratch{i}-{k}"));
            fs::write(&scratch, b"x").unwrap();
            fs::remove_file(&scratch).unwrap();
        }
        match contents {
            None => fs::create_dir(root.join(path)).unwrap(),
            Some(bytes) => fs::write(root.join(path), bytes).unwrap(),
        }
    }
    let links: &[(&str, &str)] = &[("a/one", "b/c/one-again"), ("a/one", "m/n/one-thrice")];
    let symlinks: &[(&str, &str)] = &[("../a/two", "b/to-two"), ("/absolute/dangling", "m/abs")];
    let (links, symlinks): (Vec<_>, Vec<_>) = if reverse {
        (links.iter().rev().collect(), symlinks.iter().rev().collect())
    } else {
        (links.iter().collect(), symlinks.iter().collect())
    };
    for (from, to) in links {
        fs::hard_link(root.join(from), root.join(to)).unwrap();
    }
    for (target, at) in symlinks {
        symlink(target, root.join(at)).unwrap();
    }
    // Same modes and times whatever the order.
    let mut all: Vec<String> = ENTRIES.iter().map(|(p, _)| p.to_string()).collect();
    all.extend(["b/c/one-again", "m/n/one-thrice", "b/to-two", "m/abs"].map(String::from));
    all.sort();
    for (i, path) in all.iter().enumerate() {
        let full = root.join(path);
        if !fs::symlink_metadata(&full).unwrap().file_type().is_symlink() {
            chmod(&full, if full.is_dir() { 0o750 } else { 0o640 + (i as u32 % 2) });
        }
        set_mtime(&full, 1_600_000_000 + i as i64 * 1000, i as u32 * 1_000_003);
    }
    chmod(root, 0o755);
    set_mtime(root, 1_650_000_000, 5);
}

#[test]
fn packing_twice_gives_identical_bytes() {
    let work = temp_dir();
    let tree = work.path().join("tree");
    build(&tree, false, 0);
    let first = work.path().join("first.img");
    let second = work.path().join("second-with-another-name.img");
    pack(&[(&tree, "/")], &first);
    pack(&[(&tree, "/")], &second);
    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap());
}

#[test]
fn an_identical_tree_made_differently_gives_identical_bytes() {
    let work = temp_dir();
    let forward = work.path().join("forward");
    let backward = work.path().join("backward");
    build(&forward, false, 0);
    build(&backward, true, 3);
    // The premise: the host really differs underneath.
    let ino = |root: &Path| fs::metadata(root.join("b/c/deep")).unwrap().ino();
    assert_ne!(ino(&forward), ino(&backward));
    assert_eq!(describe(&forward), describe(&backward), "the trees are identical to a reader");

    let one = work.path().join("one.img");
    let two = work.path().join("two.img");
    pack(&[(&forward, "/srv"), (&forward.join("m"), "/opt/m")], &one);
    pack(&[(&backward, "/srv"), (&backward.join("m"), "/opt/m")], &two);
    let (one, two) = (fs::read(&one).unwrap(), fs::read(&two).unwrap());
    assert_eq!(one.len(), two.len());
    assert!(one == two, "the images differ at byte {:?}", one.iter().zip(&two).position(|(a, b)| a != b));
}
