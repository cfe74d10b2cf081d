//! Items re-encoded into the fused module's index spaces (`layout`) with
//! wasm-encoder's [`Reencode`]: the whole adapter, which is small, and the
//! few guest sections that can name functions (tables, globals, element
//! segments, exports). The guest's bodies are not re-encoded (`splice`).

use std::collections::HashMap;

use anyhow::{anyhow, bail, Result};
use wasm_encoder::reencode::{Error, Reencode};
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, ExportKind, ExportSection, Function, GlobalSection,
    GlobalType, Instruction, TableSection, TagSection, TypeSection, ValType,
};
use wasmparser::{DataKind, ExternalKind, Operator};

use super::intrinsics::{Intrinsic, Targets};
use super::layout::{Layout, Shim, SAVE_EXPORT};
use super::scan::Scanned;

/// The guest's indices: functions move, nothing else does.
pub struct GuestIndices<'a> {
    pub funcs: &'a [u32],
}

impl Reencode for GuestIndices<'_> {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<String>> {
        self.funcs
            .get(func as usize)
            .copied()
            .ok_or_else(|| Error::UserError(format!("function {func} does not exist")))
    }
}

/// The adapter's indices, each moved past the guest's; intrinsic calls
/// become their instruction.
pub struct AdapterIndices<'a> {
    pub layout: &'a Layout,
    pub intrinsics: &'a HashMap<u32, Intrinsic>,
    pub targets: Targets,
}

impl Reencode for AdapterIndices<'_> {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<String>> {
        match self.layout.adapter_funcs.get(func as usize) {
            Some(Some(fused)) => Ok(*fused),
            Some(None) => Err(Error::UserError(
                "the adapter takes the address of an intrinsic; intrinsics may only be called".to_owned(),
            )),
            None => Err(Error::UserError(format!("the adapter names function {func}, which it does not have"))),
        }
    }

    fn type_index(&mut self, ty: u32) -> Result<u32, Error<String>> {
        Ok(ty + self.layout.types)
    }

    fn global_index(&mut self, global: u32) -> Result<u32, Error<String>> {
        Ok(global + self.layout.globals)
    }

    fn memory_index(&mut self, memory: u32) -> Result<u32, Error<String>> {
        match memory {
            0 => Ok(self.layout.adapter_memory),
            _ => Err(Error::UserError("the adapter uses a second memory".to_owned())),
        }
    }

    fn table_index(&mut self, table: u32) -> Result<u32, Error<String>> {
        Ok(table + self.layout.tables)
    }

    fn tag_index(&mut self, tag: u32) -> Result<u32, Error<String>> {
        Ok(tag + self.layout.tags)
    }

    fn element_index(&mut self, element: u32) -> Result<u32, Error<String>> {
        Ok(element + self.layout.elements)
    }

    fn data_index(&mut self, data: u32) -> Result<u32, Error<String>> {
        Ok(data + self.layout.data)
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<String>> {
        let mut function = self.new_function_with_parsed_locals(&body)?;
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            match reader.read()? {
                Operator::Call { function_index } if self.intrinsics.contains_key(&function_index) => {
                    function.instruction(&self.intrinsics[&function_index].instruction(&self.targets));
                }
                // A tail call of an intrinsic: the instruction, then return.
                Operator::ReturnCall { function_index } if self.intrinsics.contains_key(&function_index) => {
                    function.instruction(&self.intrinsics[&function_index].instruction(&self.targets));
                    function.instruction(&Instruction::Return);
                }
                operator => {
                    function.instruction(&self.instruction(operator)?);
                }
            }
        }
        code.function(&function);
        Ok(())
    }
}

/// A re-encoding failure as one line.
pub fn failed(error: Error<String>) -> anyhow::Error {
    anyhow!("{error}")
}

/// The adapter's types, tables, tags, globals, element segments, data
/// segments and bodies, in the fused index spaces, as wasm-encoder
/// sections (appended to the guest's by `assemble`).
pub struct AdapterSections {
    pub types: TypeSection,
    pub tables: TableSection,
    pub tags: TagSection,
    pub globals: GlobalSection,
    pub elements: ElementSection,
    pub data: DataSection,
    pub code: CodeSection,
}

