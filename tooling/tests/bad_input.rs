//! Mistakes a user makes: each is one line on stderr naming what is wrong,
//! a non-zero exit, and no output left behind (not even a temporary).

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use common::*;
use strata::mapping::Mapping;
use strata::pack::{PackOptions, Plan, Progress};

/// `pack` with these `--dir` arguments into `out`.
fn pack_args(dirs: &[OsString], out: &Path) -> Vec<OsString> {
    let mut args = vec![OsString::from("pack")];
    for dir in dirs {
        args.push("--dir".into());
        args.push(dir.clone());
    }
    args.push("-o".into());
    args.push(out.as_os_str().to_owned());
    args
}

/// A work directory with a small host tree `src` in it.
fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let work = temp_dir();
    let src = work.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("file"), b"contents").unwrap();
    (work, src)
}

/// Runs a pack that must fail with one line containing `needles`, and
/// leave the work directory as it was.
fn pack_fails(work: &Path, dirs: &[OsString], out: &Path, needles: &[&str]) -> String {
    let before = listing(work);
    let line = assert_one_line_error(&strata(pack_args(dirs, out)), needles);
    assert_eq!(listing(work), before, "nothing written for {line}");
    line
}

#[test]
fn a_missing_host_directory() {
    let (work, _) = setup();
    let out = work.path().join("out.img");
    let nope = work.path().join("nope");
    let line = pack_fails(work.path(), &[dir_arg(&nope, "/srv")], &out, &["no such directory"]);
    assert_eq!(line, format!("strata: --dir {}::/srv: no such directory\n", nope.display()));
}

#[test]
fn a_file_given_as_the_host_directory() {
    let (work, src) = setup();
    let out = work.path().join("out.img");
    pack_fails(work.path(), &[dir_arg(&src.join("file"), "/srv")], &out, &["file::/srv", "not a directory"]);
}

#[test]
fn a_dir_without_double_colon_names_the_preopen_after_the_host() {
    // wasmtime's rule: `--dir HOST` alone is the preopen HOST. Here the
    // host path does not exist (a single colon is part of the name).
    let (work, src) = setup();
    let out = work.path().join("out.img");
    let mut single = src.into_os_string();
    single.push(":/srv");
    pack_fails(work.path(), &[single], &out, &["src:/srv", "no such directory"]);
}

#[test]
fn a_guest_name_with_dot_dot() {
    let (work, src) = setup();
    let out = work.path().join("out.img");
    pack_fails(work.path(), &[dir_arg(&src, "srv/../etc")], &out, &["::srv/../etc", "contains a .. component"]);
}

#[test]
fn overlapping_guest_paths() {
    let (work, src) = setup();
    let other = work.path().join("other");
    fs::create_dir(&other).unwrap();
    let out = work.path().join("out.img");
    for (first, second) in [("/srv", "/srv"), ("/srv", "./srv/"), ("/", "."), ("a/b", "/a/b")] {
        let dirs = [dir_arg(&src, first), dir_arg(&other, second)];
        let line = pack_fails(work.path(), &dirs, &out, &["overlap"]);
        assert!(line.contains(&format!("src::{first}")) && line.contains(&format!("other::{second}")), "{line}");
    }
}

#[test]
fn an_output_inside_an_input_tree() {
    let (work, src) = setup();
    fs::create_dir(src.join("sub")).unwrap();
    let before = listing(&src);
    let out = src.join("sub/../image.img");
    let line = assert_one_line_error(&strata(pack_args(&[dir_arg(&src, "/srv")], &out)), &["inside", "src::/srv"]);
    assert!(line.contains("image.img"), "{line}");
    assert_eq!(listing(&src), before);
    // Also through a symlink to the tree.
    std::os::unix::fs::symlink(&src, work.path().join("alias")).unwrap();
    let sneaky = work.path().join("alias/sub/image.img");
    assert_one_line_error(&strata(pack_args(&[dir_arg(&src, "/srv")], &sneaky)), &["inside"]);
    assert_eq!(listing(&src.join("sub")), Vec::<std::path::PathBuf>::new());
}

#[test]
fn an_output_in_a_missing_directory_or_on_a_directory() {
    let (work, src) = setup();
    let missing = work.path().join("no/such/dir/out.img");
    pack_fails(work.path(), &[dir_arg(&src, "/")], &missing, &["cannot write", "out.img"]);
    let on_dir = work.path().join("adir");
    fs::create_dir(&on_dir).unwrap();
    pack_fails(work.path(), &[dir_arg(&src, "/")], &on_dir, &["is a directory"]);
}

#[test]
fn an_unreadable_file_is_named() {
    if is_root() {
        eprintln!("skipped: root reads everything");
        return;
    }
    let (work, src) = setup();
    chmod(&src.join("file"), 0o000);
    let out = work.path().join("out.img");
    let line = pack_fails(work.path(), &[dir_arg(&src, "/")], &out, &["cannot read", "Permission denied"]);
    assert!(line.contains(&src.join("file").display().to_string()), "{line}");
}

