//! A canonical listing of host directories under their guest names: the
//! text the `persist` fixture (`fixtures/rust/src/persist.rs`) prints of
//! its tree with exact times, so what a guest saw can be compared with what
//! the host holds (its preopens after a run, or a saved image once
//! extracted).
//!
//! The text: the header `listing exact`, then one line per entry of each
//! root in the given order, depth first, each directory's entries sorted by
//! name bytes, a directory before its entries, symlinks not followed, the
//! roots included:
//!
//! `PATH \t TYPE \t SIZE \t NLINK \t MTIME \t EXTRA`
//!
//! - PATH: the guest's path (the root's guest name, then the names).
//! - TYPE: `file`, `dir` or `symlink`.
//! - SIZE, NLINK: the stat size and link count of a file or symlink; `-`
//!   for a directory (both are the filesystem's).
//! - MTIME: `SECONDS.NANOS`, nine digits.
//! - EXTRA: a file's `sha=` and the 64-bit FNV-1a of its contents in hex; a
//!   symlink's `-> TARGET`; nothing for a directory. A file or symlink with
//!   more than one link adds ` link=FIRST`, the first path of the listing
//!   naming the same inode (possibly itself).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The first line of an exact listing.
pub const EXACT_HEADER: &str = "listing exact";

/// One host directory listed as a guest path (`/data`).
#[derive(Clone, Copy, Debug)]
pub struct Root<'a> {
    pub host: &'a Path,
    pub guest: &'a str,
}

/// The exact listing of `roots`, in order, header included.
///
/// Panics on what can not be listed (an unreadable entry, a name or
/// target that is not UTF-8, a device or socket): the guest fixture
/// panics on them too.
pub fn listing(roots: &[Root]) -> String {
    let mut out = format!("{EXACT_HEADER}\n");
    let mut first = HashMap::new();
    for root in roots {
        walk(root.host, root.guest.to_owned(), &mut first, &mut out);
    }
    out
}

fn walk(host: &Path, guest: String, first: &mut HashMap<(u64, u64), String>, out: &mut String) {
    let meta = fs::symlink_metadata(host).unwrap_or_else(|error| panic!("lstat {}: {error}", host.display()));
    let mtime = format!("{}.{:09}", meta.mtime(), meta.mtime_nsec());
    let link = |first: &mut HashMap<(u64, u64), String>| {
        if meta.nlink() > 1 {
            format!(" link={}", first.entry((meta.dev(), meta.ino())).or_insert_with(|| guest.clone()))
        } else {
            String::new()
        }
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        writeln!(out, "{guest}\tdir\t-\t-\t{mtime}\t").unwrap();
        let mut names: Vec<String> = fs::read_dir(host)
            .unwrap_or_else(|error| panic!("read_dir {}: {error}", host.display()))
            .map(|entry| {
                let entry = entry.unwrap_or_else(|error| panic!("an entry of {}: {error}", host.display()));
                entry
                    .file_name()
                    .into_string()
                    .unwrap_or_else(|name| panic!("{name:?} in {} is not UTF-8", host.display()))
            })
            .collect();
        names.sort_unstable();
        for name in names {
            let child = if guest.ends_with('/') { format!("{guest}{name}") } else { format!("{guest}/{name}") };
            walk(&host.join(&name), child, first, out);
        }
    } else if kind.is_file() {
        let contents = fs::read(host).unwrap_or_else(|error| panic!("read {}: {error}", host.display()));
        let link = link(first);
        writeln!(out, "{guest}\tfile\t{}\t{}\t{mtime}\tsha={}{link}", meta.size(), meta.nlink(), fnv1a(&contents))
            .unwrap();
    } else if kind.is_symlink() {
        let target = fs::read_link(host).unwrap_or_else(|error| panic!("read_link {}: {error}", host.display()));
        let target = target.to_str().unwrap_or_else(|| panic!("the target of {} is not UTF-8", host.display()));
        let link = link(first);
        writeln!(out, "{guest}\tsymlink\t{}\t{}\t{mtime}\t-> {target}{link}", meta.size(), meta.nlink()).unwrap();
    } else {
        panic!("{} is neither a file, a directory nor a symlink ({kind:?})", host.display());
    }
}

/// FNV-1a, 64 bits, in 16 hex digits (as the fixture crate's `hash::of`).
pub fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// One line of a listing, split into its six fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: &'a str,
    pub kind: &'a str,
    pub size: &'a str,
    pub nlink: &'a str,
    pub mtime: &'a str,
    pub extra: &'a str,
}

/// The entries of a listing (exact or normalized), its header skipped.
/// Panics on a line without six tab-separated fields.
pub fn entries(listing: &str) -> Vec<Entry<'_>> {
    listing
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.splitn(6, '\t').collect();
            let [path, kind, size, nlink, mtime, extra] = fields[..] else {
                panic!("not a listing line (six tab-separated fields): {line:?}");
            };
            Entry { path, kind, size, nlink, mtime, extra }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs::{File, FileTimes};
    use std::os::unix::fs::symlink;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn fnv1a_is_the_reference_hash() {
        assert_eq!(fnv1a(b""), "cbf29ce484222325");
        assert_eq!(fnv1a(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fnv1a(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn a_small_tree_is_listed_in_order_with_links() {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().join("r");
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::write(root.join("b"), "a").unwrap();
        fs::hard_link(root.join("b"), root.join("d/e/c")).unwrap();
        fs::write(root.join("d-x"), "").unwrap();
        symlink("b", root.join("a")).unwrap();
        let time = |path: &Path, secs| {
            let when = UNIX_EPOCH + Duration::new(secs, 7);
            File::open(path).unwrap().set_times(FileTimes::new().set_modified(when)).unwrap();
        };
        for (path, secs) in [("b", 10), ("d-x", 11), ("d/e", 12), ("d", 13), ("", 14)] {
            time(&root.join(path), secs);
        }
        let link = fs::symlink_metadata(root.join("a")).unwrap();
        let link_mtime = format!("{}.{:09}", link.mtime(), link.mtime_nsec());
        let other = scratch.path().join("o");
        fs::create_dir(&other).unwrap();
        time(&other, 15);

        let text = listing(&[Root { host: &root, guest: "/r" }, Root { host: &other, guest: "/" }]);
        let expected = format!(
            "listing exact\n\
             /r\tdir\t-\t-\t14.000000007\t\n\
             /r/a\tsymlink\t1\t1\t{link_mtime}\t-> b\n\
             /r/b\tfile\t1\t2\t10.000000007\tsha=af63dc4c8601ec8c link=/r/b\n\
             /r/d\tdir\t-\t-\t13.000000007\t\n\
             /r/d/e\tdir\t-\t-\t12.000000007\t\n\
             /r/d/e/c\tfile\t1\t2\t10.000000007\tsha=af63dc4c8601ec8c link=/r/b\n\
             /r/d-x\tfile\t0\t1\t11.000000007\tsha=cbf29ce484222325\n\
             /\tdir\t-\t-\t15.000000007\t\n"
        );
        assert_eq!(text, expected);
        let entries = entries(&text);
        assert_eq!(entries.len(), 8);
        assert_eq!(
            entries[1],
            Entry { path: "/r/a", kind: "symlink", size: "1", nlink: "1", mtime: &link_mtime, extra: "-> b" }
        );
        assert_eq!(entries[3].extra, "");
    }
}
