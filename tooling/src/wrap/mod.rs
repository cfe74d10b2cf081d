//! `strata wrap`: fusing the adapter and an image into a WASI preview1
//! guest, giving one multi-memory core module (`docs/wrapped-module.md`).
//!
//! | file | what |
//! | --- | --- |
//! | [`embedded`] | the adapter built with this tool |
//! | [`file`] | the command: files in, pack or read the image, atomic output |
//! | `scan` | a module as wasmparser's section readers, nothing lifted |
//! | `input` | what is refused, checked first |
//! | `parse` | walrus, for the adapter only |
//! | `link` | which guest imports the adapter serves; pruning the adapter |
//! | `intrinsics` | the intrinsics contract: call → instruction |
//! | `layout` | the fused module's index spaces |
//! | `splice` | the guest's bodies, copied with function indices moved |
//! | `reencode` | the adapter and the guest's function-naming items, re-encoded |
//! | `names` | the name and producers sections |
//! | `assemble` | writing the fused module, section by section |
//! | `encode` | section writing helpers |
//! | `image` | the image segment, its globals, the memory's size |
//! | `rewrap` | a wrapped module with another image |
//! | [`section`] | the `strata` custom section |
//! | [`locate`] | reading a wrapped module's section and image back |
//! | `validate` | the output check |

mod assemble;
pub mod embedded;
mod encode;
pub mod file;
mod image;
mod input;
mod intrinsics;
mod layout;
mod link;
pub mod locate;
mod names;
mod parse;
mod reencode;
mod rewrap;
mod scan;
pub mod section;
mod splice;
mod validate;

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, bail, Result};
use strata_vfs::image::Image;

pub use embedded::{Adapter, Role};
pub use link::PREVIEW1;

use scan::Scanned;

/// How to wrap.
#[derive(Clone, Copy, Debug)]
pub struct WrapOptions<'a> {
    /// The adapter to fuse (default: the embedded one).
    pub adapter: Adapter<'a>,
}

impl Default for WrapOptions<'static> {
    fn default() -> Self {
        WrapOptions { adapter: Adapter::embedded() }
    }
}

/// A wrapped module and what was done to make it.
#[derive(Clone)]
pub struct Wrapped {
    /// The module, validated.
    pub module: Vec<u8>,
    /// The preview1 functions the adapter serves, sorted.
    pub virtualized: Vec<String>,
    /// The input was wrapped before: its image was replaced, its adapter
    /// kept.
    pub replaced_image: bool,
    /// Things the user should know (one line each): sections dropped, an
    /// image no code reads.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Wrapped {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.debug_struct("Wrapped")
            .field("module", &format_args!("{} bytes", self.module.len()))
            .field("virtualized", &self.virtualized)
            .field("replaced_image", &self.replaced_image)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Fuses the embedded adapter and `image` (packed image bytes as `strata
/// pack` writes them; `None`: no image) into `guest`, a WASI preview1 core
/// module. A module wrapped before gets its image replaced.
pub fn wrap(guest: &[u8], image: Option<&[u8]>) -> Result<Vec<u8>> {
    Ok(wrap_with(guest, image, &WrapOptions::default())?.module)
}

/// [`wrap`], with options, reporting what it did.
pub fn wrap_with(guest: &[u8], image: Option<&[u8]>, options: &WrapOptions) -> Result<Wrapped> {
    input::check_header(guest)?;
    if let Some(image) = image {
        Image::open(image).map_err(|error| anyhow!("the image is not valid: {error}"))?;
    }
    // walrus (pruning the adapter) asserts its invariants by panicking; a
    // panic here is a bug in strata or walrus, reported as an error.
    catch_unwind(AssertUnwindSafe(|| rewrite(guest, image, options))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(anyhow!("internal error: the rewrite panicked ({message}); please report this with the guest module"))
    })
}

fn rewrite(guest_bytes: &[u8], image: Option<&[u8]>, options: &WrapOptions) -> Result<Wrapped> {
    let guest = Scanned::of(guest_bytes)
        .map_err(|error| anyhow!("not a valid WebAssembly module: {}", parse::first_line(&error)))?;
    let role = options.adapter.role;
    if guest.custom(section::TRACE_NAME).is_some() && role == Role::Tracer {
        bail!("it is traced already (by strata trace); trace the original guest");
    }
    if guest.custom(section::NAME).is_some() {
        if role == Role::Tracer {
            bail!(
                "it was wrapped by strata: trace the original guest, with the same wrap options (strata trace GUEST.wasm --dir ... -o OUT.wasm)"
            );
        }
        return rewrap::replace_image(guest_bytes, &guest, image, options);
    }
    input::check_not_wrapped(&guest)?;
    input::check_guest_memory(&guest)?;
    let mut warnings = Vec::new();
    let dropped = input::code_describing_sections(&guest);
    if !dropped.is_empty() {
        warnings.push(format!(
            "dropped the guest's {} sections ({}): the rewritten code no longer matches them",
            if dropped.iter().all(|name| name.starts_with(".debug")) { "DWARF" } else { "code-describing" },
            dropped.join(", ")
        ));
    }

    let pruned = link::pruned_adapter(options.adapter.wasm, &guest)?;
    let adapter = Scanned::of(&pruned)
        .map_err(|error| anyhow!("the adapter is not a valid module: {}", parse::first_line(&error)))?;
    let intrinsics = link::intrinsics(&adapter)?;
    let virtualized = link::virtualized(&guest, &adapter)?;
    if virtualized.is_empty() {
        warnings.push(format!(
            "the guest imports no {PREVIEW1} function the adapter serves, so nothing will read the image"
        ));
    }
    let parts = assemble::Parts {
        guest_bytes,
        guest: &guest,
        adapter: &adapter,
        adapter_version: options.adapter.version,
        role,
        virtualized: &virtualized,
        intrinsics: &intrinsics,
        image,
    };
    let (module, record) = assemble::fuse(&parts)?;
    validate::validate(&module, guest_bytes)?;
    Ok(Wrapped { module, virtualized: record.virtualized, replaced_image: false, warnings })
}
