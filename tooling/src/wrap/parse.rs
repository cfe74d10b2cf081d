//! Parsing modules with walrus, configured once for guests and adapters.
//!
//! walrus validates with wasmparser's default features, every standard
//! proposal (SIMD, reference types, multiple tables, exceptions with
//! `try_table`/`exnref` and the legacy `try`, tail calls, GC, ...), so any
//! guest wasmtime runs parses. The `strata` section of a module wrapped
//! before is turned into ids while walrus still knows the original
//! indices ([`walrus::ModuleConfig::on_parse`]).

use anyhow::{anyhow, bail, Context, Result};
use walrus::ir::Value;
use walrus::{ConstExpr, DataKind, GlobalKind, IndicesToIds, Module, ModuleConfig, ValType};

use super::section::{self, Record, Section};

/// Parses a guest; a module wrapped before comes with its [`Section`].
pub fn guest(bytes: &[u8]) -> Result<(Module, Option<Section>)> {
    let mut config = config();
    config.on_parse(|module, indices| {
        let Some(raw) = module.customs.remove_raw(section::NAME) else { return Ok(()) };
        let section = Record::decode(&raw.data).and_then(|record| resolve(module, indices, &record)).context(
            "it was wrapped by strata, but its strata section does not describe it (was it changed by another tool?)",
        )?;
        module.customs.add(section);
        Ok(())
    });
    let mut module =
        config.parse(bytes).map_err(|error| anyhow!("not a valid WebAssembly module: {}", first_line(&error)))?;
    let section = module.customs.delete_typed::<Section>().map(|boxed| *boxed);
    Ok((module, section))
}

/// Parses the adapter.
pub fn adapter(bytes: &[u8]) -> Result<Module> {
    config().parse(bytes).map_err(|error| anyhow!("the adapter is not a valid module: {}", first_line(&error)))
}

fn config() -> ModuleConfig {
    let mut config = ModuleConfig::new();
    // DWARF can not be kept right across the rewrite; see `input::debug_sections`.
    config.generate_dwarf(false).generate_name_section(true).generate_producers_section(true);
    config
}

/// `record`'s indices as ids of `module`, after checking that they point
/// where a module `wrap` wrote has them: the adapter memory, the image
/// segment at the recorded offset with the recorded length, and the two
/// immutable `i32` globals holding the same numbers.
fn resolve(module: &Module, indices: &IndicesToIds, record: &Record) -> Result<Section> {
    let memory = indices.get_memory(record.memory)?;
    let image_base = indices.get_global(record.image_base)?;
    let image_len = indices.get_global(record.image_len_global)?;
    if module.memories.get(memory).import.is_some()
        || !u64::from(record.image_offset).is_multiple_of(super::image::PAGE)
    {
        bail!("its adapter memory is imported or its image offset is not page aligned");
    }
    let image = match record.image_data {
        Some(index) => {
            let data = indices.get_data(index)?;
            let segment = module.data.get(data);
            let placed = matches!(
                &segment.kind,
                DataKind::Active { memory: m, offset: ConstExpr::Value(Value::I32(offset)) }
                    if *m == memory && *offset as u32 == record.image_offset
            );
            if !placed || segment.value.len() != record.image_len as usize {
                bail!("its image segment is not where the section says");
            }
            Some((data, record.image_len))
        }
        None => None,
    };
    let base = if image.is_some() { record.image_offset } else { 0 };
    for (global, value) in [(image_base, base), (image_len, record.image_len)] {
        let global = module.globals.get(global);
        let holds = matches!(&global.kind, GlobalKind::Local(ConstExpr::Value(Value::I32(v))) if *v as u32 == value);
        if global.mutable || global.ty != ValType::I32 || !holds {
            bail!("its image globals do not hold the image's place");
        }
    }
    Ok(Section {
        adapter_version: record.adapter_version.clone(),
        memory,
        image_base,
        image_len,
        image_offset: record.image_offset,
        image,
        virtualized: record.virtualized.clone(),
    })
}

/// walrus errors carry context lines; a message is one line.
fn first_line(error: &anyhow::Error) -> String {
    format!("{error:#}").lines().next().unwrap_or_default().to_owned()
}
