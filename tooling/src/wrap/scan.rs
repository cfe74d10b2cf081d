//! A module as the fuser sees it: wasmparser's section readers over the
//! module's own bytes, nothing lifted. Function bodies stay byte ranges;
//! sections the fuser copies are kept as readers, whose entries can be
//! copied raw or re-encoded one by one.

use std::ops::Range;

use anyhow::{anyhow, Result};
use wasmparser::{
    CompositeInnerType, CustomSectionReader, DataSectionReader, ElementSectionReader, Export, FuncType, FunctionBody,
    GlobalSectionReader, Import, MemoryType, Parser, Payload, TableSectionReader, TagSectionReader, TypeRef,
};

/// How many of each kind a module imports: the number of indices before
/// its own items in each index space.
#[derive(Clone, Copy, Debug, Default)]
pub struct Imported {
    pub funcs: u32,
    pub tables: u32,
    pub memories: u32,
    pub globals: u32,
    pub tags: u32,
}

#[derive(Clone, Default)]
pub struct Scanned<'a> {
    /// Every type by type index (rec groups flattened); `None` for a type
    /// that is not a function type.
    pub types: Vec<Option<FuncType>>,
    /// The type section's entries (rec groups) as bytes, and their count.
    pub type_entries: Option<(u32, &'a [u8])>,
    pub imports: Vec<Import<'a>>,
    pub imported: Imported,
    /// The type index of each function the module defines.
    pub functions: Vec<u32>,
    pub tables: Option<TableSectionReader<'a>>,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    pub tags: Option<TagSectionReader<'a>>,
    pub globals: Option<GlobalSectionReader<'a>>,
    pub exports: Vec<Export<'a>>,
    pub start: Option<u32>,
    pub elements: Option<ElementSectionReader<'a>>,
    pub data_count: Option<u32>,
    pub data: Option<DataSectionReader<'a>>,
    pub bodies: Vec<FunctionBody<'a>>,
    pub customs: Vec<CustomSectionReader<'a>>,
}

impl<'a> Scanned<'a> {
    /// One pass over `bytes`' sections; a malformed section is an error
    /// (bodies are only framed here, their operators are read later).
    pub fn of(bytes: &'a [u8]) -> Result<Scanned<'a>> {
        let mut scanned = Scanned::default();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(reader) => {
                    scanned.type_entries = Some(entries(bytes, reader.range())?);
                    for group in reader {
                        for sub_type in group?.into_types() {
                            scanned.types.push(match sub_type.composite_type.inner {
                                CompositeInnerType::Func(func) => Some(func),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        let imported = &mut scanned.imported;
                        match import.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => imported.funcs += 1,
                            TypeRef::Table(_) => imported.tables += 1,
                            TypeRef::Memory(memory) => {
                                imported.memories += 1;
                                scanned.memories.push(memory);
                            }
                            TypeRef::Global(_) => imported.globals += 1,
                            TypeRef::Tag(_) => imported.tags += 1,
                        }
                        scanned.imports.push(import);
                    }
                }
                Payload::FunctionSection(reader) => {
                    scanned.functions = reader.into_iter().collect::<Result<_, _>>()?;
                }
                Payload::TableSection(reader) => scanned.tables = Some(reader),
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        scanned.memories.push(memory?);
                    }
                }
                Payload::TagSection(reader) => scanned.tags = Some(reader),
                Payload::GlobalSection(reader) => scanned.globals = Some(reader),
                Payload::ExportSection(reader) => {
                    scanned.exports = reader.into_iter().collect::<Result<_, _>>()?;
                }
                Payload::StartSection { func, .. } => scanned.start = Some(func),
                Payload::ElementSection(reader) => scanned.elements = Some(reader),
                Payload::DataCountSection { count, .. } => scanned.data_count = Some(count),
                Payload::DataSection(reader) => scanned.data = Some(reader),
                Payload::CodeSectionEntry(body) => scanned.bodies.push(body),
                Payload::CustomSection(custom) => scanned.customs.push(custom),
                _ => {}
            }
        }
        if scanned.bodies.len() != scanned.functions.len() {
            return Err(anyhow!("its function and code sections disagree on the number of functions"));
        }
        Ok(scanned)
    }

    /// All functions: imported ones, then the module's own.
    pub fn function_count(&self) -> u32 {
        self.imported.funcs + self.functions.len() as u32
    }

    pub fn table_count(&self) -> u32 {
        self.imported.tables + self.tables.as_ref().map_or(0, |tables| tables.count())
    }

    pub fn tag_count(&self) -> u32 {
        self.imported.tags + self.tags.as_ref().map_or(0, |tags| tags.count())
    }

    pub fn global_count(&self) -> u32 {
        self.imported.globals + self.globals.as_ref().map_or(0, |globals| globals.count())
    }

    pub fn element_count(&self) -> u32 {
        self.elements.as_ref().map_or(0, |elements| elements.count())
    }

    pub fn data_segment_count(&self) -> u32 {
        self.data.as_ref().map_or(0, |data| data.count())
    }

    /// The function type of function `index`, if it is one.
    pub fn function_type(&self, index: u32) -> Option<&FuncType> {
        let ty = match index.checked_sub(self.imported.funcs) {
            Some(local) => *self.functions.get(local as usize)?,
            None => self
                .imports
                .iter()
                .filter_map(|import| match import.ty {
                    TypeRef::Func(ty) | TypeRef::FuncExact(ty) => Some(ty),
                    _ => None,
                })
                .nth(index as usize)?,
        };
        self.types.get(ty as usize)?.as_ref()
    }

    pub fn custom(&self, name: &str) -> Option<&CustomSectionReader<'a>> {
        self.customs.iter().find(|custom| custom.name() == name)
    }
}

/// A section's entries: the count its payload starts with, and the bytes
/// after it.
pub fn entries(module: &[u8], payload: Range<usize>) -> Result<(u32, &[u8])> {
    let mut reader = wasmparser::BinaryReader::new(&module[payload.clone()], payload.start);
    let count = reader.read_var_u32()?;
    let start = reader.original_position();
    Ok((count, &module[start..payload.end]))
}
