//! The fused module's index spaces. Every guest item keeps its index except
//! functions; the adapter's items come after the guest's:
//!
//! | space | fused order |
//! | --- | --- |
//! | types | guest, adapter, then `[] -> []` for the shims |
//! | functions | guest imports that stay, adapter host imports not shared with one, guest functions, adapter functions, start shim, exit shim |
//! | tables, tags, elements | guest, adapter |
//! | memories | guest, adapter memory |
//! | globals | guest, `image_base`, `image_len`, adapter |
//! | data | guest, adapter, image |
//!
//! Only function indices move: virtualized imports leave the import
//! section, and imports precede defined functions. So a guest body needs
//! only its `call`, `return_call` and `ref.func` immediates rewritten.

use std::collections::HashMap;

use anyhow::{bail, Result};
use wasmparser::{ExternalKind, TypeRef};

use super::intrinsics::Intrinsic;
use super::scan::Scanned;

/// A guest import of a preview1 function that the adapter exports: it
/// becomes the adapter's function.
#[derive(Clone, Debug)]
pub struct Virtualized {
    /// The guest's imported function's index.
    pub guest: u32,
    /// The adapter's function exported under the same name.
    pub adapter: u32,
    pub name: String,
}

/// An entry of the fused import section.
#[derive(Clone, Copy, Debug)]
pub enum FusedImport {
    /// The guest's import at this position of its import list.
    Guest(usize),
    /// The adapter's import at this position, a host function no guest
    /// import provides.
    Adapter(usize),
}

pub struct Layout {
    /// Fused index of each guest function.
    pub guest_funcs: Vec<u32>,
    /// Fused index of each adapter function; `None` for an intrinsic.
    pub adapter_funcs: Vec<Option<u32>>,
    pub imports: Vec<FusedImport>,
    /// Where the adapter's items start in each index space.
    pub types: u32,
    pub tables: u32,
    pub tags: u32,
    pub globals: u32,
    pub elements: u32,
    pub data: u32,
    /// The adapter's memory, the image globals and the image segment.
    pub adapter_memory: u32,
    pub image_base: u32,
    pub image_len: u32,
    pub image_data: u32,
    /// The function that runs both start functions, when both modules
    /// have one: the adapter's, then the guest's.
    pub start_shim: Option<Shim>,
    pub start: Option<u32>,
    /// What the fused module exports as `_start`, when the guest is a
    /// command: the guest's `_start`, then the adapter's `strata_finish`
    /// (which saves the tree if asked to; see `adapter/src/save.rs`).
    pub exit_shim: Option<Shim>,
    /// The adapter's `strata_save`, exported under that name for hosts
    /// of reactors.
    pub strata_save: Option<u32>,
    /// The type `[] -> []` the shims have, after the adapter's types.
    pub shim_type: u32,
}

/// A function of type `[] -> []` at fused index `index` that calls
/// `first`, then `second`.
#[derive(Clone, Copy, Debug)]
pub struct Shim {
    pub index: u32,
    pub first: u32,
    pub second: u32,
}

/// The adapter's exports that are not preview1 functions: the guest's
/// lifecycle, called by the exit shim and by the host.
pub const FINISH_EXPORT: &str = "strata_finish";
pub const SAVE_EXPORT: &str = "strata_save";

impl Layout {
    pub fn new(
        guest: &Scanned,
        adapter: &Scanned,
        virtualized: &[Virtualized],
        intrinsics: &HashMap<u32, Intrinsic>,
    ) -> Result<Layout> {
        if adapter.imported.tables + adapter.imported.memories + adapter.imported.globals + adapter.imported.tags > 0 {
            bail!("the adapter imports something other than functions, which strata does not fuse");
        }
        let mut next = 0u32;
        let mut take = || {
            next += 1;
            next - 1
        };
        let mut guest_funcs = vec![u32::MAX; guest.function_count() as usize];
        let mut imports = Vec::new();
        // Kept guest function imports, by (module, name, type).
        let mut kept: HashMap<(&str, &str), Vec<(u32, u32)>> = HashMap::new();
        let mut func = 0;
        for (position, import) in guest.imports.iter().enumerate() {
            let is_func = matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_));
            if is_func && virtualized.iter().any(|v| v.guest == func) {
                func += 1;
                continue;
            }
            if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.ty {
                guest_funcs[func as usize] = take();
                kept.entry((import.module, import.name)).or_default().push((ty, guest_funcs[func as usize]));
                func += 1;
            }
            imports.push(FusedImport::Guest(position));
        }

        let types = guest.types.len() as u32;
        let mut adapter_funcs = vec![None; adapter.function_count() as usize];
        for (position, import) in adapter.imports.iter().enumerate() {
            // The adapter imports only functions (checked above), so its
            // import positions are its function indices.
            let index = position as u32;
            if intrinsics.contains_key(&index) {
                continue;
            }
            let TypeRef::Func(ty) = import.ty else {
                bail!("the adapter imports {} in a form strata does not fuse", import.name)
            };
            let wanted = adapter.types.get(ty as usize).cloned().flatten();
            let shared = kept.get(&(import.module, import.name)).and_then(|candidates| {
                candidates
                    .iter()
                    .find(|&&(guest_ty, _)| guest.types.get(guest_ty as usize).cloned().flatten() == wanted)
                    .map(|&(_, fused)| fused)
            });
            adapter_funcs[index as usize] = Some(match shared {
                Some(fused) => fused,
                None => {
                    imports.push(FusedImport::Adapter(position));
                    take()
                }
            });
        }
        for local in guest.imported.funcs..guest.function_count() {
            guest_funcs[local as usize] = take();
        }
        for local in adapter.imported.funcs..adapter.function_count() {
            adapter_funcs[local as usize] = Some(take());
        }
        for v in virtualized {
            guest_funcs[v.guest as usize] = adapter_funcs[v.adapter as usize].expect("virtualized functions are local");
        }

        let guest_start = guest.start.map(|start| guest_funcs[start as usize]);
        let adapter_start = adapter.start.and_then(|start| adapter_funcs[start as usize]);
        let (start_shim, start) = match (adapter_start, guest_start) {
            (Some(first), Some(second)) => {
                let index = take();
                (Some(Shim { index, first, second }), Some(index))
            }
            (one, other) => (None, one.or(other)),
        };
        let adapter_export = |name: &str| {
            let export = adapter.exports.iter().find(|e| e.name == name && e.kind == ExternalKind::Func)?;
            adapter_funcs[export.index as usize]
        };
        let command = guest.exports.iter().find(|e| e.name == "_start" && e.kind == ExternalKind::Func);
        let exit_shim = match (command, adapter_export(FINISH_EXPORT)) {
            (Some(command), Some(finish)) => {
                let first = guest_funcs[command.index as usize];
                Some(Shim { index: take(), first, second: finish })
            }
            _ => None,
        };
        let strata_save = adapter_export(SAVE_EXPORT).filter(|_| !guest.exports.iter().any(|e| e.name == SAVE_EXPORT));

        let guest_data = guest.data_segment_count();
        let adapter_data = adapter.data_segment_count();
        Ok(Layout {
            guest_funcs,
            adapter_funcs,
            imports,
            types,
            tables: guest.table_count(),
            tags: guest.tag_count(),
            globals: guest.global_count() + 2,
            elements: guest.element_count(),
            data: guest_data,
            adapter_memory: guest.memories.len() as u32,
            image_base: guest.global_count(),
            image_len: guest.global_count() + 1,
            image_data: guest_data + adapter_data,
            start_shim,
            start,
            exit_shim,
            strata_save,
            shim_type: types + adapter.types.len() as u32,
        })
    }
}
