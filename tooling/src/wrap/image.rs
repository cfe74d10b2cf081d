//! The image in the fused module: an active data segment in the adapter's
//! memory, and the two globals the adapter reads its place from.
//!
//! Invariants, all for wasmtime's copy-on-write memory initialization
//! (which it gives up, silently and for the whole module, if any segment
//! has a non-constant offset or a memory's initialized range is sparse):
//! - the segment's offset is an `i32.const`, page aligned (64 KiB), just
//!   past the adapter's initial memory (`Section::image_offset`), so the
//!   adapter's own data and the image form one dense range;
//! - the memory's minimum covers the image, so nothing grows into it: the
//!   adapter's allocator gets memory past the image from `memory.grow`.

use anyhow::{bail, Result};

use crate::display::human_size;
use wasm_encoder::Encode;

/// WebAssembly's page size.
pub const PAGE: u64 = 1 << 16;
/// A 32-bit memory's largest size, in pages (4 GiB).
const MAX_PAGES: u64 = 1 << 16;
/// Adapter memory an image may not take: room for the adapter's heap
/// (live inodes, written file data, open descriptions).
const HEAP_RESERVE: u64 = 64 << 20;

/// The adapter memory's minimum, in pages, with an image of `len` bytes at
/// `offset`: the image covered, nothing grows into it. An image that
/// leaves the heap less than `HEAP_RESERVE` is refused.
pub fn memory_minimum(offset: u64, len: u64, maximum: Option<u64>) -> Result<u64> {
    debug_assert!(offset.is_multiple_of(PAGE), "images start on a page");
    let limit = (MAX_PAGES * PAGE).saturating_sub(offset + HEAP_RESERVE);
    if len > limit {
        bail!(
            "the image is too large: {} ({len} bytes), and the adapter's memory has room for {} ({limit} bytes): wasm32's 4 GiB less the adapter's own {} and {} kept for its heap; pack less",
            human_size(len),
            human_size(limit),
            human_size(offset),
            human_size(HEAP_RESERVE)
        );
    }
    let minimum = offset / PAGE + len.div_ceil(PAGE);
    if maximum.is_some_and(|maximum| maximum < minimum + HEAP_RESERVE / PAGE) {
        bail!(
            "the adapter's memory is limited to {} pages, too few to hold the image and a heap",
            maximum.unwrap_or(0)
        );
    }
    Ok(minimum)
}

/// The bytes of an active data segment in `memory` at `offset` (an
/// `i32.const`) that come before its `len` bytes of data.
pub fn segment_header(memory: u32, offset: u32, len: usize) -> Vec<u8> {
    let mut header = Vec::with_capacity(16);
    match memory {
        // Memory 0 has the short form; any other is named (flag 2).
        0 => header.push(0),
        _ => {
            header.push(2);
            memory.encode(&mut header);
        }
    }
    header.push(0x41); // i32.const
    (offset as i32).encode(&mut header);
    header.push(0x0b); // end
    (len as u32).encode(&mut header);
    header
}
