//! `vfs_ops`: sequences of strata-vfs operations ([`ops`]) on a `Vfs`
//! that starts empty, size-limited, or on a packed image, each followed by
//! the checks its result allows ([`run`]), and at the end whole-tree checks
//! ([`tree`]). File data is bounded by the process's heap ([`heap`]), as
//! the adapter bounds it.
//!
//! What must hold (a violation panics, which libFuzzer reports):
//! - strata-vfs never panics, and every errno it returns is a named one;
//! - a descriptor that is open always stats (after every operation, for
//!   each), and one that is not is EBADF; new descriptors take the lowest
//!   free number and duplicates name the same file;
//! - a read, write, pread, pwrite, seek, truncate or fallocate that
//!   succeeded moved exactly the bytes, the size and the position Linux
//!   would, and a write reads back;
//! - a name that was unlinked is gone; a new link names its file and
//!   counts; a new symlink holds its target; mkdir makes a directory of
//!   two links; chmod, chown and utimensat set what they were given;
//! - a listing's names are sane, unique, and stat with the listed type;
//! - a snapshot (`Snapshot` ops) always lays out, writes, opens with
//!   `Image::open` and passes `verify_data`; crossing every mount, it is
//!   the tree the walk sees (names, types, modes, owners, mtimes, bytes,
//!   targets, hard links);
//! - at the end, every directory has 2 links plus one per subdirectory
//!   and every file as many links as names (at least, once a mount may
//!   hide some).

pub mod heap;
pub mod ops;
pub mod run;
pub mod tree;

use ops::Input;
use run::Runner;

/// Operations per input, at most.
pub const MAX_OPS: usize = 256;

/// Runs one input.
pub fn run(input: &Input) {
    heap::bound_file_data();
    let mut runner = Runner::new(input.base);
    for op in input.ops.iter().take(MAX_OPS) {
        runner.apply(op);
    }
    let mounted = runner.mounted;
    runner.as_root(|vfs| tree::check_links(vfs, mounted));
}
