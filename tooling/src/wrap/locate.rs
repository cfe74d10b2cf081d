//! Reading a wrapped module back without rewriting it: its `strata`
//! section, its image (a slice of the module's bytes, not a copy) and its
//! remaining imports. One pass of wasmparser's section reader; function
//! bodies are skipped, not parsed.

use anyhow::{anyhow, bail, Context, Result};
use wasmparser::{DataKind, Operator, Parser, Payload, TypeRef};

use super::section::{self, Record};

/// What a module `strata wrap` wrote says about itself.
#[derive(Clone, Debug)]
pub struct WrappedModule<'a> {
    pub record: Record,
    /// The image bytes, if it has an image.
    pub image: Option<&'a [u8]>,
    /// `(module, name)` of every function import: what the host provides.
    pub function_imports: Vec<(String, String)>,
    /// Exported function names (`_start`, `_initialize`, ...).
    pub function_exports: Vec<String>,
}

/// Reads `bytes`; `Ok(None)` for a module that has no `strata` section.
pub fn read(bytes: &[u8]) -> Result<Option<WrappedModule<'_>>> {
    let mut record = None;
    let mut data = None;
    let mut function_imports = Vec::new();
    let mut function_exports = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.context("not a valid WebAssembly module")? {
            Payload::CustomSection(custom) if custom.name() == section::NAME => {
                let decoded = Record::decode(custom.data()).context("its strata section is unreadable")?;
                record = Some(decoded);
            }
            Payload::DataSection(reader) => data = Some(reader),
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        function_imports.push((import.module.to_owned(), import.name.to_owned()));
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        function_exports.push(export.name.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let Some(record) = record else { return Ok(None) };
    let image = match record.image_data {
        None => None,
        Some(index) => {
            let reader =
                data.ok_or_else(|| anyhow!("its strata section names data segment {index}, and it has none"))?;
            let segment = reader
                .into_iter()
                .nth(index as usize)
                .ok_or_else(|| anyhow!("its strata section names data segment {index}, which it does not have"))??;
            let DataKind::Active { memory_index, offset_expr } = segment.kind else {
                bail!("its image segment is not active");
            };
            let offset = match offset_expr.get_operators_reader().read()? {
                Operator::I32Const { value } => value as u32,
                _ => bail!("its image segment's offset is not an i32.const"),
            };
            if memory_index != record.memory
                || offset != record.image_offset
                || segment.data.len() != record.image_len as usize
            {
                bail!("its image segment is not where its strata section says");
            }
            Some(segment.data)
        }
    };
    Ok(Some(WrappedModule { record, image, function_imports, function_exports }))
}
