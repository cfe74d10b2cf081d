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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, FallocateMode, OpenFlags as O};

    #[test]
    fn truncate_and_ftruncate() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"abcdef");
        vfs.truncate(b"/f", 2).unwrap();
        vfs.truncate(b"/f", 4).unwrap();
        assert_eq!(read_file(&mut vfs, b"/f"), b"ab\0\0");
        vfs.mkdir(b"/d", 0o755).unwrap();
        assert_eq!(vfs.truncate(b"/d", 0), Err(Errno::ISDIR));
        let ro = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.ftruncate(ro, 0), Err(Errno::INVAL));
        let rw = vfs.open(b"/f", O::RDWR, 0).unwrap();
        assert_eq!(vfs.ftruncate(rw, u64::MAX), Err(Errno::INVAL));
        assert_eq!(vfs.ftruncate(rw, 1 << 40), Err(Errno::FBIG));
        let before = vfs.fstat(rw).unwrap().mtime;
        vfs.ftruncate(rw, 4).unwrap();
        assert!(vfs.fstat(rw).unwrap().mtime > before, "ftruncate always updates mtime");
        as_user(&mut vfs);
        assert_eq!(vfs.truncate(b"/f", 0), Err(Errno::ACCES));
    }

    #[test]
    fn fallocate_modes() {
        let mut vfs = vfs();
        let fd = vfs.open(b"/f", O::CREAT | O::RDWR, 0o644).unwrap();
        vfs.fallocate(fd, FallocateMode::empty(), 0, 100).unwrap();
        assert_eq!(vfs.fstat(fd).unwrap().size, 100);
        vfs.fallocate(fd, FallocateMode::KEEP_SIZE, 0, 1000).unwrap();
        assert_eq!(vfs.fstat(fd).unwrap().size, 100);
        vfs.write(fd, &[7; 100]).unwrap();
        vfs.fallocate(fd, FallocateMode::PUNCH_HOLE | FallocateMode::KEEP_SIZE, 10, 20).unwrap();
        let all = read_file(&mut vfs, b"/f");
        assert!(all[10..30].iter().all(|&b| b == 0) && all[30] == 7);
        assert_eq!(vfs.fallocate(fd, FallocateMode::PUNCH_HOLE, 0, 1), Err(Errno::OPNOTSUPP));
        assert_eq!(vfs.fallocate(fd, FallocateMode::empty(), 0, 0), Err(Errno::INVAL));
        let ro = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.fallocate(ro, FallocateMode::empty(), 0, 1), Err(Errno::BADF));
        assert_eq!(vfs.fsync(ro), Ok(()));
        assert_eq!(vfs.fdatasync(77), Err(Errno::BADF));
    }
}
