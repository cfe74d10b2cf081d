//! Writing the fused module, section by section, in the index spaces of
//! `layout`: the guest's entries first (copied raw where nothing in them
//! names a function), the adapter's after them, the image last.

use std::collections::HashMap;

use anyhow::{bail, Result};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CustomSection, ElementSection, EntityType, FunctionSection, GlobalSection, ImportSection, MemorySection,
    MemoryType, StartSection, TableSection,
};

use super::embedded::Role;
use super::encode::{entries_of, Writer};
use super::image::{memory_minimum, segment_header, PAGE};
use super::intrinsics::{Intrinsic, Targets};
use super::layout::{FusedImport, Layout, Shim, Virtualized};
use super::reencode::{self, adapter_sections, failed, AdapterIndices, GuestIndices};
use super::scan::{entries, Scanned};
use super::section::Record;
use super::{names, splice};

/// The inputs of one fusion.
pub struct Parts<'a> {
    pub guest_bytes: &'a [u8],
    pub guest: &'a Scanned<'a>,
    pub adapter: &'a Scanned<'a>,
    pub adapter_version: &'a str,
    pub role: Role,
    pub virtualized: &'a [Virtualized],
    pub intrinsics: &'a HashMap<u32, Intrinsic>,
    pub image: Option<&'a [u8]>,
}

/// Section ids.
mod id {
    pub const TYPE: u8 = 1;
    pub const FUNCTION: u8 = 3;
    pub const TAG: u8 = 13;
    pub const CODE: u8 = 10;
    pub const DATA: u8 = 11;
}

/// Custom sections of the guest that describe its code byte by byte, and
/// can not be kept once bodies are rewritten; `name` and `producers` are
/// rewritten instead of copied.
pub fn dropped_custom(name: &str) -> bool {
    name.starts_with(".debug") || name.starts_with("metadata.code.") || name.starts_with("reloc.") || name == "linking"
}

