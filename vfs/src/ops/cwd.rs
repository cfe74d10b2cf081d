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
