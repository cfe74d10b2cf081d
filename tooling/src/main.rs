//! The `strata` command: arguments in, one library call, messages out.
//! Every failure is one line on stderr, `strata: ...`, and exit status 1.

use std::ffi::OsString;
use std::io::{BufWriter, ErrorKind, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use strata::exclude::Excludes;
use strata::load::load_image;
use strata::mapping::Mapping;
use strata::pack::{PackOptions, Progress};
use strata::trace::TraceOptions;
use strata::wrap::file::{wrap_file, ImageSource, SaveChoice, WrapFileOptions};
use strata_vfs::image::Image;

#[derive(Parser)]
#[command(
    name = "strata",
    version,
    about = "Give a WASI preview1 program a filesystem inside its own .wasm: pack directory trees into images, fuse them into modules, list, extract and inspect them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fuse the filesystem adapter and an image into a WASI preview1 module.
    Wrap(WrapArgs),
    /// Describe a module written by `strata wrap`.
    Inspect(InspectArgs),
    /// Write a module that prints every WASI preview1 call it makes, like strace (and wrap it too, given --dir/--image).
    Trace(TraceArgs),
    /// Pack host directories into an image.
    Pack(PackArgs),
    /// List an image's files, like `ls -lan` (an image, or a wrapped module's).
    Ls(LsArgs),
    /// Recreate an image's tree (an image, or a wrapped module's) in a new host directory.
    Extract(ExtractArgs),
}

const WRAP_HELP: &str = "\
The output is one core module using multi-memory: the guest's own memory
stays memory 0, exported as `memory`; the adapter's memory (holding the
image, copy-on-write at instantiation) is not exported. Each
wasi_snapshot_preview1 function the adapter implements (files,
directories, preopens) becomes a direct call into it; the rest (args,
environment, clocks, random, proc_exit, ...) stay host imports. Run it
with no --dir: the guest sees the packed directories as its preopens,
read-write, in memory.

Wrapping a module strata wrapped before replaces its image and keeps its
adapter (same strata version only). See docs/wrapped-module.md.

Examples:
  strata wrap app.wasm --dir ./site::/srv --dir ./etc::/etc -o app.strata.wasm
  wasmtime run app.strata.wasm
  strata wrap app.wasm --dir .::. --exclude target/ -o app.strata.wasm
  strata wrap app.wasm --image app.img -o app.strata.wasm
  strata wrap app.wasm --dir ./site::/srv:ro --tmpfs /tmp:size=64M -o app.strata.wasm
  strata wrap app.wasm --dir ./db::/db --save /out/state.img -o app.strata.wasm
  wasmtime run --dir ./out::/out app.strata.wasm     (writes ./out/state.img at exit)
  strata wrap app.wasm --image out/state.img -o app.strata.wasm   (resume from it)
  strata wrap app.strata.wasm --dir ./site-v2::/srv -o app.strata.wasm   (new image)";

const PACK_HELP: &str = "\
Directories, regular files, symlinks (never followed) and hard links are
kept, with their permission bits, owners and mtimes; names are kept as
bytes. Fifos, sockets and device nodes are skipped with a warning. The
same trees always give the same image bytes.

Exclude patterns:
  A pattern without '/' matches entry names at any depth:  *.o  .git
  A pattern with '/' matches paths relative to the --dir's host directory:
    target/debug   docs/*.tmp   **/cache   /build (only the top-level one)
  A trailing '/' matches directories only:  build/
  '*', '?' and '[...]' do not match '/'; '**' matches any number of
  directories. An excluded directory is not descended into.

Guest names, as wasmtime's --dir takes them: the name is what the guest
reads from fd_prestat_dir_name. An absolute name (/srv) is that path in
the image; a relative one lives under the root (. is the root, ./site and
site are /site); `--dir HOST` alone names the preopen HOST as written.

Example:
  strata pack --dir ./site::/srv --dir ./etc::/etc --exclude '*.tmp' -o app.img";

#[derive(Args)]
#[command(after_help = WRAP_HELP)]
struct WrapArgs {
    /// The WASI preview1 core module to wrap (or one wrapped before).
    guest: PathBuf,
    #[command(flatten)]
    wrap: WrapFlags,
    /// The module to write (replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "OUT.wasm")]
    output: PathBuf,
}

const TRACE_HELP: &str = "\
Each call the guest makes to a wasi_snapshot_preview1 function is printed
on the host's stderr (or appended to --trace-file) as it returns, one line a call, as strace prints
system calls: the function, its decoded arguments (fds, paths, flag
names, rights, iovec lengths, the first bytes of data written), and the
result, `= VALUE` or `= -1 ERRNO`, with what the call returned (the new
fd, bytes read and the first of them, a filestat). The traced module
behaves exactly as the guest: same output, exit status and fd numbers.

