//! Mounts with options, as a guest sees them under wasmtime and Node 24:
//! a `--dir HOST::GUEST:ro` tree refuses every change with EROFS, a
//! `--tmpfs GUEST:size=N` fills up to its limit with ENOSPC and loses
//! nothing written before, and renames or links between the image, a
//! tmpfs, a read-only tree and a runtime preopen are EXDEV (EROFS for a
//! link into the read-only tree, which Linux checks first). The guest is
//! the C fixture `mounts` (`fixtures/c/mounts.c`).

use std::fs;
use std::path::Path;

use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::node;
use strata_e2e::run::{self, Invocation, Outcome, Preopen, Status};
use strata_e2e::{tree, wrap};

/// The guest wrapped with `site` at `/srv`, `ro` read-only at `/srv/ro`
/// and a 300 KiB tmpfs at `/tmp`.
fn wrapped(scratch: &Path) -> Vec<u8> {
    let site = scratch.join("site");
    let ro = scratch.join("ro");
    fs::create_dir_all(ro.join("sub")).unwrap();
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("page.html"), "<p>hi</p>\n").unwrap();
    fs::write(ro.join("keep.txt"), "keep\n").unwrap();
    let mappings = vec![
        wrap::dir(&site, "/srv").unwrap(),
        wrap::dir(&ro, "/srv/ro:ro").unwrap(),
        wrap::tmpfs("/tmp:size=300K").unwrap(),
    ];
    let image = wrap::pack_mappings(mappings, None, scratch).unwrap();
    let guest = Fixture::get(Language::C, "mounts").wasm().unwrap();
    wrap::wrap(&guest, Some(&image)).unwrap()
}

fn text(outcome: &Outcome) -> String {
    assert_eq!(outcome.status, Status::Exit(0), "stderr: {}", String::from_utf8_lossy(&outcome.stderr));
    String::from_utf8(outcome.stdout.clone()).unwrap()
}

/// Each mode of the guest under wasmtime (with a runtime preopen at
/// `/out`) and under Node 24: the two must agree.
fn run_everywhere(module: &[u8], out: &Path, argv: &[&str]) -> String {
    let preopens = [Preopen { host: out, guest: "/out" }];
    let invocation = Invocation { argv, env: &[], preopens: &preopens };
    let wasmtime = run::run_with(run::linker(), &run::module(module).unwrap(), &invocation, run::command).unwrap();
    let file = node::module_file(module).unwrap();
    let node = node::run_invocation(&file, &invocation, &[], node::TIMEOUT).unwrap();
    let (wasmtime, node) = (text(&wasmtime), text(&node));
    assert_eq!(wasmtime, node, "wasmtime and Node 24 differ on {argv:?}");
    wasmtime
}

#[test]
fn a_read_only_tree_refuses_every_change_and_reads() {
    let scratch = tree::scratch();
    let module = wrapped(scratch.path());
    let out = run_everywhere(&module, scratch.path(), &["mounts", "probe", "/srv/ro", "/srv"]);
    let (ro, rw) = out.split_once("== probe /srv\n").expect("both probes ran");
    for change in ["create", "mkdir", "symlink", "for writing", "truncate", "rename it", "unlink it", "link to it"] {
        let line = ro.lines().find(|line| line.contains(change)).unwrap_or_else(|| panic!("no {change} in {ro}"));
        assert!(line.ends_with("-> EROFS"), "{line}");
    }
    assert!(ro.contains("open it for reading -> ok"), "{ro}");
    assert!(
        rw.contains("create probe-new -> ok") && rw.contains("rename it -> ok"),
        "the tree around it is writable: {rw}"
    );
}

#[test]
fn a_tmpfs_fills_to_its_limit_and_keeps_what_was_written() {
    let scratch = tree::scratch();
    let module = wrapped(scratch.path());
    let out = run_everywhere(&module, scratch.path(), &["mounts", "fill", "/tmp"]);
    assert!(out.contains("-> ENOSPC"), "{out}");
    assert!(out.contains("read back all of it"), "{out}");
    assert!(out.contains("write again -> ok"), "after freeing space: {out}");
    let filled: u64 =
        out.lines().find_map(|line| line.strip_prefix("filled ")?.strip_suffix(" bytes")?.parse().ok()).unwrap();
    assert_eq!(filled, 300 << 10, "the last write is short: the tmpfs fills to its limit");
}

#[test]
fn renames_and_links_between_filesystems_are_exdev() {
    let scratch = tree::scratch();
    let module = wrapped(scratch.path());
    let out_dir = scratch.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    for (target, link) in [("/tmp", "EXDEV"), ("/out", "EXDEV"), ("/srv/ro", "EROFS")] {
        let out = run_everywhere(&module, &out_dir, &["mounts", "cross", "/srv", target]);
        assert!(out.contains(&format!("rename into {target} -> EXDEV")), "{out}");
        assert!(out.contains(&format!("link into {target} -> {link}")), "{out}");
    }
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0, "nothing reached the host directory");
}
