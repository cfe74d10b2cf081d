//! Path resolution: one loop over a worklist of components, never recursion.
//!
//! The path being walked and the bodies of symlinks met on the way are a
//! stack of sources; a symlink's target is pushed and walked before the rest
//! of the source that named it. Every step runs the same checks, in Linux's
//! order: the current inode must be a directory (ENOTDIR), searchable
//! (EACCES), then the name is looked up (ENAMETOOLONG, ENOENT). At most
//! [`MAX_SYMLINKS`] symlinks are followed per walk (ELOOP). Absolute paths
//! and absolute symlink targets start at the namespace root, and `..` there
//! stays there, so a walk can never leave the namespace.
//!
//! The walk ends at the last component and reports both where it is (the
//! parent and the final name, for create/unlink/rename) and what it names
//! (for everything else), so every operation walks once.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::AccessCheck;
use crate::inode::Node;
use crate::mount::Loc;
use crate::name_cache::{Found, Key};
use crate::Vfs;

/// Symlinks followed in one walk before ELOOP (Linux `MAXSYMLINKS`).
pub const MAX_SYMLINKS: u32 = 40;
/// Longest path accepted, excluding the NUL Linux counts (`PATH_MAX` - 1).
pub const PATH_MAX: usize = 4095;
/// Longest name of one component (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// What to do with a final component that is a symlink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalLink {
    /// Follow it (`stat`, `open`).
    Follow,
    /// Report the link itself (`lstat`, `O_NOFOLLOW`) — unless the path
    /// ends in a slash, which demands a directory and so follows it.
    NoFollow,
    /// Never follow, even with a trailing slash: operations on the name
    /// itself (`unlink`, `rmdir`, `rename`, `mkdir`, `symlink`, new name of
    /// `link`) interpret the slash on their own.
    Name,
    /// `open(O_CREAT)` without `O_EXCL`/`O_NOFOLLOW`: follow, but stop at a
    /// final component that ends in a slash (the caller's EISDIR), as
    /// Linux's `open_last_lookups` checks that before each lookup.
    Create,
}

/// The kind of the last component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Last {
    /// An ordinary name.
    Normal,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// The path was only slashes.
    Root,
}

/// The end of a walk.
#[derive(Debug, PartialEq, Eq)]
pub struct Walked<'p> {
    /// The directory the final name was looked up in (for `.`/`..`/root, the
    /// directory the walk stood in).
    pub parent: Loc,
    /// The final name; empty for [`Last::Root`].
    pub name: Cow<'p, [u8]>,
    pub last: Last,
    /// What the final name refers to, after following as asked; `None` if
    /// no such name exists in `parent`.
    pub target: Option<Loc>,
    /// The path ended in a slash (or a followed symlink's body did), so the
    /// final component must be a directory.
    pub trailing_slash: bool,
}

impl Walked<'_> {
    /// The target, or ENOENT.
    pub fn existing(&self) -> Result<Loc> {
        self.target.ok_or(Errno::NOENT)
    }
}

impl Found {
    /// What to remember of `walked`, a walk of `path`; `None` for a walk
    /// that can not be rebuilt from the path alone (its final name came
    /// from a symlink's body).
    fn of(walked: &Result<Walked<'_>>, path: &[u8]) -> Option<Result<Found>> {
        let walked = match walked {
            Ok(walked) => walked,
            Err(errno) => return Some(Err(*errno)),
        };
        let name = match &walked.name {
            Cow::Borrowed(b"") => (0, 0),
            Cow::Borrowed(name) => {
                let start = (name.as_ptr() as usize).checked_sub(path.as_ptr() as usize)?;
                let end = start + name.len();
                (end <= path.len()).then_some((start as u16, end as u16))?
            }
            Cow::Owned(_) => return None,
        };
        Some(Ok(Found {
            parent: walked.parent,
            name,
            last: walked.last,
            target: walked.target,
            trailing_slash: walked.trailing_slash,
        }))
    }

    /// The walk of `path` this was found from.
    fn walked(self, path: &[u8]) -> Walked<'_> {
        Walked {
            parent: self.parent,
            name: Cow::Borrowed(&path[self.name.0 as usize..self.name.1 as usize]),
            last: self.last,
            target: self.target,
            trailing_slash: self.trailing_slash,
        }
    }
}

/// One source of components: a byte string and how far it has been read.
struct Source<'p> {
    bytes: Cow<'p, [u8]>,
    pos: usize,
}

