//! `strata ls` output, checked against lines written out by hand and
//! against the host's own `ls -lan`.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::process::Command;

use common::*;

/// Builds the tree; returns (uid, gid) of its entries.
fn build(root: &Path) -> (u32, u32) {
    fs::create_dir(root).unwrap();
    let latin1 = root.join(OsStr::from_bytes(b"caf\xe9"));
    fs::write(&latin1, b"").unwrap();
    fs::create_dir(root.join("dir")).unwrap();
    fs::write(root.join("dir/inner"), b"abc").unwrap();
    symlink("dir", root.join("link")).unwrap();
    fs::write(root.join("suid"), b"hello").unwrap();
    chmod(&latin1, 0o600);
    chmod(&root.join("dir"), 0o1777);
    chmod(&root.join("dir/inner"), 0o644);
    chmod(&root.join("suid"), 0o4755);
    set_mtime(&latin1, -1, 0);
    set_mtime(&root.join("dir/inner"), 2_000_000_000, 500_000_000);
    set_mtime(&root.join("dir"), 1_000_000_000, 0);
    set_mtime(&root.join("link"), 1_700_000_000, 123_456_789);
    set_mtime(&root.join("suid"), 1_700_000_000, 123_456_789);
    let meta = fs::metadata(root.join("suid")).unwrap();
    (meta.uid(), meta.gid())
}

