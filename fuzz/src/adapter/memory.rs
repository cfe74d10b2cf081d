//! What the guest's memory holds when an input starts, so that arguments
//! drawn from a few bytes point at something worth pointing at: path
//! strings, iovec arrays and subscription arrays, each at a fixed place.
//! Setup steps of the input may overwrite any of it.
//!
//! ```text
//! 0x0000  the 32 bytes the adapter borrows (with_scratch), then zeros
//! 0x0100  OUT     result slots, 8-aligned
//! 0x03c0  PROBE   where the target's own checks put results
//! 0x0400  IOVS    iovec arrays, one per 64 bytes
//! 0x0800  SUBS    subscriptions, 48 bytes each
//! 0x0c00  EVENTS  room for events
//! 0x1000  PATHS   the path strings, packed
//! 0x4000  DATA    bytes for writes, room for reads and listings
//! ```
//!
//! A memory of fewer pages holds what fits (none: nothing at all).

use strata_adapter::guest::fuzzing;

pub const OUT: u32 = 0x100;
pub const OUT_SLOTS: u32 = 88;
/// 64 bytes the target's own probes write results to.
pub const PROBE: u32 = 0x3c0;
pub const IOVS: u32 = 0x400;
pub const IOVS_STRIDE: u32 = 64;
pub const SUBS: u32 = 0x800;
pub const SUB_SIZE: u32 = 48;
pub const EVENTS: u32 = 0xc00;
pub const PATHS: u32 = 0x1000;
pub const DATA: u32 = 0x4000;
pub const DATA_LEN: u32 = 0x4000;

/// The path strings, relative to a preopen of [`crate::images`] (fd 3 is
/// `/srv`, 4 `/srv/ro`, 5 `/tmp`): names that exist, that collide, that
/// climb, that end in `/`, that are not UTF-8 or hold a NUL, and lengths
/// at and past NAME_MAX and PATH_MAX.
pub fn paths() -> &'static [Vec<u8>] {
    static PATHS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    PATHS.get_or_init(|| {
        let mut paths: Vec<Vec<u8>> = [
            "a",
            "b",
            "c",
            "a/b",
            "a/b/c",
            "a/",
            "a/.",
            "a/..",
            ".",
            "..",
            "",
            "/",
            "/srv",
            "../a",
            "a/../b",
            "a//b",
            "hello.txt",
            "hello.txt/",
            "hard",
            "big",
            "sub",
            "sub/",
            "sub/inner.txt",
            "sub/deeper",
            "sub/../hello.txt",
            "abs-link",
            "rel-link",
            "chain1",
            "loop1",
            "loop1/x",
            "up",
            "up/srv/hello.txt",
            "ro",
            "ro/file",
            "file",
            "empty",
            "empty/",
            "new",
            "new/",
            "x\0y",
            "tmp",
        ]
        .iter()
        .map(|path| path.as_bytes().to_vec())
        .collect();
        paths.push(vec![0xff, 0xfe]);
        paths.push(vec![b'n'; 255]);
        paths.push(vec![b'n'; 256]);
        let mut deep = b"a/".repeat(2047);
        deep.extend_from_slice(b"bc");
        paths.push(deep); // 4096 bytes: one past PATH_MAX's 4095 characters
        paths
    })
}

/// Where path `index` lies in guest memory, and its length.
pub fn path_at(index: usize) -> (u32, u32) {
    let at = PATHS + paths()[..index].iter().map(|p| p.len() as u32).sum::<u32>();
    (at, paths()[index].len() as u32)
}

/// The iovec arrays, as (buffer, length) entries; each starts at
/// `IOVS + k * IOVS_STRIDE`. `end` is the memory's length.
fn iovecs(end: u32) -> [Vec<(u32, u32)>; 8] {
    [
        vec![(DATA, 16)],
        vec![(DATA, 0), (DATA + 16, 300)],
        vec![(DATA, 4096)],
        vec![(end.wrapping_sub(8), 16)],
        vec![(0xffff_fff0, 32)],
        vec![(DATA, 0)],
        vec![(DATA + 1, 65536)],
        vec![(DATA, 7), (DATA + 100, 9), (DATA + 200, 11)],
    ]
}

/// The subscriptions, one after another from [`SUBS`], as (userdata, tag,
/// fd): clocks, reads and writes on stdio, preopens and later fds, a tag
/// that is none. Each has the relative clock timeout 0 where it is a clock.
const SUBSCRIPTIONS: [(u64, u8, u32); 8] =
    [(1, 0, 0), (2, 1, 3), (3, 1, 6), (4, 2, 1), (5, 0, 0), (6, 2, 7), (7, 1, 0), (8, 9, 0)];

/// Gives the guest `pages` pages laid out as the module's docs show.
pub fn lay_out(pages: u32) {
    fuzzing::set_memory(pages);
    let end = pages * 65536;
    fuzzing::with_memory(|memory| {
        if memory.len() < (DATA + DATA_LEN) as usize {
            return;
        }
        for (k, array) in iovecs(end).iter().enumerate() {
            let mut at = (IOVS + k as u32 * IOVS_STRIDE) as usize;
            for &(buf, len) in array {
                memory[at..at + 4].copy_from_slice(&buf.to_le_bytes());
                memory[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
                at += 8;
            }
        }
        for (k, &(userdata, tag, fd)) in SUBSCRIPTIONS.iter().enumerate() {
            let at = (SUBS + k as u32 * SUB_SIZE) as usize;
            memory[at..at + 8].copy_from_slice(&userdata.to_le_bytes());
            memory[at + 8] = tag;
            memory[at + 16..at + 20].copy_from_slice(&fd.to_le_bytes());
        }
        let mut at = PATHS as usize;
        for path in paths() {
            memory[at..at + path.len()].copy_from_slice(path);
            at += path.len();
        }
        assert!(at <= DATA as usize, "the paths fit before DATA");
        for (i, byte) in memory[DATA as usize..(DATA + DATA_LEN) as usize].iter_mut().enumerate() {
            *byte = b"strata fuzz data\n"[i % 17];
        }
    });
}

/// Writes `bytes` at `at`, as far as the memory goes (a setup step: the
/// guest writing its own memory).
pub fn poke(at: u32, bytes: &[u8]) {
    fuzzing::with_memory(|memory| {
        let start = (at as usize).min(memory.len());
        let n = bytes.len().min(memory.len() - start);
        memory[start..start + n].copy_from_slice(&bytes[..n]);
    });
}

/// The u32 at `at`, if it lies in memory (what a guest reads back).
pub fn peek_u32(at: u32) -> Option<u32> {
    fuzzing::with_memory(|memory| {
        let bytes = memory.get(at as usize..at as usize + 4)?;
        Some(u32::from_le_bytes(bytes.try_into().expect("4 bytes")))
    })
}
