//! `close`, `dup`, `dup2`, `dup3`, `F_DUPFD`, and the descriptor/status flags
//! of `fcntl`.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, FdEntry};
use crate::flags::{AccessMode, FdFlags, OpenFlags, StatusFlags};
use crate::open_file::HeldLock;
use crate::Vfs;

/// Status flags `F_SETFL` may change (Linux `SETFL_MASK`, minus async/direct).
const SETFL_MASK: StatusFlags = StatusFlags::APPEND.union(StatusFlags::NONBLOCK).union(StatusFlags::NOATIME);

impl Vfs {
    /// `close(2)`. The description goes with its last descriptor, and with
    /// it its `flock` and its hold on the inode.
    pub fn close(&mut self, fd: Fd) -> Result<()> {
        let entry = self.fds.remove(fd)?;
        self.release_file(entry);
        Ok(())
    }

    pub(crate) fn release_file(&mut self, entry: FdEntry) {
        if let Some(file) = self.files.release(entry.file) {
            if let Some(lock) = file.lock {
                release_flock(self.inode_mut(file.loc), lock);
            }
            self.unpin(file.loc);
        }
    }

    /// `dup(2)`: the lowest free descriptor, sharing the description.
    pub fn dup(&mut self, fd: Fd) -> Result<Fd> {
        self.dup_from(fd, 0, FdFlags::empty())
    }

    /// `fcntl(F_DUPFD / F_DUPFD_CLOEXEC)`: the lowest free descriptor `>= min`.
    pub fn dup_from(&mut self, fd: Fd, min: Fd, flags: FdFlags) -> Result<Fd> {
        let entry = self.fds.get(fd)?;
        if min < 0 || min as u32 >= self.fds.limit() {
            return Err(Errno::INVAL);
        }
        let new = self.fds.allocate(min, FdEntry { file: entry.file, flags })?;
        self.files.get_mut(entry.file).refs += 1;
        Ok(new)
    }

    /// `dup2(2)`: `new` refers to `old`'s description; whatever `new` was is
    /// closed first. `dup2(fd, fd)` only checks that `fd` is open.
    pub fn dup2(&mut self, old: Fd, new: Fd) -> Result<Fd> {
        self.fds.get(old)?;
        if old == new {
            return Ok(new);
        }
        self.dup_onto(old, new, FdFlags::empty())
    }

    /// `dup3(2)`: as `dup2`, but `old == new` is EINVAL and the new
    /// descriptor's flags are given.
    pub fn dup3(&mut self, old: Fd, new: Fd, flags: FdFlags) -> Result<Fd> {
        if old == new {
            return Err(Errno::INVAL);
        }
        self.dup_onto(old, new, flags)
    }

    fn dup_onto(&mut self, old: Fd, new: Fd, flags: FdFlags) -> Result<Fd> {
        let entry = self.fds.get(old)?;
        let replaced = self.fds.replace(new, FdEntry { file: entry.file, flags })?;
        self.files.get_mut(entry.file).refs += 1;
        if let Some(replaced) = replaced {
            self.release_file(replaced);
        }
        Ok(new)
    }

    /// `fcntl(F_GETFD)`.
    pub fn fd_flags(&self, fd: Fd) -> Result<FdFlags> {
        Ok(self.fds.get(fd)?.flags)
    }

    /// `fcntl(F_SETFD)`.
    pub fn set_fd_flags(&mut self, fd: Fd, flags: FdFlags) -> Result<()> {
        self.fds.get_mut(fd)?.flags = flags;
        Ok(())
    }

    /// `fcntl(F_GETFL)`: access mode and status flags.
    pub fn status_flags(&self, fd: Fd) -> Result<OpenFlags> {
        let file = self.open_file(fd)?;
        let access = match (file.readable, file.writable) {
            (true, true) => OpenFlags::RDWR,
            (false, true) => OpenFlags::WRONLY,
            (true, false) => OpenFlags::RDONLY,
            (false, false) => OpenFlags::WRONLY | OpenFlags::RDWR,
        };
        Ok(access | OpenFlags::LARGEFILE | OpenFlags::from_bits_truncate(file.status.bits()))
    }

