//! Several `--dir`s into one guest tree, created intermediate directories,
//! the mounts list, and `--exclude`.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};

use common::*;
use strata_vfs::image::{Image, ImageInode};
use strata_vfs::FileType;

fn lookup(image: &Image, path: &str) -> Option<ImageInode> {
    let mut ino = 1;
    for name in path.split('/').filter(|n| !n.is_empty()) {
        ino = image.lookup(ino, name.as_bytes())?.1.ino;
    }
    Some(image.inode(ino))
}

fn names(image: &Image, path: &str) -> Vec<String> {
    let dir = lookup(image, path).unwrap();
    image.entries(dir.ino).map(|entry| String::from_utf8_lossy(entry.name).into_owned()).collect()
}

#[test]
fn several_dirs_make_one_tree_with_created_intermediates() {
    let work = temp_dir();
    let site = work.path().join("site");
    let lib = work.path().join("lib");
    let etc = work.path().join("etc");
    for dir in [&site, &lib, &etc] {
        fs::create_dir(dir).unwrap();
    }
    fs::write(site.join("index.html"), b"<h1>hi</h1>").unwrap();
    fs::create_dir(site.join("css")).unwrap();
    fs::write(lib.join("libx.so"), b"\x7fELF").unwrap();
    fs::write(etc.join("hosts"), b"127.0.0.1 localhost\n").unwrap();
    chmod(&site, 0o750);
    set_mtime(&site, 1_234_567_890, 42);
    set_mtime(&lib, 1_111_111_111, 0);

    let image_path = work.path().join("app.img");
    let stderr = pack(&[(&site, "/srv"), (&lib, "/usr/lib/x"), (&etc, "/etc")], &image_path);
    assert!(stderr.starts_with("strata: packed 3 files, 7 dirs, 0 symlinks ("), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one summary line: {stderr}");

    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    let mounts: Vec<&[u8]> = image.mounts().collect();
    assert_eq!(mounts, vec![&b"/srv"[..], b"/usr/lib/x", b"/etc"], "mounts in command-line order");
    assert_eq!(names(&image, "/"), ["etc", "srv", "usr"]);
    assert_eq!(names(&image, "/srv"), ["css", "index.html"]);
    assert_eq!(names(&image, "/usr"), ["lib"]);
    assert_eq!(names(&image, "/usr/lib"), ["x"]);
    assert_eq!(names(&image, "/usr/lib/x"), ["libx.so"]);
    assert_eq!(image.file_bytes(lookup(&image, "/etc/hosts").unwrap().ino), b"127.0.0.1 localhost\n");

    // Created directories: 0755, root-owned, mtime 0. The root is one.
    for created in ["/", "/usr", "/usr/lib"] {
        let inode = lookup(&image, created).unwrap();
        assert_eq!((inode.kind, inode.perm, inode.uid, inode.gid), (FileType::Directory, 0o755, 0, 0), "{created}");
        assert_eq!((inode.mtime.sec, inode.mtime.nsec), (0, 0), "{created}");
    }
    // Mapped directories carry their host directory's metadata.
    let srv = lookup(&image, "/srv").unwrap();
    let host = fs::metadata(&site).unwrap();
    assert_eq!((srv.perm, srv.uid, srv.gid), (0o750, host.uid(), host.gid()));
    assert_eq!((srv.mtime.sec, srv.mtime.nsec), (1_234_567_890, 42));
    assert_eq!(lookup(&image, "/usr/lib/x").unwrap().mtime.sec, 1_111_111_111);
    // Link counts: 2 + subdirectories.
    assert_eq!(lookup(&image, "/").unwrap().nlink, 5);
    assert_eq!(lookup(&image, "/srv").unwrap().nlink, 3);
    assert_eq!(lookup(&image, "/usr/lib").unwrap().nlink, 3);
    assert_eq!(lookup(&image, "/usr/lib").unwrap().parent, lookup(&image, "/usr").unwrap().ino);
}

#[test]
fn mapping_the_root_gives_it_the_host_directorys_metadata() {
    let work = temp_dir();
    let root = work.path().join("root");
    let extra = work.path().join("extra");
    fs::create_dir(&root).unwrap();
    fs::create_dir(&extra).unwrap();
    fs::write(root.join("file"), b"x").unwrap();
    chmod(&root, 0o711);
    set_mtime(&root, 1_500_000_000, 123);
    let image_path = work.path().join("root.img");
    pack(&[(&root, "/")], &image_path);
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    let inode = image.inode(1);
    assert_eq!((inode.perm, inode.mtime.sec, inode.mtime.nsec), (0o711, 1_500_000_000, 123));
    assert_eq!(image.mounts().collect::<Vec<_>>(), vec![&b"/"[..]]);
    // Packing the same host directory twice, at distinct guest paths, is
    // fine; each is its own subtree.
    let twice = work.path().join("twice.img");
    pack(&[(&extra, "/a"), (&extra, "/b")], &twice);
    let bytes = fs::read(&twice).unwrap();
    assert_eq!(Image::open(&bytes).unwrap().mounts().count(), 2);
}

#[test]
fn a_nested_dir_is_grafted_into_the_tree_that_encloses_it() {
    // As `wasmtime run --dir root::/ --dir lib::/usr/local/lib`: a root
    // tree with a library directory mounted inside it, given inner first.
    let work = temp_dir();
    let root = work.path().join("root");
    let lib = work.path().join("lib");
    let mnt = work.path().join("mnt");
    for dir in [&root, &lib, &mnt] {
        fs::create_dir(dir).unwrap();
    }
    fs::create_dir_all(root.join("usr/share")).unwrap();
    fs::create_dir(root.join("tmp")).unwrap();
    fs::create_dir(root.join("mnt")).unwrap(); // an empty mount point
    fs::write(root.join("usr/share/doc"), b"doc").unwrap();
    fs::write(lib.join("python.zip"), b"PK").unwrap();
    fs::write(mnt.join("disk"), b"d").unwrap();
    set_mtime(&lib, 1_222_333_444, 0);

    let image_path = work.path().join("nested.img");
    pack(&[(&lib, "/usr/local/lib"), (&root, "/"), (&mnt, "/mnt")], &image_path);
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    let mounts: Vec<&[u8]> = image.mounts().collect();
    assert_eq!(mounts, vec![&b"/usr/local/lib"[..], b"/", b"/mnt"], "mounts in command-line order");
    assert_eq!(names(&image, "/"), ["mnt", "tmp", "usr"]);
    assert_eq!(names(&image, "/usr"), ["local", "share"], "the outer tree's /usr, with the way in added");
    assert_eq!(names(&image, "/usr/local/lib"), ["python.zip"]);
    assert_eq!(names(&image, "/mnt"), ["disk"], "the empty mount point holds the inner tree");
    assert_eq!(lookup(&image, "/usr/local/lib").unwrap().mtime.sec, 1_222_333_444);
    assert_eq!(lookup(&image, "/usr/local").unwrap().perm, 0o755, "a created directory");
    assert_eq!(lookup(&image, "/usr").unwrap().nlink, 4);
}

#[test]
fn a_nested_dir_may_not_hide_or_merge_the_outer_trees_files() {
    let work = temp_dir();
    let root = work.path().join("root");
    let inner = work.path().join("inner");
    fs::create_dir_all(root.join("srv/site")).unwrap();
    fs::write(root.join("srv/site/index.html"), b"x").unwrap();
    fs::write(root.join("etc"), b"a file").unwrap();
    fs::create_dir(&inner).unwrap();
    let out = work.path().join("out.img");
    for (guest, needles) in [
        ("/srv/site", &["/srv/site in the tree of --dir", "root::/", "is not an empty directory"][..]),
        ("/etc/conf", &["/etc in the tree of --dir", "is not a directory"][..]),
    ] {
        let args = ["pack".into(), "--dir".into(), dir_arg(&root, "/"), "--dir".into(), dir_arg(&inner, guest)];
        let output = strata(args.into_iter().chain(["-o".into(), out.clone().into_os_string()]));
        let line = assert_one_line_error(&output, needles);
        assert!(line.contains(&format!("inner::{guest}")) && line.contains("--exclude"), "{line}");
        assert!(!out.exists(), "nothing written for {line}");
    }
}

#[test]
fn a_host_symlink_given_as_dir_is_followed_but_symlinks_inside_are_not() {
    let work = temp_dir();
    let real = work.path().join("real");
    fs::create_dir(&real).unwrap();
    fs::create_dir(real.join("inner")).unwrap();
    symlink("inner", real.join("link-to-inner")).unwrap();
    symlink(&real, work.path().join("alias")).unwrap();
    let image_path = work.path().join("alias.img");
    pack(&[(&work.path().join("alias"), "/srv")], &image_path);
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    assert_eq!(names(&image, "/srv"), ["inner", "link-to-inner"]);
    let link = lookup(&image, "/srv/link-to-inner").unwrap();
    assert_eq!((link.kind, image.symlink_target(link.ino)), (FileType::Symlink, &b"inner"[..]));
}

#[test]
fn excludes_match_names_anywhere_and_paths_from_the_host_root() {
    let work = temp_dir();
    let src = work.path().join("src");
    for dir in ["keep/deep", "target/debug", "other/target/debug", ".git/objects", "build", "docs"] {
        fs::create_dir_all(src.join(dir)).unwrap();
    }
    for file in [
        "main.o",
        "keep/deep/x.o",
        "keep/deep/x.c",
        "target/debug/app",
        "other/target/debug/app",
        "docs/a.tmp",
        "docs/a.md",
        "build.rs",
    ] {
        fs::write(src.join(file), file).unwrap();
    }
    // Not descended into: a fifo inside would draw a warning.
    mkfifo(&src.join(".git/objects/fifo"));
    // `build/` is for directories only: a file named `build` stays.
    fs::write(src.join("keep/build"), b"a file named build").unwrap();

    let image_path = work.path().join("ex.img");
    let mut args: Vec<std::ffi::OsString> = vec!["pack".into(), "--dir".into(), dir_arg(&src, "/src")];
    for pattern in ["*.o", ".git", "/target/debug", "docs/*.tmp", "build/"] {
        args.push("--exclude".into());
        args.push(pattern.into());
    }
    args.push("-o".into());
    args.push(image_path.clone().into_os_string());
    let stderr = strata_ok(&args);
    assert!(!stderr.contains("warning"), "excluded directories are not read: {stderr}");

    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    assert_eq!(names(&image, "/src"), ["build.rs", "docs", "keep", "other", "target"]);
    assert_eq!(names(&image, "/src/keep/deep"), ["x.c"]);
    assert_eq!(names(&image, "/src/keep"), ["build", "deep"]);
    assert_eq!(names(&image, "/src/target"), Vec::<String>::new(), "the anchored path went, its parent stayed");
    assert_eq!(names(&image, "/src/other/target/debug"), ["app"], "an anchored pattern matches only at the root");
    assert_eq!(names(&image, "/src/docs"), ["a.md"]);
}

#[test]
fn fifos_are_skipped_with_a_warning_naming_them() {
    let work = temp_dir();
    let src = work.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("regular"), b"kept").unwrap();
    mkfifo(&src.join("pipe"));
    let image_path = work.path().join("fifo.img");
    let stderr = pack(&[(&src, "/")], &image_path);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0], format!("strata: warning: skipping {}: it is a fifo", src.join("pipe").display()));
    assert!(lines[1].starts_with("strata: packed 1 files, 1 dirs, 0 symlinks"), "{stderr}");
    let bytes = fs::read(&image_path).unwrap();
    let image = Image::open(&bytes).unwrap();
    assert_eq!(names(&image, "/"), ["regular"]);
}
