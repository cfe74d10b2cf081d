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
    pub fn renameat2(&mut self, old_dirfd: Fd, old: &[u8], new_dirfd: Fd, new: &[u8], flags: RenameFlags) -> Result<()> {
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
        let source = self.entry(from.parent, &from.name).ok_or(Errno::NOENT)?;
        let target = self.entry(to.parent, &to.name);
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
    fn check_rename_shapes(&self, from: &Walked<'_>, to: &Walked<'_>, source: Loc, target: Option<Loc>, flags: RenameFlags) -> Result<()> {
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
    fn may_rename(&self, from: &Walked<'_>, to: &Walked<'_>, source: Loc, target: Option<Loc>, exchange: bool) -> Result<()> {
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

    fn dir_mut(&mut self, loc: Loc) -> &mut crate::directory::Directory {
        self.inode_mut(loc).dir_mut().expect("a directory")
    }
}
