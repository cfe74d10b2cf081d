//! Sizes and durability: `truncate`, `ftruncate`, `fallocate`, and the
//! `sync` family (memory is always synchronized: they only validate).

use crate::errno::{Errno, Result};
use crate::fd_table::Fd;
use crate::flags::{AccessCheck, FallocateMode};
use crate::inode::Node;
use crate::mount::Loc;
use crate::resolve::FinalLink;
use crate::Vfs;

impl Vfs {
    /// `truncate(2)`: sets the size of the file at `path`. Times change
    /// only if the size does (Linux `vfs_truncate` passes no time flags).
    pub fn truncate(&mut self, path: &[u8], len: u64) -> Result<()> {
        check_length(len)?;
        let loc = self.resolve(crate::AT_FDCWD, path, FinalLink::Follow)?;
        let inode = self.inode(loc);
        match inode.node {
            Node::Dir(_) => return Err(Errno::ISDIR),
            Node::Symlink(_) => return Err(Errno::INVAL),
            Node::File(_) => {}
        }
        self.writable_mount(loc)?;
        if !self.cred.permits(inode, AccessCheck::WRITE) {
            return Err(Errno::ACCES);
        }
        self.set_size(loc, len, false)
    }

    /// `ftruncate(2)`: EINVAL unless `fd` is a regular file open for
    /// writing. Always updates mtime and ctime, as Linux does.
    pub fn ftruncate(&mut self, fd: Fd, len: u64) -> Result<()> {
        check_length(len)?;
        let file = self.open_file(fd)?;
        if !file.writable || !matches!(self.inode(file.loc).node, Node::File(_)) {
            return Err(Errno::INVAL);
        }
        let loc = file.loc;
        self.set_size(loc, len, true)
    }

    fn set_size(&mut self, loc: Loc, len: u64, always_touch: bool) -> Result<()> {
        let now = self.now();
        let kill_setid = !self.cred.is_root();
        self.mounts.fs_mut(loc.fs).with_budget(loc.ino, |inode, _| {
            let data = inode.file_mut().expect("callers checked the type");
            let changed = data.size() != len;
            data.truncate(len)?;
            if changed || always_touch {
                inode.touch_modified(now);
                if kill_setid {
                    super::io::drop_setid_on_write(inode);
                }
            }
            Ok(())
        })
    }

    /// `fallocate(2)` with the modes tmpfs supports: 0 (allocate, growing
    /// the size), `KEEP_SIZE`, and `PUNCH_HOLE | KEEP_SIZE`. Checks as
    /// `vfs_fallocate`.
    pub fn fallocate(&mut self, fd: Fd, mode: FallocateMode, offset: u64, len: u64) -> Result<()> {
        let file = self.open_file(fd)?;
        if offset > i64::MAX as u64 || len == 0 || len > i64::MAX as u64 {
            return Err(Errno::INVAL);
        }
        if mode.contains(FallocateMode::PUNCH_HOLE) && !mode.contains(FallocateMode::KEEP_SIZE) {
            return Err(Errno::OPNOTSUPP);
        }
        if !file.writable {
            return Err(Errno::BADF);
        }
        let loc = file.loc;
        match self.inode(loc).node {
            Node::Dir(_) => return Err(Errno::ISDIR),
            Node::Symlink(_) => return Err(Errno::NODEV),
            Node::File(_) => {}
        }
        if offset.checked_add(len).is_none_or(|end| end > i64::MAX as u64) {
            return Err(Errno::FBIG);
        }
        let now = self.now();
        self.mounts.fs_mut(loc.fs).with_budget(loc.ino, |inode, budget| {
            let data = inode.file_mut().expect("checked above");
            let size_before = data.size();
            if mode.contains(FallocateMode::PUNCH_HOLE) {
                data.punch_hole(offset, len);
                inode.touch_modified(now);
            } else {
                data.allocate(offset, len, mode.contains(FallocateMode::KEEP_SIZE), budget)?;
                if inode.size() != size_before {
                    inode.touch_modified(now);
                }
            }
            Ok(())
        })
    }

    /// `fsync(2)`: EBADF for a closed descriptor; otherwise nothing to do.
    pub fn fsync(&self, fd: Fd) -> Result<()> {
        self.open_file(fd).map(drop)
    }

    /// `fdatasync(2)`.
    pub fn fdatasync(&self, fd: Fd) -> Result<()> {
        self.fsync(fd)
    }

    /// `syncfs(2)`.
    pub fn syncfs(&self, fd: Fd) -> Result<()> {
        self.fsync(fd)
    }

    /// `sync(2)`.
    pub fn sync(&self) {}
}

/// A length no file can have is EINVAL (a negative `off_t` from C).
fn check_length(len: u64) -> Result<()> {
    if len > i64::MAX as u64 {
        return Err(Errno::INVAL);
    }
    Ok(())
}
