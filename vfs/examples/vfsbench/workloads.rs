//! fsbench's workloads and their setup, as the strata-vfs calls a wrapped
//! fsbench makes (`fixtures/bench/src/main.rs` is the reference: the same
//! tree, sizes, counts, order and checks).

use std::hint::black_box;
use std::time::Instant;

use crate::calls::{Open, Preview1};

/// Size of each small file.
const FILE_SIZE: usize = 4096;
/// Size of a chunk of the big file (`seq-write`, `seq-read`).
const CHUNK: usize = 1 << 20;
/// fsbench's read buffer in `open-read-close`.
const READ_BUFFER: usize = 1 << 16;
/// Size of one `pread`.
const PREAD_SIZE: usize = 4096;
/// Size of one append.
const APPEND_SIZE: usize = 100;
/// Entries of `small/`.
const SMALL_FILES: usize = 10;
/// Directories above `leaf` in the deep path.
const DEPTH: usize = 16;
/// Size of the deep path's file.
const LEAF_SIZE: usize = 100;
/// wasi-libc's `fd_readdir` buffer.
const DIRENT_BUFFER: usize = 4096;

/// The counts, from the options (fsbench's).
#[derive(Clone, Copy)]
pub struct Sizes {
    pub files: usize,
    pub big_mib: usize,
    pub ops: usize,
    pub passes: usize,
}

/// What a workload measured.
pub struct Measured {
    pub ops: u64,
    pub bytes: u64,
    pub ns: u128,
}

/// Runs `workload`, after its setup when `setup` (not `--packed`).
pub fn run(bench: &mut Preview1, workload: &str, sizes: Sizes, setup: bool) -> Result<Measured, String> {
    let read_only = matches!(
        workload,
        "stat" | "stat-small" | "stat-few" | "readdir" | "open-read-close" | "seq-read" | "pread" | "deep-stat"
    );
    if !setup && !read_only {
        return Err(format!("{workload} writes: --packed takes only the read-only workloads"));
    }
    let tree = Tree { sizes };
    if setup {
        match workload {
            "stat" | "stat-few" | "readdir" | "open-read-close" | "rename-unlink" => tree.make_files(bench)?,
            "stat-small" => tree.make_small(bench)?,
            "seq-read" | "pread" => tree.make_big(bench)?,
            "deep-stat" => tree.make_deep(bench)?,
            _ => {}
        }
    }
    match workload {
        "create" => create(bench, &tree),
        "stat" => stat_paths(bench, &tree.files(), sizes.files),
        "stat-small" => stat_paths(bench, &tree.small_files(), sizes.files),
        "stat-few" => {
            let files = tree.files();
            let step = (files.len() / 10).max(1);
            let few: Vec<_> = files.into_iter().step_by(step).take(10).collect();
            stat_paths(bench, &few, sizes.files)
        }
        "readdir" => readdir(bench, &tree),
        "open-read-close" => open_read_close(bench, &tree),
        "seq-write" => seq_write(bench, &tree),
        "seq-read" => seq_read(bench, &tree),
        "pread" => pread(bench, &tree),
        "append" => append(bench, &tree),
        "deep-stat" => deep_stat(bench, &tree),
        "rename-unlink" => rename_unlink(bench, &tree),
        other => Err(format!("unknown workload {other}")),
    }
}

/// Times `body`, which returns `(ops, bytes)`.
fn timed(body: impl FnOnce() -> Result<(u64, u64), String>) -> Result<Measured, String> {
    let started = Instant::now();
    let (ops, bytes) = body()?;
    let ns = started.elapsed().as_nanos();
    Ok(Measured { ops, bytes, ns })
}

fn expect(what: &str, got: u64, expected: u64) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: {got}, expected {expected}"))
    }
}

/// The tree's paths, relative to the preopen, as wasi-libc passes them.
struct Tree {
    sizes: Sizes,
}

impl Tree {
    fn files(&self) -> Vec<Vec<u8>> {
        (0..self.sizes.files).map(|i| format!("files/f{i:05}").into_bytes()).collect()
    }

    fn small_files(&self) -> Vec<Vec<u8>> {
        (0..SMALL_FILES).map(|i| format!("small/f{i:05}").into_bytes()).collect()
    }

