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

use strata_e2e::browser::{self, Browser, Job};
use strata_e2e::diff::{self, Statuses};
use strata_e2e::fixtures::{self, FIXTURES};
use strata_e2e::known::Check;
use strata_e2e::run::Outcome;
use strata_e2e::{programs, shim, tree};

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

fn check_programs(browser: Browser) {
    browser.executable();
    let scratch = tree::scratch();
    let programs = programs::wrapped_for_engines(scratch.path());
    let mut references: Vec<(String, Outcome)> = Vec::new();
    let mut jobs = Vec::new();
    for program in &programs {
        for (argv, reference) in program.runs.iter().zip(program.references()) {
            references.push((format!("{}: {argv:?}", program.name), reference));
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
                    diff::compare_as([programs::UNDER_WASMTIME, &label], reference, &outcome, Statuses::Exact)
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
