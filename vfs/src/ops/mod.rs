//! The syscalls, one file per family, each an `impl Vfs` block.
//!
//! Every operation checks in Linux's order, so that when several errors
//! apply the same one is reported; comments cite the kernel function whose
//! order is followed.

mod attr;
mod cwd;
mod data;
mod descriptors;
mod flock;
mod io;
mod link;
mod mkdir;
mod mounts;
mod namei;
mod open;
pub mod readdir;
mod rename;
mod stat;

#[cfg(test)]
pub(crate) mod test_support;
