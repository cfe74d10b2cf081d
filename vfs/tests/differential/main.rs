//! Differential test: random operation sequences run on strata-vfs and on
//! the host Linux kernel (tmpfs, in a chroot); every outcome and the final
//! tree must agree.
//!
//! Environment:
//! - `STRATA_DIFF_CASES` (default 10000): number of sequences.
//! - `STRATA_DIFF_SEED` (default 0x5eed): first seed; seeds are consecutive.
//! - `STRATA_DIFF_REPLAY=<seed>`: run only that seed and print every op with
//!   both outcomes.
//! - `STRATA_DIFF_ERRNOS=1`: also print how often Linux answered each op with
//!   each errno (which error paths the generator reaches).
//!
//! Numbers may be decimal or `0x` hex. Needs root (chroot, identity
//! switching); skipped otherwise.

mod generate;
mod linux;
mod ops;
mod shrink;
mod strata;

use ops::{Kind, Op, OpenSpec, Outcome, StatView, Target, TreeEntry};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

const DEFAULT_CASES: u64 = 10_000;
const DEFAULT_SEED: u64 = 0x5eed;
const WORKERS: usize = 2;

#[test]
fn differential_against_linux() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        emit("differential: needs root for chroot; skipped\n");
        return;
    }
    if let Some(seed) = env_number("STRATA_DIFF_REPLAY") {
        return replay(seed);
    }
    install_quiet_panic_hook();
    let cases = env_number("STRATA_DIFF_CASES").unwrap_or(DEFAULT_CASES);
    let base = env_number("STRATA_DIFF_SEED").unwrap_or(DEFAULT_SEED);

    let started = Instant::now();
    let (coverage, failure) = run_cases(base, cases);
    let leaks = cleanup_problems();
    if let Some(failure) = failure {
        panic!("{}{leaks}", failure.report);
    }
    assert!(leaks.is_empty(), "{leaks}");
    emit(&coverage.summary(started.elapsed().as_secs_f64()));
    if std::env::var_os("STRATA_DIFF_ERRNOS").is_some() {
        emit(&coverage.errno_table());
    }
}

/// Intentional differences between strata-vfs and Linux, in ONE place.
///
/// Returns true if `strata` may differ from `linux` for `op`. Every arm must
/// cite its entry in `docs/vfs-linux-differences.md`; a difference without
/// an entry there is a bug, not a known difference.
#[allow(clippy::match_single_binding)] // until the first arm
fn known_difference(op: &Op, linux: &Outcome, strata: &Outcome) -> bool {
    match (op, linux, strata) {
        // (Op::…, Outcome::…, Outcome::…) => true, // docs/vfs-linux-differences.md#…
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Running sequences

/// What one target did with one sequence.
struct Run {
    /// One per op, up to (not including) the op that panicked, if any.
    outcomes: Vec<Outcome>,
    /// `None` if the target panicked before producing it.
    snapshot: Option<Vec<TreeEntry>>,
    panic: Option<String>,
}

fn run_linux(ops: &[Op]) -> Run {
    let mut outcomes = Vec::with_capacity(ops.len());
    let snapshot =
        linux::confined(|target| run_on(target, ops, &mut outcomes)).expect("create a Linux sandbox (needs root)");
    Run { outcomes, snapshot: Some(snapshot), panic: None }
}

/// A panic in strata-vfs is a finding like any other: it is caught, so the
/// sequence can be shrunk and reported.
fn run_strata(ops: &[Op]) -> Run {
    let mut outcomes = Vec::with_capacity(ops.len());
    let result = quietly(|| {
        panic::catch_unwind(AssertUnwindSafe(|| {
            let mut target = strata::StrataTarget::new();
            run_on(&mut target, ops, &mut outcomes)
        }))
    });
    match result {
        Ok(snapshot) => Run { outcomes, snapshot: Some(snapshot), panic: None },
        Err(payload) => Run { outcomes, snapshot: None, panic: Some(panic_message(&*payload)) },
    }
}

fn run_on(target: &mut dyn Target, ops: &[Op], outcomes: &mut Vec<Outcome>) -> Vec<TreeEntry> {
    for op in ops {
        let outcome = target.apply(op);
        outcomes.push(outcome);
    }
    target.snapshot()
}

/// Where a strata run first disagrees with the Linux run.
#[derive(Clone, Copy, PartialEq)]
enum Divergence {
    Outcome(usize),
    /// Strata panicked in this op (`ops.len()`: while taking the snapshot).
    Panic(usize),
    Snapshot,
}

fn first_divergence(ops: &[Op], linux: &Run, strata: &Run) -> Option<Divergence> {
    for (i, op) in ops.iter().enumerate() {
        let Some(theirs) = strata.outcomes.get(i) else {
            return Some(Divergence::Panic(i));
        };
        let ours = &linux.outcomes[i];
        if ours != theirs && !known_difference(op, ours, theirs) {
            return Some(Divergence::Outcome(i));
        }
    }
    match &strata.snapshot {
        None => Some(Divergence::Panic(ops.len())),
        Some(tree) if Some(tree) != linux.snapshot.as_ref() => Some(Divergence::Snapshot),
        Some(_) => None,
    }
}

fn fails(ops: &[Op]) -> bool {
    first_divergence(ops, &run_linux(ops), &run_strata(ops)).is_some()
}

// ---------------------------------------------------------------------------
// Driving many sequences

struct Failure {
    seed: u64,
    report: String,
}

/// Runs seeds `base..base + cases` on [`WORKERS`] threads. Stops at the
/// first failure; if several workers fail at once, the lowest seed wins.
fn run_cases(base: u64, cases: u64) -> (Coverage, Option<Failure>) {
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let results: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS).map(|_| scope.spawn(|| worker(base, cases, &next, &stop))).collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|payload| panic::resume_unwind(payload)))
            .collect()
    });
    let mut coverage = Coverage::default();
    let mut failure: Option<Failure> = None;
    for (part, found) in results {
        coverage.merge(part);
        if let Some(found) = found {
            if failure.as_ref().is_none_or(|f| found.seed < f.seed) {
                failure = Some(found);
            }
        }
    }
    (coverage, failure)
}

