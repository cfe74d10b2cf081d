//! `read`, `write`, their vectored and positioned forms, and `lseek`.
//!
//! The hot path: one descriptor lookup, one inode lookup, a copy per chunk;
//! nothing is allocated unless a write grows the file.

use crate::errno::{Errno, Result};
use crate::fd_table::Fd;
use crate::file_data::MAX_FILE_SIZE;
use crate::flags::{mode, StatusFlags, Whence};
use crate::inode::{Inode, Node};
use crate::mount::Loc;
use crate::time::Timespec;
use crate::Vfs;

/// Seconds after which relatime updates atime regardless (24 hours).
const RELATIME_SECS: i64 = 24 * 60 * 60;

/// Largest offset `lseek` accepts (tmpfs's `MAX_LFS_FILESIZE`).
const MAX_OFFSET: u64 = i64::MAX as u64;

/// Where a write lands.
#[derive(Clone, Copy)]
enum WriteAt {
    /// At the description's offset (or the end, with `O_APPEND`), moving it.
    Cursor,
    /// At this offset, leaving the description's offset alone — except with
    /// `O_APPEND`, where Linux appends anyway.
    Offset(u64),
}

impl Vfs {
    /// `read(2)`.
    pub fn read(&mut self, fd: Fd, buf: &mut [u8]) -> Result<usize> {
        self.readv(fd, &mut [buf])
    }

    /// `readv(2)`: fills the buffers in order from the file offset.
    pub fn readv(&mut self, fd: Fd, bufs: &mut [&mut [u8]]) -> Result<usize> {
        let (loc, offset) = self.readable(fd)?;
        let done = self.read_at(loc, offset, bufs);
        self.open_file_mut(fd)?.offset = offset + done as u64;
        self.touch_read(fd, loc);
        Ok(done)
    }

