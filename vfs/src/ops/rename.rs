//! `rename`, `renameat`, `renameat2` (`RENAME_NOREPLACE`, `RENAME_EXCHANGE`).
//!
//! A rename is one change to the two directories: there is no moment at
//! which the target name is missing or names neither inode.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::{AccessCheck, RenameFlags};
use crate::inode::Node;
use crate::mount::Loc;
use crate::resolve::{FinalLink, Last, Walked};
use crate::Vfs;

impl Vfs {
    /// `rename(2)`.
    pub fn rename(&mut self, old: &[u8], new: &[u8]) -> Result<()> {
        self.renameat2(AT_FDCWD, old, AT_FDCWD, new, RenameFlags::empty())
    }

    /// `renameat(2)`.
    pub fn renameat(&mut self, old_dirfd: Fd, old: &[u8], new_dirfd: Fd, new: &[u8]) -> Result<()> {
        self.renameat2(old_dirfd, old, new_dirfd, new, RenameFlags::empty())
    }

    /// `renameat2(2)`. Checks in the order of Linux `do_renameat2` and
    /// `vfs_rename`; `RENAME_WHITEOUT` is EINVAL (no overlay here).
    pub fn renameat2(
        &mut self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: RenameFlags,
    ) -> Result<()> {
        if flags.contains(RenameFlags::WHITEOUT) || flags.contains(RenameFlags::NOREPLACE | RenameFlags::EXCHANGE) {
            return Err(Errno::INVAL);
        }
        let exchange = flags.contains(RenameFlags::EXCHANGE);
        let from = self.walk(old_dirfd, old, FinalLink::Name)?;
        let to = self.walk(new_dirfd, new, FinalLink::Name)?;
        if from.parent.fs != to.parent.fs {
            return Err(Errno::XDEV);
        }
        if from.last != Last::Normal {
            return Err(Errno::BUSY);
        }
        if to.last != Last::Normal {
            return Err(if flags.contains(RenameFlags::NOREPLACE) { Errno::EXIST } else { Errno::BUSY });
        }
        self.writable_mount(from.parent)?;
        let source = self.lookup_final(&from)?.ok_or(Errno::NOENT)?;
        let target = self.lookup_final(&to)?;
        self.check_rename_shapes(&from, &to, source, target, flags)?;
        let Some(target) = target else {
            self.may_rename(&from, &to, source, None, exchange)?;
            self.move_entry(&from, &to, source);
            return Ok(());
        };
        if source == target {
            // Two names of one inode: Linux does nothing and succeeds.
            return Ok(());
        }
        self.may_rename(&from, &to, source, Some(target), exchange)?;
        if exchange {
            self.exchange_entries(&from, &to, source, target);
            return Ok(());
        }
        if let Node::Dir(dir) = &self.inode(target).node {
            if !dir.is_empty() {
                return Err(Errno::NOTEMPTY);
            }
        }
        self.replace_entry(&from, &to, source, target);
        Ok(())
    }

    /// The checks of `do_renameat2` between the lookups and `vfs_rename`:
    /// existence, trailing slashes, and moving a directory under itself.
    fn check_rename_shapes(
        &self,
        from: &Walked<'_>,
        to: &Walked<'_>,
        source: Loc,
        target: Option<Loc>,
        flags: RenameFlags,
    ) -> Result<()> {
        let exchange = flags.contains(RenameFlags::EXCHANGE);
        if flags.contains(RenameFlags::NOREPLACE) && target.is_some() {
            return Err(Errno::EXIST);
        }
        if exchange {
            let target = target.ok_or(Errno::NOENT)?;
            if !self.inode(target).is_dir() && to.trailing_slash {
                return Err(Errno::NOTDIR);
            }
        }
        if !self.inode(source).is_dir() && (from.trailing_slash || (!exchange && to.trailing_slash)) {
            return Err(Errno::NOTDIR);
        }
        // `lock_rename`'s trap: the source may not be an ancestor of the new
        // parent, nor the target an ancestor of the old parent.
        if self.is_ancestor(source, to.parent) {
            return Err(Errno::INVAL);
        }
        if let Some(target) = target {
            if self.is_ancestor(target, from.parent) {
                return Err(if exchange { Errno::INVAL } else { Errno::NOTEMPTY });
            }
        }
        Ok(())
    }

    /// `vfs_rename`'s permission checks.
    fn may_rename(
        &self,
        from: &Walked<'_>,
        to: &Walked<'_>,
        source: Loc,
        target: Option<Loc>,
        exchange: bool,
    ) -> Result<()> {
        let source_is_dir = self.inode(source).is_dir();
        self.may_delete(from.parent, source, source_is_dir)?;
        match target {
            None => self.may_create_in(to.parent)?,
            Some(target) => {
                let as_dir = if exchange { self.inode(target).is_dir() } else { source_is_dir };
                self.may_delete(to.parent, target, as_dir)?;
            }
        }
        if from.parent != to.parent {
            // A moved directory's `..` changes: that needs write permission on it.
            if source_is_dir && !self.cred.permits(self.inode(source), AccessCheck::WRITE) {
                return Err(Errno::ACCES);
            }
            if let Some(target) = target.filter(|&t| exchange && self.inode(t).is_dir()) {
                if !self.cred.permits(self.inode(target), AccessCheck::WRITE) {
                    return Err(Errno::ACCES);
                }
            }
        }
        self.not_mountpoint(source)?;
        if let Some(target) = target {
            self.not_mountpoint(target)?;
        }
        Ok(())
    }

