//! `stat` family, `utimensat`/`futimens`, `statfs`/`fstatfs`.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::file_data::MAX_FILE_SIZE;
use crate::flags::{AccessCheck, AtFlags};
use crate::inode::Node;
use crate::mount::Loc;
use crate::resolve::NAME_MAX;
use crate::stat::{Stat, StatFs};
use crate::time::SetTime;
use crate::Vfs;

/// `TMPFS_MAGIC`.
const TMPFS_MAGIC: u64 = 0x0102_1994;
const BLOCK: u64 = 4096;
/// `ST_RDONLY`.
const ST_RDONLY: u64 = 1;

impl Vfs {
    /// `stat(2)`.
    pub fn stat(&self, path: &[u8]) -> Result<Stat> {
        self.fstatat(AT_FDCWD, path, AtFlags::empty())
    }

    /// `lstat(2)`.
    pub fn lstat(&self, path: &[u8]) -> Result<Stat> {
        self.fstatat(AT_FDCWD, path, AtFlags::SYMLINK_NOFOLLOW)
    }

    /// `fstat(2)`.
    pub fn fstat(&self, fd: Fd) -> Result<Stat> {
        Ok(self.stat_loc(self.open_file(fd)?.loc))
    }

    /// `fstatat(2)` with `AT_SYMLINK_NOFOLLOW` and `AT_EMPTY_PATH`.
    pub fn fstatat(&self, dirfd: Fd, path: &[u8], flags: AtFlags) -> Result<Stat> {
        if !(AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH).contains(flags) {
            return Err(Errno::INVAL);
        }
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let loc = self.resolve_at(dirfd, path, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        Ok(self.stat_loc(loc))
    }

    pub(crate) fn stat_loc(&self, loc: Loc) -> Stat {
        let inode = self.inode(loc);
        let blocks = match &inode.node {
            Node::File(data) => data.blocks(),
            _ => 0,
        };
        Stat {
            dev: self.mounts.mount(loc.fs).dev,
            ino: inode.ino.0,
            mode: inode.file_type().mode_bits() | inode.perm,
            nlink: inode.nlink as u64,
            uid: inode.uid,
            gid: inode.gid,
            size: inode.size(),
            blksize: BLOCK as u32,
            blocks,
            atime: inode.atime,
            mtime: inode.mtime,
            ctime: inode.ctime,
        }
    }

    /// `utimensat(2)`: `times` are (atime, mtime). Setting both to now needs
    /// ownership or write permission (EACCES); any explicit time needs
    /// ownership (EPERM). Both `Omit` succeeds without looking at the path,
    /// as Linux does. ctime becomes now whenever something changes.
    pub fn utimensat(&mut self, dirfd: Fd, path: &[u8], times: [SetTime; 2], flags: AtFlags) -> Result<()> {
        if !(AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH).contains(flags) {
            return Err(Errno::INVAL);
        }
        validate_times(&times)?;
        if times == [SetTime::Omit, SetTime::Omit] {
            return Ok(());
        }
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let loc = self.resolve_at(dirfd, path, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        self.set_times(loc, times)
    }

    /// `futimens(3)`.
    pub fn futimens(&mut self, fd: Fd, times: [SetTime; 2]) -> Result<()> {
        let loc = self.open_file(fd)?.loc;
        validate_times(&times)?;
        if times == [SetTime::Omit, SetTime::Omit] {
            return Ok(());
        }
        self.set_times(loc, times)
    }

    fn set_times(&mut self, loc: Loc, times: [SetTime; 2]) -> Result<()> {
        self.writable_mount(loc)?;
        let inode = self.inode(loc);
        let explicit = times.iter().any(|t| matches!(t, SetTime::At(_)));
        if !self.cred.owns(inode) {
            if explicit {
                return Err(Errno::PERM);
            }
            if !self.cred.permits(inode, AccessCheck::WRITE) {
                return Err(Errno::ACCES);
            }
        }
        let now = self.now();
        let inode = self.inode_mut(loc);
        for (slot, time) in [&mut inode.atime, &mut inode.mtime].into_iter().zip(times) {
            match time {
                SetTime::Now => *slot = now,
                SetTime::At(t) => *slot = t,
                SetTime::Omit => {}
            }
        }
        inode.ctime = now;
        Ok(())
    }

    /// `statfs(2)`.
    pub fn statfs(&self, path: &[u8]) -> Result<StatFs> {
        let loc = self.resolve(AT_FDCWD, path, crate::resolve::FinalLink::Follow)?;
        Ok(self.statfs_loc(loc))
    }

    /// `fstatfs(2)`.
    pub fn fstatfs(&self, fd: Fd) -> Result<StatFs> {
        Ok(self.statfs_loc(self.open_file(fd)?.loc))
    }

    fn statfs_loc(&self, loc: Loc) -> StatFs {
        let mount = self.mounts.mount(loc.fs);
        let capacity = mount.fs.limit().unwrap_or(MAX_FILE_SIZE);
        let blocks = capacity / BLOCK;
        let used = mount.fs.used().div_ceil(BLOCK).min(blocks);
        let files = mount.fs.inode_count();
        StatFs {
            fs_type: TMPFS_MAGIC,
            block_size: BLOCK as u32,
            blocks,
            blocks_free: blocks - used,
            blocks_available: blocks - used,
            files: files + (u32::MAX as u64),
            files_free: u32::MAX as u64,
            fsid: mount.dev,
            name_max: NAME_MAX as u32,
            flags: if mount.read_only { ST_RDONLY } else { 0 },
        }
    }
}

/// An explicit time must have `nsec < 1e9` (EINVAL otherwise).
fn validate_times(times: &[SetTime; 2]) -> Result<()> {
    for time in times {
        if let SetTime::At(t) = time {
            if t.nsec >= 1_000_000_000 {
                return Err(Errno::INVAL);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{mode, AtFlags, Errno, OpenFlags as O, SetTime, Timespec, AT_FDCWD};

    #[test]
    fn stat_reports_types_links_and_devices() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o750).unwrap();
        write_file(&mut vfs, b"/d/f", b"12345");
        vfs.symlink(b"d/f", b"/l").unwrap();
        let dir = vfs.stat(b"/d").unwrap();
        assert_eq!(dir.mode, mode::S_IFDIR | 0o750);
        assert_eq!(dir.nlink, 2);
        assert_eq!(vfs.stat(b"/").unwrap().nlink, 3);
        let file = vfs.stat(b"/l").unwrap();
        assert_eq!((file.mode & mode::S_IFMT, file.size, file.nlink), (mode::S_IFREG, 5, 1));
        let link = vfs.lstat(b"/l").unwrap();
        assert_eq!((link.mode, link.size), (mode::S_IFLNK | 0o777, 3));
        assert_ne!(link.ino, file.ino);
        assert_eq!(link.dev, file.dev);
        let fd = vfs.open(b"/d", O::RDONLY, 0).unwrap();
        assert_eq!(vfs.fstatat(fd, b"f", AtFlags::empty()).unwrap().ino, file.ino);
        assert_eq!(vfs.fstatat(fd, b"", AtFlags::EMPTY_PATH).unwrap().ino, dir.ino);
        assert_eq!(vfs.fstatat(fd, b"", AtFlags::empty()), Err(Errno::NOENT));
        assert_eq!(vfs.fstatat(AT_FDCWD, b"/", AtFlags::REMOVEDIR), Err(Errno::INVAL));
    }

    #[test]
    fn utimensat_rules() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        let t = Timespec::new(5, 6);
        vfs.utimensat(AT_FDCWD, b"/f", [SetTime::At(t), SetTime::Omit], AtFlags::empty()).unwrap();
        let stat = vfs.stat(b"/f").unwrap();
        assert_eq!(stat.atime, t);
        assert!(stat.ctime > stat.mtime, "ctime moves on every change");
        let bad = Timespec::new(0, 1_000_000_000);
        assert_eq!(
            vfs.utimensat(AT_FDCWD, b"/f", [SetTime::At(bad), SetTime::Now], AtFlags::empty()),
            Err(Errno::INVAL)
        );
        assert_eq!(vfs.utimensat(AT_FDCWD, b"/none", [SetTime::Omit; 2], AtFlags::empty()), Ok(()));
        as_user(&mut vfs);
        assert_eq!(vfs.utimensat(AT_FDCWD, b"/f", [SetTime::Now; 2], AtFlags::empty()), Err(Errno::ACCES));
        assert_eq!(vfs.utimensat(AT_FDCWD, b"/f", [SetTime::At(t); 2], AtFlags::empty()), Err(Errno::PERM));
        as_root(&mut vfs);
        vfs.chmod(b"/f", 0o666).unwrap();
        as_user(&mut vfs);
        assert_eq!(
            vfs.utimensat(AT_FDCWD, b"/f", [SetTime::Now; 2], AtFlags::empty()),
            Ok(()),
            "write permission suffices for now"
        );
    }

    #[test]
    fn statfs_reports_the_limit() {
        let mut vfs = vfs();
        vfs.mkdir(b"/small", 0o755).unwrap();
        let options = crate::MountOptions { size_limit: Some(1 << 20), ..Default::default() };
        vfs.mount(b"/small", options).unwrap();
        let fs = vfs.statfs(b"/small").unwrap();
        assert_eq!(fs.blocks, 256);
        assert_ne!(fs.fsid, vfs.statfs(b"/").unwrap().fsid);
    }
}
