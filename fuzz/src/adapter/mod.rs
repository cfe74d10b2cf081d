//! `adapter_abi`: the adapter's exports called directly on the host, as a
//! hostile guest calls them, with any fd, pointer, length, flag and cookie.
//!
//! An input is a fresh instance (a guest memory of 0 to 3 pages laid out
//! by [`memory`], one of [`crate::images`] or none), then up to
//! [`MAX_STEPS`] steps, each a call of an export with arguments drawn by
//! [`args`], or a setup step writing bytes into guest memory. A trap or an
//! exit ends the instance, and so the input.
//!
//! What must hold (a violation panics, which libFuzzer reports):
//! - no call panics in the adapter or strata-vfs (that aborts: a crash);
//! - every export returns a preview1 errno (0..=76);
//! - only `proc_exit` and `strata_finish` end the instance by exiting, with
//!   the code the save rule gives; `strata_save` is ENOENT (no host
//!   preopen to save into, or no save path);
//! - an fd `path_open` just returned answers `fd_fdstat_get` and
//!   `fd_filestat_get`;
//! - at the end, fds 0..16 answer `fd_fdstat_get`, `fd_filestat_get` and
//!   `fd_prestat_get` with success or EBADF, never another errno or a
//!   trap.
//!
//! `STRATA_FUZZ_TRACE=1` prints every step (for reproducing a crash).

mod arena;
pub mod args;
pub mod exports;
mod fiber;
pub mod instance;
pub mod memory;
#[cfg(test)]
mod seeds;

use arbitrary::{Result, Unstructured};
use strata_adapter::guest::fuzzing::Stop;

pub use arena::Routed;

use crate::images;
use args::Args;
use exports::{by_name, EXPORTS};
use instance::Outcome;
use memory::{IOVS, OUT, PATHS, PROBE, SUBS};

/// Steps per input, at most.
pub const MAX_STEPS: usize = 64;
/// preview1's highest errno (`notcapable`).
const ERRNO_MAX: i32 = 76;
const BADF: i32 = 8;
const NOENT: i32 = 44;

/// What an input starts from.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    pub pages: u32,
    pub image: Option<&'static [u8]>,
    /// Whether the image names a save path (the exit rule depends on it).
    pub saves: bool,
}

/// One decoded step.
#[derive(Debug)]
pub enum Step {
    /// Bytes the guest writes into its own memory.
    Poke {
        at: u32,
        bytes: Vec<u8>,
    },
    Call {
        export: usize,
        args: Vec<i64>,
    },
}

/// Runs one input; each call's export and outcome, in order.
pub fn run(data: &[u8]) -> Vec<(&'static str, Outcome)> {
    let trace = std::env::var_os("STRATA_FUZZ_TRACE").is_some();
    let mut u = Unstructured::new(data);
    let mut calls = Vec::new();
    let Ok(start) = start(&mut u) else { return calls };
    if trace {
        eprintln!("start: {} pages, image {}", start.pages, start.image.map_or(0, <[u8]>::len));
    }
    instance::reset(start.image);
    memory::lay_out(start.pages);
    let mut opened = Vec::new();
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        let Ok(step) = step(&mut u, start.pages * 65536, &opened) else { break };
        match step {
            Step::Poke { at, bytes } => {
                if trace {
                    eprintln!("poke {at:#x} {bytes:02x?}");
                }
                memory::poke(at, &bytes);
            }
            Step::Call { export, args } => {
                let outcome = instance::call(|| (EXPORTS[export].call)(&args));
                if trace {
                    eprintln!("{}{args:?} = {outcome:?}", EXPORTS[export].name);
                }
                calls.push((EXPORTS[export].name, outcome));
                if !check(&start, export, &args, outcome, &mut opened) {
                    return calls;
                }
            }
        }
    }
    if start.pages > 0 {
        final_checks();
    }
    calls
}