fn worker(base: u64, cases: u64, next: &AtomicU64, stop: &AtomicBool) -> (Coverage, Option<Failure>) {
    let mut coverage = Coverage::default();
    while !stop.load(Ordering::Relaxed) {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= cases {
            break;
        }
        let seed = base.wrapping_add(index);
        let ops = generate::sequence(seed);
        let (linux, strata) = (run_linux(&ops), run_strata(&ops));
        coverage.count(&ops, &linux.outcomes);
        if first_divergence(&ops, &linux, &strata).is_some() {
            stop.store(true, Ordering::Relaxed);
            return (coverage, Some(Failure { seed, report: shrink_and_report(seed, ops) }));
        }
    }
    (coverage, None)
}

fn shrink_and_report(seed: u64, ops: Vec<Op>) -> String {
    let original = ops.len();
    let mut attempts = 0;
    let shrunk = shrink::shrink(ops, |candidate| {
        attempts += 1;
        fails(candidate)
    });
    let (linux, strata) = (run_linux(&shrunk), run_strata(&shrunk));
    let mut report = format!(
        "strata-vfs differs from Linux at seed {seed:#x} \
         (STRATA_DIFF_REPLAY={seed:#x} reruns it unshrunk).\n\
         Shrunk from {original} to {} ops in {attempts} attempts. Host: {}.\n\n",
        shrunk.len(),
        linux::host_protections(),
    );
    if strata.panic.is_some() {
        report += "strata panicked; the replay prints its backtrace (with RUST_BACKTRACE=1).\n\n";
    }
    if first_divergence(&shrunk, &linux, &strata).is_none() {
        report += "WARNING: this rerun of the shrunk ops agrees; a target is nondeterministic.\n\n";
    }
    report += &render(&shrunk, &linux, &strata);
    report
}

fn replay(seed: u64) {
    let ops = generate::sequence(seed);
    let (linux, strata) = (run_linux(&ops), run_strata(&ops));
    emit(&format!("differential: replaying seed {seed:#x}, {} ops\n", ops.len()));
    emit(&render(&ops, &linux, &strata));
    assert!(first_divergence(&ops, &linux, &strata).is_none(), "seed {seed:#x} diverges (see the table above)");
}

