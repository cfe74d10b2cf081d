//! The harness itself, with hand-written guests: a run sees its arguments,
//! no environment and the preopens in order; exit codes and traps become
//! the right [`Status`]; the module cache caches; the packed fixture tree
//! holds what `TREE.md` says. If these fail, the fixture tests mean
//! nothing.

use strata::resolve::resolve;
use strata_e2e::run::{self, Outcome, Preopen, Status};
use strata_e2e::{tree, wrap};
use strata_vfs::image::Image;

/// Helpers every text guest below shares: `$check` (exit 10 + errno on
/// failure) and `$print` (fd_write of one buffer to `$fd`).
const PRELUDE: &str = r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "\n")
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 10) (local.get $errno))))))
  ;; iovec at 16, count at 24
  (func $print (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (call $check (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
"#;

/// A module: `imports`, the prelude, then `body`.
fn guest(imports: &str, body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {imports} {PRELUDE} {body})")).expect("the guest's text parses")
}

fn run_host(wasm: &[u8], argv: &[&str]) -> Outcome {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    let preopens = [Preopen { host: &tree.data, guest: "/data" }, Preopen { host: &tree.other, guest: "/other" }];
    run::run_wasm(wasm, argv, &preopens).unwrap()
}

/// Prints the names of fd 3 and fd 4, `/data/hello.txt` read through fd 3,
/// the number of environment variables, and the arguments as `args_get`
/// gives them (NUL-terminated).
#[test]
fn a_run_sees_its_arguments_no_environment_and_the_preopens_in_order() {
    let wasm = guest(
        r#"
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
"#,
        r#"
  (data (i32.const 300) "hello.txt")
  ;; prestat at 0 (tag, name length at 4); names and file bytes at 1024
  (func $name (param $fd i32)
    (call $check (call $prestat_get (local.get $fd) (i32.const 0)))
    (call $check (call $dir_name (local.get $fd) (i32.const 1024) (i32.load (i32.const 4))))
    (call $print (i32.const 1) (i32.const 1024) (i32.load (i32.const 4)))
    (call $print (i32.const 1) (i32.const 200) (i32.const 1)))
  (func $digit (param $n i32)
    (i32.store8 (i32.const 208) (i32.add (i32.const 48) (local.get $n)))
    (call $print (i32.const 1) (i32.const 208) (i32.const 1))
    (call $print (i32.const 1) (i32.const 200) (i32.const 1)))
  (func (export "_start")
    (call $name (i32.const 3))
    (call $name (i32.const 4))
    ;; fd_read only
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 9) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 32)))
    (i32.store (i32.const 40) (i32.const 1024))
    (i32.store (i32.const 44) (i32.const 1024))
    (call $check (call $fd_read (i32.load (i32.const 32)) (i32.const 40) (i32.const 1) (i32.const 24)))
    (call $print (i32.const 1) (i32.const 1024) (i32.load (i32.const 24)))
    (call $check (call $environ_sizes (i32.const 48) (i32.const 52)))
    (call $digit (i32.load (i32.const 48)))
    (call $check (call $args_sizes (i32.const 48) (i32.const 52)))
    (call $digit (i32.load (i32.const 48)))
    (call $check (call $args_get (i32.const 512) (i32.const 2048)))
    (call $print (i32.const 1) (i32.const 2048) (i32.load (i32.const 52)))
    (call $print (i32.const 2) (i32.const 300) (i32.const 5)))
"#,
    );
    let outcome = run_host(&wasm, &["harness", "one"]);
    assert_eq!(
        outcome,
        Outcome {
            stdout: b"/data\n/other\nhello, strata\n0\n2\nharness\0one\0".to_vec(),
            stderr: b"hello".to_vec(),
            status: Status::Exit(0),
        },
        "stdout {:?}",
        String::from_utf8_lossy(&outcome.stdout)
    );
}

#[test]
fn exits_and_traps_are_statuses() {
    let exit = |code: u32| guest("", &format!(r#"(func (export "_start") (call $proc_exit (i32.const {code})))"#));
    assert_eq!(run_host(&exit(0), &["exit"]).status, Status::Exit(0));
    assert_eq!(run_host(&exit(7), &["exit"]).status, Status::Exit(7));
    let returns = guest("", r#"(func (export "_start"))"#);
    assert_eq!(run_host(&returns, &["returns"]).status, Status::Exit(0));

    // Output before a trap is kept; the status is the trap's first line.
    let traps = guest(
        "",
        r#"(func (export "_start")
             (call $print (i32.const 2) (i32.const 200) (i32.const 1))
             unreachable)"#,
    );
    let outcome = run_host(&traps, &["traps"]);
    assert_eq!(outcome.stderr, b"\n");
    match &outcome.status {
        Status::Trap(message) => assert!(message.contains("unreachable") && !message.contains('\n'), "{message}"),
        other => panic!("expected a trap, got {other}"),
    }

    // A guest pointer out of bounds in a host call: wasmtime's host traps.
    let out_of_bounds =
        guest("", r#"(func (export "_start") (call $print (i32.const 1) (i32.const 65530) (i32.const 100)))"#);
    assert!(run_host(&out_of_bounds, &["oob"]).status.trapped());

    // A start function that traps traps at instantiation: still a status.
    let start_traps = guest("", r#"(func $start unreachable) (start $start) (func (export "_start"))"#);
    assert!(run_host(&start_traps, &["start"]).status.trapped());
}

#[test]
fn a_module_that_does_not_link_is_an_error_not_a_status() {
    let wasm = wat::parse_str(r#"(module (import "nowhere" "f" (func)) (func (export "_start")))"#).unwrap();
    let error = run::run_wasm(&wasm, &["x"], &[]).unwrap_err();
    assert!(format!("{error:#}").contains("nowhere"), "{error:#}");
}

#[test]
fn modules_are_compiled_once() {
    let wasm = guest("", r#"(func (export "_start"))"#);
    let first = run::module(&wasm).unwrap();
    let second = run::module(&wasm).unwrap();
    assert!(wasmtime::Module::same(&first, &second));
    let other = run::module(&guest("", r#"(func (export "_start") nop)"#)).unwrap();
    assert!(!wasmtime::Module::same(&first, &other));
}

#[test]
fn the_packed_tree_holds_the_fixture_tree() {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    let bytes = wrap::pack_tree(&tree).unwrap();
    let image = Image::open(&bytes).unwrap();
    let mounts: Vec<&[u8]> = image.mounts().collect();
    assert_eq!(mounts, [&b"/data"[..], b"/other"]);
    let hello = resolve(&image, b"/data/hello.txt").unwrap();
    assert_eq!(image.file_bytes(hello), b"hello, strata\n");
    assert_eq!(image.inode(hello).nlink, 2);
    assert_eq!(resolve(&image, b"/data/hello-hardlink").unwrap(), hello);
    let big = resolve(&image, b"/data/big.bin").unwrap();
    assert_eq!(image.file_bytes(big), (0..tree::BIG_LEN).map(tree::big_byte).collect::<Vec<_>>());
    assert_eq!(image.symlink_target(resolve(&image, b"/data/abs-link").unwrap()), b"/data/hello.txt");
    assert_eq!(image.entries(resolve(&image, b"/data/many").unwrap()).len(), 50);
    assert_eq!(image.entries(resolve(&image, b"/data/empty").unwrap()).len(), 0);
    assert_eq!(image.entries(resolve(&image, b"/other").unwrap()).len(), 0);
}
