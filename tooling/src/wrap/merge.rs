//! Copying the (pruned) adapter into the guest.
//!
//! Order matters, because each step refers to ids the earlier ones made:
//! 1. the adapter's memory becomes a new memory, and the image globals are
//!    added (the intrinsics refer to both);
//! 2. every adapter function gets a shell, an empty function of its type:
//!    a virtualized guest import is turned into the shell in place (so the
//!    guest's calls, `ref.func`s and table entries now reach the adapter
//!    with no rewiring); the adapter's host imports become guest imports,
//!    shared with an identical remaining one;
//! 3. tags, tables, globals, element and data segments, whose constant
//!    expressions may name functions and earlier globals;
//! 4. the bodies, now that every id they name exists;
//! 5. the adapter's start function, run before the guest's.
//!
//! Names: globals, tables, memories and segments get a `strata:` prefix;
//! functions keep mangled Rust names (backtraces demangle them to
//! `strata_adapter::...`), other function names get the prefix.

use std::collections::HashMap;

use anyhow::{bail, Result};
use walrus::{FunctionBuilder, FunctionId, FunctionKind, MemoryId, Module};

use super::functions::{self, function};
use super::ids::{Arenas, Ids};
use super::intrinsics::{Intrinsic, Targets};
use super::link::Virtualized;
use super::{body, image, items};

/// What the merge made that the rest of `wrap` needs.
pub struct Merged {
    pub targets: Targets,
    /// The adapter memory's initial size in bytes, before any image.
    pub initial_bytes: u64,
}

/// Copies `adapter` into `guest` (whose memory 0 is `guest_memory`).
pub fn merge(
    guest: &mut Module,
    adapter: &Module,
    guest_memory: MemoryId,
    virtualized: &[Virtualized],
    intrinsics: &HashMap<FunctionId, Intrinsic>,
) -> Result<Merged> {
    let mut ids = Ids::default();

    // 1. Memory and image globals.
    let mut memories = adapter.memories.iter();
    let (Some(memory), None) = (memories.next(), memories.next()) else {
        bail!("the adapter must have exactly one memory");
    };
    if memory.import.is_some() || memory.shared || memory.memory64 || memory.page_size_log2.is_some() {
        bail!("the adapter's memory must be its own, unshared, 32-bit, with 64 KiB pages");
    }
    let adapter_memory = guest.memories.add_local(false, false, memory.initial, memory.maximum, None);
    guest.memories.get_mut(adapter_memory).name = Some("strata:memory".to_owned());
    ids.memories.insert(memory.id(), adapter_memory);
    let (image_base, image_len) = image::add_globals(guest);
    let targets = Targets { guest: guest_memory, adapter: adapter_memory, image_base, image_len };
    // What intrinsic calls become names these, not adapter ids.
    ids.memories.allow(guest_memory);
    ids.globals.allow(image_base);
    ids.globals.allow(image_len);

    // 2. Function shells, then host imports.
    let shells = functions::shells(guest, adapter, virtualized, &mut ids)?;
    functions::host_imports(guest, adapter, |func| intrinsics.contains_key(&func), &mut ids)?;

    // 3. Tags, tables, globals, segments.
    items::copy(guest, adapter, adapter_memory, &mut ids)?;

    // 4. Bodies.
    for (from, to) in shells {
        let FunctionKind::Local(source) = &adapter.funcs.get(from).kind else { unreachable!("shells are for locals") };
        let FunctionKind::Local(shell) = &mut guest.funcs.get_mut(to).kind else { unreachable!("shells are local") };
        // Field by field, not `functions::arenas`: `guest.funcs` is
        // borrowed at the same time.
        let mut arenas = Arenas {
            adapter_types: &adapter.types,
            types: &mut guest.types,
            adapter_locals: &adapter.locals,
            locals: &mut guest.locals,
        };
        let mut cx = body::Context { ids: &mut ids, arenas: &mut arenas, intrinsics, targets: &targets };
        body::copy(source, shell, &mut cx)?;
    }

    // 5. Start functions: the adapter's first.
    if let Some(start) = adapter.start {
        let start = function(&ids, start)?;
        guest.start = Some(match guest.start {
            None => start,
            Some(guest_start) => {
                let mut builder = FunctionBuilder::new(&mut guest.types, &[], &[]);
                builder.func_body().call(start).call(guest_start);
                let both = builder.finish(Vec::new(), &mut guest.funcs);
                guest.funcs.get_mut(both).name = Some("strata:start".to_owned());
                both
            }
        });
    }

    Ok(Merged { targets, initial_bytes: memory.initial * image::PAGE })
}
