//! `strata pack`: host directory trees → one image.
//!
//! Three phases, each its own file:
//! 1. [`scan`]: walk the host trees with `lstat` and build the guest tree
//!    in memory (metadata only, never file contents);
//! 2. [`layout`]: number the inodes (breadth-first by sorted names) and
//!    encode every record, so the image's size and its metadata are known
//!    before a byte of data is read;
//! 3. [`write`]: stream the metadata and then each file's bytes into a
//!    temporary file next to the output (reading, writing and checksumming
//!    on three threads), write the header last and rename.
//!
//! The result depends only on the trees' contents, names and metadata: not
//! on host inode numbers, readdir order or the time of the run.

mod layout;
mod progress;
mod scan;
mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::display::human_size;
use crate::exclude::Excludes;
use crate::mapping::{self, Mapping};

pub use layout::Counts;
pub use progress::Progress;

use layout::Layout;
use scan::Tree;

/// The largest image `pack` writes. The adapter keeps the image in the
/// guest's linear memory, which wasm32 caps at 4 GiB, and that memory must
/// also hold the adapter's own heap (live inodes, written file data, open
/// descriptions) and the guest program's memory. 256 MiB is left for them;
/// a guest that needs more should pack less.
pub const MAX_IMAGE_LEN: u64 = (4 << 30) - (256 << 20);

/// What to pack and where.
#[derive(Clone, Debug)]
pub struct PackOptions {
    /// `--dir` and `--tmpfs` mounts, in command-line order.
    pub mappings: Vec<Mapping>,
    pub excludes: Excludes,
    pub output: PathBuf,
    /// `--save GUESTPATH`: where the adapter saves the guest's tree when
    /// the guest ends (an absolute guest path in a runtime preopen).
    pub save: Option<Vec<u8>>,
}

impl PackOptions {
    /// Packing `mappings` into `output`, no excludes, no save path.
    pub fn new(mappings: Vec<Mapping>, output: PathBuf) -> PackOptions {
        PackOptions { mappings, excludes: Excludes::none(), output, save: None }
    }
}

/// Checks a `--save` path: absolute, no NUL, at most 4095 bytes, and not
/// a directory (it ends in a name).
pub fn check_save_path(path: &[u8]) -> Result<()> {
    let shown = String::from_utf8_lossy(path);
    if path.first() != Some(&b'/') {
        bail!("--save {shown}: give an absolute guest path, inside a directory the runtime preopens (like /out/state.img)");
    }
    if path.contains(&0) || path.len() > strata_vfs::image::format::SAVE_PATH_MAX {
        bail!("--save {shown}: not a valid path (a NUL byte, or longer than 4095 bytes)");
    }
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if name.is_empty() || name == b"." || name == b".." {
        bail!("--save {shown}: the path must end in a file name");
    }
    Ok(())
}

/// What a pack did, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Regular file inodes (a hard-link group counts once).
    pub files: u64,
    /// Directories, the root included.
    pub dirs: u64,
    pub symlinks: u64,
    /// Bytes of file contents.
    pub bytes_in: u64,
    pub image_len: u64,
    pub elapsed: Duration,
}

impl Summary {
    /// `packed 10000 files, 12 dirs, 3 symlinks (40.1 MiB) into app.img
    /// (40.6 MiB) in 0.42 s`
    pub fn line(&self, output: &Path) -> String {
        format!(
            "packed {} files, {} dirs, {} symlinks ({}) into {} ({}) in {:.2} s",
            self.files,
            self.dirs,
            self.symlinks,
            human_size(self.bytes_in),
            output.display(),
            human_size(self.image_len),
            self.elapsed.as_secs_f64()
        )
    }
}

/// The checks that need no scan: mappings well-formed, hosts present, no
/// overlaps, the output writable and outside every input tree.
pub fn check(options: &PackOptions) -> Result<()> {
    if options.mappings.is_empty() {
        bail!("nothing to pack: give at least one --dir HOST::GUEST or --tmpfs GUEST");
    }
    if let Some(save) = &options.save {
        check_save_path(save)?;
    }
    for mapping in &options.mappings {
        mapping.check_host()?;
    }
    mapping::check_overlaps(&options.mappings)?;
    let output = canonical_output(&options.output)?;
    for mapping in options.mappings.iter().filter(|mapping| mapping.tmpfs.is_none()) {
        let host = mapping.host.canonicalize().with_context(|| format!("cannot resolve {}", mapping.host.display()))?;
        if output.starts_with(&host) {
            bail!(
                "the output {} is inside {}: it would pack itself; write it elsewhere",
                options.output.display(),
                mapping.arg()
            );
        }
    }
    Ok(())
}

/// Where the output will be, with its directory canonicalized (the file
/// itself need not exist).
fn canonical_output(output: &Path) -> Result<PathBuf> {
    let Some(name) = output.file_name() else {
        bail!("-o {}: not a file name", output.display());
    };
    let parent = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let parent = parent.canonicalize().with_context(|| format!("cannot write {}", output.display()))?;
    if output.is_dir() {
        bail!("cannot write {}: it is a directory", output.display());
    }
    Ok(parent.join(name))
}

/// A scanned and laid-out pack, ready to be written.
pub struct Plan {
    tree: Tree,
    layout: Layout,
}

impl Plan {
    /// Checks the options, scans the host trees and lays the image out.
    /// Warnings (skipped special files) go to `warn` as they are found.
    pub fn scan(options: &PackOptions, progress: &mut Progress, warn: &mut dyn FnMut(&str)) -> Result<Plan> {
        check(options)?;
        let tree = Tree::scan(&options.mappings, &options.excludes, progress, warn)?;
        let layout = layout::layout(&tree, &options.mappings, options.save.as_deref())?;
        Ok(Plan { tree, layout })
    }

    /// Streams the image to `output` (through a temporary file next to
    /// it); returns its length.
    pub fn write(&self, output: &Path, progress: &mut Progress) -> Result<u64> {
        write::write_image(&self.tree, &self.layout, output, progress)
    }

    /// Inode counts by type.
    pub fn counts(&self) -> layout::Counts {
        self.layout.counts
    }

    /// Bytes of file data.
    pub fn data_len(&self) -> u64 {
        self.layout.data_len
    }
}

/// Packs `options.mappings` into `options.output`: check, scan, lay out,
/// write.
pub fn pack(options: &PackOptions, progress: &mut Progress, warn: &mut dyn FnMut(&str)) -> Result<Summary> {
    let started = Instant::now();
    let plan = Plan::scan(options, progress, warn)?;
    let image_len = plan.write(&options.output, progress)?;
    progress.finish();
    let counts = plan.counts();
    Ok(Summary {
        files: counts.files,
        dirs: counts.dirs,
        symlinks: counts.symlinks,
        bytes_in: plan.data_len(),
        image_len,
        elapsed: started.elapsed(),
    })
}
