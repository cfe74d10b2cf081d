//! `strata inspect`: what a wrapped module holds — its adapter, its image,
//! the preview1 functions the adapter serves and what is left for the host.

use std::io::Write;

use anyhow::{anyhow, bail, Result};
use strata_vfs::image::{Image, ImageMount};
use strata_vfs::FileType;

use crate::display::human_size;
use crate::features;
use crate::pack::Counts;
use crate::wrap::locate::{self, WrappedModule};

/// Writes the description of `module` (the bytes of `name`) to `out`.
pub fn inspect(module: &[u8], name: &str, out: &mut dyn Write) -> Result<()> {
    let Some(wrapped) = locate::read(module)? else {
        bail!("not written by strata wrap (it has no strata section)");
    };
    let WrappedModule { record, image, function_imports, function_exports } = &wrapped;
    writeln!(out, "{name}: wrapped by strata, adapter {}", record.adapter_version)?;
    writeln!(out, "  module size:   {} ({} bytes)", human_size(module.len() as u64), module.len())?;
    match image {
        Some(bytes) => {
            let image = Image::open(bytes).map_err(|error| anyhow!("its image: {error}"))?;
            let Counts { files, dirs, symlinks } = image_counts(&image);
            writeln!(
                out,
                "  image:         {} ({} bytes): {files} files, {dirs} dirs, {symlinks} symlinks; memory {} at {:#x}",
                human_size(bytes.len() as u64),
                bytes.len(),
                record.memory,
                record.image_offset
            )?;
            let preopens: Vec<String> = image.mount_records().map(|mount| describe_mount(&mount)).collect();
            writeln!(
                out,
                "  preopens:      {}",
                if preopens.is_empty() { "none".to_owned() } else { preopens.join(", ") }
            )?;
            let save = image.save_path().map_or("no (STRATA_SAVE=PATH sets one at run time)".to_owned(), |path| {
                format!("{} at exit (STRATA_SAVE overrides)", String::from_utf8_lossy(path))
            });
            writeln!(out, "  saves to:      {save}")?;
        }
        None => writeln!(out, "  image:         none")?,
    }
    writeln!(
        out,
        "  virtualized:   {} preview1 functions: {}",
        record.virtualized.len(),
        record.virtualized.join(" ")
    )?;
    let mut by_module: Vec<(&str, Vec<&str>)> = Vec::new();
    for (module, name) in function_imports {
        match by_module.iter_mut().find(|(m, _)| m == module) {
            Some((_, names)) => names.push(name),
            None => by_module.push((module, vec![name])),
        }
    }
    if by_module.is_empty() {
        writeln!(out, "  host imports:  none")?;
    }
    for (module, names) in &by_module {
        writeln!(out, "  host imports:  {module}: {}", names.join(" "))?;
    }
    let features = features::features(module)?;
    let names: Vec<&str> = features.iter().map(|feature| feature.name()).collect();
    writeln!(
        out,
        "  features:      {}",
        if names.is_empty() { "none beyond WebAssembly 1.0".to_owned() } else { names.join(" ") }
    )?;
    writeln!(out, "  engines:       {}", features::engines_line(&features))?;
    let entries: Vec<&str> =
        function_exports.iter().map(String::as_str).filter(|name| matches!(*name, "_start" | "_initialize")).collect();
    writeln!(out, "  entry points:  {}", if entries.is_empty() { "none".to_owned() } else { entries.join(" ") })?;
    Ok(())
}

/// `/srv (read-only)`, `/tmp (tmpfs, 64.0 MiB)`, `/data (read-write)`.
pub fn describe_mount(mount: &ImageMount) -> String {
    let name = String::from_utf8_lossy(mount.name);
    match mount.tmpfs {
        Some(Some(limit)) => format!("{name} (tmpfs, {})", human_size(limit)),
        Some(None) => format!("{name} (tmpfs)"),
        None if mount.read_only => format!("{name} (read-only)"),
        None => format!("{name} (read-write)"),
    }
}

/// How many inodes of each type `image` holds.
pub fn image_counts(image: &Image) -> Counts {
    let mut counts = Counts::default();
    for ino in 1..=image.inode_count() {
        match image.inode(ino).kind {
            FileType::Directory => counts.dirs += 1,
            FileType::Symlink => counts.symlinks += 1,
            _ => counts.files += 1,
        }
    }
    counts
}
