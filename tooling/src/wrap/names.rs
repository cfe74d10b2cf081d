//! The fused module's `name` and `producers` sections.
//!
//! Guest names keep their indices, but function-keyed ones (function,
//! local and label names) follow the functions (`layout`); names of
//! virtualized imports go with them. Adapter items get a `strata:`
//! prefix, except functions with mangled Rust names, which are kept (a
//! backtrace demangles them to `strata_adapter::...`).

use std::collections::HashMap;

use anyhow::Result;
use wasm_encoder::{IndirectNameMap, NameMap, NameSection, ProducersField, ProducersSection};
use wasmparser::{KnownCustom, Name};

use super::layout::{Layout, Virtualized};
use super::scan::Scanned;

/// The names of one index space: `(index, name)`, sorted by index.
type Names = Vec<(u32, String)>;

#[derive(Default)]
struct Read {
    module: Option<String>,
    functions: Names,
    locals: Vec<(u32, Names)>,
    labels: Vec<(u32, Names)>,
    types: Names,
    tables: Names,
    memories: Names,
    globals: Names,
    elements: Names,
    data: Names,
    fields: Vec<(u32, Names)>,
    tags: Names,
}

/// A module's name section as read; `None` if it has none, or one that
/// does not parse (it is then dropped, not an error: names are optional).
fn read(module: &Scanned) -> Option<Read> {
    let KnownCustom::Name(reader) = module.custom("name")?.as_known() else { return None };
    let map = |names: wasmparser::NameMap| -> wasmparser::Result<Names> {
        names.into_iter().map(|naming| naming.map(|n| (n.index, n.name.to_owned()))).collect()
    };
    let indirect = |names: wasmparser::IndirectNameMap| -> wasmparser::Result<Vec<(u32, Names)>> {
        names.into_iter().map(|naming| naming.and_then(|n| Ok((n.index, map(n.names)?)))).collect()
    };
    let mut read = Read::default();
    for subsection in reader {
        match subsection.ok()? {
            Name::Module { name, .. } => read.module = Some(name.to_owned()),
            Name::Function(names) => read.functions = map(names).ok()?,
            Name::Local(names) => read.locals = indirect(names).ok()?,
            Name::Label(names) => read.labels = indirect(names).ok()?,
            Name::Type(names) => read.types = map(names).ok()?,
            Name::Table(names) => read.tables = map(names).ok()?,
            Name::Memory(names) => read.memories = map(names).ok()?,
            Name::Global(names) => read.globals = map(names).ok()?,
            Name::Element(names) => read.elements = map(names).ok()?,
            Name::Data(names) => read.data = map(names).ok()?,
            Name::Field(names) => read.fields = indirect(names).ok()?,
            Name::Tag(names) => read.tags = map(names).ok()?,
            Name::Unknown { .. } => {}
        }
    }
    Some(read)
}

