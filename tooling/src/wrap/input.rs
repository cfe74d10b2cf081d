//! What `wrap` refuses, checked before anything is rewritten. Each message
//! says what is wrong with the guest and, where there is one, what to do.

use anyhow::{bail, Result};
use walrus::{ExportItem, MemoryId, Module};
use wasmparser::{Parser, Payload};

use super::intrinsics;

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

/// The guest's memory 0, which must be its own, 32-bit, unshared and
/// exported as `memory` (WASI hosts read and write it there).
pub fn guest_memory(guest: &Module) -> Result<MemoryId> {
    // walrus keeps a parsed module's memories in index order.
    let Some(memory) = guest.memories.iter().next() else {
        bail!("the guest has no memory; a WASI preview1 program defines one and exports it as `memory`");
    };
    if let Some(import) = memory.import {
        let import = guest.imports.get(import);
        bail!(
            "the guest imports its memory ({}.{}); strata needs a guest that defines its memory 0 and exports it as `memory`",
            import.module,
            import.name
        );
    }
    if memory.shared {
        bail!("the guest's memory is shared (threads); strata wraps single-threaded WASI preview1 guests");
    }
    if memory.memory64 {
        bail!("the guest's memory is 64-bit (memory64); WASI preview1 guests use a 32-bit memory");
    }
    match guest.exports.iter().find(|export| export.name == "memory").map(|export| export.item) {
        None => bail!("the guest does not export its memory as `memory`; WASI hosts and strata need that export"),
        Some(ExportItem::Memory(exported)) if exported == memory.id() => Ok(memory.id()),
        Some(ExportItem::Memory(_)) => {
            bail!("the guest exports a memory other than memory 0 as `memory`; strata needs memory 0 exported as `memory`")
        }
        Some(_) => bail!("the guest's export `memory` is not a memory"),
    }
}

/// Refuses an adapter given as the guest, and a module wrapped before
/// whose `strata` section was stripped (wrapping it would stack a second
/// adapter on the first).
pub fn check_not_wrapped(guest: &Module) -> Result<()> {
    if guest.imports.iter().any(|import| import.module == intrinsics::MODULE) {
        bail!("the guest imports {}: it is a strata adapter, not a guest", intrinsics::MODULE);
    }
    let strata_named =
        guest.globals.iter().any(|global| global.name.as_deref().is_some_and(|n| n.starts_with("strata:")))
            || guest.memories.iter().any(|memory| memory.name.as_deref() == Some("strata:memory"));
    if strata_named {
        bail!("the guest was already wrapped by strata but has lost its strata section; wrap the original guest");
    }
    Ok(())
}

/// The names of the guest's DWARF sections (`.debug_info`, ...), which
/// `wrap` can not keep: it rewrites the code they describe.
pub fn debug_sections(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::CustomSection(section)) if section.name().starts_with(".debug") => {
                names.push(section.name().to_owned())
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    names
}
