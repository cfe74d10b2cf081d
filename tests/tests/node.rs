//! The second engine: every fixture guest, wrapped by `strata wrap` with the
//! fixture tree (`fixtures/TREE.md`) packed, runs under Node 24's
//! `node:wasi` (uvwasi, no preopens, `tests/src/node.rs`) and must match the
//! reference: the guest under wasmtime with the tree as host preopens
//! `/data` and `/other`, exactly as `tests/fixtures.rs` runs it. Same stdout,
//! same stderr, same exit code.
//!
//! Then the trap protocol, as in `tests/fixtures.rs`: `NAME traps` (host
//! side) lists the scenarios; `NAME trap SCENARIO` runs each on both
//! sides, which must agree on stdout, stderr and whether the run trapped
//! (not on the trap's wording: wasmtime's on one side, V8's on the other).
//!
//! The filesystem is the adapter's on both wrapped engines; what it still
//! takes from the host are stdio (fds 0-2), clocks, arguments and exit. Where
//! uvwasi answers those calls otherwise than wasmtime's host, the difference
//! is listed in [`KNOWN`], line for line, with its cause: each listed Node
//! line (`*` standing for a timestamp) is put back to the reference's line
//! before the exact comparison, and a listed difference that no longer
//! shows is a failure too. Two uvwasi bugs would stop `p1_abi` altogether
//! (a hang, a crash); [`FIXES`] names the work-arounds `run.mjs` applies,
//! and the last tests here check that both bugs are still there.
//!
//! Node must be installed (`tests/engines/node/fetch.sh`, or
//! `STRATA_NODE`); without it every test fails saying so.

use std::path::Path;
use std::time::Duration;

use strata_e2e::diff;
use strata_e2e::fixtures::{self, Fixture, Language};
use strata_e2e::known::{self, known, Check, Known};
use strata_e2e::node::{self, Fix};
use strata_e2e::run::{self, Outcome, Status};

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

/// The work-arounds of uvwasi bugs each fixture needs to run to its end
/// under Node (all its runs); see [`Fix`].
const FIXES: &[(&str, &[Fix])] = &[
    // `== poll_oneoff`: "monotonic absolute 0" and "realtime absolute 1ns
    // after the epoch" never return; `== sock_*`: `sock_accept(stdin)`
    // kills Node.
    ("p1_abi", &[Fix::AbstimePoll, Fix::SockStdio]),
];

// The causes. Every call below is one the adapter hands to the host: a call
// on fd 0, 1 or 2 (which stay the host's), or a poll_oneoff on clocks only.
// The adapter itself never answers ENOTCAPABLE; uvwasi does.

/// uvwasi keeps rights per fd and checks them before anything else: a pipe
/// (stdout and stderr here) gets 0x3820004a (FD_READ, FD_FDSTAT_SET_FLAGS,
/// FD_WRITE, FD_FILESTAT_GET, POLL_FD_READWRITE, SOCK_SHUTDOWN, SOCK_ACCEPT;
/// no FD_SEEK, FD_TELL, FD_READDIR, path rights, ...), and stdout keeps only
/// FD_WRITE once the fixture's `fd_fdstat_set_rights(stdout, FD_WRITE)`
/// succeeded (below). A missing right is ENOTCAPABLE, where wasmtime 48,
/// which keeps no rights, answers by the fd's kind (EBADF, ESPIPE).
const RIGHTS: &str = "uvwasi checks the host fd's rights first (ENOTCAPABLE); wasmtime answers by its kind";
/// uvwasi_fd_fdstat_get returns the host fd's raw `fcntl(F_GETFL)` as
/// fs_flags (O_WRONLY 0x1 reads as APPEND, O_LARGEFILE 0x8000, O_APPEND
/// 0x400) and the rights it keeps for the fd (/dev/null, a character
/// device: every right); wasmtime reports flags 0 and FD_READ (stdin) or
/// FD_WRITE (stdout, stderr), base and inheriting.
const FDSTAT: &str = "uvwasi's fdstat of stdio: raw fcntl flags, its own rights; wasmtime: 0, FD_READ/FD_WRITE";
/// Node's stdin is /dev/null (the empty stdin of a process), a character
/// device: it seeks, preads and fstats (nlink 1, its times); wasmtime's
/// stdin is an empty in-memory stream: ESPIPE, a filestat of zeros.
const DEVNULL: &str =
    "stdin is /dev/null under Node (seekable, real fstat); an empty stream (ESPIPE, zeros) in wasmtime";
