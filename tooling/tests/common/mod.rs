//! Helpers shared by the CLI tests: running the binary, building host trees
//! with exact metadata, and describing a host tree with std alone (so a
//! comparison never relies on the code under test).

#![allow(dead_code)] // each test binary uses a different subset

pub mod wasm;

use std::collections::{BTreeMap, HashMap};
use std::ffi::{CString, OsStr};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `strata` with `args`, without a terminal.
pub fn strata<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_strata")).args(args).output().expect("strata runs")
}

/// Runs `strata` and requires success; returns stderr.
pub fn strata_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = strata(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "strata failed: {stderr}");
    stderr
}

/// Requires that `output` is a failure reported as exactly one line
/// `strata: ...` containing each of `needles`; returns that line.
pub fn assert_one_line_error(output: &Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "expected a failure, got success; stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "expected one line, got: {stderr:?}");
    assert!(stderr.starts_with("strata: ") && stderr.ends_with('\n'), "{stderr:?}");
    for needle in needles {
        assert!(stderr.contains(needle), "{stderr:?} should mention {needle:?}");
    }
    assert!(output.stdout.is_empty(), "nothing on stdout for an error");
    stderr
}

/// `pack --dir HOST::GUEST ... -o out`, requiring success.
pub fn pack(dirs: &[(&Path, &str)], out: &Path) -> String {
    let mut args = vec!["pack".into()];
    for (host, guest) in dirs {
        args.push("--dir".into());
        args.push(dir_arg(host, guest));
    }
    args.push("-o".into());
    args.push(out.as_os_str().to_owned());
    strata_ok(args)
}

/// `HOST::GUEST` as an argument, keeping non-UTF-8 host bytes.
pub fn dir_arg(host: &Path, guest: &str) -> std::ffi::OsString {
    let mut arg = host.as_os_str().to_owned();
    arg.push("::");
    arg.push(guest);
    arg
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

/// Sets atime and mtime of `path` itself (not a symlink's target).
pub fn set_mtime(path: &Path, sec: i64, nsec: u32) {
    let time = libc::timespec { tv_sec: sec as libc::time_t, tv_nsec: nsec as libc::c_long };
    let times = [time, time];
    let path_c = c_path(path);
    // SAFETY: a NUL-terminated path and two timespecs.
    let status = unsafe { libc::utimensat(libc::AT_FDCWD, path_c.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
    assert_eq!(status, 0, "utimensat {}: {}", path.display(), std::io::Error::last_os_error());
}

pub fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mkfifo(path: &Path) {
    let path_c = c_path(path);
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path_c.as_ptr(), 0o644) }, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

pub fn is_root() -> bool {
    // SAFETY: no arguments, no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Deterministic varied bytes (xorshift64*).
pub fn varied_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// One host entry as `lstat` and friends describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    pub kind: Kind,
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    pub mtime: (i64, i64),
    /// The first path (in sorted order) of this entry's hard-link group;
    /// `None` for directories.
    pub link_group: Option<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File(Vec<u8>),
    Symlink(Vec<u8>),
}

/// Every entry under `root` (and `root` itself, as the empty path), by
/// path relative to `root` as bytes.
pub fn describe(root: &Path) -> BTreeMap<Vec<u8>, Described> {
    let mut found = BTreeMap::new();
    let mut hosts = BTreeMap::new();
    let mut pending = vec![(root.to_owned(), Vec::new())];
    while let Some((path, relative)) = pending.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        let kind = if meta.is_dir() {
            for entry in fs::read_dir(&path).unwrap() {
                let entry = entry.unwrap();
                let mut child = relative.clone();
                if !child.is_empty() {
                    child.push(b'/');
                }
                child.extend_from_slice(entry.file_name().as_bytes());
                pending.push((entry.path(), child));
            }
            Kind::Dir
        } else if meta.file_type().is_symlink() {
            Kind::Symlink(fs::read_link(&path).unwrap().as_os_str().as_bytes().to_vec())
        } else {
            assert!(meta.is_file(), "{} is a special file", path.display());
            Kind::File(fs::read(&path).unwrap())
        };
        if !meta.is_dir() {
            hosts.insert(relative.clone(), (meta.dev(), meta.ino()));
        }
        found.insert(
            relative,
            Described {
                kind,
                perm: meta.mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
                nlink: meta.nlink(),
                mtime: (meta.mtime(), meta.mtime_nsec()),
                link_group: None,
            },
        );
    }
    // Group by host identity; name each group by its first path.
    let mut first_of: HashMap<(u64, u64), Vec<u8>> = HashMap::new();
    for (path, id) in &hosts {
        first_of.entry(*id).or_insert_with(|| path.clone());
    }
    for (path, id) in hosts {
        found.get_mut(&path).unwrap().link_group = Some(first_of[&id].clone());
    }
    found
}

/// Asserts two described trees are the same, entry by entry, with a
/// readable message for the first difference. Owners are compared only
/// when `owners` is set.
pub fn assert_same_tree(expected: &BTreeMap<Vec<u8>, Described>, actual: &BTreeMap<Vec<u8>, Described>, owners: bool) {
    let names = |tree: &BTreeMap<Vec<u8>, Described>| {
        tree.keys().map(|k| String::from_utf8_lossy(k).into_owned()).collect::<Vec<_>>()
    };
    assert_eq!(names(expected), names(actual), "the same paths");
    for (path, want) in expected {
        let got = &actual[path];
        let shown = String::from_utf8_lossy(path);
        let mut want = want.clone();
        let mut got = got.clone();
        if !owners {
            (want.uid, want.gid, got.uid, got.gid) = (0, 0, 0, 0);
        }
        assert_eq!(want, got, "entry {shown:?} differs");
    }
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("strata-test-").tempdir().unwrap()
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    names.sort();
    names
}
