//! Wrapped modules under Deno and Bun (binaries from npm,
//! `tests/src/runtimes.rs`), each with two preview1 hosts: the runtime's
//! own `node:wasi`, and `@bjorn3/browser_wasi_shim` through
//! `docs/web/strata-web.js` (what a web page runs); under Node 24 and 22
//! with the shim (Node 24's node:wasi is `tests/node.rs`'s), and what
//! Node 22's node:wasi and Node 20 do with a wrapped module. No preopens,
//! no environment, an empty stdin: the filesystem is the module's.
//!
//! Every fixture guest, wrapped with the fixture tree packed, must match
//! the reference (wasmtime with the tree as host preopens) as under Node
//! (`tests/node.rs`): same stdout, stderr and exit code for its main run;
//! same output and trapped-or-not for each trap scenario. Where a host
//! answers a forwarded call (stdio, clocks, exit) otherwise than wasmtime,
//! the difference is listed once with its cause: `strata_e2e::shim::KNOWN`
//! for the shim (shared with the browsers), [`DENO_WASI`] and
//! [`BUN_WASI`] here.

use strata_e2e::diff::{self, Statuses};
use strata_e2e::fixtures::{self, Fixture, Language};
use strata_e2e::known::{self, known, Check, Known};
use strata_e2e::runtimes::{self, Host, Runtime};
use strata_e2e::{programs, shim, tree};

// Causes under Deno's `node:wasi` (2.9.6, its own implementation of
// Node's API in Rust). Every call below is one the adapter hands to the
// host: a call on fd 0, 1 or 2, or a poll_oneoff on clocks and stdout.

/// fd_prestat_dir_name on an open fd that is not a preopen: EBADF;
/// wasmtime: ENOTDIR.
const DENO_PRESTAT: &str = "Deno's prestat errno for a non-preopen fd";
/// Deno gives stdio no inheriting rights; wasmtime: the base rights.
const DENO_FDSTAT: &str = "Deno's stdio fdstat: no inheriting rights";
/// fd_fdstat_set_flags and fd_fdstat_set_rights succeed on stdout;
/// wasmtime refuses both on stdio (EBADF).
const DENO_SET_STDIO: &str = "Deno changes stdout's flags and rights; wasmtime refuses (EBADF)";
/// fd_write writes every ciovec; wasmtime only the first non-empty one.
const WRITEV: &str = "the host writes every ciovec; wasmtime only the first";
/// pread, pwrite, seek and tell on stdio: EBADF; wasmtime: ESPIPE.
const DENO_SEEK: &str = "Deno: EBADF for positioned I/O and seeks on stdio; wasmtime: ESPIPE";
/// fd_advise succeeds on stdout; wasmtime: EBADF.
const DENO_ADVISE: &str = "Deno's fd_advise succeeds on stdout; wasmtime: EBADF";
/// Deno's poll_oneoff reports the first clock subscription rather than the
/// one that expires first, and checks neither clock ids nor flags;
/// wasmtime reports the earliest, and EINVAL for a clock it has not or
/// flags it does not know.
const DENO_POLL_CLOCKS: &str = "Deno's poll_oneoff: the first clock fires, ids and flags unchecked";
/// stdout's fd_write readiness: nbytes 0 under Deno, 1 under wasmtime; and
/// fd_read on stdout is an event with EINVAL where wasmtime fails the call
/// (EBADF).
const DENO_POLL_STDOUT: &str = "Deno's readiness events for stdout";
/// sock_recv, sock_send and sock_shutdown are not implemented (ENOSYS);
/// wasmtime: ENOTSOCK on stdio.
const DENO_SOCK: &str = "Deno's sock_recv/send/shutdown: ENOSYS; wasmtime: ENOTSOCK";
/// A clock-only poll_oneoff goes to the host as it is (its subscriptions
/// checked to lie in memory, its events not), and the host does not check
/// the events' alignment, where wasmtime traps.
const POLL_POINTERS: &str = "a clock-only poll_oneoff goes to the host: it returns where wasmtime traps";