    /// `fcntl(F_SETFL)`: changes `O_APPEND`, `O_NONBLOCK` and `O_NOATIME`;
    /// other bits are ignored as on Linux.
    pub fn set_status_flags(&mut self, fd: Fd, flags: OpenFlags) -> Result<()> {
        let requested = StatusFlags::from_bits_truncate(flags.bits()) & SETFL_MASK;
        let loc = self.open_file(fd)?.loc;
        if requested.contains(StatusFlags::NOATIME) && !self.cred.owns(self.inode(loc)) {
            return Err(Errno::PERM);
        }
        let file = self.open_file_mut(fd)?;
        file.status = (file.status - SETFL_MASK) | requested;
        Ok(())
    }

    /// How `fd`'s description was opened.
    pub fn access_mode(&self, fd: Fd) -> Result<Option<AccessMode>> {
        let file = self.open_file(fd)?;
        Ok(match (file.readable, file.writable) {
            (true, true) => Some(AccessMode::ReadWrite),
            (true, false) => Some(AccessMode::Read),
            (false, true) => Some(AccessMode::Write),
            (false, false) => None,
        })
    }
}

pub(crate) fn release_flock(inode: &mut crate::inode::Inode, lock: HeldLock) {
    match lock {
        HeldLock::Shared => inode.flock.shared -= 1,
        HeldLock::Exclusive => inode.flock.exclusive = false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, FdFlags, FlockOp, OpenFlags, Whence};

    #[test]
    fn descriptors_are_lowest_free_and_limited() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"x");
        let a = vfs.open(b"/f", OpenFlags::RDONLY, 0).unwrap();
        let b = vfs.open(b"/f", OpenFlags::RDONLY, 0).unwrap();
        assert_eq!((a, b), (0, 1));
        vfs.close(a).unwrap();
        assert_eq!(vfs.open(b"/f", OpenFlags::RDONLY, 0), Ok(0));
        vfs.set_fd_limit(2);
        assert_eq!(vfs.open(b"/f", OpenFlags::RDONLY, 0), Err(Errno::MFILE));
        assert_eq!(vfs.open(b"/missing", OpenFlags::RDONLY, 0), Err(Errno::MFILE), "EMFILE before lookup");
        assert_eq!(vfs.close(7), Err(Errno::BADF));
        assert_eq!(vfs.close(-1), Err(Errno::BADF));
    }

    #[test]
    fn dup_shares_the_offset_and_dup2_replaces() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"abcdef");
        let fd = vfs.open(b"/f", OpenFlags::RDONLY, 0).unwrap();
        let copy = vfs.dup(fd).unwrap();
        let mut two = [0; 2];
        vfs.read(fd, &mut two).unwrap();
        vfs.read(copy, &mut two).unwrap();
        assert_eq!(&two, b"cd", "one offset for both");
        let other = vfs.open(b"/f", OpenFlags::RDONLY, 0).unwrap();
        assert_eq!(vfs.dup2(fd, other), Ok(other));
        assert_eq!(vfs.lseek(other, 0, Whence::Cur), Ok(4));
        assert_eq!(vfs.dup2(fd, fd), Ok(fd));
        assert_eq!(vfs.dup2(99, fd), Err(Errno::BADF));
        assert_eq!(vfs.dup3(fd, fd, FdFlags::empty()), Err(Errno::INVAL));
        assert_eq!(vfs.dup3(fd, 10, FdFlags::CLOEXEC), Ok(10));
        assert_eq!(vfs.fd_flags(10), Ok(FdFlags::CLOEXEC));
        assert_eq!(vfs.dup_from(fd, 5, FdFlags::empty()), Ok(5));
        assert_eq!(vfs.dup_from(fd, 5000, FdFlags::empty()), Err(Errno::INVAL));
        // Closing every alias releases the description's lock.
        vfs.flock(fd, FlockOp::Exclusive, true).unwrap();
        for alias in [fd, copy, other, 10, 5] {
            vfs.close(alias).unwrap();
        }
        let again = vfs.open(b"/f", OpenFlags::RDONLY, 0).unwrap();
        assert_eq!(vfs.flock(again, FlockOp::Exclusive, true), Ok(()));
    }

    #[test]
    fn status_flags_change_append_only() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"abc");
        let fd = vfs.open(b"/f", OpenFlags::WRONLY, 0).unwrap();
        vfs.set_status_flags(fd, OpenFlags::APPEND | OpenFlags::RDWR).unwrap();
        let flags = vfs.status_flags(fd).unwrap();
        assert!(flags.contains(OpenFlags::APPEND | OpenFlags::WRONLY));
        assert!(!flags.contains(OpenFlags::RDWR), "the access mode can not change");
        vfs.write(fd, b"d").unwrap();
        assert_eq!(read_file(&mut vfs, b"/f"), b"abcd");
    }
}
