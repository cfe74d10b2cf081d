//! Instantiation time of a wrapped module with a 1 MiB and with a 256 MiB
//! image, for `scripts/bench.sh` (docs/benchmarks.md); the approach of
//! `tests/tests/cow.rs`, which checks the same thing as a test.
//!
//! ```text
//! cargo run --release -p strata-e2e --example instantiate [-- --big-mib N] [--rounds N]
//! ```
//!
//! A small guest is wrapped twice, with `/data/big.bin` of 1 MiB and of
//! `--big-mib` MiB (256) packed; both modules are compiled and pre-linked
//! once, then instantiated alternately in fresh stores (3 untimed rounds,
//! then `--rounds`, 30). Prints one line of medians:
//!
//! ```text
//! instantiate small_image=B big_image=B small_ns=T big_ns=T ratio=R
//! ```
//!
//! Then the big module runs once and must print the last 4 bytes of its
//! file, so the image really is there.

use std::env;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use strata_e2e::run::{self, Status};
use strata_e2e::{tree, wrap};

const SMALL: usize = 1 << 20;
/// Untimed rounds first (page tables, allocator, caches).
const WARMUP: usize = 3;

fn main() -> ExitCode {
    match measure() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("instantiate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn measure() -> Result<()> {
    let (mut big_mib, mut rounds) = (256, 30);
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("{arg} needs a number"))?;
        let value: usize = value.parse().ok().filter(|&n| n > 0).with_context(|| format!("{arg} {value}"))?;
        match arg.as_str() {
            "--big-mib" => big_mib = value,
            "--rounds" => rounds = value,
            _ => bail!("usage: instantiate [--big-mib N] [--rounds N]"),
        }
    }
    let big = big_mib << 20;

    let guest = wat::parse_bytes(guest(big as u64 - 4).as_bytes()).context("the guest's text parses")?.into_owned();
    let (small_wasm, small_image) = wrapped(&guest, SMALL)?;
    let (big_wasm, big_image) = wrapped(&guest, big)?;
    let small = run::compile(&small_wasm)?;
    let big_module = run::compile(&big_wasm)?;
    drop((small_wasm, big_wasm));
    let mut pres = Vec::new();
    for module in [&small, &big_module] {
        pres.push(run::linker().instantiate_pre(module).map_err(anyhow::Error::from).context("the module links")?);
    }

    let mut times = [Vec::new(), Vec::new()];
    for round in 0..WARMUP + rounds {
        // Alternate which goes first, so neither always follows the other.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (mut store, _captured) = run::store(&["instantiate"], &[])?;
            let started = Instant::now();
            let instance = pres[which].instantiate(&mut store);
            let elapsed = started.elapsed();
            instance.map_err(anyhow::Error::from).context("the wrapped module instantiates")?;
            drop(store);
            if round >= WARMUP {
                times[which].push(elapsed);
            }
        }
    }
    let [small_ns, big_ns] = times.map(|mut times| median(&mut times).as_nanos());

    // The image is really there: the last 4 bytes of the big file.
    let outcome = run::run(&big_module, &["instantiate"], &[])?;
    let expected: Vec<u8> = (big - 4..big).map(byte).collect();
    if (&outcome.status, &outcome.stdout) != (&Status::Exit(0), &expected) {
        bail!(
            "the big module ran with {} and printed {:?}, not {expected:?}; stderr: {}",
            outcome.status,
            outcome.stdout,
            String::from_utf8_lossy(&outcome.stderr)
        );
    }

    println!(
        "instantiate small_image={small_image} big_image={big_image} small_ns={small_ns} big_ns={big_ns} ratio={:.3}",
        big_ns as f64 / small_ns as f64
    );
    Ok(())
}

/// Byte `i` of the files: varied, never a run of zeros.
fn byte(i: usize) -> u8 {
    (i.wrapping_mul(7).wrapping_add(3) % 251) as u8 ^ (i >> 20) as u8
}

/// Writes `len` pattern bytes to `path` in 1 MiB blocks (no holes).
fn write_file(path: &Path, len: usize) -> Result<()> {
    let mut file = File::create(path)?;
    let mut block = vec![0u8; SMALL];
    for start in (0..len).step_by(SMALL) {
        let block = &mut block[..SMALL.min(len - start)];
        for (offset, b) in block.iter_mut().enumerate() {
            *b = byte(start + offset);
        }
        file.write_all(block)?;
    }
    Ok(())
}

/// A guest that preads 4 bytes of `/data/big.bin` (fd 3) at `offset` and
/// writes them to stdout; a failing call exits with 10 + its errno.
fn guest(offset: u64) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: the path; 16: the opened fd; 32: iovec {{64, 4}}; 48: count; 64: the bytes
  (data (i32.const 0) "big.bin")
  (data (i32.const 32) "\40\00\00\00\04\00\00\00")
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 10) (local.get $errno))))))
  (func (export "_start")
    ;; fd_read | fd_seek | fd_tell | fd_filestat_get
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 7) (i32.const 0)
      (i64.const 0x200026) (i64.const 0) (i32.const 0) (i32.const 16)))
    (call $check (call $fd_pread (i32.load (i32.const 16)) (i32.const 32) (i32.const 1)
      (i64.const {offset}) (i32.const 48)))
    (call $check (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)))))"#
    )
}

/// `guest` wrapped with `/data/big.bin` of `len` bytes packed, and the
/// image's size; the scratch folder (on tmpfs) is gone when this returns.
fn wrapped(guest: &[u8], len: usize) -> Result<(Vec<u8>, usize)> {
    let scratch = tree::scratch();
    let data = scratch.path().join("data");
    fs::create_dir(&data)?;
    write_file(&data.join("big.bin"), len)?;
    let image = wrap::pack(&[(&data, "/data")], scratch.path())?;
    let wasm = wrap::wrap(guest, Some(&image)).with_context(|| format!("wrapping with a {len}-byte file"))?;
    Ok((wasm, image.len()))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
