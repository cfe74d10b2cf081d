//! Re-wrapping: a module `wrap` wrote keeps its adapter and gets another
//! image. Only what says where the image is changes: the image segment
//! (always the last data segment), the adapter memory's minimum, the two
//! image globals, the data count and the `strata` section. Every other
//! section is copied as it is.

use anyhow::{anyhow, bail, Context, Result};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ConstExpr, CustomSection, GlobalSection, MemorySection};
use wasmparser::{DataKind, Operator, Parser, Payload};

use super::encode::Writer;
use super::image::{memory_minimum, segment_header, PAGE};
use super::scan::Scanned;
use super::section::{self, Record};
use super::{validate, WrapOptions, Wrapped};

/// The data section's id.
const DATA: u8 = 11;

/// `module` (whose bytes are `bytes`) with `image` in place of its image.
pub fn replace_image(bytes: &[u8], module: &Scanned, image: Option<&[u8]>, options: &WrapOptions) -> Result<Wrapped> {
    let custom = module.custom(section::NAME).expect("only wrapped modules are rewrapped");
    let old = Record::decode(custom.data()).and_then(|record| check(module, &record).map(|()| record)).context(
        "it was wrapped by strata, but its strata section does not describe it (was it changed by another tool?)",
    )?;
    if old.adapter_version != options.adapter.version {
        bail!(
            "the module was wrapped with strata adapter {}, and this strata has adapter {}; wrap the original guest instead",
            old.adapter_version,
            options.adapter.version
        );
    }
    let image = image.filter(|image| !image.is_empty());
    let image_len = image.map_or(0, <[u8]>::len);
    let memory = module.memories[old.memory as usize];
    let minimum = memory_minimum(u64::from(old.image_offset), image_len as u64, memory.maximum)?;
    // The image segment is the last one: dropping it moves no other index.
    let kept_segments = module.data_segment_count() - u32::from(old.image_data.is_some());
    let record = Record { image_len: image_len as u32, image_data: image.map(|_| kept_segments), ..old.clone() };

    let mut out = Writer::new(bytes.len() + image_len);
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match &payload {
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for (index, memory) in (module.imported.memories..).zip(reader.clone()) {
                    let mut memory = RoundtripReencoder.memory_type(memory?).map_err(|e| anyhow!("{e}"))?;
                    if index == old.memory {
                        memory.minimum = minimum;
                    }
                    memories.memory(memory);
                }
                out.encoded(&memories);
            }
            Payload::GlobalSection(reader) => {
                let mut globals = GlobalSection::new();
                for (index, global) in (module.imported.globals..).zip(reader.clone()) {
                    let global = global?;
                    let ty = RoundtripReencoder.global_type(global.ty).map_err(|e| anyhow!("{e}"))?;
                    let value = if index == old.image_base {
                        Some(if image.is_some() { old.image_offset } else { 0 })
                    } else if index == old.image_len_global {
                        Some(image_len as u32)
                    } else {
                        None
                    };
                    match value {
                        Some(value) => globals.global(ty, &ConstExpr::i32_const(value as i32)),
                        None => globals
                            .global(ty, &RoundtripReencoder.const_expr(global.init_expr).map_err(|e| anyhow!("{e}"))?),
                    };
                }
                out.encoded(&globals);
            }
            Payload::DataCountSection { .. } => {
                out.encoded(&wasm_encoder::DataCountSection { count: kept_segments + u32::from(image.is_some()) })
            }
            Payload::DataSection(reader) => {
                let (_, entries) = super::scan::entries(bytes, reader.range())?;
                let kept = match old.image_data {
                    // Every segment before the image's: module bytes from the
                    // first entry up to where the last one starts.
                    Some(_) => {
                        let image = reader.clone().into_iter().last().expect("checked: the image segment")?;
                        let first = reader.range().end - entries.len();
                        &bytes[first..image.range.start]
                    }
                    None => entries,
                };
                data_section(&mut out, kept_segments, kept, &old, image);
            }
            // A module without data segments gets its section last (custom
            // sections may come before it).
            Payload::End(_) if module.data.is_none() => data_section(&mut out, 0, &[], &old, image),
            Payload::CustomSection(custom) if custom.name() == section::NAME => {
                let encoded = record.encode();
                out.encoded(&CustomSection { name: section::NAME.into(), data: encoded.as_bytes().into() });
            }
            _ => {
                if let Some((id, range)) = payload.as_section() {
                    out.section(id, &[&bytes[range]]);
                }
            }
        }
    }
    let module_bytes = out.finish();
    validate::validate(&module_bytes, bytes)?;
    Ok(Wrapped { module: module_bytes, virtualized: record.virtualized, replaced_image: true, warnings: Vec::new() })
}

/// The data section: `count` segments whose bytes are `kept`, then the
/// image's, if there is one.
fn data_section(out: &mut Writer, count: u32, kept: &[u8], record: &Record, image: Option<&[u8]>) {
    let header = image.map_or_else(Vec::new, |image| segment_header(record.memory, record.image_offset, image.len()));
    let count = count + u32::from(image.is_some());
    out.entries(DATA, count, &[kept, &header, image.unwrap_or(&[])]);
}

/// Whether `record`'s indices point where a module `wrap` wrote has them:
/// the adapter memory, the image segment (the last one) at the recorded
/// offset with the recorded length, and the two immutable `i32` globals
/// holding the same numbers.
fn check(module: &Scanned, record: &Record) -> Result<()> {
    if record.memory < module.imported.memories
        || record.memory as usize >= module.memories.len()
        || !u64::from(record.image_offset).is_multiple_of(PAGE)
    {
        bail!("its adapter memory is imported or missing, or its image offset is not page aligned");
    }
    if let Some(index) = record.image_data {
        let segments: Vec<_> = match &module.data {
            Some(reader) => reader.clone().into_iter().collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let placed = segments.len().checked_sub(1) == Some(index as usize)
            && matches!(&segments[index as usize].kind, DataKind::Active { memory_index, offset_expr }
                if *memory_index == record.memory && i32_const(offset_expr) == Some(record.image_offset))
            && segments[index as usize].data.len() == record.image_len as usize;
        if !placed {
            bail!("its image segment is not where the section says");
        }
    }
    let base = if record.image_data.is_some() { record.image_offset } else { 0 };
    let globals: Vec<_> = match &module.globals {
        Some(reader) => reader.clone().into_iter().collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    for (index, value) in [(record.image_base, base), (record.image_len_global, record.image_len)] {
        let global = index.checked_sub(module.imported.globals).and_then(|local| globals.get(local as usize));
        let holds = global.is_some_and(|global| {
            !global.ty.mutable
                && global.ty.content_type == wasmparser::ValType::I32
                && i32_const(&global.init_expr) == Some(value)
        });
        if !holds {
            bail!("its image globals do not hold the image's place");
        }
    }
    Ok(())
}

/// The value of a constant expression that is one `i32.const`.
fn i32_const(expr: &wasmparser::ConstExpr) -> Option<u32> {
    let mut ops = expr.get_operators_reader();
    match (ops.read().ok()?, ops.read().ok()?) {
        (Operator::I32Const { value }, Operator::End) => Some(value as u32),
        _ => None,
    }
}