/// How an input starts: its first two bytes.
pub fn start(u: &mut Unstructured) -> Result<Start> {
    let pages = match u.int_in_range(0..=7)? {
        0 => 0,
        1..=5 => 1,
        6 => 2,
        _ => 3,
    };
    Ok(match u.int_in_range(0..=3)? {
        0 => Start { pages, image: None, saves: false },
        1 | 2 => Start { pages, image: Some(images::preopens()), saves: true },
        _ => Start { pages, image: Some(images::read_only_root()), saves: false },
    })
}

/// The next step: one byte says which kind (1 in 8 a poke).
pub fn step(u: &mut Unstructured, end: u32, opened: &[u32]) -> Result<Step> {
    if u.int_in_range(0..=7)? == 0 {
        let base = [OUT, IOVS, SUBS, PATHS, 0][u.int_in_range(0..=4)? as usize];
        let at = base + u.int_in_range(0..=255)?;
        let len = u.int_in_range(0..=48)?;
        let bytes = u.bytes(len)?.to_vec();
        return Ok(Step::Poke { at, bytes });
    }
    let export = u.int_in_range(0..=EXPORTS.len() - 1)?;
    let mut args = Args::new(u, end, opened);
    let values = EXPORTS[export].kinds.iter().map(|&kind| args.value(kind)).collect::<Result<Vec<_>>>()?;
    Ok(Step::Call { export, args: values })
}

/// Checks one call's outcome; whether the instance lives on.
fn check(start: &Start, export: usize, args: &[i64], outcome: Outcome, opened: &mut Vec<u32>) -> bool {
    let name = EXPORTS[export].name;
    let what = || format!("{name}{args:?} = {outcome:?}");
    match outcome {
        Outcome::Returned(code) => {
            assert!((0..=ERRNO_MAX).contains(&code), "not a preview1 errno: {}", what());
            if name == "strata_save" {
                assert_eq!(code, NOENT, "strata_save with nowhere to save: {}", what());
            }
            assert!(name != "strata_finish" || !start.saves, "strata_finish returned after a failed save: {}", what());
            if code == 0 && (name == "path_open" || name == "sock_accept") {
                let out = *args.last().expect("an out pointer") as u32;
                let fd = memory::peek_u32(out).expect("a result inside memory");
                probe_opened(fd, &what());
                if opened.len() < 16 {
                    opened.push(fd);
                }
            }
            true
        }
        Outcome::Stopped(Stop::Trap) => false,
        Outcome::Stopped(Stop::Exit(code)) => {
            let asked = match name {
                "proc_exit" => args[0] as u32,
                "strata_finish" => 0,
                _ => panic!("only proc_exit and strata_finish exit: {}", what()),
            };
            // The save fails (there is no host preopen): 1 in place of 0.
            let expected = if start.saves && asked == 0 { 1 } else { asked };
            assert_eq!(code, expected, "exit code: {}", what());
            false
        }
    }
}

/// Calls an export as the target's own check; its result.
fn probe(name: &str, args: &[i64]) -> Outcome {
    instance::call(|| (EXPORTS[by_name(name)].call)(args))
}

/// A fd just handed out must be usable.
fn probe_opened(fd: u32, after: &str) {
    for name in ["fd_fdstat_get", "fd_filestat_get"] {
        let outcome = probe(name, &[fd as i64, PROBE as i64]);
        assert_eq!(outcome, Outcome::Returned(0), "{name}({fd}) after {after}");
    }
}

/// Every fd from 0 to 15 is a descriptor or EBADF, whatever the input did.
fn final_checks() {
    for fd in 0..16 {
        for name in ["fd_fdstat_get", "fd_filestat_get", "fd_prestat_get"] {
            let outcome = probe(name, &[fd, PROBE as i64]);
            assert!(
                matches!(outcome, Outcome::Returned(0 | BADF)),
                "{name}({fd}) at the end of the input = {outcome:?}"
            );
        }
    }
}
