//! Saving the guest's tree at exit, and what goes wrong loudly: a save
//! path outside every runtime preopen, a directory that does not exist, a
//! destination that can not be replaced. Each is one line on stderr and a
//! non-zero exit, with nothing half-written left behind; `STRATA_SAVE`
//! overrides the wrapped-in path; a reactor's host saves with the
//! `strata_save` export. (The full round trip of every kind of change is
//! `tests/persist.rs`.)

use std::fs;
use std::path::Path;

use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::run::{self, Invocation, Outcome, Preopen, Status};
use strata_e2e::{node, tree, wrap};
use strata_vfs::image::Image;

/// The C fixture `mounts` with `site` (one file) at `/srv`, saving to
/// `save` at exit.
fn wrapped(scratch: &Path, save: Option<&str>) -> Vec<u8> {
    let site = scratch.join("site");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("page.html"), "<p>hi</p>\n").unwrap();
    let image = wrap::pack_mappings(vec![wrap::dir(&site, "/srv").unwrap()], save, scratch).unwrap();
    let guest = Fixture::get(Language::C, "mounts").wasm().unwrap();
    wrap::wrap(&guest, Some(&image)).unwrap()
}

fn run_wasmtime(module: &[u8], argv: &[&str], env: &[(&str, &str)], preopens: &[Preopen]) -> Outcome {
    let invocation = Invocation { argv, env, preopens };
    run::run_with(run::linker(), &run::module(module).unwrap(), &invocation, run::command).unwrap()
}

/// Entry names of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn stderr(outcome: &Outcome) -> String {
    String::from_utf8_lossy(&outcome.stderr).into_owned()
}

/// The saved image's `/srv` entries.
fn saved_names(image_file: &Path) -> Vec<String> {
    let bytes = fs::read(image_file).unwrap();
    let image = Image::open(&bytes).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let extracted = scratch.path().join("x");
    strata::extract::extract(&image, &extracted).unwrap();
    entries(&extracted.join("srv"))
}

#[test]
fn the_tree_is_saved_at_exit_under_wasmtime_and_node() {
    let scratch = tree::scratch();
    let module = wrapped(scratch.path(), Some("/out/state.img"));
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    let preopens = [Preopen { host: &out, guest: "/out" }];
    let argv = ["mounts", "probe", "/srv"];
    let outcome = run_wasmtime(&module, &argv, &[], &preopens);
    assert_eq!(outcome.status, Status::Exit(0), "{}", stderr(&outcome));
    assert_eq!(entries(&out), ["state.img"], "only the image, no temporary file");
    let names = saved_names(&out.join("state.img"));
    assert_eq!(names, ["probe-dir", "probe-link", "probe-new"], "page.html was renamed and removed by the probe");

    fs::remove_file(out.join("state.img")).unwrap();
    let file = node::module_file(&module).unwrap();
    let invocation = Invocation { argv: &argv, env: &[], preopens: &preopens };
    let outcome = node::run_invocation(&file, &invocation, &[], node::TIMEOUT).unwrap();
    assert_eq!(outcome.status, Status::Exit(0), "{}", stderr(&outcome));
    assert_eq!(saved_names(&out.join("state.img")), names, "Node saves the same tree");
}

#[test]
fn strata_save_overrides_or_disables_the_save_path() {
    let scratch = tree::scratch();
    let module = wrapped(scratch.path(), Some("/out/state.img"));
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    let preopens = [Preopen { host: &out, guest: "/out" }];
    let argv = ["mounts", "probe", "/srv"];
    let outcome = run_wasmtime(&module, &argv, &[("STRATA_SAVE", "/out/elsewhere.img")], &preopens);
    assert_eq!(outcome.status, Status::Exit(0), "{}", stderr(&outcome));
    assert_eq!(entries(&out), ["elsewhere.img"]);
    let outcome = run_wasmtime(&module, &argv, &[("STRATA_SAVE", "")], &preopens);
    assert_eq!((outcome.status, entries(&out)), (Status::Exit(0), vec!["elsewhere.img".to_owned()]));

    // Unwrapped with --save, the module saves only when the run asks.
    let quiet = wrapped(scratch.path(), None);
    let outcome = run_wasmtime(&quiet, &argv, &[], &preopens);
    assert_eq!((outcome.status, entries(&out).len()), (Status::Exit(0), 1));
    let outcome = run_wasmtime(&quiet, &argv, &[("STRATA_SAVE", "/out/asked.img")], &preopens);
    assert_eq!(outcome.status, Status::Exit(0), "{}", stderr(&outcome));
    assert_eq!(entries(&out), ["asked.img", "elsewhere.img"]);
}

