//! Where the guest's imports and the adapter meet: which preview1 imports
//! the adapter serves, what its intrinsic imports are, and what of the
//! adapter the guest does not need.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Result};
use walrus::ExportItem;
use wasmparser::{ExternalKind, TypeRef, ValType};

use super::intrinsics::{self, Intrinsic};
use super::layout::{Virtualized, FINISH_EXPORT, SAVE_EXPORT};
use super::parse;
use super::scan::Scanned;

/// The import module of WASI preview 1.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// The adapter with everything the guest does not need dropped: every
/// export but the preview1 functions the guest imports, the lifecycle
/// exports (`strata_finish`, `strata_save`) and the memory (kept as a
/// root: the image goes there even if no code is left), then whatever
/// nothing reaches. The adapter is small; walrus's reachability
/// pass does this in milliseconds, and the result is emitted again for the
/// fuser to read.
pub fn pruned_adapter(adapter: &[u8], guest: &Scanned) -> Result<Vec<u8>> {
    let imported: HashSet<&str> = guest
        .imports
        .iter()
        .filter(|import| import.module == PREVIEW1 && matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)))
        .map(|import| import.name)
        .collect();
    let mut module = parse::adapter(adapter)?;
    let unneeded: Vec<_> = module
        .exports
        .iter()
        .filter(|export| match export.item {
            ExportItem::Function(_) => {
                !imported.contains(export.name.as_str())
                    && ![FINISH_EXPORT, SAVE_EXPORT].contains(&export.name.as_str())
            }
            ExportItem::Memory(_) => false,
            _ => true,
        })
        .map(|export| export.id())
        .collect();
    for id in unneeded {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(&mut module);
    Ok(module.emit_wasm())
}

/// The adapter's `strata_intrinsics` imports by function index, checked
/// against the contract.
pub fn intrinsics(adapter: &Scanned) -> Result<HashMap<u32, Intrinsic>> {
    let mut found = HashMap::new();
    let mut func = 0;
    for import in &adapter.imports {
        let is_func = matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_));
        if import.module == intrinsics::MODULE {
            if !is_func {
                bail!("the adapter imports {}.{} as something other than a function", import.module, import.name);
            }
            let Some((intrinsic, params, results)) = Intrinsic::by_name(import.name) else {
                bail!(
                    "the adapter imports an unknown intrinsic {}.{}; this strata does not know it",
                    import.module,
                    import.name
                );
            };
            let (got_params, got_results) =
                adapter.function_type(func).map_or((&[][..], &[][..]), |ty| (ty.params(), ty.results()));
            if got_params != params || got_results != results {
                bail!(
                    "the adapter imports {}.{} as {}, the intrinsics contract says {}",
                    import.module,
                    import.name,
                    signature(got_params, got_results),
                    signature(params, results)
                );
            }
            found.insert(func, intrinsic);
        }
        if is_func {
            func += 1;
        }
    }
    Ok(found)
}

/// The guest's preview1 function imports that the adapter exports, in the
/// guest's import order. A signature mismatch is an error naming the
/// function.
pub fn virtualized(guest: &Scanned, adapter: &Scanned) -> Result<Vec<Virtualized>> {
    let exports: HashMap<&str, u32> = adapter
        .exports
        .iter()
        .filter(|export| export.kind == ExternalKind::Func)
        .map(|export| (export.name, export.index))
        .collect();
    let mut found = Vec::new();
    let mut func = 0;
    for import in &guest.imports {
        if !matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
            continue;
        }
        let index = func;
        func += 1;
        let Some(&served) = exports.get(import.name).filter(|_| import.module == PREVIEW1) else { continue };
        let (Some(wanted), Some(serves)) = (guest.function_type(index), adapter.function_type(served)) else {
            bail!("the guest imports {PREVIEW1}.{} with a type that is not a function type", import.name);
        };
        if wanted.params() != serves.params() || wanted.results() != serves.results() {
            bail!(
                "the guest imports {PREVIEW1}.{} as {}, but the adapter implements it as {}",
                import.name,
                signature(wanted.params(), wanted.results()),
                signature(serves.params(), serves.results())
            );
        }
        if served < adapter.imported.funcs {
            bail!("the adapter re-exports its import {} instead of implementing it", import.name);
        }
        found.push(Virtualized { guest: index, adapter: served, name: import.name.to_owned() });
    }
    Ok(found)
}

/// `(i32, i32) -> (i32)`, for messages.
pub fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| types.iter().map(ValType::to_string).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}
