//! `unlink`, `unlinkat`, `link`, `linkat`, `symlink`, `symlinkat`,
//! `readlink`, `readlinkat`.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::{mode, AccessCheck, AtFlags};
use crate::inode::Node;
use crate::memfs::NewInode;
use crate::mount::Loc;
use crate::resolve::{FinalLink, Last, PATH_MAX};
use crate::Vfs;

impl Vfs {
    /// `unlink(2)`.
    pub fn unlink(&mut self, path: &[u8]) -> Result<()> {
        self.unlinkat(AT_FDCWD, path, AtFlags::empty())
    }

    /// `unlinkat(2)`; with `AT_REMOVEDIR` it is `rmdir`.
    pub fn unlinkat(&mut self, dirfd: Fd, path: &[u8], flags: AtFlags) -> Result<()> {
        if !AtFlags::REMOVEDIR.contains(flags) {
            return Err(Errno::INVAL);
        }
        if flags.contains(AtFlags::REMOVEDIR) {
            return self.rmdir_at(dirfd, path);
        }
        // Linux `do_unlinkat`.
        let walked = self.walk(dirfd, path, FinalLink::Name)?;
        if walked.last != Last::Normal {
            return Err(Errno::ISDIR);
        }
        let parent = walked.parent;
        self.writable_mount(parent)?;
        let victim = self.entry(parent, &walked.name).ok_or(Errno::NOENT)?;
        if walked.trailing_slash {
            return Err(if self.inode(victim).is_dir() { Errno::ISDIR } else { Errno::NOTDIR });
        }
        self.may_delete(parent, victim, false)?;
        self.not_mountpoint(victim)?;
        let now = self.now();
        self.unlink_entry(parent, &walked.name, victim, now);
        Ok(())
    }

    /// `link(2)`: does not follow a final symlink in `old` (Linux).
    pub fn link(&mut self, old: &[u8], new: &[u8]) -> Result<()> {
        self.linkat(AT_FDCWD, old, AT_FDCWD, new, AtFlags::empty())
    }

    /// `linkat(2)` with `AT_SYMLINK_FOLLOW` and `AT_EMPTY_PATH`. Checks as
    /// `do_linkat`/`vfs_link`, including `fs.protected_hardlinks = 1`: an
    /// unprivileged user may link only files they own or could read and
    /// write.
    pub fn linkat(&mut self, old_dirfd: Fd, old: &[u8], new_dirfd: Fd, new: &[u8], flags: AtFlags) -> Result<()> {
        if !(AtFlags::SYMLINK_FOLLOW | AtFlags::EMPTY_PATH).contains(flags) {
            return Err(Errno::INVAL);
        }
        let follow = flags.contains(AtFlags::SYMLINK_FOLLOW);
        let source = self.resolve_at(old_dirfd, old, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        let walked = self.walk(new_dirfd, new, FinalLink::Name)?;
        self.check_new_name(&walked, false)?;
        let parent = walked.parent;
        if source.fs != parent.fs {
            return Err(Errno::XDEV);
        }
        self.may_link(source)?;
        self.may_create_in(parent)?;
        let inode = self.inode(source);
        if inode.is_dir() {
            return Err(Errno::PERM);
        }
        if inode.nlink == 0 {
            return Err(Errno::NOENT);
        }
        let now = self.now();
        self.link_new(parent, &walked.name, source, now);
        self.inode_mut(source).ctime = now;
        Ok(())
    }

    /// `may_linkat` with `protected_hardlinks`.
    fn may_link(&self, source: Loc) -> Result<()> {
        let inode = self.inode(source);
        if self.cred.owns(inode) {
            return Ok(());
        }
        let setid = inode.perm & mode::S_ISUID != 0 || inode.perm & (mode::S_ISGID | 0o010) == mode::S_ISGID | 0o010;
        let safe = matches!(inode.node, Node::File(_))
            && !setid
            && self.cred.permits(inode, AccessCheck::READ | AccessCheck::WRITE);
        if !safe {
            return Err(Errno::PERM);
        }
        Ok(())
    }

    /// `symlink(2)`.
    pub fn symlink(&mut self, target: &[u8], path: &[u8]) -> Result<()> {
        self.symlinkat(target, AT_FDCWD, path)
    }

    /// `symlinkat(2)`: the target is stored verbatim; an empty one is
    /// ENOENT, one of `PATH_MAX` or more bytes ENAMETOOLONG.
    pub fn symlinkat(&mut self, target: &[u8], dirfd: Fd, path: &[u8]) -> Result<()> {
        if target.is_empty() {
            return Err(Errno::NOENT);
        }
        if target.len() > PATH_MAX {
            return Err(Errno::NAMETOOLONG);
        }
        let walked = self.walk(dirfd, path, FinalLink::Name)?;
        self.check_new_name(&walked, false)?;
        let parent = walked.parent;
        self.may_create_in(parent)?;
        if !self.mounts.fs(parent.fs).fits(target.len() as u64) {
            return Err(Errno::NOSPC);
        }
        let now = self.now();
        let new = NewInode { perm: 0o777, uid: self.cred.uid, gid: self.cred.gid, now };
        let ino = self.mounts.fs_mut(parent.fs).allocate(Node::Symlink(target.into()), new);
        self.link_new(parent, &walked.name, Loc { fs: parent.fs, ino }, now);
        Ok(())
    }

    /// `readlink(2)`: copies as much of the target as fits, returns how much.
    pub fn readlink(&mut self, path: &[u8], buf: &mut [u8]) -> Result<usize> {
        self.readlinkat(AT_FDCWD, path, buf)
    }

    /// `readlinkat(2)`: EINVAL for an empty buffer or a non-symlink.
    pub fn readlinkat(&mut self, dirfd: Fd, path: &[u8], buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Err(Errno::INVAL);
        }
        let loc = self.resolve(dirfd, path, FinalLink::NoFollow)?;
        let Node::Symlink(target) = &self.inode(loc).node else {
            return Err(Errno::INVAL);
        };
        let n = target.len().min(buf.len());
        buf[..n].copy_from_slice(&target[..n]);
        self.touch_atime(loc);
        Ok(n)
    }
}
