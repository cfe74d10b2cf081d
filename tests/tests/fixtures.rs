//! Every fixture guest runs twice under wasmtime: with the fixture tree
//! (`fixtures/TREE.md`) as host preopens `/data` and `/other`, and wrapped
//! by `strata wrap` with the same tree packed and no host directories. The
//! two runs must print the same stdout and stderr and end the same way.
//!
//! Then the trap protocol: `NAME traps` (host side) prints one scenario
//! name per line; `NAME trap SCENARIO` runs one on both sides, which must
//! agree on stdout, stderr and whether the run trapped (not on the trap's
//! wording, which is wasmtime's on one side and the adapter's on the
//! other).
//!
//! The reference side must be worth comparing with: it exits 0, prints
//! something, and prints the same on a second run.
//!
//! One test per fixture, generated from `build.rs`'s list, so a failure
//! names the fixture; within a fixture every difference is collected
//! before failing.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use strata_e2e::diff::{self, Statuses};
use strata_e2e::fixtures::{self, run_host, Fixture, Language, FIXTURES};
use strata_e2e::run::{self, Outcome};
use strata_e2e::{tree, wrap};

/// `#[test] fn LANGUAGE_NAME()` checking one fixture.
macro_rules! fixture_test {
    ($test:ident, $language:ident, $name:literal) => {
        #[test]
        fn $test() {
            check(Fixture::get(Language::$language, $name));
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));

/// The wrapped guest run with no preopens. One wrapped module serves every
/// run of a fixture: each instantiation starts from the pristine image, as
/// each host run starts from a fresh tree.
fn run_wrapped(wrapped: &wasmtime::Module, argv: &[&str]) -> Outcome {
    run::run(wrapped, argv, &[]).unwrap_or_else(|error| panic!("{argv:?} wrapped: {error:#}"))
}

fn check(fixture: Fixture) {
    let name = fixture.name;
    let guest = fixture.wasm().unwrap();
    let mut failures = Vec::new();

    let host = fixtures::reference_run(&guest, name);
    // Nor pass or fail by chance: the reference must not vary between runs.
    let again = run_host(&guest, &[name]);
    if let Some(report) = diff::compare_as(["host, first run", "host, second run"], &host, &again, Statuses::Exact) {
        panic!("{name} prints something else on a second host run, so it can not be compared:\n{report}");
    }

    let wrapped = {
        let scratch = tree::scratch();
        let tree = tree::make(scratch.path());
        let bytes = wrap::wrap_tree(&guest, &tree).unwrap_or_else(|error| panic!("wrapping {name}: {error:#}"));
        run::module(&bytes).unwrap_or_else(|error| panic!("compiling wrapped {name}: {error:#}"))
    };
    let outcome = run_wrapped(&wrapped, &[name]);
    if let Some(report) = diff::compare(&host, &outcome, Statuses::Exact) {
        failures.push(format!("{name}:\n{report}"));
    }

    for scenario in fixtures::trap_scenarios(&guest, name) {
        let argv = [name, "trap", scenario.as_str()];
        let host = run_host(&guest, &argv);
        let outcome = run_wrapped(&wrapped, &argv);
        if let Some(report) = diff::compare(&host, &outcome, Statuses::TrappedOrNot) {
            failures.push(format!("{name} trap {scenario}:\n{report}"));
        }
    }

    assert!(failures.is_empty(), "{} difference(s):\n\n{}", failures.len(), failures.join("\n"));
}

/// The generated list is complete: one C fixture per `fixtures/c/*.c`, and
/// every `[[bin]]` the Rust fixture manifest declares. Guards against
/// fixtures silently dropping out of the test (no test is generated for a
/// fixture the build did not find).
#[test]
fn every_fixture_source_was_built() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let built = |language| -> BTreeSet<&str> {
        FIXTURES.iter().filter(|fixture| fixture.language == language).map(|fixture| fixture.name).collect()
    };

    let mut c_sources = BTreeSet::new();
    if let Ok(entries) = fs::read_dir(fixtures.join("c")) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|extension| extension == "c") {
                c_sources.insert(path.file_stem().unwrap().to_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(built(Language::C), c_sources.iter().map(String::as_str).collect(), "C fixtures built vs sources");

    if let Ok(manifest) = fs::read_to_string(fixtures.join("rust/Cargo.toml")) {
        let declared = declared_bins(&manifest);
        let built = built(Language::Rust);
        assert!(!built.is_empty(), "fixtures/rust has a manifest but no fixture was built");
        // The tool guests are built too, not as fixtures (their paths are
        // constants of `fixtures`).
        for tool in [strata_e2e::fixtures::ABI_FUZZ, strata_e2e::fixtures::LIMITS] {
            assert!(Path::new(tool).is_file(), "{tool} was not built");
        }
        let tools = ["abi_fuzz", "limits"];
        let missing: Vec<&String> =
            declared.iter().filter(|name| !built.contains(name.as_str()) && !tools.contains(&name.as_str())).collect();
        assert!(missing.is_empty(), "declared in fixtures/rust/Cargo.toml but not built: {missing:?}");
    }
}

/// The `name`s of the `[[bin]]` tables of a manifest (a line scan: enough
/// for a manifest written by hand, one key a line).
fn declared_bins(manifest: &str) -> Vec<String> {
    let mut bins = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if let Some(value) = line.strip_prefix("name").map(str::trim_start).and_then(|v| v.strip_prefix('=')) {
            if in_bin {
                bins.push(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    bins
}
