//! The `strata` command: arguments in, one library call, messages out.
//! Every failure is one line on stderr, `strata: ...`, and exit status 1.

use std::ffi::OsString;
use std::io::{BufWriter, ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::{Args, Parser, Subcommand};
use strata::exclude::Excludes;
use strata::load::load_image;
use strata::mapping::Mapping;
use strata::pack::{PackOptions, Progress};
use strata_vfs::image::Image;

#[derive(Parser)]
#[command(name = "strata", version, about = "Pack directory trees into Strata images, and list or extract them")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Pack host directories into an image.
    Pack(PackArgs),
    /// List an image's files, like `ls -lan`.
    Ls(LsArgs),
    /// Recreate an image's tree in a new host directory.
    Extract(ExtractArgs),
}

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

Example:
  strata pack --dir ./site::/srv --dir ./etc::/etc --exclude '*.tmp' -o app.img";

#[derive(Args)]
#[command(after_help = PACK_HELP)]
struct PackArgs {
    /// A host directory and the absolute guest path where it appears
    /// (`/` for the root); repeat to map several. Intermediate guest
    /// directories are created (mode 0755, owner 0:0, mtime 0).
    #[arg(long = "dir", value_name = "HOST::GUEST", required = true)]
    dirs: Vec<OsString>,
    /// Leave out matching host entries (see below); repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    excludes: Vec<String>,
    /// The image to write (replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "IMAGE")]
    output: PathBuf,
}

#[derive(Args)]
struct LsArgs {
    /// The image file.
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
    /// The image file.
    image: PathBuf,
    /// The directory to create (it must not exist).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
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

fn pack(args: PackArgs) -> Result<()> {
    let mappings = args.dirs.iter().map(|spec| Mapping::parse(spec)).collect::<Result<Vec<_>>>()?;
    let options = PackOptions { mappings, excludes: Excludes::new(&args.excludes)?, output: args.output };
    let mut warn = |message: &str| eprintln!("strata: warning: {message}");
    let summary = strata::pack::pack(&options, &mut Progress::for_stderr(), &mut warn)?;
    eprintln!("strata: {}", summary.line(&options.output));
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
