//! A trap inside a preview1 call does not end a reactor: its host may call
//! it again (wasm has no poisoned instances). What the trapped call left
//! behind must then be what wasmtime's own host leaves: a file it created,
//! a descriptor it took, a rename it did or did not do. A hand-written
//! reactor makes each call trap on an out-of-bounds pointer, then reports
//! what it finds; the report must be the same wrapped (the fixture tree
//! packed) as under wasmtime with the tree as host preopens.

use strata_e2e::diff::{self, Statuses};
use strata_e2e::run::{self, Invocation, Outcome, Preopen};
use strata_e2e::{tree, wrap};
use wasmtime::{Instance, Store};
use wasmtime_wasi::p1::WasiP1Ctx;

/// The calls that trap, one export each, then `report`.
const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "made-by-trap")   ;; 12
  (data (i32.const 120) "written")        ;; 7
  (data (i32.const 140) "hello.txt")      ;; 9
  (data (i32.const 160) "renamed")        ;; 7
  (data (i32.const 180) "fresh")          ;; 5
  (data (i32.const 200) " \n")
  (global $out-of-bounds i32 (i32.const 0xfffffff0))

  ;; Prints `n` in decimal and a space (digits at 300.., iovec at 16).
  (func $num (param $n i32) (local $at i32)
    (local.set $at (i32.const 320))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (i32.store (i32.const 16) (local.get $at))
    (i32.store (i32.const 20) (i32.sub (i32.const 320) (local.get $at)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))

  ;; Creates a file, but its new fd's address is out of bounds.
  (func (export "open_creating")
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 12)
      (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (global.get $out-of-bounds))))
  ;; Opens a file for writing, then writes from an out-of-bounds buffer.
  (func (export "write_from_nowhere")
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 7)
      (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 40)))
    (i32.store (i32.const 16) (global.get $out-of-bounds))
    (i32.store (i32.const 20) (i32.const 8))
    (drop (call $fd_write (i32.load (i32.const 40)) (i32.const 16) (i32.const 1) (i32.const 24))))
  ;; Renames hello.txt to a name whose address is out of bounds.
  (func (export "rename_to_nowhere")
    (drop (call $path_rename (i32.const 3) (i32.const 140) (i32.const 9)
      (i32.const 3) (global.get $out-of-bounds) (i32.const 7))))

  ;; What is there now: the errno of stat'ing each name, the size of
  ;; `written`, and the number a fresh open gets (a leaked descriptor
  ;; shows as a higher one).
  (func (export "report")
    (call $num (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 12) (i32.const 400)))
    (call $num (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 7) (i32.const 400)))
    (call $num (i32.load (i32.const 432)))
    (call $num (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 140) (i32.const 9) (i32.const 400)))
    (call $num (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 7) (i32.const 400)))
    (call $num (call $path_open (i32.const 3) (i32.const 0) (i32.const 180) (i32.const 5)
      (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 44)))
    (call $num (i32.load (i32.const 44))))
)
"#;

/// Calls each trapping export (each must trap), then `report`.
fn trap_then_report(store: &mut Store<WasiP1Ctx>, instance: &Instance, _argv: &[&str]) -> wasmtime::Result<i32> {
    for name in ["open_creating", "write_from_nowhere", "rename_to_nowhere"] {
        let trapped = instance.get_typed_func::<(), ()>(&mut *store, name)?.call(&mut *store, ());
        assert!(trapped.is_err(), "{name} did not trap");
    }
    instance.get_typed_func::<(), ()>(&mut *store, "report")?.call(&mut *store, ())?;
    Ok(0)
}

fn run_side(module: &wasmtime::Module, preopens: &[Preopen]) -> Outcome {
    let invocation = Invocation { argv: &["after_trap"], env: &[], preopens };
    run::run_with(run::linker(), module, &invocation, trap_then_report).unwrap()
}

#[test]
fn what_a_trapped_call_left_behind_is_what_wasmtime_leaves() {
    let guest = wat::parse_str(GUEST).unwrap();
    let scratch = tree::scratch();
    let host_tree = tree::make(scratch.path());
    let preopens =
        [Preopen { host: &host_tree.data, guest: "/data" }, Preopen { host: &host_tree.other, guest: "/other" }];
    let host = run_side(&run::module(&guest).unwrap(), &preopens);

    let packed = tree::scratch();
    let wrapped = wrap::wrap_tree(&guest, &tree::make(packed.path())).unwrap();
    let wrapped = run_side(&run::module(&wrapped).unwrap(), &[]);

    // Sanity: the host's report says something (a file created by the
    // trapped open: errno 0; hello.txt still there: 0).
    assert!(!host.stdout.is_empty(), "{host:?}");
    println!("after the traps, both sides: {}", String::from_utf8_lossy(&host.stdout).trim_end());
    if let Some(report) = diff::compare(&host, &wrapped, Statuses::Exact) {
        panic!("after the traps:\n{report}");
    }
}