    /// Rename onto a name that does not exist.
    fn move_entry(&mut self, from: &Walked<'_>, to: &Walked<'_>, source: Loc) {
        let now = self.now();
        let kind = self.inode(source).file_type();
        let is_dir = self.inode(source).is_dir();
        self.dir_mut(from.parent).remove(&from.name);
        self.dir_mut(to.parent).insert(&to.name, source.ino, kind);
        if is_dir && from.parent != to.parent {
            self.inode_mut(from.parent).nlink -= 1;
            self.inode_mut(to.parent).nlink += 1;
            self.dir_mut(source).parent = to.parent.ino;
        }
        self.touch_rename(from.parent, to.parent, source, None, now);
    }

    /// Rename over an existing target, which loses this name.
    fn replace_entry(&mut self, from: &Walked<'_>, to: &Walked<'_>, source: Loc, target: Loc) {
        let now = self.now();
        let kind = self.inode(source).file_type();
        let is_dir = self.inode(source).is_dir();
        self.dir_mut(from.parent).remove(&from.name);
        self.dir_mut(to.parent).replace(&to.name, source.ino, kind);
        if is_dir {
            // The replaced directory's `..` link to the new parent goes; the
            // moved one's comes.
            self.inode_mut(from.parent).nlink -= 1;
            self.dir_mut(source).parent = to.parent.ino;
        }
        self.touch_rename(from.parent, to.parent, source, Some(target), now);
        self.drop_link(target, now);
    }

    /// `RENAME_EXCHANGE`: the two names swap inodes.
    fn exchange_entries(&mut self, from: &Walked<'_>, to: &Walked<'_>, source: Loc, target: Loc) {
        let now = self.now();
        let (source_kind, target_kind) = (self.inode(source).file_type(), self.inode(target).file_type());
        self.dir_mut(from.parent).replace(&from.name, target.ino, target_kind);
        self.dir_mut(to.parent).replace(&to.name, source.ino, source_kind);
        if from.parent != to.parent {
            let (source_dir, target_dir) = (self.inode(source).is_dir(), self.inode(target).is_dir());
            if source_dir {
                self.dir_mut(source).parent = to.parent.ino;
            }
            if target_dir {
                self.dir_mut(target).parent = from.parent.ino;
            }
            if source_dir && !target_dir {
                self.inode_mut(from.parent).nlink -= 1;
                self.inode_mut(to.parent).nlink += 1;
            } else if target_dir && !source_dir {
                self.inode_mut(to.parent).nlink -= 1;
                self.inode_mut(from.parent).nlink += 1;
            }
        }
        self.touch_rename(from.parent, to.parent, source, Some(target), now);
    }

    /// Both directories' mtime and ctime, and the ctime of the inodes
    /// involved (Linux `simple_rename_timestamp`).
    fn touch_rename(&mut self, old_dir: Loc, new_dir: Loc, source: Loc, target: Option<Loc>, now: crate::Timespec) {
        self.inode_mut(old_dir).touch_modified(now);
        self.inode_mut(new_dir).touch_modified(now);
        self.inode_mut(source).ctime = now;
        if let Some(target) = target {
            self.inode_mut(target).ctime = now;
        }
    }

    /// The directory `loc`, about to change (an entry or its `..`).
    fn dir_mut(&mut self, loc: Loc) -> &mut crate::directory::Directory {
        self.names_changed();
        self.inode_mut(loc).dir_mut().expect("a directory")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O, RenameFlags, AT_FDCWD};

    fn rename2(vfs: &mut crate::Vfs, a: &[u8], b: &[u8], flags: RenameFlags) -> crate::Result<()> {
        vfs.renameat2(AT_FDCWD, a, AT_FDCWD, b, flags)
    }

