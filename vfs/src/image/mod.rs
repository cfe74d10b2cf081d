//! Packed images: the read-only lower layer (`docs/image-format.md`).
//!
//! [`format`] holds the record layouts shared with the packer; [`Image`]
//! validates an image once and then reads it in place.

mod crc32;
pub mod format;
pub mod layout;
mod reader;

pub use crc32::crc32;
pub use reader::{Image, ImageEntry, ImageError, ImageInode, ImageMount};

#[cfg(test)]
pub(crate) mod test_image;
#[cfg(test)]
mod tests;
