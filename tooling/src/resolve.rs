//! Guest paths in an image: from `/usr/lib/x` to an inode number.
//!
//! A worklist of components; a symlink met before the last component (or
//! at it, when the path ends in `/`) pushes its target's components, from
//! the root if it is absolute. `..` goes to the recorded parent. As on
//! Linux, 40 symlinks in one walk are a loop.

use std::fmt;

use strata_vfs::image::format::ROOT_INO;
use strata_vfs::image::Image;
use strata_vfs::FileType;

/// Linux's limit on symlinks followed in one lookup.
const MAX_SYMLINKS: u32 = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    NotFound,
    NotADirectory,
    Loop,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(match self {
            ResolveError::NotFound => "no such file or directory",
            ResolveError::NotADirectory => "not a directory",
            ResolveError::Loop => "too many levels of symbolic links",
        })
    }
}

/// The inode `path` names, relative to the root whether or not it starts
/// with `/`. The last component is not followed if it is a symlink, unless
/// the path ends in `/`.
pub fn resolve(image: &Image, path: &[u8]) -> Result<u32, ResolveError> {
    let follow_last = path.ends_with(b"/");
    let mut work: Vec<&[u8]> = components(path).rev().collect();
    let mut at = ROOT_INO;
    let mut symlinks = 0;
    while let Some(component) = work.pop() {
        // `at` is always a directory here.
        if component == b".." {
            at = image.inode(at).parent;
            continue;
        }
        let Some((_, entry)) = image.lookup(at, component) else { return Err(ResolveError::NotFound) };
        let last = work.is_empty();
        match entry.kind {
            FileType::Directory => at = entry.ino,
            FileType::Symlink if !last || follow_last => {
                symlinks += 1;
                if symlinks > MAX_SYMLINKS {
                    return Err(ResolveError::Loop);
                }
                let target = image.symlink_target(entry.ino);
                if target.starts_with(b"/") {
                    at = ROOT_INO;
                }
                work.extend(components(target).rev());
            }
            _ if last && !follow_last => return Ok(entry.ino),
            _ => return Err(ResolveError::NotADirectory),
        }
    }
    Ok(at)
}

fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty() && *c != b".")
}
