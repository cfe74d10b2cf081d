//! Reading an image's bytes from a file the user names.
//!
//! Today that file must be an image. A module written by `strata wrap`
//! embeds its image in a data segment; when `wrap` exists, finding it there
//! belongs here, so `ls` and `extract` accept both without changing.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use strata_vfs::image::format::MAGIC;

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
        bail!(
            "{}: reading images inside wrapped modules needs `strata wrap` support; pass the image file",
            path.display()
        );
    }
    if bytes[..] != MAGIC {
        bail!("{}: not a Strata image", path.display());
    }
    file.read_to_end(&mut bytes).with_context(cannot_read)?;
    Ok(bytes)
}