/// uvwasi_fd_filestat_get fstats the host's stderr pipe (nlink 1, times);
/// wasmtime gives stdio a filestat of zeros.
const PIPE_FILESTAT: &str = "uvwasi fstats the stderr pipe; wasmtime gives stdio a zero filestat";
/// uvwasi_fd_prestat_get: an open fd that is not a preopen is EINVAL
/// (wasmtime: EBADF); uvwasi_fd_prestat_dir_name: EBADF (wasmtime: ENOTDIR).
const PRESTAT: &str = "uvwasi's prestat errno for a non-preopen fd";
/// uvwasi_fd_fdstat_set_flags does `fcntl(F_SETFL)` on the host fd, and
/// uvwasi_fd_fdstat_set_rights drops rights; wasmtime refuses both on
/// stdio with EBADF.
const SET_STDIO: &str = "uvwasi changes stdout's flags and rights; wasmtime refuses (EBADF)";
/// uvwasi_fd_write writes every ciovec (writev); wasmtime writes only the
/// first non-empty one.
const WRITEV: &str = "uvwasi writes every ciovec; wasmtime only the first";
/// uvwasi_poll_oneoff ignores a relative clock subscription's clock id and
/// flags (it arms a timer); wasmtime refuses the process cputime clock, an
/// unknown clock id and unknown flags (EINVAL).
const POLL_CLOCKS: &str = "uvwasi does not check a clock subscription's clock id or flags; wasmtime: EINVAL";
/// `run.mjs --fix-sock-stdio` ([`Fix::SockStdio`]) answers these ENOSYS:
/// uvwasi would dereference a missing stream and kill Node. Not Node's
/// answer: a stand-in that keeps the rest of the run comparable.
const SOCK_FIX: &str = "Fix::SockStdio's ENOSYS (uvwasi crashes here); wasmtime: ENOTSOCK";
/// uvwasi_sock_shutdown refuses any `how` but SHUT_WR (ENOTSUP) before it
/// looks at the fd; wasmtime: ENOTSOCK.
const SOCK_SHUTDOWN: &str = "uvwasi refuses how=RD|WR first (ENOTSUP); wasmtime: ENOTSOCK";
/// Node's WASI does not check the events' alignment, where wasmtime traps.
/// The adapter hands a poll_oneoff on clocks only to the host as it is,
/// after checking every subscription lies in memory (so subscriptions out
/// of bounds trap before Node sees them), but not the events.
const POLL_POINTERS: &str = "a clock-only poll_oneoff goes to the host: Node returns where wasmtime traps";