/// The fused module's name section.
pub fn name_section(
    guest: &Scanned,
    adapter: &Scanned,
    layout: &Layout,
    virtualized: &[Virtualized],
    has_image: bool,
    prefix: &str,
) -> NameSection {
    let guest_names = read(guest).unwrap_or_default();
    let adapter_names = read(adapter).unwrap_or_default();
    let virtual_import = |index: u32| virtualized.iter().any(|v| v.guest == index);
    let moved = |names: &Names| -> Names {
        names
            .iter()
            .filter(|(index, _)| !virtual_import(*index))
            .filter_map(|(index, name)| Some((*layout.guest_funcs.get(*index as usize)?, name.clone())))
            .collect()
    };
    let moved_indirect = |names: &[(u32, Names)]| -> Vec<(u32, Names)> {
        names
            .iter()
            .filter(|(index, _)| !virtual_import(*index))
            .filter_map(|(index, inner)| Some((*layout.guest_funcs.get(*index as usize)?, inner.clone())))
            .collect()
    };

    let mut functions = moved(&guest_names.functions);
    let adapter_function_names: HashMap<u32, &str> =
        adapter_names.functions.iter().map(|(index, name)| (*index, name.as_str())).collect();
    for index in adapter.imported.funcs..adapter.function_count() {
        let Some(fused) = layout.adapter_funcs[index as usize] else { continue };
        let name = match adapter_function_names.get(&index) {
            Some(name) if name.starts_with("_ZN") || name.starts_with("_R") => (*name).to_owned(),
            Some(name) => format!("{prefix}:{name}"),
            None => match virtualized.iter().find(|v| v.adapter == index) {
                Some(v) => format!("{prefix}:{}", v.name),
                None => continue,
            },
        };
        functions.push((fused, name));
    }
    if let Some(shim) = layout.start_shim {
        functions.push((shim.index, format!("{prefix}:start")));
    }
    if let Some(shim) = layout.exit_shim {
        functions.push((shim.index, format!("{prefix}:_start_then_finish")));
    }

    let prefixed = |names: &Names, offset: u32, count: u32, kind: &str| -> Names {
        let named: HashMap<u32, &str> = names.iter().map(|(index, name)| (*index, name.as_str())).collect();
        (0..count).map(|index| (offset + index, format!("{prefix}:{}", named.get(&index).unwrap_or(&kind)))).collect()
    };
    let mut memories = guest_names.memories.clone();
    memories.push((layout.adapter_memory, format!("{prefix}:memory")));
    let mut globals = guest_names.globals.clone();
    globals.push((layout.image_base, format!("{prefix}:image_base")));
    globals.push((layout.image_len, format!("{prefix}:image_len")));
    globals.extend(prefixed(&adapter_names.globals, layout.globals, adapter.global_count(), "global"));
    let mut tables = guest_names.tables.clone();
    tables.extend(prefixed(&adapter_names.tables, layout.tables, adapter.table_count(), "table"));
    let mut tags = guest_names.tags.clone();
    tags.extend(prefixed(&adapter_names.tags, layout.tags, adapter.tag_count(), "tag"));
    let mut elements = guest_names.elements.clone();
    elements.extend(prefixed(&adapter_names.elements, layout.elements, adapter.element_count(), "elem"));
    let mut data = guest_names.data.clone();
    data.extend(prefixed(&adapter_names.data, layout.data, adapter.data_segment_count(), "data"));
    if has_image {
        data.push((layout.image_data, format!("{prefix}:image")));
    }

    let mut section = NameSection::new();
    if let Some(module) = &guest_names.module {
        section.module(module);
    }
    section.functions(&name_map(functions));
    section.locals(&indirect_map(moved_indirect(&guest_names.locals)));
    section.labels(&indirect_map(moved_indirect(&guest_names.labels)));
    section.types(&name_map(guest_names.types));
    section.tables(&name_map(tables));
    section.memories(&name_map(memories));
    section.globals(&name_map(globals));
    section.elements(&name_map(elements));
    section.data(&name_map(data));
    section.fields(&indirect_map(guest_names.fields));
    section.tags(&name_map(tags));
    section
}

fn name_map(mut names: Names) -> NameMap {
    names.sort_by_key(|(index, _)| *index);
    names.dedup_by_key(|(index, _)| *index);
    let mut map = NameMap::new();
    for (index, name) in &names {
        map.append(*index, name);
    }
    map
}

fn indirect_map(mut names: Vec<(u32, Names)>) -> IndirectNameMap {
    names.sort_by_key(|(index, _)| *index);
    names.dedup_by_key(|(index, _)| *index);
    let mut map = IndirectNameMap::new();
    for (index, inner) in names {
        map.append(index, &name_map(inner));
    }
    map
}

/// The guest's producers section with `strata` added to `processed-by`
/// (a section that does not parse is replaced).
pub fn producers(guest: &Scanned) -> Result<ProducersSection> {
    let mut fields: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if let Some(KnownCustom::Producers(reader)) = guest.custom("producers").map(|custom| custom.as_known()) {
        let parsed: wasmparser::Result<Vec<_>> = reader
            .into_iter()
            .map(|field| {
                let field = field?;
                let values = field
                    .values
                    .into_iter()
                    .map(|value| value.map(|v| (v.name.to_owned(), v.version.to_owned())))
                    .collect::<wasmparser::Result<Vec<_>>>()?;
                Ok((field.name.to_owned(), values))
            })
            .collect();
        fields = parsed.unwrap_or_default();
    }
    let strata = ("strata".to_owned(), env!("CARGO_PKG_VERSION").to_owned());
    match fields.iter_mut().find(|(name, _)| name == "processed-by") {
        Some((_, values)) => {
            values.retain(|(name, _)| name != "strata");
            values.push(strata);
        }
        None => fields.push(("processed-by".to_owned(), vec![strata])),
    }
    let mut section = ProducersSection::new();
    for (name, values) in &fields {
        let mut field = ProducersField::new();
        for (value, version) in values {
            field.value(value, version);
        }
        section.field(name, &field);
    }
    Ok(section)
}

/// Whether a global or memory has a name `wrap` gives: the module was
/// wrapped before.
pub fn has_strata_items(module: &Scanned) -> bool {
    read(module).is_some_and(|names| {
        let strata = |names: &Names| names.iter().any(|(_, name)| name.starts_with("strata:"));
        strata(&names.globals) || strata(&names.memories)
    })
}
