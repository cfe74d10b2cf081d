//! The wrapped side of a run: the fixture tree packed with tooling's pack
//! API (`/data` and `/other`, as the host side preopens them) and fused into
//! the guest by `strata::wrap::wrap`.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use strata::mapping::Mapping;
use strata::pack::{self, PackOptions, Progress};

use crate::tree::Tree;

/// Packs `mappings` (`(host, guest)`) into an image file in `scratch`
/// and returns its bytes. Any warning (a skipped special file) is an
/// error: the trees here hold nothing `pack` would leave out.
pub fn pack(mappings: &[(&Path, &str)], scratch: &Path) -> Result<Vec<u8>> {
    let mappings = mappings.iter().map(|&(host, guest)| dir(host, guest)).collect::<Result<Vec<_>>>()?;
    pack_mappings(mappings, None, scratch)
}

/// `--dir HOST::GUEST` (GUEST may end in `:ro`).
pub fn dir(host: &Path, guest: &str) -> Result<Mapping> {
    let mut spec = host.as_os_str().to_owned();
    spec.push("::");
    spec.push(guest);
    Mapping::parse(&spec)
}

/// `--tmpfs SPEC` (`/tmp:size=64K`).
pub fn tmpfs(spec: &str) -> Result<Mapping> {
    Mapping::parse_tmpfs(spec.as_ref())
}

/// [`pack`] of parsed `--dir`/`--tmpfs` mappings, saving to `save` at
/// exit if given.
pub fn pack_mappings(mappings: Vec<Mapping>, save: Option<&str>, scratch: &Path) -> Result<Vec<u8>> {
    let output = tempfile::Builder::new()
        .prefix("image-")
        .suffix(".strata")
        .tempfile_in(scratch)
        .context("cannot make the image file")?
        .into_temp_path();
    let options = PackOptions {
        save: save.map(|path| path.as_bytes().to_vec()),
        ..PackOptions::new(mappings, output.to_path_buf())
    };
    let mut warnings = Vec::new();
    pack::pack(&options, &mut Progress::off(), &mut |warning: &str| warnings.push(warning.to_owned()))?;
    if !warnings.is_empty() {
        bail!("pack warned: {}", warnings.join("; "));
    }
    fs::read(&output).with_context(|| format!("cannot read the image {}", output.display()))
}

/// The fixture tree's image: `data` as `/data`, `other` as `/other`. The
/// image file goes beside the two folders (outside both).
pub fn pack_tree(tree: &Tree) -> Result<Vec<u8>> {
    let scratch = tree.data.parent().context("the tree's data folder has a parent")?;
    pack(&[(&tree.data, "/data"), (&tree.other, "/other")], scratch)
}

/// `guest` fused with the adapter and `image` (`None`: an empty
/// filesystem).
pub fn wrap(guest: &[u8], image: Option<&[u8]>) -> Result<Vec<u8>> {
    strata::wrap::wrap(guest, image)
}

/// `guest` wrapped with a fresh pack of `tree`.
pub fn wrap_tree(guest: &[u8], tree: &Tree) -> Result<Vec<u8>> {
    let image = pack_tree(tree)?;
    wrap(guest, Some(&image)).context("strata::wrap::wrap failed")
}
