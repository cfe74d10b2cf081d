//! `strata`, the command-line tool, as a library: packing host directory
//! trees into images (`docs/image-format.md`), listing and extracting them,
//! fusing an image and the adapter into a guest module
//! (`docs/wrapped-module.md`) and describing the result.
//!
//! `main.rs` only parses arguments and prints; everything it runs is here,
//! so tests and later commands (`wrap`) call the same code.
//!
//! | module | what |
//! | --- | --- |
//! | [`mapping`] | `--dir HOST::GUEST`: parsing and checking the mappings |
//! | [`exclude`] | `--exclude GLOB`: which host entries are left out |
//! | [`pack`] | host trees → image: scan, lay out, stream to disk |
//! | [`load`] | reading an image from an image file or a wrapped module |
//! | [`ls`] | listing an image like `ls -lan` |
//! | [`extract`] | recreating an image's tree on the host |
//! | [`resolve`] | guest paths to inode numbers within an image |
//! | [`display`] | mode strings, times and sizes as people read them |
//! | [`wrap`] | guest + adapter + image → one module |
//! | [`inspect`] | what a wrapped module holds |
//! | [`trace`] | the tracer in front of a guest: `strata trace` |

pub mod display;
pub mod exclude;
pub mod extract;
pub mod features;
pub mod inspect;
pub mod load;
pub mod ls;
pub mod mapping;
pub mod pack;
pub mod resolve;
pub mod trace;
pub mod wrap;
