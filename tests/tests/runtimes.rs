//! Wrapped modules under Deno and Bun (binaries from npm,
//! `tests/src/runtimes.rs`), each with two preview1 hosts: the runtime's
//! own `node:wasi`, and `@bjorn3/browser_wasi_shim` through
//! `docs/web/strata-web.js` (what a web page runs). No preopens, no
//! environment, an empty stdin: the filesystem is the module's.
//!
//! Every fixture guest, wrapped with the fixture tree packed, must match
//! the reference (wasmtime with the tree as host preopens) as under Node
//! (`tests/node.rs`): same stdout, stderr and exit code for its main run;
//! same output and trapped-or-not for each trap scenario. Where a host
//! answers a forwarded call (stdio, clocks, exit) otherwise than wasmtime,
//! the difference is listed once with its cause: `strata_e2e::shim::KNOWN`
//! for the shim (shared with the browsers), [`DENO_WASI`] and
//! [`BUN_WASI`] here.

use strata_e2e::diff;
use strata_e2e::fixtures::{self, Fixture, Language};
use strata_e2e::known::{self, Check, Known};
use strata_e2e::runtimes::{self, Host, Runtime};
use strata_e2e::shim;

/// Deno's `node:wasi` (its own implementation of Node's API).
const DENO_WASI: &[Known] = &[];

/// Bun's `node:wasi` (its own implementation).
const BUN_WASI: &[Known] = &[];

fn check(runtime: Runtime, host: Host, fixture: Fixture) {
    let known = match (runtime, host) {
        (_, Host::Shim) => shim::KNOWN,
        (Runtime::Deno, Host::NodeWasi) => DENO_WASI,
        (Runtime::Bun, Host::NodeWasi) => BUN_WASI,
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

mod deno_node_wasi {
    use super::*;
    const RUNTIME: Runtime = Runtime::Deno;
    const HOST: Host = Host::NodeWasi;
    include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));
}

mod bun_node_wasi {
    use super::*;
    const RUNTIME: Runtime = Runtime::Bun;
    const HOST: Host = Host::NodeWasi;
    include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));
}

mod deno_shim {
    use super::*;
    const RUNTIME: Runtime = Runtime::Deno;
    const HOST: Host = Host::Shim;
    include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));
}

mod bun_shim {
    use super::*;
    const RUNTIME: Runtime = Runtime::Bun;
    const HOST: Host = Host::Shim;
    include!(concat!(env!("OUT_DIR"), "/fixture_tests.rs"));
}

#[test]
fn known_differences_name_fixtures_and_match_as_written() {
    known::check_list(shim::KNOWN);
    known::check_list(DENO_WASI);
    known::check_list(BUN_WASI);
}
