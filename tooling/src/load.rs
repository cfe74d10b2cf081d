//! Reading an image's bytes from a file the user names: an image written
//! by `strata pack`, or a module written by `strata wrap`, whose image is
//! one of its data segments (found through its `strata` section,
//! [`crate::wrap::locate`]). The one place that finds an image, so `ls`
//! and `extract` accept both.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use strata_vfs::image::format::MAGIC;

use crate::wrap::locate;

/// The first bytes of every WebAssembly module.
const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// The image bytes in the file at `path`.
pub fn load_image(path: &Path) -> Result<Vec<u8>> {
    let cannot_read = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(cannot_read)?;
    let mut bytes = Vec::new();
    // Look at the magic before reading what may be a large unrelated file.
    (&mut file).take(MAGIC.len() as u64).read_to_end(&mut bytes).with_context(cannot_read)?;
    if bytes.starts_with(&WASM_MAGIC) {
        file.read_to_end(&mut bytes).with_context(cannot_read)?;
        return image_of_module(&bytes).with_context(|| path.display().to_string());
    }
    if bytes[..] != MAGIC {
        bail!("{}: not a Strata image nor a module written by strata wrap", path.display());
    }
    file.read_to_end(&mut bytes).with_context(cannot_read)?;
    Ok(bytes)
}

fn image_of_module(bytes: &[u8]) -> Result<Vec<u8>> {
    let Some(wrapped) = locate::read(bytes)? else {
        bail!("a WebAssembly module not written by strata wrap: it holds no image");
    };
    match wrapped.image {
        Some(image) => Ok(image.to_vec()),
        None => bail!("wrapped without an image: there are no files to read"),
    }
}