With --dir, --tmpfs or --image the traced module is also wrapped, as by
`strata wrap`: the adapter then serves the filesystem, and the trace
shows what the guest asked of it. Trace the original guest, not a module
wrapped before.

Examples:
  strata trace app.wasm -o app.traced.wasm && wasmtime run --dir . app.traced.wasm
  strata trace app.wasm -e 'path_*,fd_read' -T --dir ./site::/srv -o app.traced.wasm
  strata trace python.wasm -c --dir lib::/usr/local/lib -o python.traced.wasm";

#[derive(Args)]
#[command(after_help = TRACE_HELP)]
struct TraceArgs {
    /// The WASI preview1 core module to trace.
    guest: PathBuf,
    /// Trace only these functions (comma-separated; a trailing `*` is a
    /// prefix: `path_*`); `trace=LIST` as strace takes it works too.
    #[arg(short = 'e', value_name = "LIST")]
    only: Option<String>,
    /// Print no line per call, only a summary table at exit.
    #[arg(short = 'c', conflicts_with = "summary")]
    summary_only: bool,
    /// Print the lines and the summary table at exit.
    #[arg(short = 'C')]
    summary: bool,
    /// End each line with the time the call took, `<0.000012>`.
    #[arg(short = 'T')]
    durations: bool,
    /// Start each line with the seconds since the first call.
    #[arg(short = 'r')]
    timestamps: bool,
    /// Append the trace to this file instead of stderr: an absolute guest
    /// path in a directory the runtime preopens (`--dir ./out::/out`).
    #[arg(long = "trace-file", value_name = "GUESTPATH")]
    trace_file: Option<String>,
    #[command(flatten)]
    wrap: WrapFlags,
    /// The module to write (replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "OUT.wasm")]
    output: PathBuf,
}

/// The image options `wrap` and `trace` share.
#[derive(Args)]
struct WrapFlags {
    /// Pack this host directory into the image, where the guest sees it
    /// (as for `strata pack`; see its help); `:ro` after GUEST makes it
    /// read-only (EROFS). Repeatable.
    #[arg(long = "dir", value_name = "HOST::GUEST[:ro]")]
    dirs: Vec<OsString>,
    /// An empty memory filesystem at GUEST (a preopen), at most N bytes
    /// (K, M, G suffixes; ENOSPC past it); never saved. Repeatable.
    #[arg(long = "tmpfs", value_name = "GUEST[:size=N]")]
    tmpfs: Vec<OsString>,
    /// Leave out matching host entries when packing (as for `strata pack`).
    #[arg(long = "exclude", value_name = "GLOB")]
    excludes: Vec<String>,
    /// Use this image (from `strata pack`, or a wrapped module's) instead
    /// of packing. With neither --dir nor --image the guest gets an empty
    /// filesystem.
    #[arg(long = "image", value_name = "IMAGE")]
    image: Option<PathBuf>,
    /// When the guest ends (`_start` returns or `proc_exit`), save its
    /// tree as an image to GUESTPATH, which must lie in a directory the
    /// runtime preopens (`wasmtime run --dir ./out::/out`). The environment
    /// variable STRATA_SAVE overrides it at run time (empty: no save).
    #[arg(long = "save", value_name = "GUESTPATH", conflicts_with = "no_save")]
    save: Option<OsString>,
    /// Do not save, even if the image (a saved one) says where to.
    #[arg(long = "no-save")]
    no_save: bool,
}

const INSPECT_HELP: &str = "\
Example:
  strata inspect app.strata.wasm";

#[derive(Args)]
#[command(after_help = INSPECT_HELP)]
struct InspectArgs {
    /// A module written by `strata wrap`.
    module: PathBuf,
}

#[derive(Args)]
#[command(after_help = PACK_HELP)]
struct PackArgs {
    /// A host directory and the preopen name the guest sees it under
    /// (`/srv`, `/` or `.` for the root; see below); repeat to map several.
    /// Intermediate guest directories are created (mode 0755, owner 0:0,
    /// mtime 0). `:ro` after GUEST makes it read-only (EROFS).
    #[arg(long = "dir", value_name = "HOST::GUEST[:ro]", required_unless_present = "tmpfs")]
    dirs: Vec<OsString>,
    /// An empty memory filesystem at GUEST, at most N bytes (K, M, G
    /// suffixes): a mountpoint and a preopen. Repeatable.
    #[arg(long = "tmpfs", value_name = "GUEST[:size=N]")]
    tmpfs: Vec<OsString>,
    /// Leave out matching host entries (see below); repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    excludes: Vec<String>,
    /// The image to write (replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "IMAGE")]
    output: PathBuf,
}

#[derive(Args)]
struct LsArgs {
    /// The image file, or a module written by `strata wrap`.
    image: PathBuf,
    /// What to list: a directory's entries, or a file or symlink itself.
    #[arg(default_value = "/")]
    path: OsString,
    /// List subdirectories recursively.
    #[arg(short = 'R', long)]
    recursive: bool,
}

