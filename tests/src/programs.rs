//! Third-party programs (`fixtures/programs/`): where their fetch scripts
//! put them, and how a case runs one with host preopens and wrapped.
//!
//! A case is a list of [`Invocation`](crate::run::Invocation)s over named
//! directories. The host side preopens each directory (a fresh copy of the
//! writable ones per run); the wrapped side packs the same directories at
//! the same guest paths into one image and gets no preopens. Every
//! invocation must give the same stdout, stderr and status both ways.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::run::{self, Outcome, Preopen};
use crate::{node, wrap};

/// The cache the fetch scripts fill:
/// `${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}`.
pub fn cache() -> PathBuf {
    match std::env::var_os("STRATA_PROGRAMS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/strata/programs")
        }
    }
}

/// The folder of fetched program `name`; panics, naming the script to run,
/// when it has not been fetched (a missing program is a failure, not a
/// skip).
pub fn fetched(name: &str) -> PathBuf {
    let dir = cache().join(name);
    assert!(
        dir.join("VERSION").is_file(),
        "{name} has not been fetched into {}: run fixtures/programs/fetch.sh (or .ci/setup)",
        dir.display()
    );
    dir
}

/// The pinned version line the fetch script recorded.
pub fn version(dir: &Path) -> String {
    fs::read_to_string(dir.join("VERSION")).map(|line| line.trim().to_owned()).unwrap_or_default()
}

/// The repository's `fixtures/programs/NAME` (the cases' own inputs).
pub fn inputs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/programs").join(name)
}

/// Copies `from` to a new directory `to` (`cp -a`: links, modes, times).
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status().context("cannot run cp")?;
    anyhow::ensure!(status.success(), "cp -a {} {} failed", from.display(), to.display());
    Ok(())
}

/// A program wrapped with its data, and the argvs to run it with, for the
/// engines other than wasmtime (`tests/browsers.rs`, `tests/runtimes.rs`):
/// each must print what the same wrapped module prints under wasmtime.
pub struct WrappedProgram {
    pub name: &'static str,
    pub wrapped: tempfile::TempPath,
    pub runs: Vec<Vec<String>>,
}

fn argvs(runs: &[&[&str]]) -> Vec<Vec<String>> {
    runs.iter().map(|words| words.iter().map(|word| word.to_string()).collect()).collect()
}

/// sqlite3 with a database made beforehand (the workload run under
/// wasmtime with a host directory) packed at /db beside the workload: the
/// workload again in a fresh /work, then queries and a change of the
/// packed database.
fn sqlite(scratch: &Path) -> WrappedProgram {
    let fetched = fetched("sqlite");
    let guest = fs::read(fetched.join("sqlite3.wasm")).unwrap();
    let db = scratch.join("db");
    let work = scratch.join("work");
    fs::create_dir_all(&db).unwrap();
    fs::create_dir_all(&work).unwrap();
    let data = inputs("sqlite").join("data");
    let made = run::run_wasm(
        &guest,
        &["sqlite3", "/work/test.db", ".read /data/workload.sql"],
        &[Preopen { host: &data, guest: "/data" }, Preopen { host: &db, guest: "/work" }],
    )
    .unwrap();
    assert_eq!(made.status, run::Status::Exit(0), "{}", String::from_utf8_lossy(&made.stderr));
    let image = wrap::pack(&[(&data, "/data"), (&db, "/db"), (&work, "/work")], scratch).unwrap();
    let wrapped = node::module_file(&wrap::wrap(&guest, Some(&image)).unwrap()).unwrap();
    WrappedProgram {
        name: "sqlite",
        wrapped,
        runs: argvs(&[
            &["sqlite3", "/work/test.db", ".read /data/workload.sql"],
            // -list: the shim's stdout is a character device, which the shell
            // takes for a terminal and would draw boxes on.
            &[
                "sqlite3",
                "-list",
                "/db/test.db",
                "SELECT name, type FROM sqlite_schema ORDER BY name; PRAGMA integrity_check;",
            ],
            &["sqlite3", "-list", "/db/test.db", "DELETE FROM customer; VACUUM; SELECT count(*) FROM customer;"],
        ]),
    }
}

/// ripgrep over the corpus the programs test uses (Rust's library
/// sources), packed at /corpus.
fn ripgrep(scratch: &Path) -> WrappedProgram {
    let fetched = fetched("ripgrep");
    let guest = fs::read(fetched.join("ripgrep.wasm")).unwrap();
    let image = wrap::pack(&[(&fetched.join("corpus"), "/corpus")], scratch).unwrap();
    let wrapped = node::module_file(&wrap::wrap(&guest, Some(&image)).unwrap()).unwrap();
    WrappedProgram {
        name: "ripgrep",
        wrapped,
        runs: argvs(&[
            &["rg", "--sort", "path", "-c", "unsafe fn", "/corpus"],
            &["rg", "--sort", "path", "--files", "-L", "/corpus/core"],
            &["rg", "x", "/corpus/no-such-file"],
        ]),
    }
}

/// The label of the reference side of those comparisons.
pub const UNDER_WASMTIME: &str = "wrapped, under wasmtime";

impl WrappedProgram {
    /// Each run's outcome under wasmtime: the reference.
    pub fn references(&self) -> Vec<Outcome> {
        let module = run::module(&fs::read(&self.wrapped).unwrap()).unwrap();
        self.runs
            .iter()
            .map(|argv| {
                let words: Vec<&str> = argv.iter().map(String::as_str).collect();
                let reference = run::run(&module, &words, &[]).unwrap();
                assert!(
                    !reference.stdout.is_empty() || !reference.stderr.is_empty(),
                    "{} {argv:?} prints nothing under wasmtime",
                    self.name
                );
                reference
            })
            .collect()
    }
}

/// sqlite3 and ripgrep, wrapped in `scratch` (see [`WrappedProgram`]).
pub fn wrapped_for_engines(scratch: &Path) -> Vec<WrappedProgram> {
    vec![sqlite(&scratch.join("sqlite")), ripgrep(scratch)]
}
