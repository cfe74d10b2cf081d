//! A wrapped guest that runs out of what the module has, and goes on:
//! filling the adapter's memory (at most 4 GiB) with one file ends in
//! ENOSPC, not a trap, with the file intact and the filesystem usable;
//! opening descriptors until the limit ends in EMFILE, and closing them
//! makes room again. The guest is `fixtures/rust/src/bin/limits.rs`.

use std::fs;

use strata_e2e::fixtures::LIMITS;
use strata_e2e::run::{self, Status};
use strata_e2e::{tree, wrap};

fn run_wrapped(mode: &str) -> String {
    let guest = fs::read(LIMITS).unwrap();
    let scratch = tree::scratch();
    let wrapped = wrap::wrap_tree(&guest, &tree::make(scratch.path())).unwrap();
    let outcome = run::run_wasm(&wrapped, &["limits", mode], &[]).unwrap();
    assert_eq!(outcome.status, Status::Exit(0), "limits {mode}: {}", String::from_utf8_lossy(&outcome.stderr));
    String::from_utf8(outcome.stdout).unwrap()
}

/// The number after `key=` in `text`.
fn number(text: &str, key: &str) -> u64 {
    let at = text.find(key).unwrap_or_else(|| panic!("no {key} in {text}")) + key.len();
    text[at..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn filling_memory_with_a_file_is_enospc_and_the_filesystem_goes_on() {
    let out = run_wrapped("memory");
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("filled: StorageFull (errno 51) MiB="), "{out}");
    // All of the 4 GiB but the adapter's own data, the image, the metadata
    // of 4096 chunks and the reserve of infallible allocations.
    let mib = number(first, "MiB=");
    assert!((3900..4096).contains(&mib), "filled {mib} MiB of 4096:\n{out}");
    let rest: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        rest,
        ["size matches: true", "head reads back: true", "remove: Ok(())", "write after: Ok(())", "read after: true"],
        "{out}"
    );
}

#[test]
fn opening_fds_until_the_limit_is_emfile_and_closing_makes_room() {
    let out = run_wrapped("fds");
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("opened until: Uncategorized (errno 33) count="), "{out}"); // EMFILE
    assert!(number(first, "count=") > 1000, "{out}");
    assert_eq!(out.lines().nth(1), Some(r#"open after: Ok(()) "hello, strata\n""#), "{out}");
}
