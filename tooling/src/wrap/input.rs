//! What `wrap` refuses, checked before anything is rewritten. Each message
//! says what is wrong with the guest and, where there is one, what to do.

use anyhow::{bail, Result};
use wasmparser::{ExternalKind, TypeRef};

use super::assemble::dropped_custom;
use super::scan::Scanned;
use super::{intrinsics, names};

/// Checks the 8-byte header: a core module, not a component or anything
/// else.
pub fn check_header(bytes: &[u8]) -> Result<()> {
    if bytes.len() < 8 || bytes[..4] != *b"\0asm" {
        bail!("not a WebAssembly module (it does not start with \\0asm)");
    }
    // Bytes 4..8: a 16-bit version, then a 16-bit layer: 0 for a core
    // module, 1 for a component.
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    match u16::from_le_bytes([bytes[6], bytes[7]]) {
        0 if version == 1 => Ok(()),
        1 => bail!("this is a component, strata wraps core modules (wasi preview1)"),
        layer => bail!("unknown WebAssembly binary (version {version}, layer {layer}); strata wraps core modules"),
    }
}

/// Checks the guest's memory 0: its own, 32-bit, unshared and exported as
/// `memory` (WASI hosts read and write it there).
pub fn check_guest_memory(guest: &Scanned) -> Result<()> {
    let Some(memory) = guest.memories.first() else {
        bail!("the guest has no memory; a WASI preview1 program defines one and exports it as `memory`");
    };
    if guest.imported.memories > 0 {
        let import = guest.imports.iter().find(|import| matches!(import.ty, TypeRef::Memory(_)));
        let (module, name) = import.map_or(("?", "?"), |import| (import.module, import.name));
        bail!(
            "the guest imports its memory ({module}.{name}); strata needs a guest that defines its memory 0 and exports it as `memory`"
        );
    }
    if memory.shared {
        bail!("the guest's memory is shared (threads); strata wraps single-threaded WASI preview1 guests");
    }
    if memory.memory64 {
        bail!("the guest's memory is 64-bit (memory64); WASI preview1 guests use a 32-bit memory");
    }
    match guest.exports.iter().find(|export| export.name == "memory") {
        None => bail!("the guest does not export its memory as `memory`; WASI hosts and strata need that export"),
        Some(export) if export.kind == ExternalKind::Memory && export.index == 0 => Ok(()),
        Some(export) if export.kind == ExternalKind::Memory => {
            bail!("the guest exports a memory other than memory 0 as `memory`; strata needs memory 0 exported as `memory`")
        }
        Some(_) => bail!("the guest's export `memory` is not a memory"),
    }
}

/// Refuses an adapter given as the guest, and a module wrapped before
/// whose `strata` section was stripped (wrapping it would stack a second
/// adapter on the first).
pub fn check_not_wrapped(guest: &Scanned) -> Result<()> {
    if guest.imports.iter().any(|import| import.module == intrinsics::MODULE) {
        bail!("the guest imports {}: it is a strata adapter, not a guest", intrinsics::MODULE);
    }
    if names::has_strata_items(guest) {
        bail!("the guest was already wrapped by strata but has lost its strata section; wrap the original guest");
    }
    Ok(())
}

/// The guest's custom sections that describe its code byte by byte (DWARF,
/// code metadata, relocations), which `wrap` can not keep: it rewrites
/// the code they describe.
pub fn code_describing_sections(guest: &Scanned) -> Vec<String> {
    guest.customs.iter().map(|custom| custom.name()).filter(|name| dropped_custom(name)).map(str::to_owned).collect()
}
