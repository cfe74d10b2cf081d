//! JavaScript runtimes besides Node 24 ([`crate::node`]): Deno and Bun
//! (binaries from npm, [`crate::web`]), and Node 22 and 20 (from
//! `tests/engines/node/fetch.sh`), each running a wrapped module with one
//! of two preview1 hosts:
//!
//! - [`Host::NodeWasi`]: the runtime's own `node:wasi`, through
//!   `tests/engines/node/run.mjs` (Deno's is its own implementation of
//!   Node's API, Bun's its own too);
//! - [`Host::Shim`]: `@bjorn3/browser_wasi_shim` with `docs/web/strata-web.js`
//!   (what a web page uses), through `tests/engines/web/run-cli.mjs`.
//!
//! Either way the guest gets its arguments, no environment, no preopens,
//! an empty stdin (`/dev/null`), and stdout and stderr captured byte for
//! byte; how it ended comes back through a status file, as with Node
//! ([`crate::node`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};

use crate::node;
use crate::run::Outcome;
use crate::web;

/// How long one run may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Deno,
    Bun,
    Node24,
    Node22,
    Node20,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    NodeWasi,
    Shim,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Deno => "Deno",
            Runtime::Bun => "Bun",
            Runtime::Node24 => "Node 24",
            Runtime::Node22 => "Node 22",
            Runtime::Node20 => "Node 20",
        }
    }

    /// The binary npm installed.
    pub fn binary(self) -> PathBuf {
        let binary = match self {
            Runtime::Deno => web::node_modules().join(".bin/deno"),
            Runtime::Bun => web::node_modules().join(".bin/bun"),
            Runtime::Node24 => node::binary().to_owned(),
            Runtime::Node22 => node::fetched_major(22),
            Runtime::Node20 => node::fetched_major(20),
        };
        assert!(
            binary.is_file(),
            "{} is not installed ({} is missing): run {} or .ci/setup",
            self.name(),
            binary.display(),
            match self {
                Runtime::Deno | Runtime::Bun => web::FETCH,
                Runtime::Node24 | Runtime::Node22 | Runtime::Node20 => node::FETCH,
            }
        );
        binary
    }

    /// `deno 2.9.6`, `bun 1.4.5`, `node v22.23.5`.
    pub fn version(self) -> String {
        let version = web::version_of(&self.binary(), &["--version"]);
        match self {
            Runtime::Deno => version.split(" (").next().unwrap_or_default().to_owned(),
            Runtime::Bun | Runtime::Node24 | Runtime::Node22 | Runtime::Node20 => {
                format!("{} {version}", self.name().split(' ').next().unwrap_or_default().to_lowercase())
            }
        }
    }

    /// The command that runs `script` with its arguments to follow.
    fn command(self, host: Host, script: &Path) -> Command {
        let mut command = Command::new(self.binary());
        match self {
            // No prompts (a missing permission is an error), no update
            // check, no "Download" lines of its own on stderr.
            Runtime::Deno => {
                command.args(["run", "--quiet", "--no-prompt", "--allow-read", "--allow-write"]).arg(script);
                command.env("DENO_NO_UPDATE_CHECK", "1").env("NO_COLOR", "1");
            }
            Runtime::Bun => {
                command.arg(script);
            }
            Runtime::Node24 | Runtime::Node22 | Runtime::Node20 => {
                // node:wasi says it is experimental on stderr, the guest's.
                if host == Host::NodeWasi {
                    command.arg("--disable-warning=ExperimentalWarning");
                }
                command.arg(script);
            }
        }
        command.env_remove("NODE_OPTIONS");
        command
    }
}

/// Runs the command module in the file `wasm` with `argv` (`argv[0]`
/// included) under `runtime` and `host`. `Err` when the runtime could not
/// run it at all (the status file says `error`, or is missing) or it ran
/// past [`TIMEOUT`]; a guest's exit or trap is an [`Outcome`].
pub fn run(runtime: Runtime, host: Host, wasm: &Path, argv: &[&str]) -> Result<Outcome> {
    let scratch =
        tempfile::Builder::new().prefix("strata-runtime-").tempdir().context("cannot make a scratch folder")?;
    let status_file = scratch.path().join("status");
    let mut command = match host {
        Host::NodeWasi => {
            let mut command = runtime.command(host, &node::runner());
            if runtime == Runtime::Bun {
                // Bun's node:wasi lacks sock_accept: without this, no module
                // importing it can be instantiated (see run.mjs).
                command.arg("--fix-missing-imports");
            }
            command
        }
        Host::Shim => {
            let mut command = runtime.command(host, &web::script("run-cli.mjs"));
            command.arg("--shim").arg(web::shim_dist());
            command
        }
    };
    command
        .arg("--status")
        .arg(&status_file)
        .arg(wasm)
        .args(argv)
        .current_dir(scratch.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let what = || format!("running {} under {} ({host:?}, {argv:?})", wasm.display(), runtime.name());
    let (exit, stdout, stderr) = node::output_within(&mut command, TIMEOUT).with_context(what)?;
    let mut line = fs::read_to_string(&status_file).unwrap_or_default();
    // Bun's node:wasi proc_exit ends the process there and then with the
    // guest's code (it neither throws nor returns to run.mjs), so its exit
    // status is the guest's.
    if line.is_empty() && runtime == Runtime::Bun && host == Host::NodeWasi {
        if let Some(code) = exit.code() {
            line = format!("exit {code}\n");
        }
    }
    let status = node::parse_status(&line)
        .ok_or_else(|| {
            anyhow!(
                "{} ended ({exit}) without saying how the guest ended (status line {line:?}); stderr:\n{}",
                runtime.name(),
                String::from_utf8_lossy(&stderr)
            )
        })
        .with_context(what)?
        .map_err(|error| anyhow!("{error}; stderr:\n{}", String::from_utf8_lossy(&stderr)))
        .with_context(what)?;
    Ok(Outcome { stdout, stderr, status })
}