/// Deno's `node:wasi`.
const DENO_WASI: &[Known] = &[
    known(
        "p1_abi",
        &["fd_prestat_dir_name(stdout) -> ENOTDIR"],
        &["fd_prestat_dir_name(stdout) -> EBADF"],
        DENO_PRESTAT,
    ),
    known(
        "p1_abi",
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x0 base=0x2 inheriting=0x2",
            "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x40",
            "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x40",
        ],
        &[
            "fd_fdstat_get(stdin) -> OK flags=0x0 base=0x2 inheriting=0x0",
            "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x0",
            "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x0",
        ],
        DENO_FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_flags(stdout, append) -> EBADF"],
        &["fd_fdstat_set_flags(stdout, append) -> OK"],
        DENO_SET_STDIO,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> EBADF"],
        &["fd_fdstat_set_rights(stdout, FD_WRITE) -> OK"],
        DENO_SET_STDIO,
    ),
    known(
        "p1_abi",
        &["fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=48"],
        &["second ciovec line", "fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=67"],
        WRITEV,
    ),
    known(
        "p1_abi",
        &["fd_pread(stdin) -> ESPIPE", "fd_pwrite(stdout) -> ESPIPE"],
        &["fd_pread(stdin) -> EBADF", "fd_pwrite(stdout) -> EBADF"],
        DENO_SEEK,
    ),
    known(
        "p1_abi",
        &[
            "fd_seek(0, cur 0) -> ESPIPE",
            "fd_tell(0) -> ESPIPE",
            "fd_seek(1, cur 0) -> ESPIPE",
            "fd_tell(1) -> ESPIPE",
            "fd_seek(2, cur 0) -> ESPIPE",
            "fd_tell(2) -> ESPIPE",
        ],
        &[
            "fd_seek(0, cur 0) -> EBADF",
            "fd_tell(0) -> EBADF",
            "fd_seek(1, cur 0) -> EBADF",
            "fd_tell(1) -> EBADF",
            "fd_seek(2, cur 0) -> EBADF",
            "fd_tell(2) -> EBADF",
        ],
        DENO_SEEK,
    ),
    known("p1_abi", &["fd_advise(stdout) -> EBADF"], &["fd_advise(stdout) -> OK"], DENO_ADVISE),
    known(
        "p1_abi",
        &[
            "poll_oneoff(clocks 10000s and 2ms) -> OK 1 events",
            "  userdata=47 type=clock error=OK",
            "poll_oneoff(process cputime clock + monotonic) -> EINVAL",
            "poll_oneoff(clock id 9 + monotonic) -> EINVAL",
            "poll_oneoff(clock flags 0x4 + monotonic) -> EINVAL",
        ],
        &[
            "poll_oneoff(clocks 10000s and 2ms) -> OK 1 events",
            "  userdata=46 type=clock error=OK",
            "poll_oneoff(process cputime clock + monotonic) -> OK 1 events",
            "  userdata=48 type=clock error=OK",
            "poll_oneoff(clock id 9 + monotonic) -> OK 1 events",
            "  userdata=50 type=clock error=OK",
            "poll_oneoff(clock flags 0x4 + monotonic) -> OK 1 events",
            "  userdata=52 type=clock error=OK",
        ],
        DENO_POLL_CLOCKS,
    ),
    known(
        "p1_abi",
        &[
            "  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=3 type=fd_write error=OK nbytes=1 flags=0x0",
        ],
        &[
            "  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0",
            "  userdata=3 type=fd_write error=OK nbytes=0 flags=0x0",
        ],
        DENO_POLL_STDOUT,
    ),
    known(
        "p1_abi",
        &["poll_oneoff(fd_read stdout + clock) -> EBADF"],
        &[
            "poll_oneoff(fd_read stdout + clock) -> OK 1 events",
            "  userdata=1 type=fd_read error=EINVAL nbytes=0 flags=0x0",
        ],
        DENO_POLL_STDOUT,
    ),
    known(
        "p1_abi",
        &["sock_recv(stdin) -> ENOTSOCK", "sock_send(stdin) -> ENOTSOCK", "sock_shutdown(stdin, rd|wr) -> ENOTSOCK"],
        &["sock_recv(stdin) -> ENOSYS", "sock_send(stdin) -> ENOSYS", "sock_shutdown(stdin, rd|wr) -> ENOSYS"],
        DENO_SOCK,
    ),
    known(
        "p1_abi",
        &["sock_recv(stdout) -> ENOTSOCK", "sock_send(stdout) -> ENOTSOCK", "sock_shutdown(stdout, rd|wr) -> ENOTSOCK"],
        &["sock_recv(stdout) -> ENOSYS", "sock_send(stdout) -> ENOSYS", "sock_shutdown(stdout, rd|wr) -> ENOSYS"],
        DENO_SOCK,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x0"],
        DENO_FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x40"],
        &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x0"],
        DENO_FDSTAT,
    ),
    known(
        "p1_abi",
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x2 inheriting=0x2"],
        &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x2 inheriting=0x0"],
        DENO_FDSTAT,
    ),
    Known {
        run: "p1_abi trap poll_oneoff_events_misaligned",
        host: &[],
        engine: &["not trapped: OK 1"],
        engine_exits: Some(0),
        why: POLL_POINTERS,
    },
];

