//! Wrapped modules in web browsers: headless Chromium and Firefox ESR
//! (Debian's), driven by puppeteer-core (`tests/src/browser.rs`), each run
//! a load of the example page of `docs/web/` served from 127.0.0.1, whose
//! preview1 host is `@bjorn3/browser_wasi_shim` given stdio only: no files,
//! no preopens, no JavaScript filesystem. The filesystem is the module's.
//!
//! - Every fixture guest, wrapped with the fixture tree packed, must match
//!   the reference (wasmtime with the tree as host preopens), as under
//!   Node (`tests/node.rs`): same stdout, stderr and exit code for its main
//!   run, same output and trapped-or-not for each trap scenario. Where the
//!   shim itself answers a forwarded call otherwise than wasmtime, the
//!   difference is listed once in `strata_e2e::shim::KNOWN`, with its
//!   cause.
//! - Two real programs, wrapped with their data: sqlite3 running the
//!   write-heavy workload and then queries of a packed database, and
//!   ripgrep over a packed corpus, must print what the same wrapped module
//!   prints under wasmtime.
//!
//! Each test starts its browser once and runs every job in one page.

use std::fs;
use std::path::Path;

use strata_e2e::browser::{self, Browser, Job};
use strata_e2e::diff::{self, Statuses};
use strata_e2e::fixtures::{self, FIXTURES};
use strata_e2e::known::Check;
use strata_e2e::programs::{fetched, inputs};
use strata_e2e::run::{self, Outcome, Preopen};
use strata_e2e::{node, shim, tree, wrap};

fn check_fixtures(browser: Browser) {
    browser.executable();
    let prepared: Vec<_> = FIXTURES.iter().map(fixtures::prepare).collect();
    let jobs: Vec<Job> = prepared
        .iter()
        .flat_map(|fixture| {
            fixture.runs.iter().map(|run| Job { module: fixture.wrapped.to_path_buf(), argv: run.argv.clone() })
        })
        .collect();
    let batch = browser::run_batch(browser, &jobs).unwrap_or_else(|error| panic!("{}: {error:#}", browser.name()));
    let label = format!("wrapped in {} ({})", browser.name(), batch.version);
    println!("{label}: {} runs of {} fixtures", jobs.len(), prepared.len());
    let mut outcomes = batch.outcomes.into_iter();
    let mut failures = Vec::new();
    for fixture in &prepared {
        let mut check = Check::new(shim::KNOWN, [diff::HOST, &label]);
        for run in &fixture.runs {
            match outcomes.next().expect("one outcome per job") {
                Ok(outcome) => check.compare(&run.argv(), &run.host, outcome, run.statuses),
                Err(error) => check.fail(format!("{}: the page could not run it: {error}", run.argv.join(" "))),
            }
        }
        failures.extend(check.failures(fixture.name));
    }
    assert!(failures.is_empty(), "{} difference(s), {label}:\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn chromium_runs_every_fixture_as_wasmtime_does() {
    check_fixtures(Browser::Chromium);
}

#[test]
fn firefox_runs_every_fixture_as_wasmtime_does() {
    check_fixtures(Browser::Firefox);
}

/// A program wrapped with its data, and the argvs to run it with.
struct Program {
    wrapped: tempfile::TempPath,
    runs: Vec<Vec<String>>,
}

fn argvs(runs: &[&[&str]]) -> Vec<Vec<String>> {
    runs.iter().map(|words| words.iter().map(|word| word.to_string()).collect()).collect()
}

/// sqlite3 with a database made beforehand (the workload run under
/// wasmtime with a host directory) packed at /db beside the workload: the
/// workload again in a fresh /work, then queries and a change of the
/// packed database.
fn sqlite(scratch: &Path) -> Program {
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
    Program {
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
fn ripgrep(scratch: &Path) -> Program {
    let fetched = fetched("ripgrep");
    let guest = fs::read(fetched.join("ripgrep.wasm")).unwrap();
    let image = wrap::pack(&[(&fetched.join("corpus"), "/corpus")], scratch).unwrap();
    let wrapped = node::module_file(&wrap::wrap(&guest, Some(&image)).unwrap()).unwrap();
    Program {
        wrapped,
        runs: argvs(&[
            &["rg", "--sort", "path", "-c", "unsafe fn", "/corpus"],
            &["rg", "--sort", "path", "--files", "-L", "/corpus/core"],
            &["rg", "x", "/corpus/no-such-file"],
        ]),
    }
}

fn check_programs(browser: Browser) {
    browser.executable();
    let scratch = tree::scratch();
    let programs = [("sqlite", sqlite(&scratch.path().join("sqlite"))), ("ripgrep", ripgrep(scratch.path()))];
    let mut references: Vec<(String, Outcome)> = Vec::new();
    let mut jobs = Vec::new();
    for (name, program) in &programs {
        let module = run::module(&fs::read(&program.wrapped).unwrap()).unwrap();
        for argv in &program.runs {
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            let reference = run::run(&module, &words, &[]).unwrap();
            assert!(
                !reference.stdout.is_empty() || !reference.stderr.is_empty(),
                "{name} {argv:?} prints nothing under wasmtime"
            );
            references.push((format!("{name}: {argv:?}"), reference));
            jobs.push(Job { module: program.wrapped.to_path_buf(), argv: argv.clone() });
        }
    }
    let batch = browser::run_batch(browser, &jobs).unwrap_or_else(|error| panic!("{}: {error:#}", browser.name()));
    let label = format!("wrapped in {} ({})", browser.name(), batch.version);
    let mut failures = Vec::new();
    for ((what, reference), outcome) in references.iter().zip(batch.outcomes) {
        match outcome {
            Ok(outcome) => {
                if let Some(report) =
                    diff::compare_as(["wrapped under wasmtime", &label], reference, &outcome, Statuses::Exact)
                {
                    failures.push(format!("{what}:\n{report}"));
                }
            }
            Err(error) => failures.push(format!("{what}: the page could not run it: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs differ, {label}:\n\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

#[test]
fn chromium_runs_sqlite_and_ripgrep_as_wasmtime_does() {
    check_programs(Browser::Chromium);
}

#[test]
fn firefox_runs_sqlite_and_ripgrep_as_wasmtime_does() {
    check_programs(Browser::Firefox);
}
