//! Regular-file contents: sparse, chunked, copy-on-write over a lower layer.
//!
//! A file is `size` bytes. Its bytes come from, in order of precedence:
//! 1. an owned chunk covering `[i * CHUNK, (i + 1) * CHUNK)`: its vector's
//!    bytes, then zeros to the end of the chunk;
//! 2. otherwise the `lower` slice (an image's data, read in place), then
//!    zeros past its end.
//!
//! Invariants: every chunk vector is at most `CHUNK` long; no byte at or past
//! `size` is stored (truncation drops them, so growing again reads zeros);
//! `lower.len() <= size`. Writing into a lower-backed range copies just that
//! one chunk up, so appending to a huge image file copies at most one chunk.

use alloc::vec::Vec;

use crate::chunk_table::ChunkTable;
use crate::errno::{Errno, Result};

/// Chunk granularity of storage and copy-up. A power of two.
pub const CHUNK: usize = 64 * 1024;
const CHUNK_U64: u64 = CHUNK as u64;

/// Largest file size: the adapter's whole memory is 4 GiB, so nothing larger
/// could ever be stored; past it writes fail with EFBIG instead of trapping.
pub const MAX_FILE_SIZE: u64 = 1 << 32;

/// Page size used to report `st_blocks`, as tmpfs does.
const PAGE: u64 = 4096;

#[derive(Default)]
pub struct FileData {
    size: u64,
    /// Data read in place from a lower layer; never written.
    lower: &'static [u8],
    /// Chunk index → owned bytes. Absent means "from `lower`, or a hole".
    /// A chunk's capacity may run ahead of its length (see
    /// [`reserve_for`]); only its length is charged.
    chunks: ChunkTable,
    /// Sum of the chunk vectors' lengths: memory this file holds.
    owned_bytes: u64,
    /// Sum of the chunk vectors' lengths in whole pages: `st_blocks`, kept
    /// so that `fstat` (asked after every append) does not walk the chunks.
    stored_pages: u64,
}

/// `len` bytes in whole pages.
fn pages(len: usize) -> u64 {
    (len as u64).div_ceil(PAGE)
}

/// Memory a write may newly take, decremented as chunks grow. `u64::MAX` for
/// an unlimited mount.
pub type Budget = u64;

/// Where a read's bytes go, in file order: stored bytes as slices of the
/// file's own storage (a chunk, or the image in place), holes as runs of
/// zeros. Lets a caller copy straight into its destination (the adapter:
/// into guest memory) with no buffer in between.
pub trait ReadSink {
    fn bytes(&mut self, bytes: &[u8]);
    fn zeros(&mut self, len: usize);
}

/// Where a write's bytes come from: asked to fill the file's storage
/// slices, in file order, until the write's length is reached.
pub trait WriteSource {
    /// Overwrites `into` with the next `into.len()` bytes.
    fn fill(&mut self, into: &mut [u8]);

    /// Appends the next `len` bytes to `chunk`, whose spare capacity holds
    /// them. A source that can copy into uninitialized memory overrides
    /// this: new file data is then written once, not zeroed first.
    fn append_to(&mut self, chunk: &mut Vec<u8>, len: usize) {
        let start = chunk.len();
        chunk.resize(start + len, 0);
        self.fill(&mut chunk[start..]);
    }
}

/// A [`ReadSink`] filling a slice.
struct SliceSink<'a> {
    out: &'a mut [u8],
    done: usize,
}

impl ReadSink for SliceSink<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.out[self.done..self.done + bytes.len()].copy_from_slice(bytes);
        self.done += bytes.len();
    }

    fn zeros(&mut self, len: usize) {
        self.out[self.done..self.done + len].fill(0);
        self.done += len;
    }
}

/// A [`WriteSource`] reading from consecutive slices (a `writev`).
pub struct SlicesSource<'a, 'b> {
    bufs: &'a [&'b [u8]],
    /// Position in `bufs[0]`, the first buffer not wholly taken.
    taken: usize,
}

