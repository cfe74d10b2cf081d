//! Instantiation with a small and a large image, shared by the copy-on-write
//! test (`tests/cow.rs`, a ratio check) and the benchmark's example
//! (`examples/instantiate.rs`, a measurement): a guest that preads 4 bytes
//! of `/data/big.bin`, wrapped with that file at two sizes, and the medians
//! of instantiating both alternately.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wasmtime::Module;

use crate::{run, tree, wrap};

/// The small image's file: 1 MiB (also the block size files are written in).
pub const SMALL: usize = 1 << 20;
/// Untimed rounds first (page tables, allocator, caches).
const WARMUP: usize = 3;

/// Byte `i` of the files: varied, never a run of zeros.
pub fn byte(i: usize) -> u8 {
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
pub fn guest(offset: u64) -> Vec<u8> {
    let text = format!(
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
    );
    wat::parse_str(text).expect("the guest's text parses")
}

/// `guest` wrapped with `/data/big.bin` of `len` bytes packed, and the
/// image's size; the scratch folder (on tmpfs) is gone when this returns.
pub fn wrapped(guest: &[u8], len: usize) -> Result<(Vec<u8>, usize)> {
    let scratch = tree::scratch();
    let data = scratch.path().join("data");
    fs::create_dir(&data)?;
    write_file(&data.join("big.bin"), len)?;
    let image = wrap::pack(&[(&data, "/data")], scratch.path())?;
    let wasm = wrap::wrap(guest, Some(&image)).with_context(|| format!("wrapping with a {len}-byte file"))?;
    Ok((wasm, image.len()))
}

/// Median instantiation times of `modules` (pre-linked once), instantiated
/// alternately in fresh stores, which goes first switching every round:
/// `WARMUP` untimed rounds, then `rounds`.
pub fn instantiation_medians(modules: [&Module; 2], rounds: usize) -> Result<[Duration; 2]> {
    let mut pres = Vec::new();
    for module in modules {
        pres.push(run::linker().instantiate_pre(module).map_err(anyhow::Error::from).context("the module links")?);
    }
    let mut times = [Vec::new(), Vec::new()];
    for round in 0..WARMUP + rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (mut store, _captured) = run::store(&["cow"], &[])?;
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
    Ok(times.map(|mut times| {
        times.sort();
        times[times.len() / 2]
    }))
}