    /// `pread(2)`: reads at `offset`, leaving the file offset alone.
    pub fn pread(&mut self, fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize> {
        self.preadv(fd, &mut [buf], offset)
    }

    /// `preadv(2)`.
    pub fn preadv(&mut self, fd: Fd, bufs: &mut [&mut [u8]], offset: u64) -> Result<usize> {
        let (loc, _) = self.readable(fd)?;
        check_offset(offset)?;
        let done = self.read_at(loc, offset, bufs);
        self.touch_read(fd, loc);
        Ok(done)
    }

    /// `write(2)`.
    pub fn write(&mut self, fd: Fd, data: &[u8]) -> Result<usize> {
        self.write_to(fd, &[data], WriteAt::Cursor)
    }

    /// `writev(2)`.
    pub fn writev(&mut self, fd: Fd, bufs: &[&[u8]]) -> Result<usize> {
        self.write_to(fd, bufs, WriteAt::Cursor)
    }

    /// `pwrite(2)`. With `O_APPEND` the data goes to the end of the file, as
    /// on Linux.
    pub fn pwrite(&mut self, fd: Fd, data: &[u8], offset: u64) -> Result<usize> {
        self.pwritev(fd, &[data], offset)
    }

    /// `pwritev(2)`.
    pub fn pwritev(&mut self, fd: Fd, bufs: &[&[u8]], offset: u64) -> Result<usize> {
        check_offset(offset)?;
        self.write_to(fd, bufs, WriteAt::Offset(offset))
    }

    /// `lseek(2)`. On a directory the offset is the iteration cookie:
    /// `SEEK_SET` and `SEEK_CUR` move it, `SEEK_END` is EINVAL (as tmpfs).
    pub fn lseek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64> {
        let file = self.open_file(fd)?;
        let current = file.offset;
        let inode = self.inode(file.loc);
        let new = match (&inode.node, whence) {
            (_, Whence::Set) => Some(offset as i128),
            (_, Whence::Cur) => Some(current as i128 + offset as i128),
            (Node::Dir(_), _) => return Err(Errno::INVAL),
            (_, Whence::End) => Some(inode.size() as i128 + offset as i128),
            (Node::File(data), Whence::Data | Whence::Hole) => {
                if offset < 0 || offset as u64 >= data.size() {
                    return Err(Errno::NXIO);
                }
                match whence {
                    Whence::Data => Some(data.next_data(offset as u64).ok_or(Errno::NXIO)? as i128),
                    _ => Some(data.next_hole(offset as u64) as i128),
                }
            }
            (_, Whence::Data | Whence::Hole) => return Err(Errno::INVAL),
        };
        let new = new.filter(|&n| n >= 0 && n <= MAX_OFFSET as i128).ok_or(Errno::INVAL)? as u64;
        self.open_file_mut(fd)?.offset = new;
        Ok(new)
    }

    /// The description's inode and offset, if it may be read: EBADF unless
    /// opened for reading, EISDIR for a directory.
    fn readable(&self, fd: Fd) -> Result<(Loc, u64)> {
        let file = self.open_file(fd)?;
        if !file.readable {
            return Err(Errno::BADF);
        }
        match self.inode(file.loc).node {
            Node::Dir(_) => Err(Errno::ISDIR),
            Node::Symlink(_) => Err(Errno::INVAL),
            Node::File(_) => Ok((file.loc, file.offset)),
        }
    }

    fn read_at(&self, loc: Loc, offset: u64, bufs: &mut [&mut [u8]]) -> usize {
        let data = self.inode(loc).file().expect("checked by readable");
        let mut done = 0;
        for buf in bufs.iter_mut() {
            let n = data.read_at(offset + done as u64, buf);
            done += n;
            if n < buf.len() {
                break;
            }
        }
        done
    }

    /// Updates atime after a read, as a relatime mount does, unless the
    /// description has `O_NOATIME` or the mount is read-only.
    fn touch_read(&mut self, fd: Fd, loc: Loc) {
        let noatime = self.open_file(fd).is_ok_and(|f| f.status.contains(StatusFlags::NOATIME));
        if !noatime {
            self.touch_atime(loc);
        }
    }

    pub(crate) fn touch_atime(&mut self, loc: Loc) {
        if self.mounts.mount(loc.fs).read_only {
            return;
        }
        let now = self.now();
        let inode = self.inode_mut(loc);
        if relatime_due(inode, now) {
            inode.atime = now;
        }
    }

    fn write_to(&mut self, fd: Fd, bufs: &[&[u8]], at: WriteAt) -> Result<usize> {
        let file = self.open_file(fd)?;
        if !file.writable {
            return Err(Errno::BADF);
        }
        let (loc, cursor, append) = (file.loc, file.offset, file.status.contains(StatusFlags::APPEND));
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let inode = self.inode(loc);
        let size = match &inode.node {
            Node::File(data) => data.size(),
            Node::Dir(_) => return Err(Errno::ISDIR),
            Node::Symlink(_) => return Err(Errno::INVAL),
        };
        let start = match (at, append) {
            (_, true) => size,
            (WriteAt::Cursor, false) => cursor,
            (WriteAt::Offset(offset), false) => offset,
        };
        if total == 0 {
            return Ok(0);
        }
        if start >= MAX_FILE_SIZE {
            return Err(Errno::FBIG);
        }
        let now = self.now();
        let kill_setid = !self.cred.is_root();
        let written = self.mounts.fs_mut(loc.fs).with_budget(loc.ino, |inode, budget| {
            let data = inode.file_mut().expect("checked above");
            let mut done = 0;
            for buf in bufs {
                match data.write_at(start + done as u64, buf, budget) {
                    Ok(n) => {
                        done += n;
                        if n < buf.len() {
                            break;
                        }
                    }
                    Err(e) if done == 0 => return Err(e),
                    Err(_) => break,
                }
            }
            inode.touch_modified(now);
            if kill_setid {
                drop_setid_on_write(inode);
            }
            Ok(done)
        })?;
        if matches!(at, WriteAt::Cursor) {
            self.open_file_mut(fd)?.offset = start + written as u64;
        }
        Ok(written)
    }
}

/// EINVAL for an offset no file can have (a negative `off_t`).
fn check_offset(offset: u64) -> Result<()> {
    if offset > MAX_OFFSET {
        return Err(Errno::INVAL);
    }
    Ok(())
}

/// relatime: update atime if it is not newer than mtime or ctime, or is a
/// day old.
fn relatime_due(inode: &Inode, now: Timespec) -> bool {
    inode.atime <= inode.mtime || inode.atime <= inode.ctime || now.sec - inode.atime.sec >= RELATIME_SECS
}

/// A write by an unprivileged user clears set-user-id, and set-group-id
/// when group-executable (Linux `file_remove_privs`).
pub(crate) fn drop_setid_on_write(inode: &mut Inode) {
    let mut perm = inode.perm & !mode::S_ISUID;
    if perm & 0o010 != 0 {
        perm &= !mode::S_ISGID;
    }
    inode.perm = perm;
}
