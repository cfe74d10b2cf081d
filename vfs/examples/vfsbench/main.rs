//! `vfsbench`: fsbench's workloads (`fixtures/bench`) done directly on
//! strata-vfs, with no adapter and no preview1 in between: what strata-vfs
//! alone costs in a wrapped fsbench (`scripts/bench.sh`, configuration (e);
//! docs/benchmarks.md).
//!
//! ```text
//! vfsbench WORKLOAD IMAGE [--packed] [--files N] [--big-mib N] [--ops N] [--passes N]
//! ```
//!
//! Built for wasm32-wasip1 with the profile strata-adapter is built with
//! (`cargo build -p strata-vfs --example vfsbench --target wasm32-wasip1
//! --profile adapter`) and run under the wasmtime CLI, so strata-vfs is
//! compiled and run as in the adapter. IMAGE is a host path (a `--dir`) of
//! an image `strata pack` made with one mount, set up as the adapter sets
//! up a wrapped module's: [`Vfs::with_image`], the mount opened as the
//! preopen, every path relative to it. The options and the output line,
//! `WORKLOAD ops=N bytes=B ns=T`, are fsbench's; each workload makes the
//! strata-vfs calls the adapter makes for fsbench's preview1 calls
//! ([`calls`]), in the same numbers, timed with `Instant` around the
//! workload alone. Setup (untimed) is done on strata-vfs too; `--packed`
//! skips it, for an image of the tree `fsbench make-tree` makes.

mod calls;
mod workloads;

use std::env;
use std::fs::File;
use std::io::Read;
use std::process::ExitCode;
use std::time::SystemTime;

use strata_vfs::image::format::preopen_tree_path;
use strata_vfs::image::Image;
use strata_vfs::{Clock, MountOptions, Timespec, Vfs};

use calls::Preview1;
use workloads::Sizes;

const USAGE: &str = "usage: vfsbench WORKLOAD IMAGE [--packed] [--files N] [--big-mib N] [--ops N] [--passes N]
workloads: create stat stat-small stat-few readdir open-read-close seq-write seq-read pread append deep-stat rename-unlink
IMAGE: a packed image with one mount, the directory the workload runs in
--packed: the read-only workloads on an image of the tree fsbench make-tree makes: no setup";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("vfsbench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut sizes = Sizes { files: 10_000, big_mib: 256, ops: 100_000, passes: 20 };
    let mut packed = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = rest.next().ok_or_else(|| format!("{name} needs a number\n{USAGE}"))?;
            match value.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} {value}: not a positive number")),
            }
        };
        match arg.as_str() {
            "--packed" => packed = true,
            "--files" => sizes.files = number("--files")?,
            "--big-mib" => sizes.big_mib = number("--big-mib")?,
            "--ops" => sizes.ops = number("--ops")?,
            "--passes" => sizes.passes = number("--passes")?,
            option if option.starts_with("--") => return Err(format!("unknown option {option}\n{USAGE}")),
            _ => positional.push(arg.as_str()),
        }
    }
    let [workload, image] = positional[..] else { return Err(USAGE.into()) };
    let (vfs, dir) = open_image(image)?;
    let mut bench = Preview1::new(vfs, dir);
    let measured = workloads::run(&mut bench, workload, sizes, !packed)?;
    println!("{workload} ops={} bytes={} ns={}", measured.ops, measured.bytes, measured.ns);
    Ok(())
}

/// A namespace over the image at `path` and its first mount opened as the
/// preopen, as the adapter's state is built (adapter/src/state.rs): the
/// image is the root filesystem, the mount a directory of it.
fn open_image(path: &str) -> Result<(Vfs, strata_vfs::Fd), String> {
    let bytes = read_whole(path).map_err(|e| format!("reading {path}: {e}"))?;
    // The namespace reads the image in place for as long as it lives: as
    // long as the process.
    let image = Image::open(Vec::leak(bytes)).map_err(|e| format!("{path}: not an image: {e}"))?;
    let mount = image.mount_records().next().ok_or_else(|| format!("{path}: the image has no mount"))?;
    let mut tree_path = Vec::new();
    for component in preopen_tree_path(mount.name).map_err(|e| format!("{path}: mount name: {e:?}"))? {
        tree_path.push(b'/');
        tree_path.extend_from_slice(component);
    }
    if tree_path.is_empty() {
        tree_path.push(b'/');
    }
    let mut vfs = Vfs::with_image(Box::new(HostClock), image, MountOptions::default());
    let dir = vfs
        .open(&tree_path, strata_vfs::OpenFlags::RDONLY | strata_vfs::OpenFlags::DIRECTORY, 0)
        .map_err(|e| format!("{path}: opening its mount: {e:?}"))?;
    Ok((vfs, dir))
}

/// The file at `path`, read in pieces: wasmtime's `fd_read` refuses to
/// read more than 128 MiB at once (ENOMEM), and an image may be larger.
fn read_whole(path: &str) -> std::io::Result<Vec<u8>> {
    const PIECE: usize = 16 << 20;
    let mut file = File::open(path)?;
    let mut bytes = vec![0u8; file.metadata()?.len() as usize];
    for piece in bytes.chunks_mut(PIECE) {
        file.read_exact(piece)?;
    }
    Ok(bytes)
}

/// The host's realtime clock, read through preview1's `clock_time_get` as
/// the adapter's is.
struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> Timespec {
        let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        Timespec::from_nanos(since.as_nanos() as u64)
    }
}
