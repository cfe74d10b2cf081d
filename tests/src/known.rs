//! Known differences of another engine's preview1 host from wasmtime's, on
//! the calls a wrapped module still hands to its host (stdio, clocks,
//! arguments, exit): each is listed once, line for line, with its cause;
//! the engine's lines are put back to the reference's before the exact
//! comparison, and a listed difference that no longer shows is a failure
//! too, so the lists stay true.
//!
//! Used by the engine tests: `tests/node.rs` (uvwasi), `tests/runtimes.rs`
//! and `tests/browsers.rs` (browser_wasi_shim, Deno's and Bun's
//! `node:wasi`).

use std::collections::BTreeSet;

use crate::diff::{self, Statuses};
use crate::fixtures::FIXTURES;
use crate::run::{Outcome, Status};

/// A known difference of one run: where the reference prints the lines
/// `host`, the wrapped module under the engine prints `engine` (in an
/// `engine` line, `*` matches any characters). `engine_exits`: the
/// reference traps where the engine returns and the run exits with this
/// code.
pub struct Known {
    /// The run's argv joined by spaces: `NAME` or `NAME trap SCENARIO`.
    pub run: &'static str,
    pub host: &'static [&'static str],
    pub engine: &'static [&'static str],
    pub engine_exits: Option<i32>,
    pub why: &'static str,
}

pub const fn known(
    run: &'static str,
    host: &'static [&'static str],
    engine: &'static [&'static str],
    why: &'static str,
) -> Known {
    Known { run, host, engine, engine_exits: None, why }
}

/// The comparisons of one fixture's runs under one engine, collecting
/// every failure so a test reports them all at once.
pub struct Check<'a> {
    known: &'a [Known],
    labels: [&'a str; 2],
    used: BTreeSet<usize>,
    failures: Vec<String>,
}

impl<'a> Check<'a> {
    /// `labels`: the reference's and the engine's, as failures name them.
    pub fn new(known: &'a [Known], labels: [&'a str; 2]) -> Check<'a> {
        Check { known, labels, used: BTreeSet::new(), failures: Vec::new() }
    }

    /// A failure of its own (the engine could not run the module at all).
    pub fn fail(&mut self, failure: String) {
        self.failures.push(failure);
    }

    /// Compares one run after putting back the known differences of that
    /// run; a known difference that does not show is a failure too.
    pub fn compare(&mut self, argv: &[&str], host: &Outcome, mut outcome: Outcome, statuses: Statuses) {
        let run = argv.join(" ");
        dump(&run, self.labels[1], host, &outcome);
        for (index, known) in self.known.iter().enumerate().filter(|(_, known)| known.run == run) {
            self.used.insert(index);
            let replaced = replace_lines(&outcome.stdout, known.engine, known.host);
            let status_shows = match known.engine_exits {
                Some(code) => host.status.trapped() && outcome.status == Status::Exit(code),
                None => true,
            };
            match replaced {
                Some(stdout) if status_shows => {
                    outcome.stdout = stdout;
                    if known.engine_exits.is_some() {
                        outcome.status = host.status.clone();
                    }
                }
                _ => self.failures.push(format!(
                    "{run}: the known difference ({}) no longer shows: {} was expected to print {:?}{}",
                    known.why,
                    self.labels[1],
                    known.engine,
                    known.engine_exits.map(|code| format!(" and exit {code} where wasmtime traps")).unwrap_or_default()
                )),
            }
        }
        if let Some(report) = diff::compare_as(self.labels, host, &outcome, statuses) {
            self.failures.push(format!("{run}:\n{report}"));
        }
    }

    /// Panics with every failure of fixture `name`'s runs (see
    /// [`Check::failures`]).
    pub fn finish(self, name: &str) {
        let engine = self.labels[1];
        let failures = self.failures(name);
        assert!(failures.is_empty(), "{} difference(s), {engine}:\n\n{}", failures.len(), failures.join("\n"));
    }

    /// Every failure of fixture `name`'s runs, including a listed difference
    /// of a run that was never made (a renamed scenario).
    pub fn failures(mut self, name: &str) -> Vec<String> {
        for (index, known) in self.known.iter().enumerate() {
            let fixture_of_run = known.run.split(' ').next().unwrap_or_default();
            if fixture_of_run == name && !self.used.contains(&index) {
                self.failures
                    .push(format!("known difference of `{}` ({}): that run was not made", known.run, known.why));
            }
        }
        self.failures
    }
}

/// With `STRATA_DUMP=DIR`, both stdouts of every run go to files in DIR
/// (`RUN.host`, `RUN.ENGINE`), before any known difference is put back:
/// what `diff` needs to write a new entry of a list.
fn dump(run: &str, engine: &str, host: &Outcome, outcome: &Outcome) {
    let Some(dir) = std::env::var_os("STRATA_DUMP") else { return };
    let file = |side: &str| {
        let name: String =
            format!("{run}.{side}").chars().map(|c| if c.is_alphanumeric() || c == '.' { c } else { '_' }).collect();
        std::path::Path::new(&dir).join(name)
    };
    let _ = std::fs::write(file("host"), &host.stdout);
    let _ = std::fs::write(file(engine), &outcome.stdout);
}

/// Checks that a list names only fixtures and shows an engine line each.
pub fn check_list(list: &[Known]) {
    for known in list {
        let fixture = known.run.split(' ').next().unwrap_or_default();
        assert!(FIXTURES.iter().any(|f| f.name == fixture), "a known difference names no fixture: {:?}", known.run);
        assert!(!known.engine.is_empty(), "{}: a known difference shows at least one engine line", known.run);
    }
}

/// `output` with its first run of lines matching `patterns` replaced by
/// `replacement`; `None` if no run of lines matches.
pub fn replace_lines(output: &[u8], patterns: &[&str], replacement: &[&str]) -> Option<Vec<u8>> {
    let lines: Vec<&[u8]> = output.split_inclusive(|&b| b == b'\n').collect();
    let start = (0..lines.len()).find(|&start| {
        start + patterns.len() <= lines.len()
            && patterns
                .iter()
                .zip(&lines[start..])
                .all(|(pattern, line)| line.strip_suffix(b"\n").is_some_and(|line| glob(pattern.as_bytes(), line)))
    })?;
    let mut replaced = lines[..start].concat();
    for line in replacement {
        replaced.extend_from_slice(line.as_bytes());
        replaced.push(b'\n');
    }
    replaced.extend(lines[start + patterns.len()..].concat());
    Some(replaced)
}

/// Whether `text` matches `pattern`, where `*` matches any bytes.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.iter().position(|&b| b == b'*') {
        None => pattern == text,
        Some(star) => {
            let (prefix, rest) = (&pattern[..star], &pattern[star + 1..]);
            text.starts_with(prefix) && (prefix.len()..=text.len()).any(|at| glob(rest, &text[at..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_replacements() {
        assert!(glob(b"a=* b=*", b"a=1 b=22"));
        assert!(glob(b"x", b"x") && !glob(b"x", b"xy") && !glob(b"a=* b", b"a=1 c"));
        let replaced = replace_lines(b"one\ntwo 5\nthree\n", &["two *", "three"], &["2", "3", "3b"]);
        assert_eq!(replaced.as_deref(), Some(&b"one\n2\n3\n3b\n"[..]));
        assert_eq!(replace_lines(b"one\n", &["two"], &[]), None);
    }
}
