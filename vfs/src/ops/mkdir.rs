//! `mkdir`, `mkdirat`, `rmdir`.

use crate::directory::Directory;
use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::mode;
use crate::inode::Node;
use crate::memfs::NewInode;
use crate::mount::Loc;
use crate::resolve::{FinalLink, Last};
use crate::Vfs;

impl Vfs {
    /// `mkdir(2)`.
    pub fn mkdir(&mut self, path: &[u8], mode: u32) -> Result<()> {
        self.mkdirat(AT_FDCWD, path, mode)
    }

    /// `mkdirat(2)`: the new directory gets `mode & 01777 & !umask`.
    pub fn mkdirat(&mut self, dirfd: Fd, path: &[u8], mode: u32) -> Result<()> {
        let walked = self.walk(dirfd, path, FinalLink::Name)?;
        self.check_new_name(&walked, true)?;
        let parent = walked.parent;
        self.may_create_in(parent)?;
        let now = self.now();
        let new = NewInode {
            perm: mode & (0o777 | mode::S_ISVTX) & !self.umask,
            uid: self.cred.uid,
            gid: self.cred.gid,
            now,
        };
        let node = Node::Dir(Directory::new(parent.ino));
        let ino = self.mounts.fs_mut(parent.fs).allocate(node, new);
        self.link_new(parent, &walked.name, Loc { fs: parent.fs, ino }, now);
        Ok(())
    }

    /// `rmdir(2)`: as Linux `do_rmdir` — `..` is ENOTEMPTY, `.` EINVAL, the
    /// root EBUSY; then EROFS, ENOENT, `may_delete`, EBUSY for a mountpoint,
    /// ENOTEMPTY.
    pub fn rmdir(&mut self, path: &[u8]) -> Result<()> {
        self.rmdir_at(AT_FDCWD, path)
    }

    pub(crate) fn rmdir_at(&mut self, dirfd: Fd, path: &[u8]) -> Result<()> {
        let walked = self.walk(dirfd, path, FinalLink::Name)?;
        match walked.last {
            Last::DotDot => return Err(Errno::NOTEMPTY),
            Last::Dot => return Err(Errno::INVAL),
            Last::Root => return Err(Errno::BUSY),
            Last::Normal => {}
        }
        let parent = walked.parent;
        self.writable_mount(parent)?;
        let victim = self.lookup_final(&walked)?.ok_or(Errno::NOENT)?;
        self.may_delete(parent, victim, true)?;
        self.not_mountpoint(victim)?;
        if !self.inode(victim).dir().expect("may_delete checked").is_empty() {
            return Err(Errno::NOTEMPTY);
        }
        let now = self.now();
        self.unlink_entry(parent, &walked.name, victim, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O};

    #[test]
    fn mkdir_rules() {
        let mut vfs = vfs();
        vfs.umask(0o027);
        vfs.mkdir(b"/d/", 0o1777).unwrap();
        assert_eq!(vfs.stat(b"/d").unwrap().mode & 0o7777, 0o1750);
        assert_eq!(vfs.mkdir(b"/d", 0o755), Err(Errno::EXIST));
        assert_eq!(vfs.mkdir(b"/d/.", 0o755), Err(Errno::EXIST));
        assert_eq!(vfs.mkdir(b"/", 0o755), Err(Errno::EXIST));
        assert_eq!(vfs.mkdir(b"/no/x", 0o755), Err(Errno::NOENT));
        let long = [b'n'; 256];
        assert_eq!(vfs.mkdir(&long, 0o755), Err(Errno::NAMETOOLONG));
        vfs.symlink(b"dangling", b"/l").unwrap();
        assert_eq!(vfs.mkdir(b"/l/", 0o755), Err(Errno::EXIST));
    }

    #[test]
    fn rmdir_rules() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        vfs.mkdir(b"/d/e", 0o755).unwrap();
        assert_eq!(vfs.rmdir(b"/d"), Err(Errno::NOTEMPTY));
        assert_eq!(vfs.rmdir(b"/d/e/.."), Err(Errno::NOTEMPTY));
        assert_eq!(vfs.rmdir(b"/d/e/."), Err(Errno::INVAL));
        assert_eq!(vfs.rmdir(b"/"), Err(Errno::BUSY));
        write_file(&mut vfs, b"/f", b"");
        assert_eq!(vfs.rmdir(b"/f"), Err(Errno::NOTDIR));
        vfs.symlink(b"d", b"/l").unwrap();
        assert_eq!(vfs.rmdir(b"/l/"), Err(Errno::NOTDIR), "the symlink itself is not a directory");
        vfs.rmdir(b"/d/e/").unwrap();
        assert_eq!(vfs.stat(b"/d").unwrap().nlink, 2);
        vfs.chdir(b"/d").unwrap();
        vfs.rmdir(b"/d").unwrap();
        assert_eq!(vfs.getcwd(), Err(Errno::NOENT));
        assert_eq!(vfs.open(b"x", O::CREAT | O::WRONLY, 0o644), Err(Errno::NOENT));
        assert_eq!(vfs.stat(b".").unwrap().nlink, 0);
    }

    #[test]
    fn sticky_directories_protect_other_users_entries() {
        let mut vfs = vfs();
        vfs.mkdir(b"/tmp", 0o755).unwrap();
        vfs.chmod(b"/tmp", 0o1777).unwrap();
        vfs.mkdir(b"/tmp/roots", 0o755).unwrap();
        as_user(&mut vfs);
        vfs.mkdir(b"/tmp/mine", 0o755).unwrap();
        assert_eq!(vfs.rmdir(b"/tmp/roots"), Err(Errno::PERM));
        assert_eq!(vfs.rmdir(b"/tmp/mine"), Ok(()));
    }
}
