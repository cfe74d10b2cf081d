//! `read`, `write`, their vectored and positioned forms, and `lseek`.
//!
//! The hot path: one descriptor lookup, one inode lookup, a copy per chunk;
//! nothing is allocated unless a write grows the file.

use crate::errno::{Errno, Result};
use crate::fd_table::Fd;
use crate::file_data::{ReadSink, SlicesSource, WriteSource, MAX_FILE_SIZE};
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

    /// `pread(2)` of up to `len` bytes given to `sink` straight from the
    /// file's storage, with no buffer in between.
    pub fn pread_to(&mut self, fd: Fd, offset: u64, len: usize, sink: &mut dyn ReadSink) -> Result<usize> {
        let (loc, _) = self.readable(fd)?;
        check_offset(offset)?;
        let data = self.inode(loc).file().expect("checked by readable");
        let done = data.read_to(offset, len, sink);
        self.touch_read(fd, loc);
        Ok(done)
    }

    /// `pwrite(2)` (`offset: Some`) or `write(2)` (`None`: at the file
    /// offset, moving it) of `len` bytes that `source` fills straight into
    /// the file's storage. With `O_APPEND` the data goes to the end.
    pub fn write_from(
        &mut self,
        fd: Fd,
        offset: Option<u64>,
        len: usize,
        source: &mut dyn WriteSource,
    ) -> Result<usize> {
        let at = match offset {
            Some(offset) => {
                check_offset(offset)?;
                WriteAt::Offset(offset)
            }
            None => WriteAt::Cursor,
        };
        self.write_to(fd, len, source, at)
    }

    /// `write(2)`.
    pub fn write(&mut self, fd: Fd, data: &[u8]) -> Result<usize> {
        self.writev(fd, &[data])
    }

    /// `writev(2)`.
    pub fn writev(&mut self, fd: Fd, bufs: &[&[u8]]) -> Result<usize> {
        let mut source = SlicesSource::new(bufs);
        self.write_to(fd, source.len(), &mut source, WriteAt::Cursor)
    }

    /// `pwrite(2)`. With `O_APPEND` the data goes to the end of the file, as
    /// on Linux.
    pub fn pwrite(&mut self, fd: Fd, data: &[u8], offset: u64) -> Result<usize> {
        self.pwritev(fd, &[data], offset)
    }

    /// `pwritev(2)`.
    pub fn pwritev(&mut self, fd: Fd, bufs: &[&[u8]], offset: u64) -> Result<usize> {
        let mut source = SlicesSource::new(bufs);
        self.write_from(fd, Some(offset), source.len(), &mut source)
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

    fn write_to(&mut self, fd: Fd, total: usize, source: &mut dyn WriteSource, at: WriteAt) -> Result<usize> {
        let file = self.open_file(fd)?;
        if !file.writable {
            return Err(Errno::BADF);
        }
        let (loc, cursor, append) = (file.loc, file.offset, file.status.contains(StatusFlags::APPEND));
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
            let done = data.write_from(start, total, source, budget)?;
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O, Whence};

    #[test]
    fn holes_read_as_zeros() {
        let mut vfs = vfs();
        let fd = vfs.open(b"/f", O::CREAT | O::RDWR, 0o644).unwrap();
        assert_eq!(vfs.lseek(fd, 1 << 20, Whence::Set), Ok(1 << 20));
        vfs.write(fd, b"end").unwrap();
        let stat = vfs.fstat(fd).unwrap();
        assert_eq!(stat.size, (1 << 20) + 3);
        assert!(stat.blocks <= 8, "the hole is not allocated: {} blocks", stat.blocks);
        let mut buf = [1u8; 16];
        assert_eq!(vfs.pread(fd, &mut buf, 4096), Ok(16));
        assert_eq!(buf, [0; 16]);
        assert_eq!(vfs.lseek(fd, 0, Whence::Data), Ok(1 << 20));
        assert_eq!(vfs.lseek(fd, 0, Whence::Hole), Ok(0));
        assert_eq!(vfs.lseek(fd, 1 << 30, Whence::Data), Err(Errno::NXIO));
    }

    #[test]
    fn append_and_positioned_io() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"0123");
        let fd = vfs.open(b"/f", O::RDWR | O::APPEND, 0).unwrap();
        vfs.write(fd, b"45").unwrap();
        assert_eq!(vfs.lseek(fd, 0, Whence::Cur), Ok(6));
        vfs.pwrite(fd, b"X", 0).unwrap();
        assert_eq!(read_file(&mut vfs, b"/f"), b"012345X", "pwrite with O_APPEND appends, as on Linux");
        let mut buf = [0u8; 3];
        assert_eq!(vfs.pread(fd, &mut buf, 1), Ok(3));
        assert_eq!(&buf, b"123");
        assert_eq!(vfs.lseek(fd, 0, Whence::Cur), Ok(6), "pread and pwrite leave the offset");
        assert_eq!(vfs.lseek(fd, -100, Whence::Cur), Err(Errno::INVAL));
    }

    #[test]
    fn vectored_io() {
        let mut vfs = vfs();
        let fd = vfs.open(b"/f", O::CREAT | O::RDWR, 0o644).unwrap();
        assert_eq!(vfs.writev(fd, &[b"ab", b"", b"cde"]), Ok(5));
        vfs.lseek(fd, 0, Whence::Set).unwrap();
        let (mut one, mut two) = ([0u8; 2], [0u8; 10]);
        assert_eq!(vfs.readv(fd, &mut [&mut one, &mut two]), Ok(5));
        assert_eq!((&one, &two[..3]), (b"ab", &b"cde"[..]));
    }

    #[test]
    fn access_mode_and_type_errors() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"data");
        vfs.mkdir(b"/d", 0o755).unwrap();
        let ro = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        let wo = vfs.open(b"/f", O::WRONLY, 0).unwrap();
        let dir = vfs.open(b"/d", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.write(ro, b"x"), Err(Errno::BADF));
        assert_eq!(vfs.read(wo, &mut [0; 4]), Err(Errno::BADF));
        assert_eq!(vfs.read(dir, &mut [0; 4]), Err(Errno::ISDIR));
        assert_eq!(vfs.lseek(dir, 0, Whence::End), Err(Errno::INVAL));
        assert_eq!(vfs.write(ro, b""), Err(Errno::BADF));
        assert_eq!(vfs.write(wo, b""), Ok(0));
    }

    #[test]
    fn write_times_and_setid_drop() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o777).unwrap();
        write_file(&mut vfs, b"/d/f", b"x");
        vfs.chmod(b"/d/f", 0o6777).unwrap();
        let before = vfs.stat(b"/d/f").unwrap();
        as_user(&mut vfs);
        let fd = vfs.open(b"/d/f", O::WRONLY, 0).unwrap();
        vfs.write(fd, b"y").unwrap();
        let after = vfs.fstat(fd).unwrap();
        assert!(after.mtime > before.mtime && after.ctime > before.ctime);
        assert_eq!(after.mode & 0o7777, 0o777, "an unprivileged write clears set-id bits");
    }

    #[test]
    fn read_updates_atime_relatime() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"abc");
        let fd = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        let t0 = vfs.fstat(fd).unwrap().atime;
        vfs.read(fd, &mut [0; 1]).unwrap();
        let t1 = vfs.fstat(fd).unwrap().atime;
        assert!(t1 > t0, "first read after a write updates atime");
        vfs.read(fd, &mut [0; 1]).unwrap();
        assert_eq!(vfs.fstat(fd).unwrap().atime, t1, "relatime: not again until modified");
    }
}