/// Leaked descriptors or sandboxes, as a message (empty if none).
fn cleanup_problems() -> String {
    let mut problems = String::new();
    let fds = linux::leaked_fds();
    if !fds.is_empty() {
        let _ = writeln!(problems, "\nleaked descriptors: {fds:?}");
    }
    let dirs = linux::leftover_sandboxes();
    if !dirs.is_empty() {
        let _ = writeln!(problems, "\nsandboxes not removed: {dirs:?}");
    }
    problems
}

// ---------------------------------------------------------------------------
// Panics and output

thread_local! {
    /// Set while strata runs: its panics are reported, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the default hook for every panic except those in [`quietly`], which
/// the shrinker may trigger thousands of times.
fn install_quiet_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !QUIET.get() {
            default(info);
        }
    }));
}

fn quietly<T>(f: impl FnOnce() -> T) -> T {
    QUIET.set(true);
    let result = f();
    QUIET.set(false);
    result
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// Writes to the real stderr: the test harness captures `print!`, but the
/// summary (and a replay) should be visible in every run.
fn emit(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text:?} is not a decimal or 0x-hex number")))
}

// ---------------------------------------------------------------------------
// Coverage

#[derive(Default)]
struct Coverage {
    sequences: u64,
    ops: u64,
    /// Per variant: (ops, how many of them Linux failed).
    per_op: BTreeMap<&'static str, (u64, u64)>,
    /// Per variant and errno: how many ops Linux failed that way.
    errnos: BTreeMap<(&'static str, i32), u64>,
}

impl Coverage {
    fn count(&mut self, ops: &[Op], linux: &[Outcome]) {
        self.sequences += 1;
        self.ops += ops.len() as u64;
        for (op, outcome) in ops.iter().zip(linux) {
            let name = op_name(op);
            let counts = self.per_op.entry(name).or_default();
            counts.0 += 1;
            if let Outcome::Err(errno) = outcome {
                counts.1 += 1;
                *self.errnos.entry((name, *errno)).or_default() += 1;
            }
        }
    }

    fn merge(&mut self, other: Coverage) {
        self.sequences += other.sequences;
        self.ops += other.ops;
        for (name, (count, failed)) in other.per_op {
            let counts = self.per_op.entry(name).or_default();
            counts.0 += count;
            counts.1 += failed;
        }
        for (key, count) in other.errnos {
            *self.errnos.entry(key).or_default() += count;
        }
    }

    /// Every variant, most frequent first (a never-generated one shows as
    /// 0), with the share Linux carried out successfully.
    fn summary(&self, seconds: f64) -> String {
        let mut counts: Vec<(&str, u64, u64)> = OP_NAMES
            .iter()
            .map(|name| {
                let (count, failed) = self.per_op.get(name).copied().unwrap_or_default();
                (*name, count, failed)
            })
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let counts: Vec<String> = counts
            .iter()
            .map(|(name, count, failed)| format!("{name} {count} ({}% ok)", (count - failed) * 100 / (*count).max(1)))
            .collect();
        format!(
            "differential: {} sequences, {} ops in {seconds:.1}s ({}); ops: {}\n",
            self.sequences,
            self.ops,
            linux::host_protections(),
            counts.join(", "),
        )
    }