pub fn fuse(parts: &Parts) -> Result<(Vec<u8>, Record)> {
    let Parts { guest_bytes, guest, adapter, .. } = *parts;
    let layout = Layout::new(guest, adapter, parts.virtualized, parts.intrinsics)?;
    let targets = Targets {
        guest: 0,
        adapter: layout.adapter_memory,
        image_base: layout.image_base,
        image_len: layout.image_len,
    };

    let [memory] = adapter.memories[..] else { bail!("the adapter must have exactly one memory") };
    if memory.shared || memory.memory64 || memory.page_size_log2.is_some() {
        bail!("the adapter's memory must be its own, unshared, 32-bit, with 64 KiB pages");
    }
    let Ok(image_offset) = u32::try_from(memory.initial * PAGE) else {
        bail!("the adapter's initial memory fills all of wasm32's 4 GiB");
    };
    let image = parts.image.filter(|image| !image.is_empty());
    let image_len = image.map_or(0, <[u8]>::len) as u64;
    let minimum = memory_minimum(u64::from(image_offset), image_len, memory.maximum)?;
    let image_base = if image.is_some() { image_offset } else { 0 };

    let mut indices = AdapterIndices { layout: &layout, intrinsics: parts.intrinsics, targets };
    let mut ours = adapter_sections(adapter, &mut indices)?;
    let mut guest_indices = GuestIndices { funcs: &layout.guest_funcs };

    let mut out = Writer::new(guest_bytes.len() + image_len as usize + (1 << 20));

    // Types: the guest's entries as they are, then the adapter's.
    let shims: Vec<Shim> = layout.start_shim.into_iter().chain(layout.exit_shim).collect();
    if !shims.is_empty() {
        debug_assert_eq!(layout.shim_type, layout.types + adapter.types.len() as u32);
        ours.types.ty().function([], []);
    }
    let (guest_type_count, guest_types) = guest.type_entries.unwrap_or((0, &[]));
    let (our_type_count, our_types) = entries_of(&ours.types);
    out.entries(id::TYPE, guest_type_count + our_type_count, &[guest_types, &our_types]);

    let mut imports = ImportSection::new();
    for import in &layout.imports {
        match *import {
            FusedImport::Guest(position) => {
                let import = &guest.imports[position];
                let ty = RoundtripReencoder.entity_type(import.ty).map_err(failed_plain)?;
                imports.import(import.module, import.name, ty);
            }
            FusedImport::Adapter(position) => {
                let import = &adapter.imports[position];
                let wasmparser::TypeRef::Func(ty) = import.ty else { unreachable!("checked by the layout") };
                imports.import(import.module, import.name, EntityType::Function(ty + layout.types));
            }
        }
    }
    if !imports.is_empty() {
        out.encoded(&imports);
    }

    let mut functions = FunctionSection::new();
    for &ty in guest.functions.iter() {
        functions.function(ty);
    }
    for &ty in &adapter.functions {
        functions.function(ty + layout.types);
    }
    for _ in &shims {
        functions.function(layout.shim_type);
    }
    let (function_count, function_entries) = entries_of(&functions);
    out.entries(id::FUNCTION, function_count, &[&function_entries]);

    let mut tables = TableSection::new();
    if let Some(reader) = &guest.tables {
        guest_indices.parse_table_section(&mut tables, reader.clone()).map_err(failed)?;
    }
    append(&mut out, tables, &ours.tables);

    let mut memories = MemorySection::new();
    for memory in &guest.memories[guest.imported.memories as usize..] {
        memories.memory(RoundtripReencoder.memory_type(*memory).map_err(failed_plain)?);
    }
    memories.memory(MemoryType {
        minimum,
        maximum: memory.maximum,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    out.encoded(&memories);

    let guest_tags = match &guest.tags {
        Some(reader) => entries(guest_bytes, reader.range())?,
        None => (0, &[][..]),
    };
    let (our_tag_count, our_tags) = entries_of(&ours.tags);
    out.entries(id::TAG, guest_tags.0 + our_tag_count, &[guest_tags.1, &our_tags]);

    let mut globals = GlobalSection::new();
    if let Some(reader) = &guest.globals {
        guest_indices.parse_global_section(&mut globals, reader.clone()).map_err(failed)?;
    }
    reencode::image_globals(&mut globals, image_base, image_len as u32);
    append(&mut out, globals, &ours.globals);

    let exports = reencode::guest_exports(guest, &layout.guest_funcs, layout.exit_shim, layout.strata_save)?;
    if !exports.is_empty() {
        out.encoded(&exports);
    }
    if let Some(function_index) = layout.start {
        out.encoded(&StartSection { function_index });
    }

    let mut elements = ElementSection::new();
    if let Some(reader) = &guest.elements {
        guest_indices.parse_element_section(&mut elements, reader.clone()).map_err(failed)?;
    }
    append(&mut out, elements, &ours.elements);

    let data_count = guest.data_segment_count() + adapter.data_segment_count() + u32::from(image.is_some());
    if guest.data_count.is_some() || adapter.data_count.is_some() {
        out.encoded(&wasm_encoder::DataCountSection { count: data_count });
    }

    // Code: the guest's bodies spliced, the adapter's, the start shim.
    for shim in &shims {
        reencode::shim(&mut ours.code, shim.first, shim.second);
    }
    let spliced = splice::guest_bodies(guest_bytes, &guest.bodies, &layout.guest_funcs)?;
    let (our_code_count, our_code) = entries_of(&ours.code);
    let mut code_parts: Vec<&[u8]> = spliced.iter().map(Vec::as_slice).collect();
    code_parts.push(&our_code);
    out.entries(id::CODE, guest.bodies.len() as u32 + our_code_count, &code_parts);
    drop(spliced);

    // Data: the guest's segments as they are, the adapter's, the image.
    let guest_data = match &guest.data {
        Some(reader) => entries(guest_bytes, reader.range())?,
        None => (0, &[][..]),
    };
    let (our_data_count, our_data) = entries_of(&ours.data);
    let image_header =
        image.map_or_else(Vec::new, |image| segment_header(layout.adapter_memory, image_offset, image.len()));
    out.entries(
        id::DATA,
        guest_data.0 + our_data_count + u32::from(image.is_some()),
        &[guest_data.1, &our_data, &image_header, image.unwrap_or(&[])],
    );

    for custom in &guest.customs {
        if !dropped_custom(custom.name()) && !matches!(custom.name(), "name" | "producers") {
            out.encoded(&CustomSection { name: custom.name().into(), data: custom.data().into() });
        }
    }
    out.encoded(&names::name_section(guest, adapter, &layout, parts.virtualized, image.is_some(), parts.role.prefix()));
    out.encoded(&names::producers(guest)?);

    let mut virtualized: Vec<String> = parts.virtualized.iter().map(|v| v.name.clone()).collect();
    virtualized.sort();
    virtualized.dedup();
    let record = Record {
        adapter_version: parts.adapter_version.to_owned(),
        memory: layout.adapter_memory,
        image_base: layout.image_base,
        image_len_global: layout.image_len,
        image_offset,
        image_len: image_len as u32,
        image_data: image.map(|_| layout.image_data),
        virtualized,
    };
    let encoded = record.encode();
    out.encoded(&CustomSection { name: parts.role.section().into(), data: encoded.as_bytes().into() });
    Ok((out.finish(), record))
}

/// A vector section holding `guest`'s entries, then `ours`'; none if both
/// are empty.
fn append<S: wasm_encoder::Section + wasm_encoder::Encode>(out: &mut Writer, guest: S, ours: &S) {
    let (guest_count, guest_entries) = entries_of(&guest);
    let (our_count, our_entries) = entries_of(ours);
    out.entries(guest.id(), guest_count + our_count, &[&guest_entries, &our_entries]);
}

fn failed_plain(error: wasm_encoder::reencode::Error) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