/// Every known difference of Node's WASI from wasmtime's host, by run.
const KNOWN: &[Known] = &[
    known(
        "p1_abi",
        &["fd_prestat_get(0) -> EBADF", "fd_prestat_get(1) -> EBADF", "fd_prestat_get(2) -> EBADF"],
        &["fd_prestat_get(0) -> EINVAL", "fd_prestat_get(1) -> EINVAL", "fd_prestat_get(2) -> EINVAL"],
        PRESTAT,
    ),
    known("p1_abi", &["fd_prestat_dir_name(stdout) -> ENOTDIR"], &["fd_prestat_dir_name(stdout) -> EBADF"], PRESTAT),
    known(
        "p1_abi",
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x0 base=0x2 inheriting=0x2",
            "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x40",
            "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x40",
        ],
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x8000 base=0x3fffffff inheriting=0x3fffffff",
            "fd_fdstat_get(stdout) -> OK flags=0x1 base=0x3820004a inheriting=0x3fffffff",
            "fd_fdstat_get(stderr) -> OK flags=0x1 base=0x3820004a inheriting=0x3fffffff",
        ],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_flags(stdout, append) -> EBADF"],
        &["fd_fdstat_set_flags(stdout, append) -> OK"],
        SET_STDIO,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> EBADF"],
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> OK"],
        SET_STDIO,
    ),
    known(
        "p1_abi",
        &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> EBADF"#],
        &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=48"],
        &["second ciovec line", "fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=67"],
        WRITEV,
    ),
    known("p1_abi", &["fd_read(stdout) -> EBADF"], &["fd_read(stdout) -> ENOTCAPABLE"], RIGHTS),
    known("p1_abi", &["fd_pread(stdin) -> ESPIPE"], &["fd_pread(stdin) -> OK"], DEVNULL),
    known("p1_abi", &["fd_pwrite(stdout) -> ESPIPE"], &["fd_pwrite(stdout) -> ENOTCAPABLE"], RIGHTS),
    known("p1_abi", &["fd_pread(stdout) -> EBADF"], &["fd_pread(stdout) -> ENOTCAPABLE"], RIGHTS),
    known(
        "p1_abi",
        &["fd_seek(0, cur 0) -> ESPIPE", "fd_tell(0) -> ESPIPE"],
        &["fd_seek(0, cur 0) -> OK", "fd_tell(0) -> OK"],
        DEVNULL,
    ),
    known(
        "p1_abi",
        &["fd_seek(1, cur 0) -> ESPIPE", "fd_tell(1) -> ESPIPE", "fd_seek(2, cur 0) -> ESPIPE", "fd_tell(2) -> ESPIPE"],
        &[
            "fd_seek(1, cur 0) -> ENOTCAPABLE",
            "fd_tell(1) -> ENOTCAPABLE",
            "fd_seek(2, cur 0) -> ENOTCAPABLE",
            "fd_tell(2) -> ENOTCAPABLE",
        ],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> EBADF"#],
        &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["fd_filestat_get(0) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0"],
        &["fd_filestat_get(0) -> OK nlink=1 size=0 atim=* mtim=* ctim=*"],
        DEVNULL,
    ),
    known(
        "p1_abi",
        // The fixture prints the buffer it filled with 0x55 bytes before.
        &["fd_filestat_get(1) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0"],
        &["fd_filestat_get(1) -> ENOTCAPABLE nlink=6148914691236517205 size=6148914691236517205 \
           atim=6148914691236517205 mtim=6148914691236517205 ctim=6148914691236517205"],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["fd_filestat_get(2) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0"],
        &["fd_filestat_get(2) -> OK nlink=1 size=0 atim=* mtim=* ctim=*"],
        PIPE_FILESTAT,
    ),
    known(
        "p1_abi",
        &["fd_filestat_set_size(stdout, 0) -> EBADF"],
        &["fd_filestat_set_size(stdout, 0) -> ENOTCAPABLE"],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["fd_filestat_set_times(stdout) -> EBADF"],
        &["fd_filestat_set_times(stdout) -> ENOTCAPABLE"],
        RIGHTS,
    ),
    known("p1_abi", &["fd_advise(stdout) -> EBADF"], &["fd_advise(stdout) -> ENOTCAPABLE"], RIGHTS),
    known("p1_abi", &["fd_allocate(stdout) -> EBADF"], &["fd_allocate(stdout) -> ENOTCAPABLE"], RIGHTS),
    known("p1_abi", &["fd_datasync(stdout) -> EBADF"], &["fd_datasync(stdout) -> ENOTCAPABLE"], RIGHTS),
    known("p1_abi", &["fd_sync(stdout) -> EBADF"], &["fd_sync(stdout) -> ENOTCAPABLE"], RIGHTS),
    // The fixture prints this line twice (a file fd, then stdout); only
    // the second is on the host.
    known(
        "p1_abi",
        &[r#"path_create_directory(fd, "x") -> EBADF"#],
        &[r#"path_create_directory(fd, "x") -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &[r#"path_unlink_file(fd, "x") -> EBADF"#],
        &[r#"path_unlink_file(fd, "x") -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &[r#"path_readlink(fd, "link-to-hello", buf 64) -> EBADF"#],
        &[r#"path_readlink(fd, "link-to-hello", buf 64) -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &[r#"path_symlink("hello.txt", fd, "x") -> EBADF"#],
        &[r#"path_symlink("hello.txt", fd, "x") -> ENOTCAPABLE"#],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &[
            "poll_oneoff(process cputime clock + monotonic) -> EINVAL",
            "poll_oneoff(clock id 9 + monotonic) -> EINVAL",
            "poll_oneoff(clock flags 0x4 + monotonic) -> EINVAL",
        ],
        &[
            "poll_oneoff(process cputime clock + monotonic) -> OK 1 events",
            "  userdata=48 type=clock error=OK",
            "poll_oneoff(clock id 9 + monotonic) -> OK 1 events",
            "  userdata=50 type=clock error=OK",
            "poll_oneoff(clock flags 0x4 + monotonic) -> OK 1 events",
            "  userdata=52 type=clock error=OK",
        ],
        POLL_CLOCKS,
    ),
    // Files are the adapter's and always ready; it asks the host only
    // whether stdout is, and uvwasi's ENOTCAPABLE (no POLL_FD_READWRITE left
    // on stdout) fails the whole call.
    known(
        "p1_abi",
        &[
            "poll_oneoff(clock 10000s, fd_write on rw file, append file, stdout, read-only file) -> OK 4 events",
            "  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=3 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=5 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=7 type=fd_write error=OK nbytes=1 flags=0x0",
        ],
        &["poll_oneoff(clock 10000s, fd_write on rw file, append file, stdout, read-only file) -> ENOTCAPABLE"],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["poll_oneoff(fd_read stdout + clock) -> EBADF"],
        &["poll_oneoff(fd_read stdout + clock) -> ENOTCAPABLE"],
        RIGHTS,
    ),
    known(
        "p1_abi",
        &["sock_accept(stdin) -> ENOTSOCK", "sock_recv(stdin) -> ENOTSOCK", "sock_send(stdin) -> ENOTSOCK"],
        &["sock_accept(stdin) -> ENOSYS", "sock_recv(stdin) -> ENOSYS", "sock_send(stdin) -> ENOSYS"],
        SOCK_FIX,
    ),
    known(
        "p1_abi",
        &["sock_shutdown(stdin, rd|wr) -> ENOTSOCK"],
        &["sock_shutdown(stdin, rd|wr) -> ENOTSUP"],
        SOCK_SHUTDOWN,
    ),
    known(
        "p1_abi",
        &["sock_accept(stdout) -> ENOTSOCK", "sock_recv(stdout) -> ENOTSOCK", "sock_send(stdout) -> ENOTSOCK"],
        &["sock_accept(stdout) -> ENOSYS", "sock_recv(stdout) -> ENOSYS", "sock_send(stdout) -> ENOSYS"],
        SOCK_FIX,
    ),
    known(
        "p1_abi",
        &["sock_shutdown(stdout, rd|wr) -> ENOTSOCK"],
        &["sock_shutdown(stdout, rd|wr) -> ENOTSUP"],
        SOCK_SHUTDOWN,
    ),
    // After the fixture's fd_fdstat_set_flags(stdout, append) and
    // fd_fdstat_set_rights(stdout, FD_WRITE, 0) took effect under Node.
    known(
        "p1_abi",
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x401 base=0x40 inheriting=0x0"],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(1) -> OK flags=0x401 base=0x40 inheriting=0x0"],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x2 inheriting=0x2"],
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x8000 base=0x3fffffff inheriting=0x3fffffff"],
        FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_filestat_get(stdin at its new number) -> OK nlink=0 size=0"],
        &["fd_filestat_get(stdin at its new number) -> OK nlink=1 size=0"],
        DEVNULL,
    ),
    Known {
        run: "p1_abi trap poll_oneoff_events_misaligned",
        host: &[],
        engine: &["not trapped: OK 1"],
        engine_exits: Some(0),
        why: POLL_POINTERS,
    },
    known("p1_readdir", &["fd_readdir(stdout) -> EBADF"], &["fd_readdir(stdout) -> ENOTCAPABLE"], RIGHTS),
];

/// The wrapped guest run under Node. Each run is a fresh instance, so it
/// starts from the pristine image, as each host run starts from a fresh
/// tree.
fn run_node(wrapped: &Path, argv: &[&str], fixes: &[Fix]) -> Outcome {
    node::run_file_with(wrapped, argv, fixes, node::TIMEOUT)
        .unwrap_or_else(|error| panic!("{argv:?} wrapped, under Node: {error:#}"))
}

fn check(fixture: Fixture) {
    // Before any work: a missing Node fails here, saying how to get it.
    node::binary();
    let name = fixture.name;
    let fixes = FIXES.iter().find(|(fixture, _)| *fixture == name).map_or(&[][..], |(_, fixes)| fixes);
    let prepared = fixtures::prepare(&fixture);
    let mut check = Check::new(KNOWN, LABELS);
    for run in &prepared.runs {
        let outcome = run_node(&prepared.wrapped, &run.argv(), fixes);
        check.compare(&run.argv(), &run.host, outcome, run.statuses);
    }
    check.finish(name);
}

#[test]
fn known_differences_name_fixtures_and_match_as_written() {
    known::check_list(KNOWN);
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

/// The poll_oneoff guest: one clock subscription (monotonic, absolute,
/// deadline 0: long past), then `returned` on stdout.
fn past_deadline_guest() -> Vec<u8> {
    guest(
        r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))"#,
        r#"(func (export "_start")
             ;; subscription at 1024: userdata, tag 0 (clock), clock id 1 at +16,
             ;; timeout 0 at +24, precision at +32, flags 1 (abstime) at +40
             (i64.store (i32.const 1024) (i64.const 7))
             (i32.store8 (i32.const 1032) (i32.const 0))
             (i32.store (i32.const 1040) (i32.const 1))
             (i64.store (i32.const 1048) (i64.const 0))
             (i64.store (i32.const 1056) (i64.const 0))
             (i32.store16 (i32.const 1064) (i32.const 1))
             (call $check (call $poll (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 24)))
             (call $print (i32.const 1) (i32.const 300) (i32.const 9)))
           (data (i32.const 300) "returned\n")"#,
    )
}