// Causes under Bun's `node:wasi` (1.4.5, its own implementation, in
// JavaScript).

/// Bun takes stdio for preopens: fd_prestat_get(0..2) succeeds with a
/// name (`/dev/stdin`, ...); wasmtime: EBADF, and ENOTDIR for the name.
const BUN_PRESTAT: &str = "Bun's stdio are preopens with names";
/// Bun's stdio rights: its own sets (0x8200093 stdin, 0x82000d1 stdout),
/// no inheriting rights.
const BUN_FDSTAT: &str = "Bun's stdio fdstat rights";
/// Bun checks its rights first and answers EPERM for a missing one (not
/// preview1's ENOTCAPABLE); wasmtime answers by the fd's kind (EBADF,
/// ESPIPE).
const BUN_RIGHTS: &str = "Bun's rights check first: EPERM; wasmtime answers by the fd's kind";
/// fd_fdstat_set_rights succeeds on stdout; wasmtime: EBADF.
const BUN_SET_RIGHTS: &str = "Bun drops stdout's rights; wasmtime refuses (EBADF)";
/// stdin (Bun's own) preads; wasmtime's stdin is a stream (ESPIPE).
const BUN_STDIN: &str = "Bun's stdin preads; wasmtime: ESPIPE";
/// Bun fstats the host's stdio (nlink 1, its times) but not stdout,
/// refused by its rights (EPERM, the buffer left as the fixture filled it);
/// wasmtime gives stdio a filestat of zeros.
const BUN_FILESTAT: &str = "Bun fstats stdio (or refuses: EPERM); wasmtime: zeros";
/// Bun's poll_oneoff returns an event for every subscription, clocks not
/// yet due included (userdata 0 for the first), checks no clock id, and
/// answers fd subscriptions with ENOSYS and nbytes 2^64-1.
const BUN_POLL: &str = "Bun's poll_oneoff: every subscription fires";
/// Bun has no sock_accept; `run.mjs --fix-missing-imports` supplies it
/// answering ENOSYS (without it no module importing it instantiates), and
/// Bun's own sock_recv, sock_send and sock_shutdown answer ENOSYS too;
/// wasmtime: ENOTSOCK.
const BUN_SOCK: &str = "Bun: no sock_accept (run.mjs's ENOSYS), sock_* ENOSYS; wasmtime: ENOTSOCK";