    fn errno_table(&self) -> String {
        let mut table = String::from("differential: Linux errors per op:\n");
        for ((name, errno), count) in &self.errnos {
            let _ = writeln!(table, "  {name:12} {:18} {count}", errno_name(*errno));
        }
        table
    }
}

/// Every `Op` variant, for the coverage line. [`op_name`] is exhaustive, so a
/// new variant fails to compile there; add it here as well.
const OP_NAMES: [&str; 34] = [
    "SetIdentity",
    "Umask",
    "Open",
    "Close",
    "Dup",
    "Read",
    "Write",
    "Pread",
    "Pwrite",
    "Lseek",
    "Ftruncate",
    "Truncate",
    "Fallocate",
    "Fsync",
    "Fstat",
    "Stat",
    "Lstat",
    "Mkdir",
    "Rmdir",
    "Unlink",
    "Link",
    "Symlink",
    "Readlink",
    "Rename",
    "Chmod",
    "Fchmod",
    "Chown",
    "Access",
    "Chdir",
    "Fchdir",
    "Getcwd",
    "ListDir",
    "Getdents",
    "Flock",
];

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::SetIdentity(_) => "SetIdentity",
        Op::Umask(_) => "Umask",
        Op::Open { .. } => "Open",
        Op::Close(_) => "Close",
        Op::Dup(_) => "Dup",
        Op::Read { .. } => "Read",
        Op::Write { .. } => "Write",
        Op::Pread { .. } => "Pread",
        Op::Pwrite { .. } => "Pwrite",
        Op::Lseek { .. } => "Lseek",
        Op::Ftruncate { .. } => "Ftruncate",
        Op::Truncate { .. } => "Truncate",
        Op::Fallocate { .. } => "Fallocate",
        Op::Fsync(_) => "Fsync",
        Op::Fstat(_) => "Fstat",
        Op::Stat(_) => "Stat",
        Op::Lstat(_) => "Lstat",
        Op::Mkdir { .. } => "Mkdir",
        Op::Rmdir(_) => "Rmdir",
        Op::Unlink(_) => "Unlink",
        Op::Link { .. } => "Link",
        Op::Symlink { .. } => "Symlink",
        Op::Readlink(_) => "Readlink",
        Op::Rename { .. } => "Rename",
        Op::Chmod { .. } => "Chmod",
        Op::Fchmod { .. } => "Fchmod",
        Op::Chown { .. } => "Chown",
        Op::Access { .. } => "Access",
        Op::Chdir(_) => "Chdir",
        Op::Fchdir(_) => "Fchdir",
        Op::Getcwd => "Getcwd",
        Op::ListDir(_) => "ListDir",
        Op::Getdents(_) => "Getdents",
        Op::Flock { .. } => "Flock",
    }
}

// ---------------------------------------------------------------------------
// Reports

/// The ops as a table with both outcomes, the first divergence marked, then
/// the snapshot verdict.
fn render(ops: &[Op], linux: &Run, strata: &Run) -> String {
    let divergence = first_divergence(ops, linux, strata);
    let rows: Vec<[String; 3]> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let theirs = match (strata.outcomes.get(i), divergence) {
                (Some(outcome), _) => describe_outcome(outcome),
                (None, Some(Divergence::Panic(at))) if at == i => {
                    format!("PANIC: {}", strata.panic.as_deref().unwrap_or("?"))
                }
                (None, _) => "(not run)".to_string(),
            };
            [describe_op(op), describe_outcome(&linux.outcomes[i]), theirs]
        })
        .collect();
    let width = |column: usize| rows.iter().map(|row| row[column].len()).max().unwrap_or(0).min(64);
    let (op_width, linux_width) = (width(0).max(2), width(1).max(5));

    let mut out = format!("    #  {:op_width$}  {:linux_width$}  strata\n", "op", "linux");
    for (i, [op, ours, theirs]) in rows.iter().enumerate() {
        let diverged = matches!(divergence, Some(Divergence::Outcome(at) | Divergence::Panic(at)) if at == i);
        let marker = if diverged { ">>" } else { "  " };
        let _ = write!(out, "{marker}{i:>3}  {op:op_width$}  {ours:linux_width$}  {theirs}");
        out += if diverged { "   <== first divergence\n" } else { "\n" };
    }
    if let Some(Divergence::Outcome(at)) = divergence {
        if let (Outcome::Bytes(ours), Some(Outcome::Bytes(theirs))) = (&linux.outcomes[at], strata.outcomes.get(at)) {
            out += &bytes_difference(ours, theirs).map_or(String::new(), |d| format!("    op {at}: {d}\n"));
        }
    }
    out += &match (divergence, &strata.snapshot, &linux.snapshot) {
        (Some(Divergence::Panic(at)), _, _) if at == ops.len() => {
            format!("\nstrata PANICKED taking the snapshot: {}\n", strata.panic.as_deref().unwrap_or("?"))
        }
        (_, Some(theirs), Some(ours)) if theirs != ours => {
            format!("\nfinal trees differ (- linux only, + strata only):\n{}", tree_diff(ours, theirs))
        }
        (_, Some(_), Some(_)) => "\nfinal trees agree\n".to_string(),
        _ => String::new(),
    };
    out
}