pub fn adapter_sections(adapter: &Scanned, indices: &mut AdapterIndices) -> Result<AdapterSections> {
    let mut types = TypeSection::new();
    for ty in &adapter.types {
        let Some(func) = ty else { bail!("the adapter defines a type that is not a function type") };
        let func = indices.func_type(func.clone()).map_err(failed)?;
        types.ty().func_type(&func);
    }
    let mut tables = TableSection::new();
    if let Some(reader) = &adapter.tables {
        indices.parse_table_section(&mut tables, reader.clone()).map_err(failed)?;
    }
    let mut tags = TagSection::new();
    if let Some(reader) = &adapter.tags {
        indices.parse_tag_section(&mut tags, reader.clone()).map_err(failed)?;
    }
    let mut globals = GlobalSection::new();
    if let Some(reader) = &adapter.globals {
        indices.parse_global_section(&mut globals, reader.clone()).map_err(failed)?;
    }
    let mut elements = ElementSection::new();
    if let Some(reader) = &adapter.elements {
        indices.parse_element_section(&mut elements, reader.clone()).map_err(failed)?;
    }
    let mut data = DataSection::new();
    if let Some(reader) = &adapter.data {
        // wasmtime initializes a module's memories copy-on-write only if
        // every active segment's offset is a constant.
        for segment in reader.clone() {
            if let DataKind::Active { offset_expr, .. } = segment?.kind {
                let mut ops = offset_expr.get_operators_reader();
                if !matches!((ops.read()?, ops.read()?), (Operator::I32Const { .. }, Operator::End)) {
                    bail!("the adapter has a data segment whose offset is not an i32.const");
                }
            }
        }
        indices.parse_data_section(&mut data, reader.clone()).map_err(failed)?;
    }
    let mut code = CodeSection::new();
    for body in &adapter.bodies {
        indices.parse_function_body(&mut code, body.clone()).map_err(failed)?;
    }
    Ok(AdapterSections { types, tables, tags, globals, elements, data, code })
}

/// The immutable `i32` globals `image_base` and `image_len`, which the
/// intrinsics of the same names become.
pub fn image_globals(globals: &mut GlobalSection, base: u32, len: u32) {
    let ty = GlobalType { val_type: ValType::I32, mutable: false, shared: false };
    globals.global(ty, &ConstExpr::i32_const(base as i32));
    globals.global(ty, &ConstExpr::i32_const(len as i32));
}

/// A function that calls `first`, then `second`.
pub fn shim(code: &mut CodeSection, first: u32, second: u32) {
    let mut shim = Function::new([]);
    shim.instruction(&Instruction::Call(first)).instruction(&Instruction::Call(second)).instruction(&Instruction::End);
    code.function(&shim);
}

/// The guest's exports with function indices moved, `_start` going to
/// the exit shim, and the adapter's `strata_save`; the adapter's other
/// exports are never copied (they only rooted its pruning).
pub fn guest_exports(
    guest: &Scanned,
    funcs: &[u32],
    exit_shim: Option<Shim>,
    strata_save: Option<u32>,
) -> Result<ExportSection> {
    let mut exports = ExportSection::new();
    for export in &guest.exports {
        let (kind, index) = match export.kind {
            ExternalKind::Func if export.name == "_start" && exit_shim.is_some() => {
                (ExportKind::Func, exit_shim.expect("checked").index)
            }
            ExternalKind::Func | ExternalKind::FuncExact => (
                ExportKind::Func,
                *funcs.get(export.index as usize).ok_or_else(|| anyhow!("export {} names no function", export.name))?,
            ),
            ExternalKind::Table => (ExportKind::Table, export.index),
            ExternalKind::Memory => (ExportKind::Memory, export.index),
            ExternalKind::Global => (ExportKind::Global, export.index),
            ExternalKind::Tag => (ExportKind::Tag, export.index),
        };
        exports.export(export.name, kind, index);
    }
    if let Some(save) = strata_save {
        exports.export(SAVE_EXPORT, ExportKind::Func, save);
    }
    Ok(exports)
}
