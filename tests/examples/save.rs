//! What saving costs: a wrapped module with a large image, whose guest
//! changes one small file and exits, run with and without its save at
//! exit; for `scripts/bench-save.sh` (docs/benchmarks.md).
//!
//! ```text
//! cargo run --release -p strata-e2e --example save [-- --image-mib N] [--rounds N]
//! ```
//!
//! The image holds `/srv/big/`, `--image-mib` files of 1 MiB (100), and
//! `/srv/small.txt`. The guest (the C fixture `mounts`, mode `touch`)
//! appends a line to `small.txt`. Each round runs the module twice in
//! fresh stores, alternately: with `STRATA_SAVE=` (no save) and saving to
//! a host directory on tmpfs (`/dev/shm`); then copies the same number
//! of bytes natively with `std::fs::copy` into that directory, as the
//! baseline of writing that much. Medians over `--rounds` (10) after one
//! untimed round:
//!
//! ```text
//! save image=B nosave_ms=T save_ms=T cost_ms=T copy_ms=T cost/copy=R
//! ```
//!
//! The saved image is opened, its data checksum verified and the changed
//! file read back, so the number is for a correct save.

use std::env;
use std::fs;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::run::{self, Invocation, Preopen, Status};
use strata_e2e::{tree, wrap};
use strata_vfs::image::Image;

fn main() -> ExitCode {
    match measure() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("save: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn measure() -> Result<()> {
    let (mut image_mib, mut rounds) = (100, 10);
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("{arg} needs a number"))?;
        let value: usize = value.parse().ok().filter(|&n| n > 0).with_context(|| format!("{arg} {value}"))?;
        match arg.as_str() {
            "--image-mib" => image_mib = value,
            "--rounds" => rounds = value,
            _ => bail!("usage: save [--image-mib N] [--rounds N]"),
        }
    }

    let scratch = tree::scratch();
    let site = scratch.path().join("site");
    fs::create_dir_all(site.join("big"))?;
    let mut chunk: Vec<u8> = (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    for n in 0..image_mib {
        chunk[0] = n as u8;
        fs::write(site.join(format!("big/{n:04}")), &chunk)?;
    }
    fs::write(site.join("small.txt"), "small\n")?;
    let image = wrap::pack_mappings(vec![wrap::dir(&site, "/srv")?], Some("/out/state.img"), scratch.path())?;
    fs::remove_dir_all(&site)?;
    let guest = Fixture::get(Language::C, "mounts").wasm()?;
    let module = run::compile(&wrap::wrap(&guest, Some(&image))?)?;
    let out = scratch.path().join("out");
    fs::create_dir(&out)?;

    let argv = ["mounts", "touch", "/srv/small.txt"];
    let preopens = [Preopen { host: &out, guest: "/out" }];
    let run_once = |env: &[(&str, &str)]| -> Result<Duration> {
        let started = Instant::now();
        let invocation = Invocation { argv: &argv, env, preopens: &preopens };
        let outcome = run::run_with(run::linker(), &module, &invocation, run::command)?;
        let took = started.elapsed();
        ensure!(outcome.status == Status::Exit(0), "the guest failed: {}", String::from_utf8_lossy(&outcome.stderr));
        Ok(took)
    };
    let copy_source = scratch.path().join("copy-source");
    fs::write(&copy_source, &image)?;
    let copy_once = || -> Result<Duration> {
        let target = out.join("copy");
        let started = Instant::now();
        fs::copy(&copy_source, &target)?;
        let took = started.elapsed();
        fs::remove_file(&target)?;
        Ok(took)
    };

    let (mut nosave, mut save, mut copy) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        let times = [run_once(&[("STRATA_SAVE", "")])?, run_once(&[])?, copy_once()?];
        if round > 0 {
            nosave.push(times[0]);
            save.push(times[1]);
            copy.push(times[2]);
        }
    }

    let saved = fs::read(out.join("state.img"))?;
    let opened = Image::open(&saved).map_err(|error| anyhow::anyhow!("the saved image: {error}"))?;
    opened.verify_data().map_err(|error| anyhow::anyhow!("the saved image: {error}"))?;
    let check = scratch.path().join("check");
    strata::extract::extract(&opened, &check)?;
    ensure!(fs::read_to_string(check.join("srv/small.txt"))? == "small\ntouched\n", "the change was not saved");
    ensure!(fs::read_dir(check.join("srv/big"))?.count() == image_mib, "a file went missing");
    drop(check);

    let ms = |times: &mut Vec<Duration>| median(times).as_secs_f64() * 1000.0;
    let (nosave_ms, save_ms, copy_ms) = (ms(&mut nosave), ms(&mut save), ms(&mut copy));
    let cost = save_ms - nosave_ms;
    println!(
        "save image={} nosave_ms={nosave_ms:.2} save_ms={save_ms:.2} cost_ms={cost:.2} copy_ms={copy_ms:.2} cost/copy={:.2}",
        saved.len(),
        cost / copy_ms
    );
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