/// [`Fix::AbstimePoll`] is still needed: Node's poll_oneoff on a monotonic
/// deadline in the past does not return (wasmtime returns at once), and
/// with the fix it returns as wasmtime does.
#[test]
fn node_still_hangs_on_an_absolute_clock_deadline_in_the_past() {
    let wasm = past_deadline_guest();
    let file = node::module_file(&wasm).unwrap();
    let expected = Outcome { stdout: b"returned\n".to_vec(), stderr: Vec::new(), status: Status::Exit(0) };
    assert_eq!(run::run_wasm(&wasm, &["poll"], &[]).unwrap(), expected, "wasmtime");
    assert_eq!(
        node::run_file_with(&file, &["poll"], &[Fix::AbstimePoll], node::TIMEOUT).unwrap(),
        expected,
        "Node with Fix::AbstimePoll"
    );
    let limit = Duration::from_secs(5);
    match node::run_file_with(&file, &["poll"], &[], limit) {
        Err(error) if error.downcast_ref::<node::TimedOut>().is_some() => {}
        other => panic!("Node's poll_oneoff returned on a past absolute deadline ({other:?}): drop Fix::AbstimePoll"),
    }
}

/// [`Fix::SockStdio`] is still needed: `sock_accept(0)` kills Node
/// (SIGSEGV); with the fix it is ENOSYS (wasmtime: ENOTSOCK, 57).
#[test]
fn node_still_crashes_on_sock_accept_on_stdin() {
    use std::os::unix::process::ExitStatusExt;

    let wasm = guest(
        r#"(import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))"#,
        r#"(func (export "_start") (call $proc_exit (call $accept (i32.const 0) (i32.const 0) (i32.const 64))))"#,
    );
    let file = node::module_file(&wasm).unwrap();
    assert_eq!(run::run_wasm(&wasm, &["sock"], &[]).unwrap().status, Status::Exit(57), "wasmtime: ENOTSOCK");
    let fixed = node::run_file_with(&file, &["sock"], &[Fix::SockStdio], node::TIMEOUT).unwrap();
    assert_eq!(fixed.status, Status::Exit(52), "Node with Fix::SockStdio: ENOSYS");
    match node::run_file_with(&file, &["sock"], &[], node::TIMEOUT) {
        Err(error) if error.downcast_ref::<node::NoStatus>().is_some_and(|died| died.exit.signal() == Some(11)) => {}
        other => panic!("Node's sock_accept(0) no longer crashes ({other:?}): drop Fix::SockStdio"),
    }
}
