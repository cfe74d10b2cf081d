//! The fixture guests: C programs from `fixtures/c/` and the bins of the
//! cargo workspace in `fixtures/rust/`, built for `wasm32-wasip1` by
//! `build.rs`.

use std::fs;

use anyhow::{Context, Result};

use crate::run::{self, Outcome, Preopen, Status};
use crate::tree;

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
