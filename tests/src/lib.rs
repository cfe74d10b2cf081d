//! Shared helpers of the end-to-end tests: every fixture guest runs twice
//! under wasmtime, once with the fixture tree as host preopens and once
//! wrapped by `strata wrap` with the same tree packed, and the two outcomes
//! must be equal.
//!
//! | module | what |
//! | --- | --- |
//! | [`fixtures`] | the fixture guests `build.rs` built |
//! | [`tree`] | the fixture tree of `fixtures/TREE.md`, on tmpfs |
//! | [`run`] | one run of a module under wasmtime + preview1: its [`run::Outcome`] |
//! | [`wrap`] | a tree packed and fused into a guest |
//! | [`cow`] | instantiating with a 1 MiB and a large image (test and benchmark) |
//! | [`diff`] | the failure message: where two outcomes differ |
//! | [`listing`] | host directories listed as the `persist` fixture lists its tree |
//! | [`programs`] | third-party programs: the fetched cache and their cases' inputs |
//! | [`node`] | one run of a module under Node 24's `node:wasi`, the second engine |
//! | [`runtimes`] | one run under Deno or Bun, with its `node:wasi` or browser_wasi_shim |
//! | [`browser`] | a batch of runs in headless Chromium or Firefox ESR (the `docs/web/` page) |
//! | [`web`] | the npm packages of those tests |
//! | [`known`] | another engine's known differences from wasmtime on forwarded calls |

pub mod browser;
pub mod cow;
pub mod diff;
pub mod fixtures;
pub mod known;
pub mod listing;
pub mod node;
pub mod programs;
pub mod run;
pub mod runtimes;
pub mod shim;
pub mod tree;
pub mod web;
pub mod wrap;
