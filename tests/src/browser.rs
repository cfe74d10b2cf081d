//! Headless browsers: Debian's Chromium and Firefox ESR, driven by
//! puppeteer-core from Node 24 (`tests/engines/web/drive.mjs`), each run of
//! a wrapped module a load of the example page `docs/web/index.html`
//! served from 127.0.0.1 with browser_wasi_shim as its preview1 host
//! (stdio only: the filesystem is the module's).
//!
//! A browser starts once per batch of runs ([`run_batch`]): starting one
//! costs seconds, a run in an open page milliseconds.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::node;
use crate::run::Outcome;
use crate::web;

/// How long a whole batch may take before the browser is killed.
pub const TIMEOUT: Duration = Duration::from_secs(1200);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox ESR",
        }
    }

    /// Where Debian installs it; panics, saying how to install it, when it
    /// is missing.
    pub fn executable(self) -> &'static Path {
        let (path, package) = match self {
            Browser::Chromium => ("/usr/bin/chromium", "chromium"),
            Browser::Firefox => ("/usr/bin/firefox-esr", "firefox-esr"),
        };
        assert!(
            Path::new(path).is_file(),
            "{} is not installed ({path} is missing): apt-get install {package} (bash .ci/setup does)",
            self.name()
        );
        Path::new(path)
    }

    fn driver_name(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
        }
    }
}

/// One run: a command module file and its argv (`argv[0]` included).
pub struct Job {
    pub module: PathBuf,
    pub argv: Vec<String>,
}

/// What a batch gave: the browser's version, and per job (in order) its
/// outcome or why the page could not run it.
pub struct Batch {
    pub version: String,
    pub outcomes: Vec<Result<Outcome, String>>,
}

/// Runs every job in one `browser` session, one page load each.
pub fn run_batch(browser: Browser, jobs: &[Job]) -> Result<Batch> {
    let scratch =
        tempfile::Builder::new().prefix("strata-browser-").tempdir().context("cannot make a scratch folder")?;
    let jobs_file = scratch.path().join("jobs.json");
    let out = scratch.path().join("out");
    fs::create_dir(&out).context("cannot make the results folder")?;
    let list: Vec<serde_json::Value> =
        jobs.iter().map(|job| serde_json::json!({ "module": job.module, "args": job.argv, "env": [] })).collect();
    fs::write(&jobs_file, serde_json::to_vec(&list)?).context("cannot write the jobs")?;

    let mut command = Command::new(node::binary());
    command
        .arg(web::script("drive.mjs"))
        .args(["--browser", browser.driver_name()])
        .arg("--executable")
        .arg(browser.executable())
        .arg("--node-modules")
        .arg(web::node_modules())
        .arg("--jobs")
        .arg(&jobs_file)
        .arg("--out")
        .arg(&out)
        .current_dir(scratch.path())
        // The browser's own profile and caches go in the scratch folder.
        .env("HOME", scratch.path())
        .env_remove("NODE_OPTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (exit, _stdout, stderr) = node::output_within(&mut command, TIMEOUT)
        .with_context(|| format!("running {} jobs in {}", jobs.len(), browser.name()))?;
    let version = fs::read_to_string(out.join("version")).unwrap_or_default().trim().to_owned();
    if version.is_empty() {
        bail!("{} did not start ({exit}); drive.mjs's stderr:\n{}", browser.name(), String::from_utf8_lossy(&stderr));
    }
    let outcomes = (0..jobs.len())
        .map(|index| {
            let read = |suffix: &str| fs::read(out.join(format!("{index}.{suffix}")));
            let status = String::from_utf8_lossy(&read("status").map_err(|_| "no result".to_owned())?).into_owned();
            match node::parse_status(&status) {
                Some(Ok(status)) => Ok(Outcome {
                    stdout: read("stdout").unwrap_or_default(),
                    stderr: read("stderr").unwrap_or_default(),
                    status,
                }),
                Some(Err(error)) => Err(error),
                None => Err(format!("a malformed status line {status:?}")),
            }
        })
        .collect();
    Ok(Batch { version, outcomes })
}