fn tree_diff(linux: &[TreeEntry], strata: &[TreeEntry]) -> String {
    fn by_path(tree: &[TreeEntry]) -> BTreeMap<&[u8], &TreeEntry> {
        tree.iter().map(|entry| (entry.path.as_slice(), entry)).collect()
    }
    let (ours, theirs) = (by_path(linux), by_path(strata));
    let mut paths: Vec<&[u8]> = ours.keys().chain(theirs.keys()).copied().collect();
    paths.sort();
    paths.dedup();
    let mut out = String::new();
    for path in paths {
        let (a, b) = (ours.get(path), theirs.get(path));
        if a == b {
            continue;
        }
        let path_text = bstr(path);
        if let Some(a) = a {
            let _ = writeln!(out, "  - {path_text}  {}", describe_entry(a));
        }
        if let Some(b) = b {
            let _ = writeln!(out, "  + {path_text}  {}", describe_entry(b));
        }
        if let (Some(a), Some(b)) = (a, b) {
            out += &bytes_difference(&a.data, &b.data).map_or(String::new(), |d| format!("    data: {d}\n"));
        }
    }
    if linux.iter().map(|e| &e.path).ne(strata.iter().map(|e| &e.path)) && out.is_empty() {
        out += "  (same entries, different order: strata's snapshot is not sorted by path)\n";
    }
    out
}

/// Where two byte strings part, since [`bstr`] shows only their start.
fn bytes_difference(linux: &[u8], strata: &[u8]) -> Option<String> {
    let at = linux.iter().zip(strata).position(|(a, b)| a != b);
    let at = at.or((linux.len() != strata.len()).then(|| linux.len().min(strata.len())))?;
    let byte = |data: &[u8]| data.get(at).map_or("end".to_string(), |b| format!("{b:#04x}"));
    Some(format!(
        "linux {} bytes, strata {}; first difference at byte {at} (linux {}, strata {})",
        linux.len(),
        strata.len(),
        byte(linux),
        byte(strata),
    ))
}

fn describe_entry(entry: &TreeEntry) -> String {
    format!("{} data={}", describe_stat(&entry.stat), bstr(&entry.data))
}

fn describe_stat(stat: &StatView) -> String {
    format!(
        "{:?} {:#o} nlink={} {}:{} size={} ino#{}",
        stat.kind, stat.perm, stat.nlink, stat.uid, stat.gid, stat.size, stat.ino_class
    )
}

fn describe_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Done => "Done".to_string(),
        Outcome::Fd => "Fd".to_string(),
        Outcome::Num(n) => format!("Num({n})"),
        Outcome::Bytes(bytes) => bstr(bytes),
        Outcome::Stat(stat) => describe_stat(stat),
        Outcome::Entries(entries) => {
            let entries: Vec<String> =
                entries.iter().map(|(name, kind)| format!("{}:{}", name.escape_ascii(), kind_letter(*kind))).collect();
            format!("[{}]", entries.join(" "))
        }
        Outcome::Err(errno) => errno_name(*errno),
    }
}

fn kind_letter(kind: Kind) -> char {
    match kind {
        Kind::File => 'f',
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        Kind::Other => '?',
    }
}