impl<'a, 'b> SlicesSource<'a, 'b> {
    pub fn new(bufs: &'a [&'b [u8]]) -> Self {
        SlicesSource { bufs, taken: 0 }
    }

    pub fn len(&self) -> usize {
        self.bufs.iter().map(|buf| buf.len()).sum::<usize>() - self.taken
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl WriteSource for SlicesSource<'_, '_> {
    fn fill(&mut self, mut into: &mut [u8]) {
        while !into.is_empty() {
            let (first, rest) = self.bufs.split_first().expect("asked for no more than len()");
            let n = (first.len() - self.taken).min(into.len());
            into[..n].copy_from_slice(&first[self.taken..self.taken + n]);
            into = &mut into[n..];
            self.taken += n;
            if self.taken == first.len() {
                self.bufs = rest;
                self.taken = 0;
            }
        }
    }
}

impl FileData {
    /// A file whose contents are read in place from `lower`.
    pub fn from_lower(lower: &'static [u8]) -> FileData {
        FileData { size: lower.len() as u64, lower, ..FileData::default() }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes of memory held by this file's owned chunks.
    pub fn owned_bytes(&self) -> u64 {
        self.owned_bytes
    }

    /// 512-byte blocks, counting each chunk's stored bytes in whole pages.
    pub fn blocks(&self) -> u64 {
        debug_assert_eq!(self.stored_pages, self.chunks.values().map(|c| pages(c.len())).sum::<u64>());
        self.stored_pages * (PAGE / 512)
    }

    /// Copies bytes at `offset` into `buf`; returns how many (short at EOF).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let len = buf.len();
        self.read_to(offset, len, &mut SliceSink { out: buf, done: 0 })
    }

    /// Gives up to `len` bytes at `offset` to `sink`, in order; returns how
    /// many (short at EOF).
    pub fn read_to(&self, offset: u64, len: usize, sink: &mut dyn ReadSink) -> usize {
        if offset >= self.size {
            return 0;
        }
        let len = len.min((self.size - offset).min(usize::MAX as u64) as usize);
        for span in spans(offset, len) {
            match self.chunks.get(span.index) {
                Some(chunk) => give_or_zero(chunk, span.within, span.len, sink),
                None => give_or_zero(self.lower, span.pos as usize, span.len, sink),
            }
        }
        len
    }

    /// Writes `data` at `offset`, growing the file as needed. Stops early
    /// (a short write) when `budget` runs out; ENOSPC if nothing fit.
    /// EFBIG if `offset` is at or past [`MAX_FILE_SIZE`].
    pub fn write_at(&mut self, offset: u64, data: &[u8], budget: &mut Budget) -> Result<usize> {
        self.write_from(offset, data.len(), &mut SlicesSource::new(&[data]), budget)
    }

    /// [`FileData::write_at`] of `len` bytes taken from `source`.
    pub fn write_from(
        &mut self,
        offset: u64,
        len: usize,
        source: &mut dyn WriteSource,
        budget: &mut Budget,
    ) -> Result<usize> {
        if len == 0 {
            return Ok(0);
        }
        if offset >= MAX_FILE_SIZE {
            return Err(Errno::FBIG);
        }
        // In u64: on a 32-bit target `MAX_FILE_SIZE - offset` can be 2^32.
        let len = (len as u64).min(MAX_FILE_SIZE - offset) as usize;
        let mut done = 0;
        for span in spans(offset, len) {
            // Past the budget, what still fits of this span is written (a
            // short write, as tmpfs writes up to its limit), then no more.
            let fits = self.fitting_len(span.index, span.within + span.len, *budget);
            let Some(len) = fits.checked_sub(span.within).filter(|&len| len > 0) else { break };
            // Within the budget, memory may still run out: a short write.
            let Some(chunk) = self.reserve_chunk(span.index, span.within + len, budget) else { break };
            if span.within >= chunk.len() {
                // Past what the chunk holds: zeros up to the write (a hole
                // inside the chunk), then the bytes appended.
                chunk.resize(span.within, 0);
                source.append_to(chunk, len);
            } else {
                let end = span.within + len;
                chunk.resize(chunk.len().max(end), 0);
                source.fill(&mut chunk[span.within..end]);
            }
            done += len;
            self.size = self.size.max(span.pos + len as u64);
            if len < span.len {
                break;
            }
        }
        if done == 0 {
            return Err(Errno::NOSPC);
        }
        Ok(done)
    }

    /// The owned chunk `index`, copied up from `lower` if needed and grown
    /// to at least `min_len` bytes; `None` if the budget does not allow it,
    /// or memory runs out first (the embedder's guard says no, or the
    /// allocation fails: `crate::memory`). Nothing changes then.
    fn chunk_for_write(&mut self, index: u64, min_len: usize, budget: &mut Budget) -> Option<&mut Vec<u8>> {
        let chunk = self.reserve_chunk(index, min_len, budget)?;
        if chunk.len() < min_len {
            chunk.resize(min_len, 0);
        }
        Some(chunk)
    }

    /// [`FileData::chunk_for_write`] up to the growth: the chunk has room
    /// for `min_len` bytes and they are charged, but its length is left for
    /// the caller, who must bring it to at least `min_len`.
    fn reserve_chunk(&mut self, index: u64, min_len: usize, budget: &mut Budget) -> Option<&mut Vec<u8>> {
        let start = index * CHUNK_U64;
        let owned = self.chunks.get(index).map(Vec::len);
        let from_lower = if owned.is_some() { 0 } else { self.lower_len_in(start) };
        let existing = owned.unwrap_or(0);
        let new_len = min_len.max(existing).max(from_lower);
        let growth = (new_len - existing) as u64;
        if growth > *budget || (growth > 0 && !crate::memory::may_grow()) {
            return None;
        }
        if owned.is_none() {
            let mut chunk = Vec::new();
            reserve_for(&mut chunk, new_len)?;
            if from_lower > 0 {
                chunk.extend_from_slice(&self.lower[start as usize..start as usize + from_lower]);
            }
            self.chunks.insert(index, chunk);
        }
        let chunk = self.chunks.get_mut(index).expect("inserted above");
        reserve_for(chunk, new_len)?;
        *budget -= growth;
        self.owned_bytes += growth;
        self.stored_pages += pages(new_len) - pages(existing);
        Some(chunk)
    }

    /// How long chunk `index` can become, up to `wanted` bytes, within
    /// `budget` (less than what a copy-up needs: 0).
    fn fitting_len(&self, index: u64, wanted: usize, budget: Budget) -> usize {
        let owned = self.chunks.get(index).map(Vec::len);
        let from_lower = if owned.is_some() { 0 } else { self.lower_len_in(index * CHUNK_U64) };
        let existing = owned.unwrap_or(0);
        let most = (existing as u64).saturating_add(budget).min(CHUNK_U64) as usize;
        if most < from_lower {
            return 0;
        }
        wanted.min(most.max(existing))
    }

    /// How many bytes of `lower` fall in the chunk starting at `start`.
    fn lower_len_in(&self, start: u64) -> usize {
        (self.lower.len() as u64).saturating_sub(start).min(CHUNK_U64) as usize
    }

    /// Sets the size: shrinking forgets the bytes past it, growing leaves a
    /// hole. Frees memory, never takes any.
    pub fn truncate(&mut self, size: u64) -> Result<()> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::FBIG);
        }
        if size < self.size {
            self.forget_from(size);
        }
        self.size = size;
        Ok(())
    }

    /// Drops every stored byte at or past `from`.
    fn forget_from(&mut self, from: u64) {
        if (self.lower.len() as u64) > from {
            self.lower = &self.lower[..from as usize];
        }
        let first_dropped = from.div_ceil(CHUNK_U64);
        let (mut bytes, mut stored_pages) = (0, 0);
        self.chunks.remove_from(first_dropped, |chunk| {
            bytes += chunk.len() as u64;
            stored_pages += pages(chunk.len());
        });
        self.owned_bytes -= bytes;
        self.stored_pages -= stored_pages;
        if !from.is_multiple_of(CHUNK_U64) {
            let index = from / CHUNK_U64;
            let keep = (from % CHUNK_U64) as usize;
            if let Some(chunk) = self.chunks.get_mut(index) {
                if chunk.len() > keep {
                    self.owned_bytes -= (chunk.len() - keep) as u64;
                    self.stored_pages -= pages(chunk.len()) - pages(keep);
                    chunk.truncate(keep);
                }
            }
        }
    }

    /// `fallocate(mode 0 / KEEP_SIZE)`: makes `[offset, offset+len)` stored
    /// (zeros where it was a hole), so later writes there need no memory.
    /// Grows the size unless `keep_size`. On ENOSPC nothing changes size.
    pub fn allocate(&mut self, offset: u64, len: u64, keep_size: bool, budget: &mut Budget) -> Result<()> {
        let end = offset.checked_add(len).filter(|&e| e <= MAX_FILE_SIZE).ok_or(Errno::FBIG)?;
        let mut pos = offset;
        while pos < end {
            let index = pos / CHUNK_U64;
            let chunk_end = ((index + 1) * CHUNK_U64).min(end);
            let needed = (chunk_end - index * CHUNK_U64) as usize;
            if self.chunk_for_write(index, needed, budget).is_none() {
                return Err(Errno::NOSPC);
            }
            pos = chunk_end;
        }
        if !keep_size {
            self.size = self.size.max(end);
        }
        Ok(())
    }

    /// `fallocate(PUNCH_HOLE | KEEP_SIZE)`: zeros `[offset, offset+len)`,
    /// freeing whole chunks inside it.
    pub fn punch_hole(&mut self, offset: u64, len: u64) {
        let end = offset.saturating_add(len).min(self.size);
        let mut pos = offset;
        while pos < end {
            let index = pos / CHUNK_U64;
            let start = index * CHUNK_U64;
            let chunk_end = (start + CHUNK_U64).min(end);
            let (from, to) = ((pos - start) as usize, (chunk_end - start) as usize);
            let to_chunk_or_file_end = chunk_end == start + CHUNK_U64 || chunk_end == self.size;
            if from == 0 && to_chunk_or_file_end {
                // The whole chunk goes; an empty owned chunk hides `lower`.
                let old = self.chunks.insert(index, Vec::new()).map_or(0, |c| c.len());
                self.owned_bytes -= old as u64;
                self.stored_pages -= pages(old);
            } else if self.chunks.contains(index) || self.lower_len_in(start) > from {
                // Zeroing part of a chunk may copy it up; that never fails,
                // so it is not charged to a budget.
                let mut unlimited = u64::MAX;
                if let Some(chunk) = self.chunk_for_write(index, 0, &mut unlimited) {
                    let to = to.min(chunk.len());
                    if from < to {
                        chunk[from..to].fill(0);
                    }
                }
            }
            pos = chunk_end;
        }
    }

    /// `SEEK_DATA`/`SEEK_HOLE` at chunk granularity: data is any stored
    /// chunk or lower range; the end of the file is a hole. ENXIO-like
    /// conditions (offset past EOF) are the caller's to report.
    pub fn next_data(&self, offset: u64) -> Option<u64> {
        let mut pos = offset;
        while pos < self.size {
            let index = pos / CHUNK_U64;
            if self.is_stored(index) {
                return Some(pos);
            }
            pos = (index + 1) * CHUNK_U64;
        }
        None
    }

    pub fn next_hole(&self, offset: u64) -> u64 {
        let mut pos = offset;
        while pos < self.size {
            let index = pos / CHUNK_U64;
            if !self.is_stored(index) {
                return pos;
            }
            pos = (index + 1) * CHUNK_U64;
        }
        self.size
    }

    fn is_stored(&self, index: u64) -> bool {
        match self.chunks.get(index) {
            Some(chunk) => !chunk.is_empty(),
            None => self.lower_len_in(index * CHUNK_U64) > 0,
        }
    }
}

