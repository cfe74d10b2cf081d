//! Directory iteration: `getdents` (from the description's position) and
//! `readdir` (from an explicit cookie, the preview1 `fd_readdir` model).
//!
//! Cookie 0 is `.`, 1 is `..`, then each entry's cookie is the one that
//! resumes after it; see [`crate::directory`] for why no entry that exists
//! throughout is skipped or repeated.

use crate::directory::{END_OF_DIRECTORY, FIRST_ENTRY_COOKIE};
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
    /// were consumed. At the end the position becomes
    /// [`END_OF_DIRECTORY`], as on tmpfs.
    pub fn getdents(&mut self, fd: Fd, mut emit: impl FnMut(DirEntry<'_>) -> bool) -> Result<usize> {
        let cookie = self.open_file(fd)?.offset;
        let mut stopped = false;
        let (consumed, next) = self.readdir(fd, cookie, |entry| {
            let more = emit(entry);
            stopped = !more;
            more
        })?;
        self.open_file_mut(fd)?.offset = if stopped { next } else { END_OF_DIRECTORY };
        Ok(consumed)
    }

    /// Iterates from `cookie` without touching the description's position.
    /// Returns how many entries `emit` accepted and the cookie after them.
    /// ENOTDIR for a non-directory, ENOENT once the directory has been
    /// removed.
    pub fn readdir(&mut self, fd: Fd, cookie: u64, mut emit: impl FnMut(DirEntry<'_>) -> bool) -> Result<(usize, u64)> {
        let file = self.open_file(fd)?;
        let loc = file.loc;
        let inode = self.inode(loc);
        let Some(dir) = inode.dir() else {
            return Err(Errno::NOTDIR);
        };
        // Directories can only be opened for reading; kept as a guard.
        if !file.readable {
            return Err(Errno::BADF);
        }
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
        if next >= END_OF_DIRECTORY {
            return self.finish_readdir(loc, consumed, next);
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O, Whence};
    use alloc::vec::Vec;

    #[test]
    fn dots_then_entries_and_cookies_resume() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        for name in [&b"a"[..], b"b", b"c"] {
            let mut path = b"/d/".to_vec();
            path.extend_from_slice(name);
            write_file(&mut vfs, &path, b"");
        }
        let fd = vfs.open(b"/d", O::RDONLY | O::DIRECTORY, 0).unwrap();
        let mut seen = Vec::new();
        let (n, next) = vfs
            .readdir(fd, 0, |e| {
                seen.push((e.name.to_vec(), e.next));
                seen.len() < 3
            })
            .unwrap();
        assert_eq!((n, next), (2, 2));
        assert_eq!(seen[0].0, b".");
        assert_eq!(seen[1].0, b"..");
        let mut rest = Vec::new();
        vfs.readdir(fd, next, |e| {
            rest.push(e.name.to_vec());
            true
        })
        .unwrap();
        rest.sort();
        assert_eq!(rest, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        // getdents consumes; lseek(0) rewinds.
        assert_eq!(vfs.getdents(fd, |_| true), Ok(5));
        assert_eq!(vfs.getdents(fd, |_| true), Ok(0));
        vfs.lseek(fd, 0, Whence::Set).unwrap();
        assert_eq!(vfs.getdents(fd, |_| true), Ok(5));
    }

    #[test]
    fn thousands_of_entries_while_changing() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        for i in 0..3000 {
            write_file(&mut vfs, alloc::format!("/d/f{i}").as_bytes(), b"");
        }
        let fd = vfs.open(b"/d", O::RDONLY, 0).unwrap();
        // Between batches: remove an odd-numbered file, add a new one.
        let (seen, _) = read_in_batches(&mut vfs, fd, 100, |vfs, round| {
            if round <= 20 {
                vfs.unlink(alloc::format!("/d/f{}", 2 * round + 1).as_bytes()).unwrap();
                write_file(vfs, alloc::format!("/d/new{round}").as_bytes(), b"");
            }
        });
        for i in (0..3000).step_by(2) {
            let name = alloc::format!("f{i}").into_bytes();
            assert_eq!(seen.iter().filter(|n| **n == name).count(), 1, "f{i} exactly once");
        }
    }

    #[test]
    fn errors() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        vfs.mkdir(b"/d", 0o755).unwrap();
        let file = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.getdents(file, |_| true), Err(Errno::NOTDIR));
        let dir = vfs.open(b"/d", O::RDONLY, 0).unwrap();
        vfs.rmdir(b"/d").unwrap();
        assert_eq!(vfs.getdents(dir, |_| true), Err(Errno::NOENT));
        assert_eq!(names(&mut vfs, b"/"), [b"f".to_vec()]);
    }
}
