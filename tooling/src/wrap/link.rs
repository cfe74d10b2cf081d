//! Where the guest's imports and the adapter meet: which preview1 imports
//! the adapter serves, what its intrinsic imports are, and what of the
//! adapter the guest does not need.

use std::collections::HashMap;

use anyhow::{bail, Result};
use walrus::{ExportItem, FunctionId, FunctionKind, ImportKind, Module, ValType};

use super::intrinsics::{self, Intrinsic};

/// The import module of WASI preview 1.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// A guest import of a preview1 function that the adapter exports: it
/// becomes the adapter's function.
#[derive(Clone, Debug)]
pub struct Virtualized {
    /// The guest's imported function.
    pub guest: FunctionId,
    /// The adapter's function exported under the same name.
    pub adapter: FunctionId,
    pub name: String,
}

/// The adapter's `strata_intrinsics` imports, checked against the contract.
pub fn intrinsics(adapter: &Module) -> Result<HashMap<FunctionId, Intrinsic>> {
    let mut found = HashMap::new();
    for import in adapter.imports.iter().filter(|import| import.module == intrinsics::MODULE) {
        let ImportKind::Function(func) = import.kind else {
            bail!("the adapter imports {}.{} as something other than a function", import.module, import.name);
        };
        let Some((intrinsic, params, results)) = Intrinsic::by_name(&import.name) else {
            bail!(
                "the adapter imports an unknown intrinsic {}.{}; this strata does not know it",
                import.module,
                import.name
            );
        };
        let ty = adapter.types.get(adapter.funcs.get(func).ty());
        if ty.params() != params || ty.results() != results {
            bail!(
                "the adapter imports {}.{} as {}, the intrinsics contract says {}",
                import.module,
                import.name,
                signature(ty.params(), ty.results()),
                signature(params, results)
            );
        }
        found.insert(func, intrinsic);
    }
    Ok(found)
}

/// The guest's preview1 function imports that the adapter exports, in the
/// guest's import order. A signature mismatch is an error naming the
/// function.
pub fn virtualized(guest: &Module, adapter: &Module) -> Result<Vec<Virtualized>> {
    let exports: HashMap<&str, FunctionId> = adapter
        .exports
        .iter()
        .filter_map(|export| match export.item {
            ExportItem::Function(func) => Some((export.name.as_str(), func)),
            _ => None,
        })
        .collect();
    let mut found = Vec::new();
    for import in guest.imports.iter().filter(|import| import.module == PREVIEW1) {
        let (ImportKind::Function(guest_func), Some(&adapter_func)) = (&import.kind, exports.get(import.name.as_str()))
        else {
            continue;
        };
        let (wanted, served) = (
            guest.types.get(guest.funcs.get(*guest_func).ty()),
            adapter.types.get(adapter.funcs.get(adapter_func).ty()),
        );
        if wanted.params() != served.params() || wanted.results() != served.results() {
            bail!(
                "the guest imports {PREVIEW1}.{} as {}, but the adapter implements it as {}",
                import.name,
                signature(wanted.params(), wanted.results()),
                signature(served.params(), served.results())
            );
        }
        if !matches!(adapter.funcs.get(adapter_func).kind, FunctionKind::Local(_)) {
            bail!("the adapter re-exports its import {} instead of implementing it", import.name);
        }
        found.push(Virtualized { guest: *guest_func, adapter: adapter_func, name: import.name.clone() });
    }
    Ok(found)
}

/// Drops from the adapter everything the guest does not need: every export
/// but the virtualized functions and the memory (kept as a root: the image
/// goes there even if no code is left), then whatever nothing reaches.
/// Exports are never copied into the guest; they only root the walk.
pub fn prune(adapter: &mut Module, virtualized: &[Virtualized]) {
    let unneeded: Vec<_> = adapter
        .exports
        .iter()
        .filter(|export| match export.item {
            ExportItem::Function(func) => !virtualized.iter().any(|v| v.adapter == func),
            ExportItem::Memory(_) => false,
            _ => true,
        })
        .map(|export| export.id())
        .collect();
    for id in unneeded {
        adapter.exports.delete(id);
    }
    walrus::passes::gc::run(adapter);
}

/// `(i32, i32) -> i32`, for messages.
pub fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| types.iter().map(ValType::to_string).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}
