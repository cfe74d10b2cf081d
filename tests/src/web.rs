//! The JavaScript side of the browser and runtime tests, from npm, installed
//! by `tests/engines/web/fetch.sh` into
//! `${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/web`:
//! `@bjorn3/browser_wasi_shim` (the preview1 host of `docs/web/`),
//! `puppeteer-core` (drives the browsers) and the `deno` and `bun`
//! binaries. Missing, it is a panic that names the script, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::programs;

/// The script that installs it, from the repository's root.
pub const FETCH: &str = "tests/engines/web/fetch.sh";

/// `…/web/node_modules`, checked once: panics when `fetch.sh` has not run.
pub fn node_modules() -> PathBuf {
    let dir = programs::cache().join("web");
    assert!(
        dir.join("VERSION").is_file(),
        "the browser and runtime tests' npm packages are not installed in {}: run {FETCH} (or .ci/setup)",
        dir.display()
    );
    dir.join("node_modules")
}

/// browser_wasi_shim's `dist/` folder (its `index.js` is the module).
pub fn shim_dist() -> PathBuf {
    node_modules().join("@bjorn3/browser_wasi_shim/dist")
}

/// `tests/engines/web/NAME`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("engines/web").join(name)
}

/// The first line `binary --version` prints, or a panic naming what failed.
pub fn version_of(binary: &Path, args: &[&str]) -> String {
    let output = Command::new(binary)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error} (run {FETCH} or .ci/setup)", binary.display()));
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().next().unwrap_or_default().trim().to_owned()
}