    #[test]
    fn rename_over_a_file_is_atomic_and_keeps_the_old_inode_open() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/old", b"old");
        write_file(&mut vfs, b"/new", b"new");
        let fd = vfs.open(b"/old", O::RDONLY, 0).unwrap();
        let replaced = vfs.open(b"/new", O::RDONLY, 0).unwrap();
        vfs.rename(b"/old", b"/new").unwrap();
        assert_eq!(read_file(&mut vfs, b"/new"), b"old");
        assert_eq!(read_fd(&mut vfs, replaced), b"new");
        assert_eq!(vfs.fstat(replaced).unwrap().nlink, 0);
        assert_eq!(vfs.fstat(fd).unwrap().ino, vfs.stat(b"/new").unwrap().ino);
        assert_eq!(vfs.stat(b"/old"), Err(Errno::NOENT));
    }

    #[test]
    fn directory_rules() {
        let mut vfs = vfs();
        vfs.mkdir(b"/a", 0o755).unwrap();
        vfs.mkdir(b"/a/b", 0o755).unwrap();
        vfs.mkdir(b"/e", 0o755).unwrap();
        write_file(&mut vfs, b"/f", b"");
        assert_eq!(vfs.rename(b"/a", b"/a/b/c"), Err(Errno::INVAL));
        assert_eq!(vfs.rename(b"/a/b", b"/a"), Err(Errno::NOTEMPTY));
        assert_eq!(vfs.rename(b"/f", b"/e"), Err(Errno::ISDIR));
        assert_eq!(vfs.rename(b"/e", b"/f"), Err(Errno::NOTDIR));
        assert_eq!(vfs.rename(b"/f/", b"/g"), Err(Errno::NOTDIR));
        assert_eq!(vfs.rename(b"/f", b"/g/"), Err(Errno::NOTDIR));
        assert_eq!(vfs.rename(b"/a/.", b"/x"), Err(Errno::BUSY));
        assert_eq!(vfs.rename(b"/a", b"/"), Err(Errno::BUSY));
        assert_eq!(rename2(&mut vfs, b"/a", b"/e/..", RenameFlags::NOREPLACE), Err(Errno::EXIST));
        vfs.rename(b"/a/b/", b"/e/").unwrap();
        assert_eq!(vfs.stat(b"/a").unwrap().nlink, 2, "/a lost its subdirectory");
        assert_eq!(vfs.stat(b"/").unwrap().nlink, 4, "/e was replaced by /a/b");
        write_file(&mut vfs, b"/e/x", b"");
        assert_eq!(vfs.rename(b"/a", b"/e"), Err(Errno::NOTEMPTY));
        vfs.chdir(b"/a").unwrap();
        vfs.rename(b"/a", b"/moved").unwrap();
        assert_eq!(vfs.getcwd().unwrap(), b"/moved");
        assert_eq!(vfs.stat(b"../e").unwrap().nlink, 2, "`..` follows the move");
    }

    #[test]
    fn noreplace_and_exchange() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        write_file(&mut vfs, b"/d/x", b"");
        write_file(&mut vfs, b"/f", b"file");
        assert_eq!(rename2(&mut vfs, b"/f", b"/d", RenameFlags::NOREPLACE), Err(Errno::EXIST));
        assert_eq!(rename2(&mut vfs, b"/f", b"/none", RenameFlags::EXCHANGE), Err(Errno::NOENT));
        assert_eq!(rename2(&mut vfs, b"/f", b"/d", RenameFlags::EXCHANGE | RenameFlags::NOREPLACE), Err(Errno::INVAL));
        rename2(&mut vfs, b"/f", b"/d", RenameFlags::EXCHANGE).unwrap();
        assert_eq!(read_file(&mut vfs, b"/d"), b"file");
        assert_eq!(names(&mut vfs, b"/f"), [b"x".to_vec()]);
        assert_eq!(vfs.stat(b"/").unwrap().nlink, 3);
        // Hard links to one inode: nothing happens.
        vfs.link(b"/d", b"/same").unwrap();
        vfs.rename(b"/d", b"/same").unwrap();
        assert_eq!(vfs.stat(b"/d").unwrap().nlink, 2);
    }

    #[test]
    fn timestamps_change_as_on_linux() {
        let mut vfs = vfs();
        vfs.mkdir(b"/a", 0o755).unwrap();
        vfs.mkdir(b"/b", 0o755).unwrap();
        write_file(&mut vfs, b"/a/f", b"");
        let (a, b, f) = (vfs.stat(b"/a").unwrap(), vfs.stat(b"/b").unwrap(), vfs.stat(b"/a/f").unwrap());
        vfs.rename(b"/a/f", b"/b/f").unwrap();
        let (a2, b2, f2) = (vfs.stat(b"/a").unwrap(), vfs.stat(b"/b").unwrap(), vfs.stat(b"/b/f").unwrap());
        assert!(a2.mtime > a.mtime && a2.ctime > a.ctime);
        assert!(b2.mtime > b.mtime && b2.ctime > b.ctime);
        assert!(f2.ctime > f.ctime && f2.mtime == f.mtime);
    }

    #[test]
    fn sticky_rename_needs_ownership() {
        let mut vfs = vfs();
        vfs.mkdir(b"/tmp", 0o755).unwrap();
        vfs.chmod(b"/tmp", 0o1777).unwrap();
        write_file(&mut vfs, b"/tmp/roots", b"");
        as_user(&mut vfs);
        assert_eq!(vfs.rename(b"/tmp/roots", b"/tmp/stolen"), Err(Errno::PERM));
    }
}
