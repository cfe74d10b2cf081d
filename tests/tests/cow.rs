//! Instantiating a wrapped module costs the same with a 1 MiB and a 256 MiB
//! image: the image is an active data segment that wasmtime maps
//! copy-on-write, so neither is copied (microseconds both; a copied 256 MiB
//! image would be about a thousand times slower). Checked as a ratio of
//! medians, never as a wall time. Then the big module runs once and reads
//! the last bytes of its 256 MiB file, so the image really is there.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use strata_e2e::run::{self, Status};
use strata_e2e::{tree, wrap};

const SMALL: usize = 1 << 20;
const BIG: usize = 256 << 20;
/// Timed instantiations of each module, interleaved.
const ROUNDS: usize = 30;
/// Untimed rounds first (page tables, allocator, caches).
const WARMUP: usize = 3;
/// The largest accepted ratio of the medians, big over small.
const MAX_RATIO: f64 = 3.0;

/// Byte `i` of the files: varied, never a run of zeros.
fn byte(i: usize) -> u8 {
    (i.wrapping_mul(7).wrapping_add(3) % 251) as u8 ^ (i >> 20) as u8
}

/// Writes `len` pattern bytes to `path` in 1 MiB blocks (no holes).
fn write_file(path: &Path, len: usize) {
    let mut file = File::create(path).unwrap();
    let mut block = vec![0u8; SMALL];
    for start in (0..len).step_by(SMALL) {
        let block = &mut block[..SMALL.min(len - start)];
        for (offset, b) in block.iter_mut().enumerate() {
            *b = byte(start + offset);
        }
        file.write_all(block).unwrap();
    }
}

/// A guest that preads 4 bytes of `/data/big.bin` (fd 3) at `offset` and
/// writes them to stdout; a failing call exits with 10 + its errno.
fn guest(offset: u64) -> Vec<u8> {
    let wat = format!(
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
    wat.into_bytes()
}

/// A tree holding `/data/big.bin` of `len` bytes, packed into a wrapped
/// `guest`; the scratch folder is gone when this returns.
fn wrapped(guest: &[u8], len: usize) -> Vec<u8> {
    let scratch = tree::scratch();
    let data = scratch.path().join("data");
    fs::create_dir(&data).unwrap();
    write_file(&data.join("big.bin"), len);
    let image = wrap::pack(&[(&data, "/data")], scratch.path()).unwrap();
    assert!(image.len() > len, "the image holds the file");
    wrap::wrap(guest, Some(&image)).unwrap_or_else(|error| panic!("wrapping with a {len}-byte image: {error:#}"))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[test]
fn instantiation_does_not_copy_the_image() {
    let guest = wat_to_wasm(&guest(BIG as u64 - 4));
    let small = run::compile(&wrapped(&guest, SMALL)).unwrap();
    let big_bytes = wrapped(&guest, BIG);
    let big = run::compile(&big_bytes).unwrap();
    drop(big_bytes);
    let pres = [&small, &big].map(|module| run::linker().instantiate_pre(module).expect("the wrapped module links"));

    let mut times = [Vec::new(), Vec::new()];
    for round in 0..WARMUP + ROUNDS {
        // Alternate which goes first, so neither always follows the other.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (mut store, _captured) = run::store(&["cow"], &[]).unwrap();
            let started = Instant::now();
            let instance = pres[which].instantiate(&mut store);
            let elapsed = started.elapsed();
            instance.expect("the wrapped module instantiates");
            drop(store);
            if round >= WARMUP {
                times[which].push(elapsed);
            }
        }
    }
    let [small_median, big_median] = times.map(|mut times| median(&mut times));
    let ratio = big_median.as_secs_f64() / small_median.as_secs_f64();
    eprintln!("instantiation medians: 1 MiB image {small_median:?}, 256 MiB image {big_median:?}, ratio {ratio:.2}");
    assert!(
        ratio < MAX_RATIO,
        "instantiating with a 256 MiB image takes {ratio:.1}× as long as with a 1 MiB one \
         ({big_median:?} against {small_median:?}): the image is copied, not mapped copy-on-write"
    );

    // The image is really there: the last 4 bytes of the 256 MiB file.
    let outcome = run::run(&big, &["cow"], &[]).unwrap();
    let expected: Vec<u8> = (BIG - 4..BIG).map(byte).collect();
    assert_eq!(
        (outcome.status, outcome.stdout),
        (Status::Exit(0), expected),
        "the last bytes of /data/big.bin; stderr: {}",
        String::from_utf8_lossy(&outcome.stderr)
    );
}

/// The guest's text as a binary module (`wrap` takes binaries): wasmtime
/// parses the text, and its compiled module is not what we need, so go
/// through the `wat` crate wasmtime already depends on.
fn wat_to_wasm(text: &[u8]) -> Vec<u8> {
    wat::parse_bytes(text).expect("the guest's text parses").into_owned()
}
