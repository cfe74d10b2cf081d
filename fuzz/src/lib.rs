//! What the fuzz targets (`fuzz_targets/*.rs`) share; `docs/fuzzing.md`
//! says what each target does and checks.
//!
//! - [`images`]: the small packed images the targets mount, built once.
//! - [`vfs`]: `vfs_ops`, operation sequences on `strata_vfs::Vfs`.
//! - [`adapter`]: `adapter_abi`, hostile preview1 calls into the adapter.

// ASan's stack-switch annotations, only under `-Zsanitizer=address`
// (`adapter::fiber`). The crate needs nightly anyway (cargo-fuzz).
#![feature(cfg_sanitize)]

pub mod adapter;
pub mod images;
pub mod vfs;
