//! The ABI differential fuzzer: the `abi_fuzz` guest
//! (`fixtures/rust/src/abi_fuzz.rs`) issues random sequences of raw
//! preview1 calls and prints each with its normalized result; it runs once
//! under wasmtime with the fixture tree as host preopens and once wrapped
//! with the same tree packed, and every sequence must print the same.
//!
//! Where the adapter differs from wasmtime on purpose, the difference is
//! in the documented lists (`docs/adapter.md`, "Differences kept, and why";
//! `docs/vfs-linux-differences.md`), and [`DOCUMENTED`] recognizes each
//! one the fuzzer can provoke: a sequence whose first difference is
//! documented is counted under that entry and not compared further (what
//! follows depends on it). Any other difference fails the test: the
//! sequence is shrunk to the fewest steps whose first difference is still
//! undocumented, and printed with both sides' lines. A full run must also
//! provoke every entry of [`DOCUMENTED`], so that none stays listed
//! without being seen.
//!
//! Knobs: `STRATA_ABI_FUZZ_CASES` (sequences, 2000 by default: seconds),
//! `STRATA_ABI_FUZZ_SEED` (the first; 0 by default). A long run:
//!
//!   STRATA_ABI_FUZZ_CASES=100000 cargo test --test abi_fuzz -- --nocapture   # about 2.5 min

use std::collections::BTreeMap;
use std::env;
use std::fs;

use strata_e2e::fixtures::{run_host, ABI_FUZZ};
use strata_e2e::run::{self, Outcome};
use strata_e2e::{tree, wrap};

/// Steps per sequence: the guest's `STEPS`.
const STEPS: u32 = 40;
/// Sequences in `cargo test`.
const DEFAULT_CASES: u64 = 2000;
/// Sequences per run of the guest.
const BATCH: u64 = 200;
/// How many differing sequences are shrunk and shown.
const SHOWN: usize = 4;

fn knob(name: &str, default: u64) -> u64 {
    env::var(name).ok().map_or(default, |value| value.parse().unwrap_or_else(|_| panic!("{name}={value}: a number")))
}

/// Both sides of one run of the guest with `args`.
struct Sides {
    guest: Vec<u8>,
    wrapped: wasmtime::Module,
}

impl Sides {
    /// The guest, and it wrapped with the fixture tree packed.
    fn new() -> Sides {
        let guest = fs::read(ABI_FUZZ).unwrap();
        let scratch = tree::scratch();
        let bytes = wrap::wrap_tree(&guest, &tree::make(scratch.path())).unwrap();
        Sides { wrapped: run::module(&bytes).unwrap(), guest }
    }

    fn run(&self, args: &[&str]) -> (Outcome, Outcome) {
        let argv: Vec<&str> = ["abi_fuzz"].iter().chain(args).copied().collect();
        let host = run_host(&self.guest, &argv);
        let wrapped = run::run(&self.wrapped, &argv, &[]).unwrap_or_else(|error| panic!("{argv:?} wrapped: {error:#}"));
        (host, wrapped)
    }

    /// Whether these steps of sequence `seed` still differ in a way no
    /// entry documents (or end otherwise on the two sides).
    fn differ(&self, seed: u64, steps: &[u32]) -> bool {
        let steps: Vec<String> = steps.iter().map(u32::to_string).collect();
        let (host, wrapped) = self.run(&[&seed.to_string(), "1", &steps.join(",")]);
        host.status != wrapped.status
            || verdict(&String::from_utf8_lossy(&host.stdout), &String::from_utf8_lossy(&wrapped.stdout))
                == Verdict::Undocumented
    }

    /// The fewest steps of sequence `seed` that still differ (removing
    /// runs of steps, halving their length: delta debugging), and both
    /// sides' output for them.
    fn shrink(&self, seed: u64) -> (Vec<u32>, Outcome, Outcome) {
        let mut steps: Vec<u32> = (0..STEPS).collect();
        let mut chunk = steps.len() / 2;
        while chunk >= 1 {
            let mut at = 0;
            while at < steps.len() {
                let candidate: Vec<u32> =
                    steps.iter().enumerate().filter(|(i, _)| *i < at || *i >= at + chunk).map(|(_, &s)| s).collect();
                if self.differ(seed, &candidate) {
                    steps = candidate;
                } else {
                    at += chunk;
                }
            }
            chunk /= 2;
        }
        let list: Vec<String> = steps.iter().map(u32::to_string).collect();
        let (host, wrapped) = self.run(&[&seed.to_string(), "1", &list.join(",")]);
        (steps, host, wrapped)
    }
}

/// A documented difference: where it is written down, and whether a
/// first differing pair of lines (the host's, the wrapped module's) is it.
struct Documented {
    entry: &'static str,
    is: fn(host: &str, wrapped: &str) -> bool,
}

/// The call a printed line starts with: `22 pwrite@70000(...` → `pwrite`.
fn call(line: &str) -> &str {
    let line = line.get(3..).unwrap_or_default();
    line.split(['(', '@']).next().unwrap_or_default()
}

