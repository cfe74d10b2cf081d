//! The second engine: every fixture guest, wrapped by `strata wrap` with the
//! fixture tree (`fixtures/TREE.md`) packed, runs under Node 24's
//! `node:wasi` (uvwasi, no preopens) and must match the reference: the
//! guest under wasmtime with the tree as host preopens `/data` and
//! `/other`, exactly as `tests/fixtures.rs` runs it. Same stdout, same
//! stderr, same exit code.
//!
//! Then the trap protocol, as in `tests/fixtures.rs`: `NAME traps` (host
//! side) lists the scenarios; `NAME trap SCENARIO` runs each on both
//! sides, which must agree on stdout, stderr and whether the run trapped
//! (not on the trap's wording: wasmtime's on one side, V8's on the other).
//!
//! Node must be installed (`tests/engines/node/fetch.sh`, or
//! `STRATA_NODE`); without it every test fails saying so.
//!
//! One test per fixture, generated from `build.rs`'s list; within a
//! fixture every difference is collected before failing.

use strata_e2e::diff::{self, Statuses};
use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::run::{self, Outcome, Preopen, Status};
use strata_e2e::{node, tree, wrap};

/// The two sides, as the failure messages name them.
const LABELS: [&str; 2] = [diff::HOST, "wrapped under Node 24 (node:wasi)"];

/// `#[test] fn LANGUAGE_NAME()` checking one fixture under Node.
macro_rules! fixture_test {
    ($test:ident, $language:ident, $name:literal) => {
        #[test]
        fn $test() {
            check(Fixture::get(Language::$language, $name));
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));

/// The guest run with host preopens under wasmtime, on a fresh tree (a run
/// changes it): `tests/fixtures.rs`'s reference.
fn run_host(guest: &[u8], argv: &[&str]) -> Outcome {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    let preopens = [Preopen { host: &tree.data, guest: "/data" }, Preopen { host: &tree.other, guest: "/other" }];
    run::run_wasm(guest, argv, &preopens).unwrap_or_else(|error| panic!("{argv:?} on the host: {error:#}"))
}

/// The wrapped guest run under Node. Each run is a fresh instance, so it
/// starts from the pristine image, as each host run starts from a fresh
/// tree.
fn run_node(wrapped: &std::path::Path, argv: &[&str]) -> Outcome {
    node::run_file(wrapped, argv).unwrap_or_else(|error| panic!("{argv:?} wrapped, under Node: {error:#}"))
}

fn check(fixture: Fixture) {
    let name = fixture.name;
    let guest = fixture.wasm().unwrap();
    // Before any work: a missing Node fails here, saying how to get it.
    node::binary();
    let mut failures = Vec::new();

    let host = run_host(&guest, &[name]);
    // A broken fixture must not pass by failing the same way twice.
    assert!(
        host.status == Status::Exit(0) && !host.stdout.is_empty(),
        "{name} does not run cleanly with host preopens ({}, {} bytes of stdout); stderr:\n{}",
        host.status,
        host.stdout.len(),
        String::from_utf8_lossy(&host.stderr)
    );

    let wrapped = {
        let scratch = tree::scratch();
        let tree = tree::make(scratch.path());
        let bytes = wrap::wrap_tree(&guest, &tree).unwrap_or_else(|error| panic!("wrapping {name}: {error:#}"));
        node::module_file(&bytes).unwrap_or_else(|error| panic!("writing wrapped {name}: {error:#}"))
    };

    let outcome = run_node(&wrapped, &[name]);
    if let Some(report) = diff::compare_as(LABELS, &host, &outcome, Statuses::Exact) {
        failures.push(format!("{name}:\n{report}"));
    }

    let listing = run_host(&guest, &[name, "traps"]);
    assert_eq!(
        listing.status,
        Status::Exit(0),
        "`{name} traps` must list the trap scenarios and exit 0; stderr:\n{}",
        String::from_utf8_lossy(&listing.stderr)
    );
    let listing = String::from_utf8(listing.stdout).expect("scenario names are UTF-8");
    for scenario in listing.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let argv = [name, "trap", scenario];
        let host = run_host(&guest, &argv);
        let outcome = run_node(&wrapped, &argv);
        if let Some(report) = diff::compare_as(LABELS, &host, &outcome, Statuses::TrappedOrNot) {
            failures.push(format!("{name} trap {scenario}:\n{report}"));
        }
    }

    assert!(failures.is_empty(), "{} difference(s) under Node:\n\n{}", failures.len(), failures.join("\n"));
}

/// Helpers the hand-written guests below share: `$check` (exit 10 + errno
/// on failure), `$print` (fd_write of one buffer to `$fd`) and `$number`
/// (a number below 10 and a newline, to stdout).
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
  (func $number (param $n i32)
    (i32.store8 (i32.const 208) (i32.add (i32.const 48) (local.get $n)))
    (call $print (i32.const 1) (i32.const 208) (i32.const 1))
    (call $print (i32.const 1) (i32.const 200) (i32.const 1)))