#[test]
fn a_failed_save_is_one_line_and_a_non_zero_exit_and_leaves_nothing() {
    let scratch = tree::scratch();
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    let preopens = [Preopen { host: &out, guest: "/out" }];
    let argv = ["mounts", "probe", "/srv"];
    let cases = [
        ("/elsewhere/state.img", "no directory the runtime preopens holds it"),
        ("/out/missing/state.img", "creating missing/.state.img."),
        ("/out/taken", "renaming into taken failed: EISDIR"),
    ];
    fs::create_dir(out.join("taken")).unwrap();
    fs::write(out.join("taken/keep"), "kept").unwrap();
    for (path, why) in cases {
        let module = wrapped(scratch.path(), Some(path));
        let outcome = run_wasmtime(&module, &argv, &[], &preopens);
        assert_eq!(outcome.status, Status::Exit(1), "{path}: {}", stderr(&outcome));
        let message = stderr(&outcome);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.starts_with(&format!("strata: cannot save the filesystem to {path}: ")), "{message}");
        assert!(message.contains(why), "{path}: {message}");
        assert_eq!(entries(&out), ["taken"], "no temporary file is left ({path})");
        assert_eq!(fs::read_to_string(out.join("taken/keep")).unwrap(), "kept");
    }
    // A guest's own failure keeps its status.
    let module = wrapped(scratch.path(), Some("/elsewhere/state.img"));
    let outcome = run_wasmtime(&module, &["mounts", "fill", "/nowhere"], &[], &preopens);
    assert_eq!(outcome.status, Status::Exit(1));
    let outcome = run_wasmtime(&module, &["mounts", "bogus"], &[], &preopens);
    assert_eq!(outcome.status, Status::Exit(2), "{}", stderr(&outcome));
    assert!(stderr(&outcome).contains("cannot save"));
}

/// A reactor: `_initialize`, and `note` writing `/srv/note` through
/// preview1 (path_open on the image's preopen, fd 3).
const REACTOR: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "note")
  (data (i32.const 32) "written by a reactor\n")
  (func (export "_initialize"))
  (func (export "note") (result i32)
    (local $e i32)
    ;; path_open(3, 0, "note", 4, CREAT|TRUNC, FD_WRITE, 0, 0, &fd at 0)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 4)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $e) (then (return (local.get $e))))
    ;; iovec at 8: { 32, 21 }
    (i32.store (i32.const 8) (i32.const 32))
    (i32.store (i32.const 12) (i32.const 21))
    (local.set $e (call $fd_write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4)))
    (if (local.get $e) (then (return (local.get $e))))
    (call $fd_close (i32.load (i32.const 0)))))
"#;

#[test]
fn a_reactors_host_saves_with_strata_save() {
    let scratch = tree::scratch();
    let site = scratch.path().join("site");
    fs::create_dir(&site).unwrap();
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    let guest = wat::parse_str(REACTOR).unwrap();
    for (save, expected) in [(Some("/out/reactor.img"), 0), (None, 44 /* ENOENT: nowhere to save */)] {
        let image = wrap::pack_mappings(vec![wrap::dir(&site, "/srv").unwrap()], save, scratch.path()).unwrap();
        let module = run::module(&wrap::wrap(&guest, Some(&image)).unwrap()).unwrap();
        let preopens = [Preopen { host: &out, guest: "/out" }];
        let (mut store, _captured) = run::store(&["reactor"], &preopens).unwrap();
        let instance = run::instantiate(&mut store, &module).unwrap().unwrap();
        instance.get_typed_func::<(), ()>(&mut store, "_initialize").unwrap().call(&mut store, ()).unwrap();
        let note = instance.get_typed_func::<(), i32>(&mut store, "note").unwrap();
        assert_eq!(note.call(&mut store, ()).unwrap(), 0);
        let strata_save = instance.get_typed_func::<(), i32>(&mut store, "strata_save").unwrap();
        assert_eq!(strata_save.call(&mut store, ()).unwrap(), expected);
    }
    let bytes = fs::read(out.join("reactor.img")).unwrap();
    let extracted = scratch.path().join("x");
    strata::extract::extract(&Image::open(&bytes).unwrap(), &extracted).unwrap();
    assert_eq!(fs::read_to_string(extracted.join("srv/note")).unwrap(), "written by a reactor\n");
}