/// The errno a printed line reports for its call.
fn result(line: &str) -> &str {
    line.split(" -> ").nth(1).and_then(|rest| rest.split([' ', ';']).next()).unwrap_or_default()
}

/// The entries of the documented lists the fuzzer can provoke. The others
/// are exercised too but print nothing that differs: inode numbers
/// (normalized), running as root (preview1 shows no permission bits),
/// `fd_advise` only validating, `path_symlink` refusing an absolute target
/// (wasmtime does too). (The list said host call fuel was not emulated; the
/// fuzzer's reads past 128 MiB showed it is, and the entry went.)
const DOCUMENTED: &[Documented] = &[
    Documented {
        entry: "docs/vfs-linux-differences.md 11: files are at most 4 GiB",
        is: |host, wrapped| {
            matches!(call(host), "write" | "pwrite" | "fd_filestat_set_size")
                && result(host) == "ok"
                && result(wrapped) == "FBIG"
        },
    },
    Documented {
        entry: "docs/adapter.md: symlinks resolve in the guest's namespace",
        is: |host, wrapped| result(host) == "PERM" && result(wrapped) != "PERM",
    },
    Documented {
        entry: "docs/adapter.md: trailing slashes (and a final ..) follow Linux",
        is: |host, _| host.split('"').skip(1).step_by(2).any(|path| path.ends_with('/') || path.ends_with("/..")),
    },
    Documented {
        entry: "docs/adapter.md: fd_readdir cookies are stable positions, entries in name order",
        is: |host, _| call(host) == "fd_readdir",
    },
    Documented {
        entry: "docs/adapter.md: reads are not cut at 64 KiB",
        is: |host, wrapped| {
            matches!(call(host), "read" | "pread")
                && result(host) == "ok"
                && host.contains("n=65536 ")
                && result(wrapped) == "ok"
        },
    },
    Documented {
        entry: "docs/adapter.md: poll_oneoff mixing virtual files with clocks returns the files' events alone",
        is: |host, _| call(host) == "poll_oneoff",
    },
];

/// How one sequence compares.
#[derive(Debug, PartialEq)]
enum Verdict {
    Same,
    /// Its first difference is `DOCUMENTED[i]`.
    Documented(usize),
    /// Its first difference is not documented: a bug, or a new entry.
    Undocumented,
}

fn verdict(host: &str, wrapped: &str) -> Verdict {
    let (host_lines, wrapped_lines): (Vec<&str>, Vec<&str>) = (host.lines().collect(), wrapped.lines().collect());
    let Some(at) = (0..host_lines.len().max(wrapped_lines.len())).find(|&i| host_lines.get(i) != wrapped_lines.get(i))
    else {
        return Verdict::Same;
    };
    let (host, wrapped) = (host_lines.get(at).copied().unwrap_or(""), wrapped_lines.get(at).copied().unwrap_or(""));
    match DOCUMENTED.iter().position(|documented| (documented.is)(host, wrapped)) {
        Some(index) => Verdict::Documented(index),
        None => Verdict::Undocumented,
    }
}

/// `== sequence N` blocks of a run's stdout, by N.
fn sequences(stdout: &[u8]) -> BTreeMap<u64, String> {
    let text = String::from_utf8_lossy(stdout);
    let mut found = BTreeMap::new();
    for block in text.split("== sequence ").skip(1) {
        let (seed, _) = block.split_once('\n').unwrap_or((block, ""));
        found.insert(seed.trim().parse().expect("a sequence number"), block.to_owned());
    }
    found
}