"#;

/// A module: `imports`, the prelude, then `body`.
fn guest(imports: &str, body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {imports} {PRELUDE} {body})")).expect("the guest's text parses")
}

fn node_run(wasm: &[u8], argv: &[&str]) -> Outcome {
    node::run_wasm(wasm, argv).unwrap_or_else(|error| panic!("{argv:?} under Node: {error:#}"))
}

/// The runner itself: the guest sees its arguments, no environment, no
/// preopen (fd 3 is `EBADF`), an empty stdin, and a second memory (no flag
/// is passed: multi-memory is Node 24's default); stdout and stderr are the
/// guest's bytes only. wasmtime with no preopens agrees.
#[test]
fn node_runs_with_the_arguments_no_environment_no_preopens_and_empty_stdin() {
    let wasm = guest(
        r#"
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
"#,
        r#"
  (memory $adapter 1)
  (data (memory $adapter) (i32.const 100) "from memory 1\n")
  (data (i32.const 300) "hello")
  (func (export "_start")
    (call $number (call $prestat_get (i32.const 3) (i32.const 0)))
    ;; stdin: 64 bytes at 1024, count at 24
    (i32.store (i32.const 40) (i32.const 1024))
    (i32.store (i32.const 44) (i32.const 64))
    (call $check (call $fd_read (i32.const 0) (i32.const 40) (i32.const 1) (i32.const 24)))
    (call $number (i32.load (i32.const 24)))
    (call $check (call $environ_sizes (i32.const 48) (i32.const 52)))
    (call $number (i32.load (i32.const 48)))
    (call $check (call $args_sizes (i32.const 48) (i32.const 52)))
    (call $number (i32.load (i32.const 48)))
    (call $check (call $args_get (i32.const 512) (i32.const 2048)))
    (call $print (i32.const 1) (i32.const 2048) (i32.load (i32.const 52)))
    (memory.copy 0 $adapter (i32.const 4096) (i32.const 100) (i32.const 14))
    (call $print (i32.const 1) (i32.const 4096) (i32.const 14))
    (call $print (i32.const 2) (i32.const 300) (i32.const 5)))
"#,
    );
    let expected = Outcome {
        stdout: b"8\n0\n0\n2\nharness\0one\0from memory 1\n".to_vec(),
        stderr: b"hello".to_vec(),
        status: Status::Exit(0),
    };
    let outcome = node_run(&wasm, &["harness", "one"]);
    assert_eq!(outcome, expected, "stdout {:?}", String::from_utf8_lossy(&outcome.stdout));
    assert_eq!(run::run_wasm(&wasm, &["harness", "one"], &[]).unwrap(), expected, "wasmtime, no preopens");
}

#[test]
fn node_exits_and_traps_are_statuses() {
    let exit = |code: u32| guest("", &format!(r#"(func (export "_start") (call $proc_exit (i32.const {code})))"#));
    assert_eq!(node_run(&exit(0), &["exit"]).status, Status::Exit(0));
    assert_eq!(node_run(&exit(7), &["exit"]).status, Status::Exit(7));
    let returns = guest("", r#"(func (export "_start"))"#);
    assert_eq!(node_run(&returns, &["returns"]).status, Status::Exit(0));

    // Output before a trap is kept, and nothing is added to it; the status
    // is V8's message.
    let traps = guest(
        "",
        r#"(func (export "_start")
             (call $print (i32.const 2) (i32.const 200) (i32.const 1))
             unreachable)"#,
    );
    let outcome = node_run(&traps, &["traps"]);
    assert_eq!((outcome.stdout.as_slice(), outcome.stderr.as_slice()), (&b""[..], &b"\n"[..]));
    assert_eq!(outcome.status, Status::Trap("unreachable".into()));

    let out_of_bounds = guest("", r#"(func (export "_start") (drop (i32.load (i32.const 65535))))"#);
    assert!(node_run(&out_of_bounds, &["oob"]).status.trapped());

    // A start function that traps traps at instantiation: still a status.
    let start_traps = guest("", r#"(func $start unreachable) (start $start) (func (export "_start"))"#);
    assert!(node_run(&start_traps, &["start"]).status.trapped());
}

#[test]
fn a_module_node_can_not_link_is_an_error_not_a_status() {
    let wasm = wat::parse_str(r#"(module (import "nowhere" "f" (func)) (func (export "_start")))"#).unwrap();
    let error = node::run_wasm(&wasm, &["x"]).unwrap_err();
    assert!(format!("{error:#}").contains("nowhere"), "{error:#}");
}
