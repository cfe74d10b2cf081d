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
        let victim = self.entry(parent, &walked.name).ok_or(Errno::NOENT)?;
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