#[test]
fn a_tree_too_large_for_the_adapters_memory() {
    let (work, src) = setup();
    // Sparse: no disk is used, and pack refuses before reading it.
    let big = fs::File::create(src.join("huge")).unwrap();
    big.set_len(4 << 30).unwrap();
    drop(big);
    let out = work.path().join("out.img");
    pack_fails(work.path(), &[dir_arg(&src, "/")], &out, &["too large", "4.0 GiB"]);
}

#[test]
fn a_file_changing_size_between_scan_and_copy() {
    // 1 MiB exactly fills the packer's first buffer, so the end of the
    // file is found by another route than for a small one.
    let mebibyte = vec![7u8; 1 << 20];
    let mut grown = mebibyte.clone();
    grown.push(8);
    let cases: [(&str, &[u8], &[u8]); 4] = [
        ("grew", b"contents", b"contents and more"),
        ("shrank", b"contents", b"c"),
        ("grew", &mebibyte, &grown),
        ("shrank", &mebibyte, &mebibyte[1..]),
    ];
    for (what, before_scan, after_scan) in cases {
        let (work, src) = setup();
        fs::write(src.join("file"), before_scan).unwrap();
        let out = work.path().join("out.img");
        let options = PackOptions::new(vec![Mapping::parse(&dir_arg(&src, "/")).unwrap()], out.clone());
        let plan = Plan::scan(&options, &mut Progress::off(), &mut |warning| panic!("{warning}")).unwrap();
        fs::write(src.join("file"), after_scan).unwrap();
        let before = listing(work.path());
        let error = format!("{:#}", plan.write(&out, &mut Progress::off()).unwrap_err());
        assert!(error.contains(&src.join("file").display().to_string()) && error.contains(what), "{error}");
        assert_eq!(listing(work.path()), before, "no output and no temporary");
        // Unchanged, the same plan writes a good image.
        fs::write(src.join("file"), before_scan).unwrap();
        plan.write(&out, &mut Progress::off()).unwrap();
        let bytes = fs::read(&out).unwrap();
        let image = strata_vfs::image::Image::open(&bytes).unwrap();
        image.verify_data().unwrap();
        assert_eq!(image.file_bytes(image.lookup(1, b"file").unwrap().1.ino), before_scan);
    }
}

#[test]
fn ls_and_extract_refuse_what_is_not_an_image() {
    let work = temp_dir();
    let text = work.path().join("notes.txt");
    fs::write(&text, b"just some text, long enough to have a header's worth").unwrap();
    let tiny = work.path().join("tiny");
    fs::write(&tiny, b"ST").unwrap();
    let wasm = work.path().join("app.wasm");
    fs::write(&wasm, b"\0asm\x01\0\0\0").unwrap();
    let out = work.path().join("out");
    for file in [&text, &tiny] {
        assert_one_line_error(&strata(["ls".as_ref(), file.as_os_str()]), &["not a Strata image"]);
        assert_one_line_error(
            &strata(["extract".as_ref(), file.as_os_str(), "-o".as_ref(), out.as_os_str()]),
            &["not a Strata image"],
        );
    }
    for args in [
        vec!["ls".as_ref(), wasm.as_os_str()],
        vec!["extract".as_ref(), wasm.as_os_str(), "-o".as_ref(), out.as_os_str()],
    ] {
        let line = assert_one_line_error(&strata(args), &["app.wasm", "not written by strata wrap"]);
        assert!(!line.contains("not a Strata image"), "{line}");
    }
    let missing = work.path().join("missing.img");
    assert_one_line_error(
        &strata(["ls".as_ref(), missing.as_os_str()]),
        &["cannot read", "missing.img", "No such file"],
    );
    assert!(!out.exists());
}

#[test]
fn extract_onto_an_existing_directory() {
    let (work, src) = setup();
    let image = work.path().join("ok.img");
    pack(&[(&src, "/")], &image);
    let existing = work.path().join("existing");
    fs::create_dir(&existing).unwrap();
    fs::write(existing.join("mine"), b"do not touch").unwrap();
    let before = listing(work.path());
    assert_one_line_error(
        &strata(["extract".as_ref(), image.as_os_str(), "-o".as_ref(), existing.as_os_str()]),
        &["existing", "already exists"],
    );
    assert_eq!(listing(work.path()), before);
    assert_eq!(listing(&existing), vec![existing.join("mine")]);
    // An existing file, or a dangling symlink, is in the way too.
    let dangling = work.path().join("dangling");
    std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
    assert_one_line_error(
        &strata(["extract".as_ref(), image.as_os_str(), "-o".as_ref(), dangling.as_os_str()]),
        &["already exists"],
    );
}

#[test]
fn ls_of_a_missing_guest_path() {
    let (work, src) = setup();
    let image = work.path().join("ok.img");
    pack(&[(&src, "/")], &image);
    assert_one_line_error(
        &strata(["ls".as_ref(), image.as_os_str(), "/nope".as_ref()]),
        &["/nope", "no such file or directory"],
    );
    assert_one_line_error(
        &strata(["ls".as_ref(), image.as_os_str(), "/file/x".as_ref()]),
        &["/file/x", "not a directory"],
    );
}