    /// `d01`, `d01/d02`, ... `d01/.../d16`.
    fn deep_dirs(&self) -> Vec<Vec<u8>> {
        let mut dir = String::new();
        (1..=DEPTH)
            .map(|level| {
                if level > 1 {
                    dir.push('/');
                }
                dir.push_str(&format!("d{level:02}"));
                dir.clone().into_bytes()
            })
            .collect()
    }

    fn leaf(&self) -> Vec<u8> {
        let mut leaf = self.deep_dirs().pop().expect("DEPTH > 0");
        leaf.extend_from_slice(b"/leaf");
        leaf
    }

    fn big_len(&self) -> u64 {
        (self.sizes.big_mib * CHUNK) as u64
    }

    fn make_files(&self, bench: &mut Preview1) -> Result<(), String> {
        bench.mkdir(b"files")?;
        let pool = Pool::new();
        for (i, path) in self.files().iter().enumerate() {
            write_file(bench, path, pool.slice(i, FILE_SIZE))?;
        }
        Ok(())
    }

    fn make_small(&self, bench: &mut Preview1) -> Result<(), String> {
        bench.mkdir(b"small")?;
        let pool = Pool::new();
        for (i, path) in self.small_files().iter().enumerate() {
            write_file(bench, path, pool.slice(i, FILE_SIZE))?;
        }
        Ok(())
    }

    fn make_big(&self, bench: &mut Preview1) -> Result<(), String> {
        let mut file = bench.open(b"big.bin", Open::Create)?;
        let chunk = Pool::new().chunk();
        for _ in 0..self.sizes.big_mib {
            bench.write(&mut file, &chunk)?;
        }
        bench.close(file);
        Ok(())
    }

    fn make_deep(&self, bench: &mut Preview1) -> Result<(), String> {
        for dir in self.deep_dirs() {
            bench.mkdir(&dir)?;
        }
        write_file(bench, &self.leaf(), Pool::new().slice(0, LEAF_SIZE))
    }
}

fn write_file(bench: &mut Preview1, path: &[u8], contents: &[u8]) -> Result<(), String> {
    let mut file = bench.open(path, Open::Create)?;
    bench.write(&mut file, contents)?;
    bench.close(file);
    Ok(())
}

/// 64 KiB of seeded pseudo-random bytes, so files are not runs of zeros;
/// file `i` gets a slice at an offset that depends on `i`.
struct Pool(Vec<u8>);

impl Pool {
    const LEN: usize = 1 << 16;

    fn new() -> Pool {
        let mut rng = Rng(0x5eed_f00d_cafe_d00d);
        Pool((0..Pool::LEN / 8).flat_map(|_| rng.next().to_le_bytes()).collect())
    }

    fn slice(&self, i: usize, len: usize) -> &[u8] {
        let start = i.wrapping_mul(4099) % (Pool::LEN - len);
        &self.0[start..start + len]
    }

    /// A 1 MiB chunk of pool bytes.
    fn chunk(&self) -> Vec<u8> {
        self.0.iter().copied().cycle().take(CHUNK).collect()
    }
}

/// xorshift64*: fsbench's generator, so `pread` reads at its offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn create(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    bench.mkdir(b"files")?;
    let paths = tree.files();
    let pool = Pool::new();
    timed(|| {
        for (i, path) in paths.iter().enumerate() {
            write_file(bench, path, pool.slice(i, FILE_SIZE))?;
        }
        Ok((paths.len() as u64, (paths.len() * FILE_SIZE) as u64))
    })
}

fn stat_paths(bench: &mut Preview1, paths: &[Vec<u8>], calls: usize) -> Result<Measured, String> {
    timed(|| {
        for path in paths.iter().cycle().take(calls) {
            expect("stat size", bench.stat(path)?.size, FILE_SIZE as u64)?;
        }
        Ok((calls as u64, 0))
    })
}

/// `passes` listings of `files/`, each as fsbench's `read_dir` makes it
/// through wasi-libc: `opendir` (`path_open`, then `fd_readdir` from
/// cookie 0), `fd_readdir` again from the cookie after the last whole entry
/// while buffers come back full, `closedir`. ops: entries but `.` and `..`.
fn readdir(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    timed(|| {
        let mut entries = 0;
        for _ in 0..tree.sizes.passes {
            let dir = bench.open(b"files", Open::Directory)?;
            let (mut cookie, mut listed) = (0, 0);
            loop {
                let buffer = bench.readdir(&dir, cookie, DIRENT_BUFFER)?;
                listed += buffer.entries;
                if !buffer.full {
                    break;
                }
                cookie = buffer.next;
            }
            bench.close(dir);
            expect("entries of files/", listed as u64 - 2, tree.sizes.files as u64)?;
            entries += listed - 2;
        }
        Ok((entries as u64, 0))
    })
}

