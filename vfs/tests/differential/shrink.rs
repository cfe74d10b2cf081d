//! Shrinks a failing sequence by delta debugging: drop chunks of ops
//! (halves, quarters, ... single ops) while the sequence still fails, then
//! point descriptor uses at lower slots, then make the remaining ops simpler
//! (shorter data, smaller numbers, tidier paths), and repeat until nothing
//! changes or the budget is spent.
//!
//! A candidate is kept whenever it fails at all, not necessarily in the same
//! way; the report shows the divergence of the final sequence.

use crate::ops::{Op, Slot};

/// Upper bound on calls to the predicate; each one runs both targets.
const MAX_ATTEMPTS: usize = 2000;

/// The smallest sequence found that still `fails`, starting from `ops`
/// (which must fail).
pub fn shrink(ops: Vec<Op>, fails: impl FnMut(&[Op]) -> bool) -> Vec<Op> {
    let mut shrinker = Shrinker { fails, attempts_left: MAX_ATTEMPTS };
    let mut ops = ops;
    loop {
        let removed = shrinker.remove_chunks(&mut ops);
        let lowered = shrinker.lower_slots(&mut ops);
        let simplified = shrinker.simplify_ops(&mut ops);
        if !(removed || lowered || simplified) || shrinker.attempts_left == 0 {
            return ops;
        }
    }
}

struct Shrinker<F> {
    fails: F,
    attempts_left: usize,
}

impl<F: FnMut(&[Op]) -> bool> Shrinker<F> {
    fn still_fails(&mut self, candidate: &[Op]) -> bool {
        if self.attempts_left == 0 {
            return false;
        }
        self.attempts_left -= 1;
        (self.fails)(candidate)
    }

    /// One ddmin-style pass from chunks of half the length down to single
    /// ops. Returns whether anything was removed.
    fn remove_chunks(&mut self, ops: &mut Vec<Op>) -> bool {
        let mut removed = false;
        let mut chunk = (ops.len() / 2).max(1);
        loop {
            let mut start = 0;
            while start < ops.len() {
                let end = (start + chunk).min(ops.len());
                let candidate: Vec<Op> = ops[..start].iter().chain(&ops[end..]).cloned().collect();
                if self.still_fails(&candidate) {
                    *ops = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if chunk == 1 {
                return removed;
            }
            chunk /= 2;
        }
    }

    /// Moves every use of a slot to a lower slot where that still fails.
    /// Slots number the successful opens, so an op that opened a descriptor
    /// the failure needs cannot be removed while later ops count on it; once
    /// they use an earlier descriptor instead, it can.
    fn lower_slots(&mut self, ops: &mut Vec<Op>) -> bool {
        let mut used: Vec<Slot> = ops.iter().filter_map(slot_of).collect();
        used.sort_unstable();
        used.dedup();
        let mut lowered = false;
        for &from in used.iter().rev() {
            for to in 0..from {
                let candidate = with_slot_moved(ops, from, to);
                if self.still_fails(&candidate) {
                    *ops = candidate;
                    lowered = true;
                    break;
                }
            }
        }
        lowered
    }

    /// Replaces single ops by simpler versions that still fail.
    fn simplify_ops(&mut self, ops: &mut [Op]) -> bool {
        let mut simplified = false;
        for i in 0..ops.len() {
            // Every simpler version is strictly smaller, so this terminates.
            'op: loop {
                for simpler in simpler_versions(&ops[i]) {
                    let original = std::mem::replace(&mut ops[i], simpler);
                    if self.still_fails(ops) {
                        simplified = true;
                        continue 'op;
                    }
                    ops[i] = original;
                }
                break;
            }
        }
        simplified
    }
}

fn with_slot_moved(ops: &[Op], from: Slot, to: Slot) -> Vec<Op> {
    let mut moved = ops.to_vec();
    for op in &mut moved {
        if let Some(slot) = slot_mut(op) {
            if *slot == from {
                *slot = to;
            }
        }
    }
    moved
}

fn slot_of(op: &Op) -> Option<Slot> {
    slot_mut(&mut op.clone()).copied()
}

fn slot_mut(op: &mut Op) -> Option<&mut Slot> {
    match op {
        Op::Close(slot)
        | Op::Dup(slot)
        | Op::Fsync(slot)
        | Op::Fstat(slot)
        | Op::Fchdir(slot)
        | Op::Getdents(slot)
        | Op::Read { slot, .. }
        | Op::Write { slot, .. }
        | Op::Pread { slot, .. }
        | Op::Pwrite { slot, .. }
        | Op::Lseek { slot, .. }
        | Op::Ftruncate { slot, .. }
        | Op::Fallocate { slot, .. }
        | Op::Fchmod { slot, .. }
        | Op::Flock { slot, .. } => Some(slot),
        _ => None,
    }
}

/// Strictly smaller variants of `op`, most aggressive first.
fn simpler_versions(op: &Op) -> Vec<Op> {
    let mut versions = Vec::new();
    let mut with = |change: &dyn Fn(&mut Op)| {
        let mut version = op.clone();
        change(&mut version);
        if version != *op {
            versions.push(version);
        }
    };
    match op {
        Op::Write { .. } | Op::Pwrite { .. } => {
            with(&|op| data_mut(op).truncate(1));
            with(&|op| {
                let data = data_mut(op);
                data.truncate(data.len() / 2);
            });
        }
        _ => {}
    }
    for number in 0..numbers_mut(&mut op.clone()).len() {
        with(&|op| *numbers_mut(op)[number] = 0);
        with(&|op| *numbers_mut(op)[number] /= 2);
    }
    for path in 0..paths_mut(&mut op.clone()).len() {
        with(&|op| tidy_path(paths_mut(op).swap_remove(path)));
    }
    versions
}

fn data_mut(op: &mut Op) -> &mut Vec<u8> {
    match op {
        Op::Write { data, .. } | Op::Pwrite { data, .. } => data,
        _ => unreachable!("only called on writes"),
    }
}

/// Offsets and lengths, whose smaller values make a report easier to read.
fn numbers_mut(op: &mut Op) -> Vec<&mut u64> {
    match op {
        Op::Pread { offset, .. } | Op::Pwrite { offset, .. } => vec![offset],
        Op::Ftruncate { len, .. } | Op::Truncate { len, .. } => vec![len],
        Op::Fallocate { offset, len, .. } => vec![offset, len],
        _ => Vec::new(),
    }
}

fn paths_mut(op: &mut Op) -> Vec<&mut Vec<u8>> {
    match op {
        Op::Open { path, .. }
        | Op::Truncate { path, .. }
        | Op::Stat(path)
        | Op::Lstat(path)
        | Op::Mkdir { path, .. }
        | Op::Rmdir(path)
        | Op::Unlink(path)
        | Op::Readlink(path)
        | Op::Chmod { path, .. }
        | Op::Chown { path, .. }
        | Op::Access { path, .. }
        | Op::Chdir(path)
        | Op::ListDir(path) => vec![path],
        Op::Link { old, new, .. } | Op::Rename { old, new, .. } => vec![old, new],
        Op::Symlink { target, path } => vec![target, path],
        _ => Vec::new(),
    }
}

/// Collapses `//` and drops a trailing slash; both shorten the path.
fn tidy_path(path: &mut Vec<u8>) {
    path.dedup_by(|b, a| *a == b'/' && *b == b'/');
    if path.len() > 1 && path.ends_with(b"/") {
        path.pop();
    }
}
