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
use walrus::ir::Value;
use walrus::{ConstExpr, DataKind, GlobalId, Module, ValType};

use super::section::Section;
use crate::display::human_size;

/// WebAssembly's page size.
pub const PAGE: u64 = 1 << 16;
/// A 32-bit memory's largest size, in pages (4 GiB).
const MAX_PAGES: u64 = 1 << 16;
/// Adapter memory an image may not take: room for the adapter's heap
/// (live inodes, written file data, open descriptions).
const HEAP_RESERVE: u64 = 64 << 20;

/// Adds the immutable `i32` globals `image_base` and `image_len` (both 0:
/// no image yet) that the intrinsics of the same names become.
pub fn add_globals(module: &mut Module) -> (GlobalId, GlobalId) {
    let mut add = |name: &str| {
        let id = module.globals.add_local(ValType::I32, false, false, ConstExpr::Value(Value::I32(0)));
        module.globals.get_mut(id).name = Some(format!("strata:{name}"));
        id
    };
    (add("image_base"), add("image_len"))
}

/// Puts `image` (`None`: no image) where `section` says images go,
/// replacing the one there: the data segment, the globals, the adapter
/// memory's minimum, and `section.image`.
pub fn place(module: &mut Module, section: &mut Section, image: Option<&[u8]>) -> Result<()> {
    let offset = u64::from(section.image_offset);
    debug_assert!(offset.is_multiple_of(PAGE), "images start on a page");
    let len = image.map_or(0, |image| image.len() as u64);
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

    if let Some((old, _)) = section.image.take() {
        module.data.delete(old);
        module.memories.get_mut(section.memory).data_segments.remove(&old);
    }
    let minimum = offset / PAGE + len.div_ceil(PAGE);
    let memory = module.memories.get_mut(section.memory);
    memory.initial = minimum;
    if memory.maximum.is_some_and(|maximum| maximum < minimum + HEAP_RESERVE / PAGE) {
        bail!(
            "the adapter's memory is limited to {} pages, too few to hold the image and a heap",
            memory.maximum.unwrap_or(0)
        );
    }
    let base = match image {
        Some(image) if !image.is_empty() => {
            let kind = DataKind::Active {
                memory: section.memory,
                offset: ConstExpr::Value(Value::I32(section.image_offset as i32)),
            };
            let data = module.data.add(kind, image.to_vec());
            module.data.get_mut(data).name = Some("strata:image".to_owned());
            module.memories.get_mut(section.memory).data_segments.insert(data);
            section.image = Some((data, len as u32));
            section.image_offset
        }
        _ => 0,
    };
    set_const(module, section.image_base, base);
    set_const(module, section.image_len, len as u32);
    Ok(())
}

fn set_const(module: &mut Module, global: GlobalId, value: u32) {
    module.globals.get_mut(global).kind = walrus::GlobalKind::Local(ConstExpr::Value(Value::I32(value as i32)));
}