/// Makes room in `chunk` for `len` bytes (`None`: memory ran out). Room
/// grows geometrically up to a whole chunk, so a file written in small
/// appends reallocates each chunk a dozen times, not once per write; if
/// that much room can not be had, exactly `len` is tried.
fn reserve_for(chunk: &mut Vec<u8>, len: usize) -> Option<()> {
    if chunk.capacity() >= len {
        return Some(());
    }
    let roomy = len.max((chunk.capacity() * 2).min(CHUNK));
    if chunk.try_reserve_exact(roomy - chunk.len()).is_err() {
        chunk.try_reserve_exact(len - chunk.len()).ok()?;
    }
    Some(())
}

/// The piece of a byte range that falls in one chunk.
struct Span {
    /// Absolute file offset of the piece.
    pos: u64,
    index: u64,
    /// Offset of the piece within its chunk.
    within: usize,
    len: usize,
}

/// Splits `[offset, offset + len)` at chunk boundaries.
fn spans(offset: u64, len: usize) -> impl Iterator<Item = Span> {
    let mut done = 0;
    core::iter::from_fn(move || {
        if done >= len {
            return None;
        }
        let pos = offset + done as u64;
        let within = (pos % CHUNK_U64) as usize;
        let span = Span { pos, index: pos / CHUNK_U64, within, len: (CHUNK - within).min(len - done) };
        done += span.len;
        Some(span)
    })
}