/// Close to Rust syntax; byte strings as `b"..."`, modes in octal.
fn describe_op(op: &Op) -> String {
    let p = |path: &Vec<u8>| bstr(path);
    match op {
        Op::SetIdentity(identity) => format!("SetIdentity({identity:?})"),
        Op::Umask(mask) => format!("Umask({mask:#o})"),
        Op::Open { path, flags, mode } => {
            format!("Open({}, {}, {mode:#o})", p(path), describe_flags(flags))
        }
        Op::Close(slot) => format!("Close({slot})"),
        Op::Dup(slot) => format!("Dup({slot})"),
        Op::Read { slot, len } => format!("Read({slot}, len {len})"),
        Op::Write { slot, data } => format!("Write({slot}, {})", bstr(data)),
        Op::Pread { slot, len, offset } => format!("Pread({slot}, len {len}, at {offset})"),
        Op::Pwrite { slot, data, offset } => format!("Pwrite({slot}, {}, at {offset})", bstr(data)),
        Op::Lseek { slot, offset, whence } => format!("Lseek({slot}, {offset}, {whence:?})"),
        Op::Ftruncate { slot, len } => format!("Ftruncate({slot}, {len})"),
        Op::Truncate { path, len } => format!("Truncate({}, {len})", p(path)),
        Op::Fallocate { slot, offset, len } => format!("Fallocate({slot}, at {offset}, len {len})"),
        Op::Fsync(slot) => format!("Fsync({slot})"),
        Op::Fstat(slot) => format!("Fstat({slot})"),
        Op::Stat(path) => format!("Stat({})", p(path)),
        Op::Lstat(path) => format!("Lstat({})", p(path)),
        Op::Mkdir { path, mode } => format!("Mkdir({}, {mode:#o})", p(path)),
        Op::Rmdir(path) => format!("Rmdir({})", p(path)),
        Op::Unlink(path) => format!("Unlink({})", p(path)),
        Op::Link { old, new, follow } => {
            let follow = if *follow { ", FOLLOW" } else { "" };
            format!("Link({}, {}{follow})", p(old), p(new))
        }
        Op::Symlink { target, path } => format!("Symlink(target {}, at {})", p(target), p(path)),
        Op::Readlink(path) => format!("Readlink({})", p(path)),
        Op::Rename { old, new, mode } => format!("Rename({}, {}, {mode:?})", p(old), p(new)),
        Op::Chmod { path, mode } => format!("Chmod({}, {mode:#o})", p(path)),
        Op::Fchmod { slot, mode } => format!("Fchmod({slot}, {mode:#o})"),
        Op::Chown { path, uid, gid, follow } => {
            let id = |id: u32| if id == u32::MAX { "-1".to_string() } else { id.to_string() };
            let nofollow = if *follow { "" } else { ", NOFOLLOW" };
            format!("Chown({}, {}:{}{nofollow})", p(path), id(*uid), id(*gid))
        }
        Op::Access { path, mode } => format!("Access({}, {})", p(path), describe_access(*mode)),
        Op::Chdir(path) => format!("Chdir({})", p(path)),
        Op::Fchdir(slot) => format!("Fchdir({slot})"),
        Op::Getcwd => "Getcwd".to_string(),
        Op::ListDir(path) => format!("ListDir({})", p(path)),
        Op::Getdents(slot) => format!("Getdents({slot})"),
        Op::Flock { slot, op } => format!("Flock({slot}, {op:?})"),
    }
}

fn describe_flags(flags: &OpenSpec) -> String {
    let access = ["RDONLY", "WRONLY", "RDWR"].get(usize::from(flags.access)).unwrap_or(&"ACCESS?");
    let extra = [
        (flags.create, "CREAT"),
        (flags.excl, "EXCL"),
        (flags.trunc, "TRUNC"),
        (flags.append, "APPEND"),
        (flags.directory, "DIRECTORY"),
        (flags.nofollow, "NOFOLLOW"),
    ];
    std::iter::once(*access)
        .chain(extra.iter().filter(|(on, _)| *on).map(|(_, name)| *name))
        .collect::<Vec<_>>()
        .join("|")
}

fn describe_access(mode: u32) -> String {
    if mode == 0 {
        return "F_OK".to_string();
    }
    let bits = [(4, 'R'), (2, 'W'), (1, 'X')];
    bits.iter().filter(|(bit, _)| mode & bit != 0).map(|(_, letter)| *letter).collect()
}

/// A byte string as `b"..."`, shortened when its escaped form is long
/// (data, holes, 256-byte names).
fn bstr(bytes: &[u8]) -> String {
    const MAX_CHARS: usize = 40;
    let escaped = bytes.escape_ascii().to_string();
    if escaped.len() <= MAX_CHARS {
        return format!("b\"{escaped}\"");
    }
    let mut preview = String::new();
    for byte in bytes {
        let next = std::ascii::escape_default(*byte).to_string();
        if preview.len() + next.len() > MAX_CHARS / 2 {
            break;
        }
        preview += &next;
    }
    format!("b\"{preview}…\"({} bytes)", bytes.len())
}

fn errno_name(errno: i32) -> String {
    let name = match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::EMFILE => "EMFILE",
        libc::ETXTBSY => "ETXTBSY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EROFS => "EROFS",
        libc::EMLINK => "EMLINK",
        libc::ERANGE => "ERANGE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ELOOP => "ELOOP",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        _ => return format!("Err({errno})"),
    };
    format!("Err({name})")
}