fn ls(image: &Path, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["ls".as_ref(), image.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    let output = strata(all);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn lists_like_ls_lan_with_inode_numbers() {
    let work = temp_dir();
    let tree = work.path().join("tree");
    let (uid, gid) = build(&tree);
    let image = work.path().join("ls.img");
    pack(&[(&tree, "/")], &image);

    // Inodes: breadth-first by name bytes: caf\xe9 2, dir 3, link 4,
    // suid 5, dir/inner 6. A directory's size is 20 per entry plus 2.
    let root_listing = format!(
        "2 -rw------- 1 {uid} {gid}  0 1969-12-31 23:59:59.000000000 caf\u{1}\n\
         3 drwxrwxrwt 2 {uid} {gid} 60 2001-09-09 01:46:40.000000000 dir\n\
         4 lrwxrwxrwx 1 {uid} {gid}  3 2023-11-14 22:13:20.123456789 link -> dir\n\
         5 -rwsr-xr-x 1 {uid} {gid}  5 2023-11-14 22:13:20.123456789 suid\n"
    );
    // The name is raw bytes, not UTF-8: put the 0xE9 byte in place.
    let root_listing: Vec<u8> = root_listing.bytes().map(|b| if b == 1 { 0xE9 } else { b }).collect();
    assert_eq!(String::from_utf8_lossy(&ls(&image, &[])), String::from_utf8_lossy(&root_listing));
    assert_eq!(ls(&image, &[]), root_listing);
    assert_eq!(ls(&image, &["/"]), root_listing);

    let inner = format!("6 -rw-r--r-- 1 {uid} {gid} 3 2033-05-18 03:33:20.500000000 inner\n");
    assert_eq!(String::from_utf8(ls(&image, &["/dir"])).unwrap(), inner);
    // A trailing slash follows the symlink; without one it lists itself.
    assert_eq!(String::from_utf8(ls(&image, &["/link/"])).unwrap(), inner);
    assert_eq!(
        String::from_utf8(ls(&image, &["/link"])).unwrap(),
        format!("4 lrwxrwxrwx 1 {uid} {gid} 3 2023-11-14 22:13:20.123456789 /link -> dir\n")
    );
    assert_eq!(
        String::from_utf8(ls(&image, &["/link/inner"])).unwrap(),
        format!("6 -rw-r--r-- 1 {uid} {gid} 3 2033-05-18 03:33:20.500000000 /link/inner\n")
    );

    let mut recursive = b"/:\n".to_vec();
    recursive.extend_from_slice(&root_listing);
    recursive.extend_from_slice(format!("\n/dir:\n{inner}").as_bytes());
    assert_eq!(String::from_utf8_lossy(&ls(&image, &["-R"])), String::from_utf8_lossy(&recursive));
}

#[test]
fn agrees_with_the_hosts_ls() {
    // GNU ls shows the same mode, links, owner, size and time; inode
    // numbers and directory sizes are the host's own.
    let probe = Command::new("ls").args(["--time-style=+%s", "-d", "/"]).output();
    if !probe.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: no GNU ls");
        return;
    }
    let work = temp_dir();
    let tree = work.path().join("tree");
    build(&tree);
    fs::remove_file(tree.join(OsStr::from_bytes(b"caf\xe9"))).unwrap();
    let image = work.path().join("ls.img");
    pack(&[(&tree, "/")], &image);
    let host = Command::new("ls")
        .args(["-lan", "--time-style=+%Y-%m-%d %H:%M:%S.%N"])
        .arg(&tree)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let host = String::from_utf8(host.stdout).unwrap();
    let host_rows: Vec<Vec<&str>> = host
        .lines()
        .skip(1)
        .filter(|l| !l.ends_with(" .") && !l.ends_with(" .."))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let ours = String::from_utf8(ls(&image, &[])).unwrap();
    let our_rows: Vec<Vec<&str>> = ours.lines().map(|l| l.split_whitespace().skip(1).collect()).collect();
    assert_eq!(host_rows.len(), our_rows.len(), "host:\n{host}\nours:\n{ours}");
    for (host_row, our_row) in host_rows.iter().zip(&our_rows) {
        let directory = host_row[0].starts_with('d');
        for (column, (h, o)) in host_row.iter().zip(our_row).enumerate() {
            if directory && column == 4 {
                continue; // size
            }
            assert_eq!(h, o, "column {column}: host {host_row:?}, ours {our_row:?}");
        }
        assert_eq!(host_row.len(), our_row.len());
    }
}

#[test]
fn guest_paths_resolve_dot_dot_and_symlinks_within_the_image() {
    let work = temp_dir();
    let tree = work.path().join("tree");
    build(&tree);
    fs::create_dir(tree.join("dir/sub")).unwrap();
    symlink("../../link/inner", tree.join("dir/sub/to-file")).unwrap();
    symlink("../../link", tree.join("dir/sub/to-dir")).unwrap();
    symlink("/dir/sub", tree.join("absolute")).unwrap();
    symlink("loop-b", tree.join("loop-a")).unwrap();
    symlink("loop-a", tree.join("loop-b")).unwrap();
    let image = work.path().join("paths.img");
    pack(&[(&tree, "/")], &image);
    // The name column: the last word (or the one before " -> ").
    let names = |path: &str| {
        let out = String::from_utf8(ls(&image, &[path])).unwrap();
        out.lines()
            .map(|line| line.split(" -> ").next().unwrap().rsplit(' ').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("/dir/../suid"), ["/dir/../suid"]);
    assert_eq!(names("/../../dir"), ["inner", "sub"], "the root is its own parent");
    assert_eq!(names("/absolute/"), ["to-dir", "to-file"], "an absolute target starts at the image's root");
    assert_eq!(names("/absolute/to-dir/"), ["inner", "sub"], "relative targets start at the link's directory");
    assert_eq!(names("/absolute/to-file"), ["/absolute/to-file"], "the last symlink is not followed");
    assert_eq!(names("/absolute/to-dir/sub/.."), ["inner", "sub"], "a symlink before .. is followed");
    let error = |path: &str| strata(["ls".as_ref(), image.as_os_str(), path.as_ref()]);
    assert_one_line_error(&error("/absolute/to-file/"), &["/absolute/to-file/: not a directory"]);
    // As on Linux: a file has no `..`.
    assert_one_line_error(&error("/absolute/to-file/.."), &["not a directory"]);
    assert_one_line_error(&error("/loop-a/"), &["/loop-a/: too many levels of symbolic links"]);
}