impl<'p> Source<'p> {
    /// The next component, and whether a slash followed it.
    fn next_component(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = &self.bytes[..];
        while self.pos < bytes.len() && bytes[self.pos] == b'/' {
            self.pos += 1;
        }
        if self.pos == bytes.len() {
            return None;
        }
        let start = self.pos;
        while self.pos < bytes.len() && bytes[self.pos] != b'/' {
            self.pos += 1;
        }
        let end = self.pos;
        let slash = end < bytes.len();
        while self.pos < bytes.len() && bytes[self.pos] == b'/' {
            self.pos += 1;
        }
        Some((start, end, slash))
    }

    fn exhausted(&self) -> bool {
        self.bytes[self.pos..].iter().all(|&b| b == b'/')
    }
}

impl Vfs {
    /// The directory a relative path starts from: the working directory for
    /// `AT_FDCWD`, else the directory `dirfd` refers to (EBADF, ENOTDIR).
    pub(crate) fn start_dir(&self, dirfd: Fd) -> Result<Loc> {
        if dirfd == AT_FDCWD {
            return Ok(self.cwd);
        }
        let loc = self.open_file(dirfd)?.loc;
        if !self.mounts.inode(loc).is_dir() {
            return Err(Errno::NOTDIR);
        }
        Ok(loc)
    }