/// Bun's `node:wasi`.
const BUN_WASI: &[Known] = &[
    known("p1_abi", &["fd_prestat_get(0) -> EBADF", "fd_prestat_get(1) -> EBADF", "fd_prestat_get(2) -> EBADF"], &["fd_prestat_get(0) -> OK tag=0 name_len=10", "fd_prestat_get(1) -> OK tag=0 name_len=11", "fd_prestat_get(2) -> OK tag=0 name_len=11"], BUN_PRESTAT),
    known("p1_abi", &["fd_prestat_dir_name(stdout) -> ENOTDIR"], &["fd_prestat_dir_name(stdout) -> OK"], BUN_PRESTAT),
    known("p1_abi", &["fd_fdstat_get(stdin) -> OK flags=0x0 base=0x2 inheriting=0x2", "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x40 inheriting=0x40", "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x40 inheriting=0x40"], &["fd_fdstat_get(stdin) -> OK flags=0x0 base=0x8200093 inheriting=0x0", "fd_fdstat_get(stdout) -> OK flags=0x0 base=0x82000d1 inheriting=0x0", "fd_fdstat_get(stderr) -> OK flags=0x0 base=0x82000d1 inheriting=0x0"], BUN_FDSTAT),
    known("p1_abi", &["fd_fdstat_set_flags(stdout, append) -> EBADF"], &["fd_fdstat_set_flags(stdout, append) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_fdstat_set_rights(stdout, FD_WRITE) -> EBADF"], &["fd_fdstat_set_rights(stdout, FD_WRITE) -> OK"], BUN_SET_RIGHTS),
    known("p1_abi", &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> EBADF"#], &[r#"path_open(fd, "hello.txt", dirfd is stdout) -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &["fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=48"], &["second ciovec line", "fd_write(stdout, two ciovecs of 48 and 19 bytes) -> OK n=67"], WRITEV),
    known("p1_abi", &["fd_read(stdout) -> EBADF", "fd_write(stdin) -> EBADF", "fd_pread(stdin) -> ESPIPE"], &["fd_read(stdout) -> EPERM", "fd_write(stdin) -> EPERM", "fd_pread(stdin) -> OK"], BUN_STDIN),
    known("p1_abi", &["fd_pread(stdout) -> EBADF"], &["fd_pread(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_seek(0, cur 0) -> ESPIPE", "fd_tell(0) -> ESPIPE", "fd_seek(1, cur 0) -> ESPIPE", "fd_tell(1) -> ESPIPE", "fd_seek(2, cur 0) -> ESPIPE", "fd_tell(2) -> ESPIPE"], &["fd_seek(0, cur 0) -> EPERM", "fd_tell(0) -> EPERM", "fd_seek(1, cur 0) -> EPERM", "fd_tell(1) -> EPERM", "fd_seek(2, cur 0) -> EPERM", "fd_tell(2) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> EBADF"#], &[r#"path_filestat_get(fd, nofollow, "hello.txt") -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &["fd_filestat_get(0) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0", "fd_filestat_get(1) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0", "fd_filestat_get(2) -> OK nlink=0 size=0 atim=0 mtim=0 ctim=0"], &["fd_filestat_get(0) -> OK nlink=1 size=0 atim=* mtim=* ctim=*", "fd_filestat_get(1) -> EPERM nlink=6148914691236517205 size=6148914691236517205 atim=6148914691236517205 mtim=6148914691236517205 ctim=6148914691236517205", "fd_filestat_get(2) -> OK nlink=1 size=0 atim=* mtim=* ctim=*"], BUN_FILESTAT),
    known("p1_abi", &["fd_filestat_set_size(stdout, 0) -> EBADF"], &["fd_filestat_set_size(stdout, 0) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_filestat_set_times(stdout) -> EBADF"], &["fd_filestat_set_times(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_advise(stdout) -> EBADF"], &["fd_advise(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_allocate(stdout) -> EBADF"], &["fd_allocate(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_datasync(stdout) -> EBADF"], &["fd_datasync(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &["fd_sync(stdout) -> EBADF"], &["fd_sync(stdout) -> EPERM"], BUN_RIGHTS),
    known("p1_abi", &[r#"path_create_directory(fd, "x") -> EBADF"#], &[r#"path_create_directory(fd, "x") -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &[r#"path_unlink_file(fd, "x") -> EBADF"#], &[r#"path_unlink_file(fd, "x") -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &[r#"path_readlink(fd, "link-to-hello", buf 64) -> EBADF"#], &[r#"path_readlink(fd, "link-to-hello", buf 64) -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &[r#"path_symlink("hello.txt", fd, "x") -> EBADF"#], &[r#"path_symlink("hello.txt", fd, "x") -> EPERM"#], BUN_RIGHTS),
    known("p1_abi", &["poll_oneoff(clocks 10000s and 2ms) -> OK 1 events", "  userdata=47 type=clock error=OK", "poll_oneoff(process cputime clock + monotonic) -> EINVAL", "poll_oneoff(clock id 9 + monotonic) -> EINVAL", "poll_oneoff(clock flags 0x4 + monotonic) -> EINVAL"], &["poll_oneoff(clocks 10000s and 2ms) -> OK 2 events", "  userdata=0 type=clock error=OK", "  userdata=46 type=clock error=OK", "poll_oneoff(process cputime clock + monotonic) -> OK 2 events", "  userdata=46 type=clock error=OK", "  userdata=48 type=clock error=OK", "poll_oneoff(clock id 9 + monotonic) -> OK 2 events", "  userdata=48 type=clock error=OK", "  userdata=50 type=clock error=EINVAL", "poll_oneoff(clock flags 0x4 + monotonic) -> OK 2 events", "  userdata=50 type=clock error=EINVAL", "  userdata=52 type=clock error=OK"], BUN_POLL),
    known("p1_abi", &["  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0", "  userdata=3 type=fd_write error=OK nbytes=1 flags=0x0"], &["  userdata=1 type=fd_write error=OK nbytes=1 flags=0x0", "  userdata=3 type=fd_write error=ENOSYS nbytes=18446744073709551615 flags=0x0"], BUN_POLL),
    known("p1_abi", &["poll_oneoff(fd_read stdout + clock) -> EBADF"], &["poll_oneoff(fd_read stdout + clock) -> OK 2 events", "  userdata=1 type=fd_read error=ENOSYS nbytes=2 flags=0x0", "  userdata=3 type=fd_write error=ENOSYS nbytes=18446744073709551615 flags=0x0"], BUN_POLL),
    known("p1_abi", &["sock_accept(stdin) -> ENOTSOCK", "sock_recv(stdin) -> ENOTSOCK", "sock_send(stdin) -> ENOTSOCK", "sock_shutdown(stdin, rd|wr) -> ENOTSOCK", "sock_accept(stdout) -> ENOTSOCK", "sock_recv(stdout) -> ENOTSOCK", "sock_send(stdout) -> ENOTSOCK", "sock_shutdown(stdout, rd|wr) -> ENOTSOCK"], &["sock_accept(stdin) -> ENOSYS", "sock_recv(stdin) -> ENOSYS", "sock_send(stdin) -> ENOSYS", "sock_shutdown(stdin, rd|wr) -> ENOSYS", "sock_accept(stdout) -> ENOSYS", "sock_recv(stdout) -> ENOSYS", "sock_send(stdout) -> ENOSYS", "sock_shutdown(stdout, rd|wr) -> ENOSYS"], BUN_SOCK),
    known("p1_abi", &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x40"], &["fd_fdstat_get(stdout at its new number) -> OK flags=0x0 base=0x40 inheriting=0x0"], BUN_FDSTAT),
    known("p1_abi", &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x40"], &["fd_fdstat_get(1) -> OK flags=0x0 base=0x40 inheriting=0x0"], BUN_FDSTAT),
    known("p1_abi", &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x2 inheriting=0x2", "fd_filestat_get(stdin at its new number) -> OK nlink=0 size=0"], &["fd_fdstat_get(stdin at its new number) -> OK flags=0x0 base=0x8200093 inheriting=0x0", "fd_filestat_get(stdin at its new number) -> OK nlink=1 size=0"], BUN_FDSTAT),
    Known {
        run: "p1_abi trap poll_oneoff_events_misaligned",
        host: &[],
        engine: &["not trapped: OK 1"],
        engine_exits: Some(0),
        why: POLL_POINTERS,
    },
    known("p1_readdir", &["fd_readdir(stdout) -> EBADF"], &["fd_readdir(stdout) -> EPERM"], BUN_RIGHTS),
];

fn check(runtime: Runtime, host: Host, fixture: Fixture) {
    let known = match (runtime, host) {
        (_, Host::Shim) => shim::KNOWN,
        (Runtime::Deno, Host::NodeWasi) => DENO_WASI,
        (Runtime::Bun, Host::NodeWasi) => BUN_WASI,
        (Runtime::Node24 | Runtime::Node22 | Runtime::Node20, Host::NodeWasi) => {
            unreachable!("{}'s node:wasi: tests/node.rs (24), the tests below (22, 20)", runtime.name())
        }
    };
    let version = runtime.version();
    let host_name = match host {
        Host::NodeWasi => "node:wasi",
        Host::Shim => "browser_wasi_shim",
    };
    let label = format!("wrapped under {version} ({host_name})");
    let prepared = fixtures::prepare(&fixture);
    let mut check = Check::new(known, [diff::HOST, &label]);
    for run in &prepared.runs {
        match runtimes::run(runtime, host, &prepared.wrapped, &run.argv()) {
            Ok(outcome) => check.compare(&run.argv(), &run.host, outcome, run.statuses),
            Err(error) => check.fail(format!("{}: {error:#}", run.argv.join(" "))),
        }
    }
    check.finish(fixture.name);
}

/// `#[test] fn LANGUAGE_NAME()` checking one fixture under `$runtime` and
/// `$host` (the module's).
macro_rules! fixture_test {
    ($test:ident, $language:ident, $name:literal) => {
        #[test]
        fn $test() {
            super::check(RUNTIME, HOST, Fixture::get(Language::$language, $name));
        }
    };
}

/// `mod $module` with one `#[test]` per fixture under `$runtime` and
/// `$host`, and `sqlite_and_ripgrep`.
macro_rules! under {
    ($module:ident, $runtime:ident, $host:ident) => {
        mod $module {
            use super::*;
            const RUNTIME: Runtime = Runtime::$runtime;
            const HOST: Host = Host::$host;
            include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));

            #[test]
            fn sqlite_and_ripgrep() {
                super::check_programs(RUNTIME, HOST);
            }
        }
    };
}

under!(deno_node_wasi, Deno, NodeWasi);
under!(bun_node_wasi, Bun, NodeWasi);
under!(deno_shim, Deno, Shim);
under!(bun_shim, Bun, Shim);
under!(node24_shim, Node24, Shim);
under!(node22_shim, Node22, Shim);

/// sqlite3 (a packed database) and ripgrep (a packed corpus) print what
/// the same wrapped modules print under wasmtime.
fn check_programs(runtime: Runtime, host: Host) {
    let scratch = tree::scratch();
    let mut failures = Vec::new();
    let mut count = 0;
    for program in programs::wrapped_for_engines(scratch.path()) {
        for (argv, reference) in program.runs.iter().zip(program.references()) {
            count += 1;
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            let label = format!("wrapped under {} ({host:?})", runtime.version());
            match runtimes::run(runtime, host, &program.wrapped, &words) {
                Ok(outcome) => {
                    if let Some(report) =
                        diff::compare_as([programs::UNDER_WASMTIME, &label], &reference, &outcome, Statuses::Exact)
                    {
                        failures.push(format!("{}: {argv:?}:\n{report}", program.name));
                    }
                }
                Err(error) => failures.push(format!("{}: {argv:?}: {error:#}", program.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} runs differ:\n\n{}", failures.len(), failures.join("\n"));
}

/// Node 24's fixtures are `tests/node.rs`'s; its programs are here.
/// Node 24's node:wasi runs the fixtures in `tests/node.rs`; the programs
/// here.
#[test]
fn node24_node_wasi_runs_sqlite_and_ripgrep() {
    check_programs(Runtime::Node24, Host::NodeWasi);
}

/// One wrapped fixture, for the tests of engines that can not run it.
fn wrapped_fixture() -> fixtures::Prepared {
    fixtures::prepare(&Fixture::get(Language::Rust, "io"))
}

/// Node 22's V8 (12.4) has multi-memory, but its fast calls into C++ do
/// not: instantiating a module of two memories whose imports are
/// node:wasi's (fast API functions) is a fatal V8 error, a crash of the
/// process (crbug.com/v8/14260). The same module runs with
/// browser_wasi_shim's JavaScript imports (`node22_shim` above). When this
/// test fails, Node 22's node:wasi may have become usable: run the
/// fixtures with it.
#[test]
fn node22_node_wasi_crashes_on_a_module_with_two_memories() {
    let prepared = wrapped_fixture();
    let error = runtimes::run(Runtime::Node22, Host::NodeWasi, &prepared.wrapped, &["io"])
        .expect_err("Node 22's node:wasi ran a wrapped module");
    let error = format!("{error:#}");
    assert!(error.contains("Fast API does not support multiple memories"), "{error}");
}

/// Node 20's V8 (11.3) has no multi-memory: it refuses to compile a
/// wrapped module, naming its second memory, with either host.
#[test]
fn node20_refuses_to_compile_a_wrapped_module() {
    let prepared = wrapped_fixture();
    for host in [Host::Shim, Host::NodeWasi] {
        let error =
            runtimes::run(Runtime::Node20, host, &prepared.wrapped, &["io"]).expect_err("Node 20 ran a wrapped module");
        let error = format!("{error:#}");
        assert!(error.contains("memory count of 2 exceeds internal limit of 1"), "{host:?}: {error}");
    }
}

#[test]
fn known_differences_name_fixtures_and_match_as_written() {
    known::check_list(shim::KNOWN);
    known::check_list(DENO_WASI);
    known::check_list(BUN_WASI);
}
