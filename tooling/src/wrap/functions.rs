//! The adapter's functions in the guest: an empty shell for each of its
//! own functions (bodies come later, `body`), and its host imports.
//!
//! A virtualized guest import is turned into the adapter function's shell
//! in place: the guest's calls, `ref.func`s and table entries that named
//! the import now reach the adapter, with nothing to rewire.

use anyhow::{bail, Result};
use walrus::{FunctionBuilder, FunctionId, FunctionKind, ImportKind, Module, TypeId};

use super::ids::{Arenas, Ids};
use super::link::Virtualized;

/// Borrows the type and local arenas of both modules for one translation.
pub fn arenas<'a>(adapter: &'a Module, guest: &'a mut Module) -> Arenas<'a> {
    Arenas {
        adapter_types: &adapter.types,
        types: &mut guest.types,
        adapter_locals: &adapter.locals,
        locals: &mut guest.locals,
    }
}

/// Makes an empty function in `guest` for each local adapter function and
/// records it in `ids.funcs`; returns the `(adapter, shell)` pairs.
pub fn shells(
    guest: &mut Module,
    adapter: &Module,
    virtualized: &[Virtualized],
    ids: &mut Ids,
) -> Result<Vec<(FunctionId, FunctionId)>> {
    let mut shells = Vec::new();
    // Guest imports of a function that is already a shell: they become
    // forwarders once every shell exists.
    let mut aliases = Vec::new();
    for func in adapter.funcs.iter() {
        let FunctionKind::Local(local) = &func.kind else { continue };
        let ty = ids.ty(&mut arenas(adapter, guest), func.ty())?;
        let (params, results) = {
            let ty = guest.types.get(ty);
            (ty.params().to_vec(), ty.results().to_vec())
        };
        let mut args = Vec::with_capacity(local.args.len());
        for &arg in &local.args {
            args.push(ids.local(&mut arenas(adapter, guest), arg)?);
        }
        let shell = FunctionBuilder::new(&mut guest.types, &params, &results).local_func(args);
        let mut serving = virtualized.iter().filter(|v| v.adapter == func.id());
        let to = match serving.next() {
            // The guest's import becomes the adapter's function.
            Some(first) => {
                let FunctionKind::Import(imported) = &guest.funcs.get(first.guest).kind else {
                    unreachable!("virtualized functions are guest imports")
                };
                guest.imports.delete(imported.import);
                guest.funcs.get_mut(first.guest).kind = FunctionKind::Local(shell);
                aliases.extend(serving.map(|other| (other.guest, first.guest)));
                first.guest
            }
            None => guest.funcs.add_local(shell),
        };
        guest.funcs.get_mut(to).name = function_name(func.name.as_deref(), virtualized, func.id());
        ids.funcs.insert(func.id(), to);
        shells.push((func.id(), to));
    }
    for (alias, target) in aliases {
        guest.replace_imported_func(alias, |(body, args)| {
            for &arg in args {
                body.local_get(arg);
            }
            body.call(target);
        })?;
    }
    Ok(shells)
}

/// Maps each of the adapter's host imports (everything it imports but the
/// intrinsics) to a guest import, reusing an identical remaining one. Runs
/// after [`shells`], so that a virtualized import is never reused.
pub fn host_imports(
    guest: &mut Module,
    adapter: &Module,
    is_intrinsic: impl Fn(FunctionId) -> bool,
    ids: &mut Ids,
) -> Result<()> {
    for func in adapter.funcs.iter() {
        let FunctionKind::Import(imported) = &func.kind else { continue };
        if is_intrinsic(func.id()) {
            continue;
        }
        let import = adapter.imports.get(imported.import);
        let ty = ids.ty(&mut arenas(adapter, guest), imported.ty)?;
        let to = host_import(guest, &import.module, &import.name, ty);
        ids.funcs.insert(func.id(), to);
    }
    Ok(())
}

/// The guest's import `module.name` of type `ty` if one remains, else a new
/// one: the adapter's host imports and the guest's share one import.
fn host_import(guest: &mut Module, module: &str, name: &str, ty: TypeId) -> FunctionId {
    let existing = guest.imports.iter().find_map(|import| match import.kind {
        ImportKind::Function(func)
            if import.module == module && import.name == name && guest.funcs.get(func).ty() == ty =>
        {
            Some(func)
        }
        _ => None,
    });
    existing.unwrap_or_else(|| guest.add_import_func(module, name, ty).0)
}

/// The copy of adapter function `func`; an intrinsic has none.
pub fn function(ids: &Ids, func: FunctionId) -> Result<FunctionId> {
    match ids.funcs.get(func) {
        Some(to) => Ok(to),
        None => bail!("the adapter takes the address of an intrinsic; intrinsics may only be called"),
    }
}

/// A mangled Rust name is kept (a backtrace demangles it to
/// `strata_adapter::...`); any other gets the prefix, and a nameless
/// function the name it is exported under.
fn function_name(name: Option<&str>, virtualized: &[Virtualized], id: FunctionId) -> Option<String> {
    match name {
        Some(name) if name.starts_with("_ZN") || name.starts_with("_R") => Some(name.to_owned()),
        Some(name) => Some(format!("strata:{name}")),
        None => virtualized.iter().find(|v| v.adapter == id).map(|v| format!("strata:{}", v.name)),
    }
}
