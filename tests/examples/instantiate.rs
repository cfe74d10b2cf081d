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
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use strata_e2e::cow::{self, SMALL};
use strata_e2e::run::{self, Status};

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

    let guest = cow::guest(big as u64 - 4);
    let (small_wasm, small_image) = cow::wrapped(&guest, SMALL)?;
    let (big_wasm, big_image) = cow::wrapped(&guest, big)?;
    let small = run::compile(&small_wasm)?;
    let big_module = run::compile(&big_wasm)?;
    drop((small_wasm, big_wasm));
    let [small_ns, big_ns] = cow::instantiation_medians([&small, &big_module], rounds)?.map(|median| median.as_nanos());

    // The image is really there: the last 4 bytes of the big file.
    let outcome = run::run(&big_module, &["instantiate"], &[])?;
    let expected: Vec<u8> = (big - 4..big).map(cow::byte).collect();
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
