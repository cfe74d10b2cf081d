//! `strata wrap`: fusing the adapter and an image into a WASI preview1
//! guest, giving one multi-memory core module (`docs/wrapped-module.md`).
//!
//! | file | what |
//! | --- | --- |
//! | [`embedded`] | the adapter built with this tool |
//! | [`file`] | the command: files in, pack or read the image, atomic output |
//! | `input` | what is refused, checked first |
//! | `parse` | walrus configured for guests and adapters |
//! | `link` | which guest imports the adapter serves; pruning the adapter |
//! | `intrinsics` | the intrinsics contract: call → instruction |
//! | `merge` | copying the adapter into the guest, in order |
//! | `functions` | function shells, virtualized imports, host imports |
//! | `items` | tags, tables, globals, element and data segments |
//! | `body` | copying one function body |
//! | `ids` | translating walrus ids between the two modules |
//! | `image` | the image segment, its globals, the memory's size |
//! | [`section`] | the `strata` custom section |
//! | [`locate`] | reading a wrapped module's section and image back |
//! | `validate` | the output check |

mod body;
pub mod embedded;
pub mod file;
mod functions;
mod ids;
mod image;
mod input;
mod intrinsics;
mod items;
mod link;
pub mod locate;
mod merge;
mod parse;
pub mod section;
mod validate;

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, bail, Result};
use strata_vfs::image::Image;
use walrus::Module;

pub use embedded::Adapter;
pub use link::PREVIEW1;

use section::Section;

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
    // walrus asserts its own invariants by panicking; a panic here is a
    // bug in strata or walrus, and is reported as an error, not a crash.
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
    let (mut guest, wrapped_before) = parse::guest(guest_bytes)?;
    if let Some(section) = wrapped_before {
        return replace_image(guest, section, image, options);
    }
    input::check_not_wrapped(&guest)?;
    let guest_memory = input::guest_memory(&guest)?;
    let mut warnings = Vec::new();
    let debug = input::debug_sections(guest_bytes);
    if !debug.is_empty() {
        warnings.push(format!(
            "dropped the guest's DWARF sections ({}): the rewritten code no longer matches them",
            debug.join(", ")
        ));
    }

    let mut adapter = parse::adapter(options.adapter.wasm)?;
    let intrinsics = link::intrinsics(&adapter)?;
    let virtualized = link::virtualized(&guest, &adapter)?;
    if virtualized.is_empty() {
        warnings.push(format!(
            "the guest imports no {PREVIEW1} function the adapter serves, so nothing will read the image"
        ));
    }
    link::prune(&mut adapter, &virtualized);
    let merged = merge::merge(&mut guest, &adapter, guest_memory, &virtualized, &intrinsics)?;

    let mut names: Vec<String> = virtualized.iter().map(|v| v.name.clone()).collect();
    names.sort();
    names.dedup();
    let Ok(image_offset) = u32::try_from(merged.initial_bytes) else {
        bail!("the adapter's initial memory fills all of wasm32's 4 GiB");
    };
    let mut section = Section {
        adapter_version: options.adapter.version.to_owned(),
        memory: merged.targets.adapter,
        image_base: merged.targets.image_base,
        image_len: merged.targets.image_len,
        image_offset,
        image: None,
        virtualized: names,
    };
    image::place(&mut guest, &mut section, image)?;
    finish(guest, section, false, warnings)
}

/// Re-wrapping: the module keeps its adapter and gets `image` instead of
/// the one it has. Only the same adapter version may do this: another
/// version's intrinsics and memory layout could differ.
fn replace_image(
    mut module: Module,
    mut section: Section,
    image: Option<&[u8]>,
    options: &WrapOptions,
) -> Result<Wrapped> {
    if section.adapter_version != options.adapter.version {
        bail!(
            "the module was wrapped with strata adapter {}, and this strata has adapter {}; wrap the original guest instead",
            section.adapter_version,
            options.adapter.version
        );
    }
    image::place(&mut module, &mut section, image)?;
    finish(module, section, true, Vec::new())
}

fn finish(mut module: Module, section: Section, replaced_image: bool, warnings: Vec<String>) -> Result<Wrapped> {
    let virtualized = section.virtualized.clone();
    module.customs.add(section);
    module.producers.add_processed_by("strata", env!("CARGO_PKG_VERSION"));
    let bytes = module.emit_wasm();
    validate::validate(&bytes)?;
    Ok(Wrapped { module: bytes, virtualized, replaced_image, warnings })
}
