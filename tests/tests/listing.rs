//! The `persist` fixture's listing of its tree and `strata_e2e::listing`
//! of the same host directories are the same text: under wasmtime with the
//! fixture tree as host preopens, the guest's exact listing after its
//! changes (`persist mutate`) and again on its own (`persist list`) equal
//! the host's listing of the preopened folders. This is what lets a later
//! test compare a wrapped guest's tree with a saved image extracted to the
//! host.

use std::fs;

use strata_e2e::diff;
use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::listing::{self, Entry, Root};
use strata_e2e::run::{self, Preopen, Status};
use strata_e2e::tree::{self, Tree};

/// `persist ARG` under wasmtime with `tree` preopened as `/data` and
/// `/other`: its stdout, after checking it exited 0.
fn persist(tree: &Tree, arg: &str) -> String {
    let guest = Fixture::get(Language::Rust, "persist").wasm().unwrap();
    let preopens = [Preopen { host: &tree.data, guest: "/data" }, Preopen { host: &tree.other, guest: "/other" }];
    let outcome = run::run_wasm(&guest, &["persist", arg], &preopens)
        .unwrap_or_else(|error| panic!("persist {arg} on the host: {error:#}"));
    assert_eq!(
        outcome.status,
        Status::Exit(0),
        "persist {arg} failed; stderr:\n{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    String::from_utf8(outcome.stdout).unwrap_or_else(|error| panic!("persist {arg} printed non-UTF-8: {error}"))
}

fn host_listing(tree: &Tree) -> String {
    listing::listing(&[Root { host: &tree.data, guest: "/data" }, Root { host: &tree.other, guest: "/other" }])
}

/// Fails naming the first differing line of `guest` and `host`.
fn assert_same(what: &str, guest: &str, host: &str) {
    if let Some(report) = diff::lines_as(["guest", "host"], guest.as_bytes(), host.as_bytes()) {
        panic!("{what}: the guest's listing and the host's differ:\n{report}");
    }
}

#[test]
fn the_pristine_tree_is_listed_alike() {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    // wasmtime's host refuses to read an absolute symlink (EPERM), so the
    // guest can not list the tree's one; `persist mutate` removes it too.
    fs::remove_file(tree.data.join("abs-link")).unwrap();
    let host = host_listing(&tree);
    assert_same("persist list on a fresh tree", &persist(&tree, "list"), &host);
    let entries = listing::entries(&host);
    let hello = entries.iter().find(|entry| entry.path == "/data/hello.txt").expect("a line for /data/hello.txt");
    assert_eq!(hello.extra, format!("sha={} link=/data/hello-hardlink", listing::fnv1a(b"hello, strata\n")));
}

#[test]
fn the_changed_tree_is_listed_alike() {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    let mutated = persist(&tree, "mutate");
    let host = host_listing(&tree);
    assert_same("persist mutate", &mutated, &host);
    assert_same("persist list after mutate", &persist(&tree, "list"), &host);
    assert_eq!(host_listing(&tree), host, "listing the tree changed it");

    let entries = listing::entries(&host);
    let find = |path: &str| -> Entry {
        *entries.iter().find(|entry| entry.path == path).unwrap_or_else(|| panic!("no line for {path} in:\n{host}"))
    };
    assert!(host.starts_with("listing exact\n"), "{host}");
    assert!(entries.iter().any(|entry| entry.kind == "symlink"), "no symlink line:\n{host}");
    assert!(entries.iter().any(|entry| entry.extra.contains(" link=")), "no link= line:\n{host}");
    let sparse = find("/data/sparse.bin");
    assert_eq!((sparse.kind, sparse.size), ("file", "300001"), "the sparse file");
    assert_eq!(find("/data/many/f08").size, "70000");
    assert_eq!(find("/data/many/f07").size, "1");
    assert_eq!(find("/data/pair-b").nlink, "1", "the broken pair");
    let readme = find("/data/docs/readme.md");
    assert!(readme.extra.ends_with(" link=/data/docs/readme.md"), "the first name of a hard link: {readme:?}");
    assert_eq!((find("/data/readme-link").extra, readme.nlink), (readme.extra, "2"), "the new hard link");
    assert_eq!(find("/data/link-to-hello").extra, "-> big.bin");
    assert_eq!(find("/data/docs/dangling-moved").extra, "-> does-not-exist");
    assert_eq!(find("/data/docs").mtime, "1600000001.987654321");
    assert_eq!(find("/data/new.txt").mtime, "1600000000.123456789");
    assert_eq!(find("/other/a/b").mtime, "1600000002.000000001");
    for gone in [
        "/data/empty",
        "/data/gone",
        "/data/many/f00",
        "/data/exec.sh",
        "/data/docs/nested",
        "/data/pair-a",
        "/data/abs-link",
    ] {
        assert!(entries.iter().all(|entry| entry.path != gone), "{gone} is still listed:\n{host}");
    }
}
