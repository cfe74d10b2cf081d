//! `strata wrap` on files: read the guest, get the image (pack `--dir`s,
//! or read `--image`), fuse, and write the output through a temporary file
//! beside it, renamed into place only when complete.

use std::fs::{self, Permissions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use strata_vfs::image::{layout, Image};

use super::{wrap_with, WrapOptions};
use crate::display::human_size;
use crate::exclude::Excludes;
use crate::features;
use crate::inspect::image_counts;
use crate::load::load_image;
use crate::mapping::Mapping;
use crate::pack::{self, PackOptions, Plan, Progress};
use crate::trace::{trace, TraceOptions};

/// Where the image comes from.
#[derive(Clone, Debug)]
pub enum ImageSource {
    /// No image: the guest starts with an empty filesystem.
    None,
    /// An image file, or a wrapped module whose image is taken.
    File(PathBuf),
    /// Host directories packed now.
    Pack { mappings: Vec<Mapping>, excludes: Excludes },
}

/// Where the wrapped module saves its tree when the guest ends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SaveChoice {
    /// As the image says (a saved image keeps the path it was saved with).
    #[default]
    Keep,
    /// `--save GUESTPATH`.
    Set(Vec<u8>),
    /// `--no-save`.
    Clear,
}

#[derive(Clone, Debug)]
pub struct WrapFileOptions {
    pub guest: PathBuf,
    pub image: ImageSource,
    pub output: PathBuf,
    pub save: SaveChoice,
    /// `strata trace`: put the tracer in front of the guest first (and
    /// wrap only if there is an image to give it).
    pub trace: Option<TraceOptions>,
}

/// What a wrap did, for the summary line.
#[derive(Clone, Debug)]
pub struct Summary {
    pub output: PathBuf,
    pub output_len: u64,
    pub guest_len: u64,
    pub image_len: u64,
    /// Regular files in the image.
    pub files: u64,
    pub virtualized: usize,
    pub replaced_image: bool,
    /// Traced and not wrapped: the functions counted are the traced ones.
    pub traced: bool,
    /// Which engines can run the output (`features::engines_line`).
    pub engines: String,
    pub elapsed: Duration,
}

impl Summary {
    /// `wrote app.strata.wasm (2.1 MiB; guest 1.4 MiB, image 612.0 KiB
    /// with 40 files), 14 preview1 functions virtualized, in 0.31 s`. No
    /// "adapter overhead" is derived from these: re-encoding shrinks a
    /// compiler's padded LEBs and DWARF is dropped, so the output can be
    /// smaller than guest plus image.
    /// `app.strata.wasm needs multi-memory: tested on ...`, the second line.
    pub fn engines_line(&self) -> String {
        format!("{} {}", self.output.display(), self.engines)
    }

    pub fn line(&self) -> String {
        format!(
            "wrote {} ({}; guest {}, image {} with {} files), {} preview1 functions {}, in {:.2} s",
            self.output.display(),
            human_size(self.output_len),
            human_size(self.guest_len),
            human_size(self.image_len),
            self.files,
            self.virtualized,
            if self.traced { "traced" } else { "virtualized" },
            self.elapsed.as_secs_f64()
        )
    }
}