/// Reads an open file to its end as fsbench does: until a read returns 0.
/// Returns the reads that returned bytes, and the bytes.
fn read_to_end(bench: &mut Preview1, file: &mut crate::calls::File, buffer: &mut [u8]) -> Result<(u64, u64), String> {
    let (mut reads, mut bytes) = (0, 0);
    loop {
        match bench.read(file, buffer)? {
            0 => return Ok((reads, bytes)),
            n => {
                reads += 1;
                bytes += n as u64;
            }
        }
    }
}

fn open_read_close(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let paths = tree.files();
    let mut buffer = vec![0u8; READ_BUFFER];
    timed(|| {
        for path in &paths {
            let mut file = bench.open(path, Open::Read)?;
            let (_, len) = read_to_end(bench, &mut file, &mut buffer)?;
            bench.close(file);
            expect("bytes read", len, FILE_SIZE as u64)?;
        }
        Ok((paths.len() as u64, (paths.len() * FILE_SIZE) as u64))
    })
}

fn seq_write(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let chunk = Pool::new().chunk();
    timed(|| {
        let mut file = bench.open(b"big.bin", Open::Create)?;
        for _ in 0..tree.sizes.big_mib {
            bench.write(&mut file, &chunk)?;
        }
        bench.close(file);
        Ok((tree.sizes.big_mib as u64, tree.big_len()))
    })
}

fn seq_read(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let mut chunk = vec![0u8; CHUNK];
    timed(|| {
        let mut file = bench.open(b"big.bin", Open::Read)?;
        let (reads, bytes) = read_to_end(bench, &mut file, &mut chunk)?;
        bench.close(file);
        black_box(&chunk);
        expect("bytes read", bytes, tree.big_len())?;
        Ok((reads, bytes))
    })
}

fn pread(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let file = bench.open(b"big.bin", Open::Read)?;
    let blocks = tree.big_len() / PREAD_SIZE as u64;
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let offsets: Vec<u64> = (0..tree.sizes.ops).map(|_| rng.next() % blocks * PREAD_SIZE as u64).collect();
    let mut buffer = vec![0u8; PREAD_SIZE];
    let measured = timed(|| {
        for &offset in &offsets {
            expect("pread", bench.pread(&file, &mut buffer, offset)? as u64, PREAD_SIZE as u64)?;
        }
        black_box(&buffer);
        Ok((offsets.len() as u64, (offsets.len() * PREAD_SIZE) as u64))
    });
    bench.close(file);
    measured
}

fn append(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let record = Pool::new().slice(0, APPEND_SIZE).to_vec();
    let ops = tree.sizes.ops;
    let measured = timed(|| {
        let mut file = bench.open(b"append.log", Open::Append)?;
        for _ in 0..ops {
            bench.write(&mut file, &record)?;
        }
        bench.close(file);
        Ok((ops as u64, (ops * APPEND_SIZE) as u64))
    })?;
    expect("append.log size", bench.stat(b"append.log")?.size, (ops * APPEND_SIZE) as u64)?;
    Ok(measured)
}

fn deep_stat(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let leaf = tree.leaf();
    let ops = tree.sizes.ops;
    timed(|| {
        for _ in 0..ops {
            expect("leaf size", bench.stat(&leaf)?.size, LEAF_SIZE as u64)?;
        }
        Ok((ops as u64, 0))
    })
}

/// Every file of `files/` renamed (`fNNNNN` to `gNNNNN`), then every one
/// unlinked. ops: files.
fn rename_unlink(bench: &mut Preview1, tree: &Tree) -> Result<Measured, String> {
    let from = tree.files();
    let to: Vec<Vec<u8>> = (0..tree.sizes.files).map(|i| format!("files/g{i:05}").into_bytes()).collect();
    timed(|| {
        for (from, to) in from.iter().zip(&to) {
            bench.rename(from, to)?;
        }
        for path in &to {
            bench.unlink(path)?;
        }
        Ok((from.len() as u64, 0))
    })
}