    /// Walks `path` from `dirfd`. See the module docs; a walk made before
    /// and not invalidated since is answered from the name cache (`crate::name_cache`).
    pub(crate) fn walk<'p>(&self, dirfd: Fd, path: &'p [u8], final_link: FinalLink) -> Result<Walked<'p>> {
        if path.is_empty() {
            return Err(Errno::NOENT);
        }
        if path.len() > PATH_MAX {
            return Err(Errno::NAMETOOLONG);
        }
        let start = if path[0] == b'/' { self.mounts.root() } else { self.start_dir(dirfd)? };
        // The walks of operations on a name (create, unlink, rename, ...)
        // are not remembered: when they succeed, the change invalidates
        // them at once.
        if matches!(final_link, FinalLink::Name | FinalLink::Create) {
            return self.walk_from(start, path, final_link);
        }
        let key = Key::new(start, final_link, path);
        // Never contended (walks do not nest); a busy cache is just skipped.
        let Ok(mut names) = self.names.try_borrow_mut() else {
            return self.walk_from(start, path, final_link);
        };
        if let Some(found) = names.lookup(&key) {
            let walked = found.map(|found| found.walked(path));
            debug_assert_eq!(walked, self.walk_from(start, path, final_link), "stale name cache entry");
            return walked;
        }
        let walked = self.walk_from(start, path, final_link);
        if let Some(found) = Found::of(&walked, path) {
            names.store(&key, found);
        }
        walked
    }

    /// The walk itself, uncached, from the directory `at`.
    fn walk_from<'p>(&self, mut at: Loc, path: &'p [u8], final_link: FinalLink) -> Result<Walked<'p>> {
        // The path itself is the bottom source; symlink bodies go above it.
        // The stack is empty until a symlink is met: no allocation otherwise.
        let mut path = Source { bytes: Cow::Borrowed(path), pos: 0 };
        let mut links: Vec<Source<'p>> = Vec::new();
        let mut followed = 0;
        let mut trailing_slash = false;
        loop {
            let source = links.last_mut().unwrap_or(&mut path);
            let Some((start, end, slash)) = source.next_component() else {
                // This source held only slashes. If nothing follows it, the
                // walk ends on `at` itself, as the path "/" (or a symlink
                // whose body is "/") does.
                if links.pop().is_some() && !(links.is_empty() && path.exhausted()) {
                    continue;
                }
                return Ok(self.finish_on_dir(at, trailing_slash));
            };
            // Invariant: every link source below the top is unfinished (they
            // are dropped when exhausted before another is pushed), so this
            // is the last component iff the top and the path are exhausted.
            let is_last = source.exhausted()
                && match links.len() {
                    0 => true,
                    1 => path.exhausted(),
                    _ => false,
                };
            if is_last && slash {
                trailing_slash = true;
            }
            let source = links.last().unwrap_or(&path);
            let name: Cow<'p, [u8]> = match &source.bytes {
                Cow::Borrowed(bytes) => Cow::Borrowed(&bytes[start..end]),
                Cow::Owned(bytes) => Cow::Owned(bytes[start..end].to_vec()),
            };
            // Operations on a name look the final one up themselves, later
            // (and only then is a long name ENAMETOOLONG), as Linux's
            // `filename_parentat` callers do.
            let deferred = final_link == FinalLink::Name || (final_link == FinalLink::Create && trailing_slash);
            let check_len = !(is_last && deferred);
            let (found, last) = self.step(at, &name, check_len)?;
            let follow_here = match found {
                Some(loc) => {
                    matches!(self.mounts.inode(loc).node, Node::Symlink(_))
                        && (!is_last
                            || match final_link {
                                FinalLink::Follow => true,
                                FinalLink::NoFollow => trailing_slash,
                                FinalLink::Name => false,
                                FinalLink::Create => !trailing_slash,
                            })
                }
                None => false,
            };
            if follow_here {
                followed += 1;
                if followed > MAX_SYMLINKS {
                    return Err(Errno::LOOP);
                }
                let link = found.expect("checked above");
                let Node::Symlink(body) = &self.mounts.inode(link).node else { unreachable!() };
                if body.is_empty() {
                    return Err(Errno::NOENT);
                }
                if body[0] == b'/' {
                    at = self.mounts.root();
                }
                // Drop exhausted sources so "last" stays a property of the top.
                while links.last().is_some_and(Source::exhausted) {
                    links.pop();
                }
                links.push(Source { bytes: Cow::Owned(body.to_vec()), pos: 0 });
                continue;
            }
            if is_last {
                let walked = Walked { parent: at, name, last, target: found, trailing_slash };
                return self.check_directory_demand(walked, final_link);
            }
            match found {
                Some(next) => at = next,
                None => return Err(Errno::NOENT),
            }
        }
    }

    /// One step: from directory `at`, look up `name`.
    fn step(&self, at: Loc, name: &[u8], check_len: bool) -> Result<(Option<Loc>, Last)> {
        let dir_inode = self.mounts.inode(at);
        let Node::Dir(dir) = &dir_inode.node else {
            return Err(Errno::NOTDIR);
        };
        if !self.cred.permits(dir_inode, AccessCheck::EXECUTE) {
            return Err(Errno::ACCES);
        }
        match name {
            b"." => Ok((Some(at), Last::Dot)),
            b".." => Ok((Some(self.mounts.parent(at)), Last::DotDot)),
            // Nothing can be looked up in a removed directory (`lookup_slow`).
            _ if dir_inode.nlink == 0 => Ok((None, Last::Normal)),
            _ if check_len && name.len() > NAME_MAX => Err(Errno::NAMETOOLONG),
            _ => {
                let found = dir.get(name).map(|e| self.mounts.enter(Loc { fs: at.fs, ino: e.ino }));
                Ok((found, Last::Normal))
            }
        }
    }

    fn finish_on_dir<'p>(&self, at: Loc, trailing_slash: bool) -> Walked<'p> {
        Walked { parent: at, name: Cow::Borrowed(b""), last: Last::Root, target: Some(at), trailing_slash }
    }

    /// A trailing slash demands a directory of what the path names.
    fn check_directory_demand<'p>(&self, walked: Walked<'p>, final_link: FinalLink) -> Result<Walked<'p>> {
        if walked.trailing_slash && matches!(final_link, FinalLink::Follow | FinalLink::NoFollow) {
            if let Some(target) = walked.target {
                if !self.mounts.inode(target).is_dir() {
                    return Err(Errno::NOTDIR);
                }
            }
        }
        Ok(walked)
    }

    /// Resolves `path` to an existing inode.
    pub(crate) fn resolve(&self, dirfd: Fd, path: &[u8], final_link: FinalLink) -> Result<Loc> {
        self.walk(dirfd, path, final_link)?.existing()
    }

    /// Resolves `path`, or with `AT_EMPTY_PATH` and an empty path, the inode
    /// `dirfd` itself refers to (any type).
    pub(crate) fn resolve_at(&self, dirfd: Fd, path: &[u8], follow: bool, empty_path: bool) -> Result<Loc> {
        if path.is_empty() && empty_path {
            if dirfd == AT_FDCWD {
                return Ok(self.cwd);
            }
            return Ok(self.open_file(dirfd)?.loc);
        }
        let final_link = if follow { FinalLink::Follow } else { FinalLink::NoFollow };
        self.resolve(dirfd, path, final_link)
    }
}