#[test]
fn every_call_of_random_sequences_answers_wrapped_as_on_the_host() {
    let sides = Sides::new();
    let (first, cases) = (knob("STRATA_ABI_FUZZ_SEED", 0), knob("STRATA_ABI_FUZZ_CASES", DEFAULT_CASES));

    let batches: Vec<(u64, u64)> =
        (first..first + cases).step_by(BATCH as usize).map(|at| (at, BATCH.min(first + cases - at))).collect();
    let (differing, documented) = std::thread::scope(|scope| {
        let workers: Vec<_> = [0, 1]
            .map(|worker| {
                let (sides, batches) = (&sides, &batches);
                scope.spawn(move || {
                    let (mut differing, mut documented) = (Vec::new(), vec![0u64; DOCUMENTED.len()]);
                    for &(at, count) in batches.iter().skip(worker).step_by(2) {
                        let (host, wrapped) = sides.run(&[&at.to_string(), &count.to_string()]);
                        assert_eq!(
                            host.status,
                            run::Status::Exit(0),
                            "the host run of {at}..: {}",
                            String::from_utf8_lossy(&host.stderr)
                        );
                        let (host_seqs, wrapped_seqs) = (sequences(&host.stdout), sequences(&wrapped.stdout));
                        assert_eq!(host_seqs.len() as u64, count, "the host run printed every sequence");
                        for (seed, text) in &host_seqs {
                            match verdict(text, wrapped_seqs.get(seed).map_or("", String::as_str)) {
                                Verdict::Same => {}
                                Verdict::Documented(index) => documented[index] += 1,
                                Verdict::Undocumented => differing.push(*seed),
                            }
                        }
                        if wrapped.status != host.status {
                            differing.push(*wrapped_seqs.keys().last().unwrap_or(&at));
                        }
                    }
                    (differing, documented)
                })
            })
            .into();
        let (mut all, mut documented) = (Vec::new(), vec![0u64; DOCUMENTED.len()]);
        for worker in workers {
            let (differing, counts) = worker.join().unwrap();
            all.extend(differing);
            documented.iter_mut().zip(counts).for_each(|(total, count)| *total += count);
        }
        all.sort();
        all.dedup();
        (all, documented)
    });
    println!("abi_fuzz: {cases} sequences of {STEPS} calls from seed {first}: {} differ undocumented", differing.len());
    for (entry, count) in DOCUMENTED.iter().zip(&documented) {
        println!("  {count:6} end at a documented difference: {}", entry.entry);
    }

    let mut report = String::new();
    for &seed in differing.iter().take(SHOWN) {
        let all_steps: Vec<u32> = (0..STEPS).collect();
        if !sides.differ(seed, &all_steps) {
            // Alone it agrees: the sequences before it in its batch left
            // the instance otherwise (descriptor numbers, shared files).
            let batch = first + (seed - first) / BATCH * BATCH;
            report.push_str(&format!(
                "sequence {seed} differs only after the ones before it: rerun `abi_fuzz {batch} {}`\n",
                seed - batch + 1
            ));
            continue;
        }
        let (steps, host, wrapped) = sides.shrink(seed);
        let list: Vec<String> = steps.iter().map(u32::to_string).collect();
        report.push_str(&format!(
            "sequence {seed}, shrunk to steps {} (rerun: `abi_fuzz {seed} 1 {}`):\n--- host ({})\n{}--- wrapped ({})\n{}\n",
            list.join(","),
            list.join(","),
            host.status,
            String::from_utf8_lossy(&host.stdout),
            wrapped.status,
            String::from_utf8_lossy(&wrapped.stdout),
        ));
    }
    // Every documented entry shows in a full run (a shorter one may miss
    // the rarer ones).
    if cases >= DEFAULT_CASES {
        for (entry, count) in DOCUMENTED.iter().zip(&documented) {
            assert!(*count > 0, "{cases} sequences never provoked a documented difference: {}", entry.entry);
        }
    }
    assert!(
        differing.is_empty(),
        "{} of {cases} sequences differ ({:?}...); the first {} shrunk:\n\n{report}",
        differing.len(),
        &differing[..differing.len().min(20)],
        SHOWN.min(differing.len())
    );
}

/// Each sequence run to its end and then one call that wasmtime's bindings
/// refuse with a trap (a buffer running past the end of memory, an unknown
/// flag bit): both sides must trap or not alike, after printing the same.
/// Sequences whose steps already ended at a documented difference are
/// left out (what follows depends on it). `STRATA_ABI_FUZZ_CASES / 10`
/// of them, each its own instance on a fresh tree.
#[test]
fn a_hostile_last_call_traps_wrapped_where_it_traps_on_the_host() {
    let sides = Sides::new();
    let (first, cases) = (knob("STRATA_ABI_FUZZ_SEED", 0), knob("STRATA_ABI_FUZZ_CASES", DEFAULT_CASES) / 10);
    let all_steps: Vec<String> = (0..STEPS).map(|step| step.to_string()).collect();
    let all_steps = all_steps.join(",");
    let (mut trapped, mut left_out, mut failures) = (0, 0, Vec::new());
    for seed in first..first + cases {
        let (host, wrapped) = sides.run(&[&seed.to_string(), "1", &all_steps, "trap"]);
        let (host_out, wrapped_out) = (String::from_utf8_lossy(&host.stdout), String::from_utf8_lossy(&wrapped.stdout));
        let steps_of =
            |out: &str| out.lines().take_while(|line| !line.starts_with("trap next:")).collect::<Vec<_>>().join("\n");
        if matches!(verdict(&steps_of(&host_out), &steps_of(&wrapped_out)), Verdict::Documented(_)) {
            left_out += 1;
            continue;
        }
        trapped += usize::from(host.status.trapped());
        if host.status.trapped() != wrapped.status.trapped() || host_out != wrapped_out {
            let last = |out: &str| out.lines().rev().take(2).collect::<Vec<_>>().join(" / ");
            failures.push(format!(
                "sequence {seed} (rerun: `abi_fuzz {seed} 1 {all_steps} trap`): host {} after `{}`; wrapped {} after `{}`",
                host.status,
                last(&host_out),
                wrapped.status,
                last(&wrapped_out)
            ));
        }
    }
    println!("abi_fuzz trap: {cases} sequences, {trapped} trapped on both sides, {left_out} left out (documented)");
    assert!(trapped > 0 || cases == 0, "no hostile call trapped: the test tests nothing");
    assert!(failures.is_empty(), "{} of {cases} differ:\n{}", failures.len(), failures.join("\n"));
}