/// Wraps `options.guest` into `options.output`. Warnings and notes (one
/// line each) go to `warn` as they arise.
pub fn wrap_file(options: &WrapFileOptions, progress: &mut Progress, warn: &mut dyn FnMut(&str)) -> Result<Summary> {
    let started = Instant::now();
    let guest = fs::read(&options.guest).with_context(|| format!("cannot read {}", options.guest.display()))?;
    if let SaveChoice::Set(path) = &options.save {
        pack::check_save_path(path)?;
        if matches!(options.image, ImageSource::None) {
            bail!("--save needs a filesystem to save: give --dir, --tmpfs or --image too");
        }
    }
    let image = match &options.image {
        ImageSource::None => None,
        ImageSource::File(path) => Some(load_image(path)?),
        ImageSource::Pack { mappings, excludes } => {
            Some(pack_to_memory(mappings, excludes, &options.output, progress, warn)?)
        }
    };
    let image = match (&options.save, image) {
        (SaveChoice::Keep, image) | (_, image @ None) => image,
        (SaveChoice::Set(path), Some(bytes)) => Some(with_save_path(&bytes, Some(path))?),
        (SaveChoice::Clear, Some(bytes)) => Some(with_save_path(&bytes, None)?),
    };
    let files = match &image {
        Some(bytes) => {
            let image = Image::open(bytes).map_err(|error| anyhow!("the image: {error}"))?;
            image_counts(&image).files
        }
        None => 0,
    };
    let shown = options.guest.display();
    let guest_len = guest.len() as u64;
    let (guest, traced) = match &options.trace {
        Some(trace_options) => {
            let traced = trace(&guest, trace_options).with_context(|| shown.to_string())?;
            (traced.module.clone(), Some(traced))
        }
        None => (guest, None),
    };
    let image_len = image.as_ref().map_or(0, |image| image.len() as u64);
    let wrapped = match (traced, &image) {
        (Some(traced), None) => traced,
        (_, image) => {
            wrap_with(&guest, image.as_deref(), &WrapOptions::default()).with_context(|| shown.to_string())?
        }
    };
    for warning in &wrapped.warnings {
        warn(&format!("warning: {shown}: {warning}"));
    }
    if wrapped.replaced_image {
        warn(&format!("{shown} was wrapped before: replaced the image of an already wrapped module"));
    }
    // Read off the output, which holds the guest's code as it is: the
    // features it uses are the guest's and the adapter's (about 0.2 s for a
    // 95 MiB CPython).
    let engines = features::engines_line(&features::features(&wrapped.module)?);
    write_atomically(&options.output, &wrapped.module)?;
    Ok(Summary {
        output: options.output.clone(),
        output_len: wrapped.module.len() as u64,
        guest_len,
        image_len,
        files,
        virtualized: wrapped.virtualized.len(),
        replaced_image: wrapped.replaced_image,
        traced: options.trace.is_some() && image_len == 0,
        engines,
        elapsed: started.elapsed(),
    })
}

/// `image` saving itself to `save` instead.
fn with_save_path(image: &[u8], save: Option<&[u8]>) -> Result<Vec<u8>> {
    let opened = Image::open(image).map_err(|error| anyhow!("the image: {error}"))?;
    layout::with_save_path(&opened, save).map_err(|_| anyhow!("the image has too many inodes"))
}

/// Packs `mappings` through a temporary image file beside `output` (where
/// the user has room for the result, which holds the image anyway), read
/// back and deleted.
fn pack_to_memory(
    mappings: &[Mapping],
    excludes: &Excludes,
    output: &Path,
    progress: &mut Progress,
    warn: &mut dyn FnMut(&str),
) -> Result<Vec<u8>> {
    // Checked against the real output first, so that a message names it
    // rather than the temporary file.
    let mut options =
        PackOptions { excludes: excludes.clone(), ..PackOptions::new(mappings.to_vec(), output.to_owned()) };
    pack::check(&options)?;
    let temp = temp_file(output)?.into_temp_path();
    options.output = temp.to_path_buf();
    let plan = Plan::scan(&options, progress, &mut |warning: &str| warn(&format!("warning: {warning}")))?;
    plan.write(&options.output, progress)?;
    progress.finish();
    let bytes = fs::read(&temp).with_context(|| format!("cannot read the packed image {}", temp.display()))?;
    // Dropping `temp` deletes the file; a failure to do so leaves only a
    // hidden temporary file, not worth failing the wrap for.
    let _ = temp.close();
    Ok(bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory, renamed over `path` once complete: no partial output ever.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let cannot_write = || format!("cannot write {}", path.display());
    let mut temp = temp_file(path)?;
    temp.write_all(bytes).with_context(cannot_write)?;
    temp.as_file().sync_all().with_context(cannot_write)?;
    temp.persist(path).map_err(|error| anyhow!("{}: {}", cannot_write(), error.error))?;
    Ok(())
}

/// A hidden temporary file beside `path` (`.NAME.XXXXXX.tmp`), deleted if
/// dropped.
fn temp_file(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        // Subject to the umask, like any file the user creates.
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| {
            format!("cannot write {}: cannot create a temporary file in {}", path.display(), dir.display())
        })
}
