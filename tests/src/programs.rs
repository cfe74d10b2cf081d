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
