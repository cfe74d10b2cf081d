//! The fixture guests: C programs from `fixtures/c/` and the bins of the
//! cargo workspace in `fixtures/rust/`, built for `wasm32-wasip1` by
//! `build.rs`.

use std::fs;

use anyhow::{Context, Result};

use crate::diff::Statuses;
use crate::run::{self, Outcome, Preopen, Status};
use crate::{node, tree, wrap};

/// The language a fixture is written in (and so its toolchain).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    /// `fixtures/c/NAME.c`, clang-19 + wasi-libc.
    C,
    /// a `[[bin]]` of `fixtures/rust/`, rustc's `wasm32-wasip1` std.
    Rust,
}

/// One built fixture guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixture {
    /// The program's name: the C file's stem or the bin's name; also the
    /// guest's `argv[0]`.
    pub name: &'static str,
    pub language: Language,
    /// The built `.wasm`.
    pub path: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

impl Fixture {
    /// The fixture named `name` in `language`.
    ///
    /// Panics if there is none: the name comes from the same build-time
    /// list.
    pub fn get(language: Language, name: &str) -> Fixture {
        *FIXTURES
            .iter()
            .find(|fixture| fixture.language == language && fixture.name == name)
            .unwrap_or_else(|| panic!("no {language:?} fixture named {name:?}"))
    }

    /// The module's bytes.
    pub fn wasm(&self) -> Result<Vec<u8>> {
        fs::read(self.path).with_context(|| format!("cannot read the fixture {} ({})", self.name, self.path))
    }
}

/// The reference run: `guest` under wasmtime's own preview1 host with a
/// fresh fixture tree (a run changes it) preopened as `/data` and `/other`.
pub fn run_host(guest: &[u8], argv: &[&str]) -> Outcome {
    let scratch = tree::scratch();
    let tree = tree::make(scratch.path());
    let preopens = [Preopen { host: &tree.data, guest: "/data" }, Preopen { host: &tree.other, guest: "/other" }];
    run::run_wasm(guest, argv, &preopens).unwrap_or_else(|error| panic!("{argv:?} on the host: {error:#}"))
}

/// The trap scenarios fixture `name` lists (`NAME traps`, run on the
/// host), one per line; the listing must exit 0.
pub fn trap_scenarios(guest: &[u8], name: &str) -> Vec<String> {
    let listing = run_host(guest, &[name, "traps"]);
    assert_eq!(
        listing.status,
        Status::Exit(0),
        "`{name} traps` must list the trap scenarios and exit 0; stderr:\n{}",
        String::from_utf8_lossy(&listing.stderr)
    );
    let listing = String::from_utf8(listing.stdout).expect("scenario names are UTF-8");
    listing.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

/// The reference outcome of fixture `name`'s main run ([`run_host`]);
/// panics when it does not exit 0 with some output: a broken fixture must
/// not pass by failing the same way on both sides.
pub fn reference_run(guest: &[u8], name: &str) -> Outcome {
    let host = run_host(guest, &[name]);
    assert!(
        host.status == Status::Exit(0) && !host.stdout.is_empty(),
        "{name} does not run cleanly with host preopens ({}, {} bytes of stdout); stderr:\n{}",
        host.status,
        host.stdout.len(),
        String::from_utf8_lossy(&host.stderr)
    );
    host
}

/// One run of a fixture and its reference outcome.
pub struct Run {
    /// `NAME`, or `NAME trap SCENARIO`.
    pub argv: Vec<String>,
    pub host: Outcome,
    /// How the engine's status must agree: exactly for the main run, trapped
    /// or not for a trap scenario (each engine words its traps).
    pub statuses: Statuses,
}

impl Run {
    pub fn argv(&self) -> Vec<&str> {
        self.argv.iter().map(String::as_str).collect()
    }
}

/// A fixture ready for another engine: wrapped with the fixture tree
/// packed (in a module file, removed when dropped), and its reference
/// runs (the main run, then every trap scenario) under wasmtime with the
/// tree as host preopens.
pub struct Prepared {
    pub name: &'static str,
    pub wrapped: tempfile::TempPath,
    pub runs: Vec<Run>,
}

/// [`Prepared`] for `fixture`; panics when the fixture does not run
/// cleanly on the host ([`reference_run`]).
pub fn prepare(fixture: &Fixture) -> Prepared {
    let name = fixture.name;
    let guest = fixture.wasm().unwrap();
    let host = reference_run(&guest, name);
    let wrapped = {
        let scratch = tree::scratch();
        let tree = tree::make(scratch.path());
        let bytes = wrap::wrap_tree(&guest, &tree).unwrap_or_else(|error| panic!("wrapping {name}: {error:#}"));
        node::module_file(&bytes).unwrap_or_else(|error| panic!("writing wrapped {name}: {error:#}"))
    };
    let mut runs = vec![Run { argv: vec![name.to_owned()], host, statuses: Statuses::Exact }];
    for scenario in trap_scenarios(&guest, name) {
        let argv = [name, "trap", scenario.as_str()];
        let host = run_host(&guest, &argv);
        runs.push(Run { argv: argv.map(str::to_owned).to_vec(), host, statuses: Statuses::TrappedOrNot });
    }
    Prepared { name, wrapped, runs }
}