/// Gives `len` bytes of `src[from..]` to `sink`, zeros where `src` ends.
fn give_or_zero(src: &[u8], from: usize, len: usize, sink: &mut dyn ReadSink) {
    let available = src.len().saturating_sub(from).min(len);
    if available > 0 {
        sink.bytes(&src[from..from + available]);
    }
    if available < len {
        sink.zeros(len - available);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const NO_LIMIT: u64 = u64::MAX;

    fn read_all(data: &FileData) -> Vec<u8> {
        let mut buf = vec![0xAA; data.size() as usize];
        assert_eq!(data.read_at(0, &mut buf), buf.len());
        buf
    }

    /// Records what a read gives, merging nothing.
    #[derive(Default)]
    struct Pieces(Vec<(bool, usize, u8)>);

    impl ReadSink for Pieces {
        fn bytes(&mut self, bytes: &[u8]) {
            self.0.push((true, bytes.len(), bytes[0]));
        }
        fn zeros(&mut self, len: usize) {
            self.0.push((false, len, 0));
        }
    }

    #[test]
    fn a_sink_gets_stored_pieces_in_place_and_holes_as_zero_runs() {
        static LOWER: [u8; 100] = [7; 100];
        let mut data = FileData::from_lower(&LOWER);
        let mut budget = NO_LIMIT;
        data.write_at(CHUNK_U64 + 10, b"xy", &mut budget).unwrap();
        let mut pieces = Pieces::default();
        assert_eq!(data.read_to(50, CHUNK + 100, &mut pieces), CHUNK - 38, "short at the end of the file");
        // The image's tail in place, zeros to the chunk's end, then the
        // second chunk's stored 12 bytes (10 zeros, "xy") as one piece.
        assert_eq!(pieces.0, [(true, 50, 7), (false, CHUNK - 100, 0), (true, 12, 0)]);
        let mut from_slices = SlicesSource::new(&[b"ab", b"", b"cde"]);
        assert_eq!(data.write_from(3, 5, &mut from_slices, &mut budget), Ok(5));
        let mut buf = [0; 9];
        data.read_at(0, &mut buf);
        assert_eq!(&buf, b"\x07\x07\x07abcde\x07");
    }

    #[test]
    fn write_past_end_leaves_a_zero_hole_without_storing_it() {
        let mut data = FileData::default();
        data.write_at(10 * CHUNK_U64, b"tail", &mut NO_LIMIT.clone()).unwrap();
        assert_eq!(data.size(), 10 * CHUNK_U64 + 4);
        assert_eq!(data.owned_bytes(), 4, "only the written bytes are stored");
        let all = read_all(&data);
        assert!(all[..10 * CHUNK].iter().all(|&b| b == 0));
        assert_eq!(&all[10 * CHUNK..], b"tail");
        assert_eq!(data.next_data(0), Some(10 * CHUNK_U64));
        assert_eq!(data.next_hole(0), 0);
    }

    #[test]
    fn writes_spanning_chunks_read_back() {
        let mut data = FileData::default();
        let bytes: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        assert_eq!(data.write_at(5, &bytes, &mut NO_LIMIT.clone()).unwrap(), bytes.len());
        let mut back = vec![0; bytes.len()];
        assert_eq!(data.read_at(5, &mut back), bytes.len());
        assert_eq!(back, bytes);
        assert_eq!(data.read_at(data.size(), &mut back), 0);
    }

    #[test]
    fn shrinking_then_growing_reads_zeros_not_old_bytes() {
        let mut data = FileData::default();
        data.write_at(0, &[7; 100], &mut NO_LIMIT.clone()).unwrap();
        data.truncate(10).unwrap();
        data.truncate(100).unwrap();
        let all = read_all(&data);
        assert_eq!(&all[..10], &[7; 10]);
        assert!(all[10..].iter().all(|&b| b == 0));
        assert_eq!(data.owned_bytes(), 10);
    }

    #[test]
    fn appending_to_lower_data_copies_one_chunk_only() {
        let lower: &'static [u8] = alloc::boxed::Box::leak(vec![3u8; 100 * CHUNK + 5].into_boxed_slice());
        let mut data = FileData::from_lower(lower);
        data.write_at(data.size(), b"more", &mut NO_LIMIT.clone()).unwrap();
        assert_eq!(data.owned_bytes(), 5 + 4, "only the last, partial chunk is copied up");
        let mut tail = [0; 9];
        data.read_at(100 * CHUNK_U64, &mut tail);
        assert_eq!(&tail, b"\x03\x03\x03\x03\x03more");
        let mut head = [0; 4];
        data.read_at(0, &mut head);
        assert_eq!(head, [3; 4]);
    }

    #[test]
    fn overwriting_lower_data_keeps_the_rest_of_its_chunk() {
        let lower: &'static [u8] = alloc::boxed::Box::leak(vec![9u8; 2 * CHUNK].into_boxed_slice());
        let mut data = FileData::from_lower(lower);
        data.write_at(CHUNK_U64 + 1, b"x", &mut NO_LIMIT.clone()).unwrap();
        let all = read_all(&data);
        assert_eq!(all[CHUNK + 1], b'x');
        assert_eq!(all.iter().filter(|&&b| b == 9).count(), 2 * CHUNK - 1);
        assert_eq!(data.owned_bytes(), CHUNK_U64);
    }

    #[test]
    fn budget_gives_a_short_write_then_enospc() {
        let mut data = FileData::default();
        let mut budget = CHUNK_U64 + 10;
        let written = data.write_at(0, &vec![1; 3 * CHUNK], &mut budget).unwrap();
        assert_eq!(written, CHUNK + 10, "a short write up to the budget, as tmpfs writes up to its limit");
        assert_eq!(data.write_at(written as u64, &vec![1; CHUNK], &mut budget), Err(Errno::NOSPC));
        assert_eq!(read_all(&data), vec![1; CHUNK + 10], "nothing written before is lost");
        // A chunk to copy up from the image takes its whole length first.
        let image: &'static [u8] = &[7; 1000];
        let mut data = FileData::from_lower(image);
        let mut budget = 999;
        assert_eq!(data.write_at(0, b"x", &mut budget), Err(Errno::NOSPC), "the copy-up does not fit");
        let mut budget = 1000 + 5;
        assert_eq!(data.write_at(998, &[9; 20], &mut budget), Ok(7), "the copy-up, then 5 bytes past it");
    }

    #[test]
    fn writes_at_the_size_limit_fail_with_efbig() {
        let mut data = FileData::default();
        assert_eq!(data.write_at(MAX_FILE_SIZE, b"x", &mut NO_LIMIT.clone()), Err(Errno::FBIG));
        assert_eq!(data.truncate(MAX_FILE_SIZE + 1), Err(Errno::FBIG));
    }

    #[test]
    fn punch_hole_zeros_and_frees() {
        let mut data = FileData::default();
        data.write_at(0, &vec![5; 3 * CHUNK], &mut NO_LIMIT.clone()).unwrap();
        data.punch_hole(10, 2 * CHUNK_U64);
        let all = read_all(&data);
        assert_eq!(data.size(), 3 * CHUNK_U64);
        assert!(all[..10].iter().all(|&b| b == 5));
        assert!(all[10..2 * CHUNK + 10].iter().all(|&b| b == 0));
        assert!(all[2 * CHUNK + 10..].iter().all(|&b| b == 5));
        assert_eq!(data.owned_bytes(), 2 * CHUNK_U64, "the middle chunk was freed");
    }

    #[test]
    fn allocate_extends_with_zeros() {
        let mut data = FileData::default();
        data.allocate(0, 100, false, &mut NO_LIMIT.clone()).unwrap();
        assert_eq!(data.size(), 100);
        assert_eq!(read_all(&data), vec![0; 100]);
        data.allocate(0, 1000, true, &mut NO_LIMIT.clone()).unwrap();
        assert_eq!(data.size(), 100);
        let mut small = 10;
        assert_eq!(data.allocate(0, 2 * CHUNK_U64, false, &mut small), Err(Errno::NOSPC));
        assert_eq!(data.size(), 100);
    }
}
