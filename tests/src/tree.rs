//! The fixture tree of `fixtures/TREE.md`, built by code: git can hold
//! neither hard links, empty directories nor modes. A run changes the tree,
//! so every run gets a fresh one.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// Where a fresh tree lives: `/dev/shm` (tmpfs, like the image's own
/// filesystem) when the machine has it, else the temp dir.
pub fn scratch() -> TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("strata-e2e-");
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() { builder.tempdir_in(shm) } else { builder.tempdir() };
    dir.expect("a scratch directory")
}

/// `path`, made a directory (with its parents) first.
pub fn made(path: PathBuf) -> PathBuf {
    fs::create_dir_all(&path).unwrap_or_else(|error| panic!("cannot make {}: {error}", path.display()));
    path
}

/// The two preopened directories of a fixture tree.
#[derive(Clone, Debug)]
pub struct Tree {
    /// The guest's `/data` (fd 3).
    pub data: PathBuf,
    /// The guest's `/other` (fd 4): empty.
    pub other: PathBuf,
}

/// Length of `data/big.bin`.
pub const BIG_LEN: usize = 200_000;

/// Byte `i` of `data/big.bin`: `(i × 7 + 3) mod 251`.
pub fn big_byte(i: usize) -> u8 {
    ((i * 7 + 3) % 251) as u8
}

/// Builds the tree under `root` (which must exist): `root/data` and
/// `root/other`, exactly as `fixtures/TREE.md` lists them.
pub fn make(root: &Path) -> Tree {
    let data = root.join("data");
    let other = root.join("other");
    dir(&data);
    dir(&other);

    file(&data.join("hello.txt"), b"hello, strata\n", 0o644);
    fs::hard_link(data.join("hello.txt"), data.join("hello-hardlink")).expect("hard link");

    dir(&data.join("docs"));
    let mut readme = String::from("# docs\n");
    for line in 1..=100 {
        readme.push_str(&format!("line {line}\n"));
    }
    file(&data.join("docs/readme.md"), readme.as_bytes(), 0o644);
    dir(&data.join("docs/nested"));
    dir(&data.join("docs/nested/deep"));
    file(&data.join("docs/nested/deep/file.txt"), b"deep\n", 0o644);

    let big: Vec<u8> = (0..BIG_LEN).map(big_byte).collect();
    file(&data.join("big.bin"), &big, 0o644);
    file(&data.join("exec.sh"), b"#!/bin/sh\necho hi\n", 0o755);

    for (link, target) in [
        ("link-to-hello", "hello.txt"),
        ("dangling", "does-not-exist"),
        ("dir-link", "docs"),
        ("abs-link", "/data/hello.txt"),
        ("loop-a", "loop-b"),
        ("loop-b", "loop-a"),
    ] {
        symlink(target, data.join(link)).expect("symlink");
    }

    dir(&data.join("empty"));
    dir(&data.join("many"));
    for number in 0..50 {
        file(&data.join(format!("many/f{number:02}")), format!("{number}\n").as_bytes(), 0o644);
    }
    Tree { data, other }
}

/// A directory, mode 0755 whatever the umask.
fn dir(path: &Path) {
    fs::create_dir(path).unwrap_or_else(|error| panic!("mkdir {}: {error}", path.display()));
    chmod(path, 0o755);
}

/// A regular file with `contents` and `mode`, whatever the umask.
fn file(path: &Path, contents: &[u8], mode: u32) {
    fs::write(path, contents).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    chmod(path, mode);
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|error| panic!("chmod {}: {error}", path.display()));
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn the_tree_is_as_tree_md_describes() {
        let scratch = scratch();
        let tree = make(scratch.path());
        let data = &tree.data;
        assert_eq!(fs::read(data.join("hello.txt")).unwrap(), b"hello, strata\n");
        let hello = fs::metadata(data.join("hello.txt")).unwrap();
        assert_eq!(hello.nlink(), 2);
        assert_eq!(hello.ino(), fs::metadata(data.join("hello-hardlink")).unwrap().ino());
        assert_eq!(hello.mode() & 0o7777, 0o644);
        assert_eq!(fs::metadata(data.join("exec.sh")).unwrap().mode() & 0o7777, 0o755);
        let readme = fs::read_to_string(data.join("docs/readme.md")).unwrap();
        assert_eq!(readme.lines().count(), 101);
        assert!(readme.starts_with("# docs\nline 1\n") && readme.ends_with("line 99\nline 100\n"));
        let big = fs::read(data.join("big.bin")).unwrap();
        assert_eq!(big.len(), 200_000);
        assert_eq!(&big[..4], &[3, 10, 17, 24]);
        assert_eq!(big[199_999], ((199_999 * 7 + 3) % 251) as u8);
        assert_eq!(fs::read_link(data.join("abs-link")).unwrap(), Path::new("/data/hello.txt"));
        assert_eq!(fs::read_to_string(data.join("link-to-hello")).unwrap(), "hello, strata\n");
        assert!(fs::metadata(data.join("dangling")).is_err());
        assert!(fs::metadata(data.join("dir-link")).unwrap().is_dir());
        assert_eq!(fs::read_dir(data.join("empty")).unwrap().count(), 0);
        assert_eq!(fs::read_dir(data.join("many")).unwrap().count(), 50);
        assert_eq!(fs::read(data.join("many/f07")).unwrap(), b"7\n");
        assert_eq!(fs::read_dir(&tree.other).unwrap().count(), 0);
        let mut top: Vec<String> =
            fs::read_dir(data).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        top.sort();
        assert_eq!(
            top,
            [
                "abs-link",
                "big.bin",
                "dangling",
                "dir-link",
                "docs",
                "empty",
                "exec.sh",
                "hello-hardlink",
                "hello.txt",
                "link-to-hello",
                "loop-a",
                "loop-b",
                "many"
            ]
        );
    }
}
