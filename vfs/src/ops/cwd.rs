//! `chdir`, `fchdir`, `getcwd`.

use alloc::vec::Vec;

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::AccessCheck;
use crate::mount::Loc;
use crate::resolve::FinalLink;
use crate::Vfs;

impl Vfs {
    /// `chdir(2)`: ENOTDIR unless a directory, EACCES unless searchable.
    pub fn chdir(&mut self, path: &[u8]) -> Result<()> {
        let loc = self.resolve(AT_FDCWD, path, FinalLink::Follow)?;
        self.set_cwd(loc)
    }

    /// `fchdir(2)`.
    pub fn fchdir(&mut self, fd: Fd) -> Result<()> {
        let loc = self.open_file(fd)?.loc;
        self.set_cwd(loc)
    }

    fn set_cwd(&mut self, loc: Loc) -> Result<()> {
        let inode = self.inode(loc);
        if !inode.is_dir() {
            return Err(Errno::NOTDIR);
        }
        if !self.cred.permits(inode, AccessCheck::EXECUTE) {
            return Err(Errno::ACCES);
        }
        self.pin(loc);
        let old = core::mem::replace(&mut self.cwd, loc);
        self.unpin(old);
        Ok(())
    }

    /// `getcwd(2)`: the absolute path of the working directory; ENOENT once
    /// it has been removed, as on Linux.
    pub fn getcwd(&self) -> Result<Vec<u8>> {
        if self.inode(self.cwd).nlink == 0 {
            return Err(Errno::NOENT);
        }
        // Collect names from the cwd up to the root, then reverse.
        let mut names: Vec<&[u8]> = Vec::new();
        let mut at = self.cwd;
        let root = self.mounts.root();
        while at != root {
            let (named, parent) = self.name_in_parent(at);
            names.push(named);
            at = parent;
        }
        let mut path = Vec::new();
        for name in names.iter().rev() {
            path.push(b'/');
            path.extend_from_slice(name);
        }
        if path.is_empty() {
            path.push(b'/');
        }
        Ok(path)
    }

    /// The name of directory `dir` and the directory holding that name; a
    /// mount root is named by its mountpoint.
    fn name_in_parent(&self, dir: Loc) -> (&[u8], Loc) {
        let mut named = dir;
        while self.mounts.is_fs_root(named) {
            match self.mounts.mount(named.fs).mountpoint {
                Some(mountpoint) => named = mountpoint,
                None => return (b"", named),
            }
        }
        let parent_ino = self.inode(named).dir().expect("a directory").parent;
        let parent = Loc { fs: named.fs, ino: parent_ino };
        let name = self.inode(parent).dir().and_then(|d| d.name_of(named.ino)).unwrap_or(b"");
        (name, parent)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O};

    #[test]
    fn cwd_tracks_renames_and_mounts() {
        let mut vfs = vfs();
        assert_eq!(vfs.getcwd().unwrap(), b"/");
        vfs.mkdir(b"/a", 0o755).unwrap();
        vfs.mkdir(b"/a/b", 0o755).unwrap();
        vfs.chdir(b"a/b").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/a/b");
        write_file(&mut vfs, b"rel", b"r");
        assert_eq!(read_file(&mut vfs, b"/a/b/rel"), b"r");
        vfs.mount(b"/a/b", Default::default()).unwrap();
        vfs.chdir(b"/a/b").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/a/b");
        vfs.chdir(b"..").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/a");
        vfs.chdir(b"../../..").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/");
        let fd = vfs.open(b"/a", O::RDONLY, 0).unwrap();
        vfs.fchdir(fd).unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/a");
        write_file(&mut vfs, b"/file", b"");
        assert_eq!(vfs.chdir(b"/file"), Err(Errno::NOTDIR));
        let file = vfs.open(b"/file", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.fchdir(file), Err(Errno::NOTDIR));
    }

    #[test]
    fn a_removed_cwd_stays_usable_for_dot_dot() {
        let mut vfs = vfs();
        vfs.mkdir(b"/a", 0o755).unwrap();
        vfs.mkdir(b"/a/gone", 0o755).unwrap();
        vfs.chdir(b"/a/gone").unwrap();
        vfs.rmdir(b"/a/gone").unwrap();
        assert_eq!(vfs.getcwd(), Err(Errno::NOENT));
        vfs.chdir(b"..").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/a");
    }
}
