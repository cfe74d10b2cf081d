//! Directory iteration: `getdents` (from the description's position) and
//! `readdir` (from an explicit cookie, the preview1 `fd_readdir` model).
//!
//! Cookie 0 is `.`, 1 is `..`, then each entry's cookie is the one that
//! resumes after it; see [`crate::directory`] for why no entry that exists
//! throughout is skipped or repeated.

use crate::directory::FIRST_ENTRY_COOKIE;
use crate::errno::{Errno, Result};
use crate::fd_table::Fd;
use crate::mount::Loc;
use crate::stat::FileType;
use crate::Vfs;

/// One directory entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    pub ino: u64,
    pub kind: FileType,
    pub name: &'a [u8],
    /// The cookie that resumes iteration after this entry.
    pub next: u64,
}

impl Vfs {
    /// `getdents64(2)`: calls `emit` for each entry from the description's
    /// position until it returns `false` (that entry is not consumed) or
    /// the directory ends; advances the position. Returns how many entries
    /// were consumed.
    pub fn getdents(&mut self, fd: Fd, emit: impl FnMut(DirEntry<'_>) -> bool) -> Result<usize> {
        let cookie = self.open_file(fd)?.offset;
        let (consumed, next) = self.readdir(fd, cookie, emit)?;
        self.open_file_mut(fd)?.offset = next;
        Ok(consumed)
    }

    /// Iterates from `cookie` without touching the description's position.
    /// Returns how many entries `emit` accepted and the cookie after them.
    /// EBADF unless `fd` was opened for reading, ENOTDIR for a
    /// non-directory, ENOENT once the directory has been removed.
    pub fn readdir(&mut self, fd: Fd, cookie: u64, mut emit: impl FnMut(DirEntry<'_>) -> bool) -> Result<(usize, u64)> {
        let file = self.open_file(fd)?;
        let loc = file.loc;
        if !file.readable {
            return Err(Errno::BADF);
        }
        let inode = self.inode(loc);
        let Some(dir) = inode.dir() else {
            return Err(Errno::NOTDIR);
        };
        if inode.nlink == 0 {
            return Err(Errno::NOENT);
        }
        let mut consumed = 0;
        let mut next = cookie;
        // As in Linux, entries report inode numbers within this filesystem:
        // `..` of a mount root is itself, a mountpoint shows the covered inode.
        for (dot_cookie, name, ino) in [(0, &b"."[..], loc.ino), (1, &b".."[..], dir.parent)] {
            if next == dot_cookie {
                let entry = DirEntry { ino: ino.0, kind: FileType::Directory, name, next: next + 1 };
                if !emit(entry) {
                    return self.finish_readdir(loc, consumed, next);
                }
                consumed += 1;
                next += 1;
            }
        }
        for listed in dir.iter_from(next.max(FIRST_ENTRY_COOKIE)) {
            let entry = DirEntry { ino: listed.ino.0, kind: listed.kind, name: listed.name, next: listed.next };
            if !emit(entry) {
                break;
            }
            consumed += 1;
            next = listed.next;
        }
        self.finish_readdir(loc, consumed, next)
    }

    fn finish_readdir(&mut self, loc: Loc, consumed: usize, next: u64) -> Result<(usize, u64)> {
        self.touch_atime(loc);
        Ok((consumed, next))
    }
}