#[derive(Args)]
struct ExtractArgs {
    /// The image file, or a module written by `strata wrap`.
    image: PathBuf,
    /// The directory to create (it must not exist).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Wrap(args) => wrap(args),
        Command::Inspect(args) => inspect(args),
        Command::Trace(args) => trace(args),
        Command::Pack(args) => pack(args),
        Command::Ls(args) => ls(args),
        Command::Extract(args) => extract(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `strata ls ... | head`: the reader left; nothing to report.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let message = format!("{error:#}").replace('\n', " ");
            eprintln!("strata: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The `--dir`s, then the `--tmpfs`s, parsed.
fn mappings(dirs: &[OsString], tmpfs: &[OsString]) -> Result<Vec<Mapping>> {
    let dirs = dirs.iter().map(|spec| Mapping::parse(spec));
    dirs.chain(tmpfs.iter().map(|spec| Mapping::parse_tmpfs(spec))).collect()
}

fn pack(args: PackArgs) -> Result<()> {
    let mappings = mappings(&args.dirs, &args.tmpfs)?;
    let options = PackOptions { excludes: Excludes::new(&args.excludes)?, ..PackOptions::new(mappings, args.output) };
    let mut warn = |message: &str| eprintln!("strata: warning: {message}");
    let summary = strata::pack::pack(&options, &mut Progress::for_stderr(), &mut warn)?;
    eprintln!("strata: {}", summary.line(&options.output));
    Ok(())
}

fn wrap(args: WrapArgs) -> Result<()> {
    wrap_or_trace(args.guest, args.wrap, None, args.output)
}

fn trace(args: TraceArgs) -> Result<()> {
    let options = TraceOptions {
        only: args.only.as_deref().map(TraceOptions::parse_only).transpose()?.unwrap_or_default(),
        summary_only: args.summary_only,
        summary: args.summary,
        durations: args.durations,
        timestamps: args.timestamps,
        file: args.trace_file,
    };
    wrap_or_trace(args.guest, args.wrap, Some(options), args.output)
}

fn wrap_or_trace(guest: PathBuf, args: WrapFlags, trace: Option<TraceOptions>, output: PathBuf) -> Result<()> {
    // Checked here rather than by clap, whose errors take several lines.
    let packs = !args.dirs.is_empty() || !args.tmpfs.is_empty();
    if args.image.is_some() && packs {
        bail!("give --dir/--tmpfs (pack directories now) or --image (use a packed image), not both");
    }
    if args.dirs.is_empty() && !args.excludes.is_empty() {
        bail!("--exclude leaves entries out of --dir directories; give --dir too");
    }
    let image = match (args.image, packs) {
        (Some(path), _) => ImageSource::File(path),
        (None, false) => ImageSource::None,
        (None, true) => {
            ImageSource::Pack { mappings: mappings(&args.dirs, &args.tmpfs)?, excludes: Excludes::new(&args.excludes)? }
        }
    };
    let save = match (args.save, args.no_save) {
        (Some(path), _) => SaveChoice::Set(path.into_vec()),
        (None, true) => SaveChoice::Clear,
        (None, false) => SaveChoice::Keep,
    };
    let options = WrapFileOptions { guest, image, output, save, trace };
    let mut note = |message: &str| eprintln!("strata: {message}");
    let summary = wrap_file(&options, &mut Progress::for_stderr(), &mut note)?;
    eprintln!("strata: {}", summary.line());
    eprintln!("strata: {}", summary.engines_line());
    Ok(())
}

fn inspect(args: InspectArgs) -> Result<()> {
    let bytes = std::fs::read(&args.module).with_context(|| format!("cannot read {}", args.module.display()))?;
    let shown = args.module.display().to_string();
    let mut out = BufWriter::new(std::io::stdout().lock());
    strata::inspect::inspect(&bytes, &shown, &mut out).with_context(|| shown.clone())?;
    out.flush()?;
    Ok(())
}

fn ls(args: LsArgs) -> Result<()> {
    let bytes = load_image(&args.image)?;
    let image = Image::open(&bytes).map_err(|error| anyhow!("{}: {error}", args.image.display()))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    strata::ls::ls(&image, args.path.as_bytes(), args.recursive, &mut out)?;
    out.flush()?;
    Ok(())
}

fn extract(args: ExtractArgs) -> Result<()> {
    let bytes = load_image(&args.image)?;
    let image = Image::open(&bytes).map_err(|error| anyhow!("{}: {error}", args.image.display()))?;
    let counts = strata::extract::extract(&image, &args.output)?;
    eprintln!(
        "strata: extracted {} files, {} dirs, {} symlinks into {}",
        counts.files,
        counts.dirs,
        counts.symlinks,
        args.output.display()
    );
    Ok(())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == ErrorKind::BrokenPipe))
}
