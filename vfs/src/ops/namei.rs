//! Checks shared by the operations that create and remove names, in the
//! order Linux's `filename_create`, `may_create` and `may_delete` apply them.

use crate::errno::{Errno, Result};
use crate::flags::{mode, AccessCheck};
use crate::inode::Ino;
use crate::mount::Loc;
use crate::resolve::{Last, Walked, NAME_MAX};
use crate::Vfs;

impl Vfs {
    /// What `name` in `parent` refers to, without crossing into a
    /// filesystem mounted on it.
    pub(crate) fn entry(&self, parent: Loc, name: &[u8]) -> Option<Loc> {
        let dir = self.inode(parent).dir()?;
        dir.get(name).map(|e| Loc { fs: parent.fs, ino: e.ino })
    }

    /// The final name of a `FinalLink::Name` walk, looked up now:
    /// ENOENT in a removed directory, ENAMETOOLONG if it is too long, else
    /// what it names (if anything).
    pub(crate) fn lookup_final(&self, walked: &Walked<'_>) -> Result<Option<Loc>> {
        if self.inode(walked.parent).nlink == 0 {
            // `lookup_one_qstr_excl`: no new names in a removed directory.
            return Err(Errno::NOENT);
        }
        if walked.name.len() > NAME_MAX {
            return Err(Errno::NAMETOOLONG);
        }
        Ok(self.entry(walked.parent, &walked.name))
    }

    /// `filename_create` up to `may_create`: the final name must be an
    /// ordinary one (EEXIST), must not exist (EEXIST), may end in a slash
    /// only for a directory (ENOENT), and the mount must be writable (EROFS).
    pub(crate) fn check_new_name(&self, walked: &Walked<'_>, want_dir: bool) -> Result<()> {
        if walked.last != Last::Normal || self.lookup_final(walked)?.is_some() {
            return Err(Errno::EXIST);
        }
        if walked.trailing_slash && !want_dir {
            return Err(Errno::NOENT);
        }
        self.writable_mount(walked.parent)
    }

    /// `may_delete`: may `victim`, named in `dir`, be removed (or renamed
    /// away, or replaced)? `as_dir` says whether a directory is expected.
    pub(crate) fn may_delete(&self, dir: Loc, victim: Loc, as_dir: bool) -> Result<()> {
        let dir_inode = self.inode(dir);
        if !self.cred.permits(dir_inode, AccessCheck::WRITE | AccessCheck::EXECUTE) {
            return Err(Errno::ACCES);
        }
        let victim_inode = self.inode(victim);
        let sticky = dir_inode.perm & mode::S_ISVTX != 0;
        if sticky && !self.cred.is_root() && victim_inode.uid != self.cred.uid && dir_inode.uid != self.cred.uid {
            return Err(Errno::PERM);
        }
        if as_dir {
            if !victim_inode.is_dir() {
                return Err(Errno::NOTDIR);
            }
            if self.mounts.is_fs_root(victim) {
                return Err(Errno::BUSY);
            }
        } else if victim_inode.is_dir() {
            return Err(Errno::ISDIR);
        }
        if dir_inode.nlink == 0 {
            return Err(Errno::NOENT);
        }
        Ok(())
    }

    /// EBUSY for a directory something is mounted on.
    pub(crate) fn not_mountpoint(&self, loc: Loc) -> Result<()> {
        if self.mounts.is_covered(loc) {
            return Err(Errno::BUSY);
        }
        Ok(())
    }

    /// Removes `name` from `parent`, updating link counts and times.
    pub(crate) fn unlink_entry(&mut self, parent: Loc, name: &[u8], victim: Loc, now: crate::Timespec) {
        self.names_changed();
        let dir_inode = self.inode_mut(parent);
        let entry = dir_inode.dir_mut().expect("parent is a directory").remove(name);
        debug_assert_eq!(entry.map(|e| e.ino), Some(victim.ino));
        if self.inode(victim).is_dir() {
            self.inode_mut(parent).nlink -= 1;
        }
        self.inode_mut(parent).touch_modified(now);
        self.drop_link(victim, now);
    }

    /// Whether `ancestor` is `loc` or one of its ancestors within one
    /// filesystem (directories only).
    pub(crate) fn is_ancestor(&self, ancestor: Loc, loc: Loc) -> bool {
        if ancestor.fs != loc.fs {
            return false;
        }
        let fs = self.mounts.fs(loc.fs);
        let mut ino: Ino = loc.ino;
        loop {
            if ino == ancestor.ino {
                return true;
            }
            let Some(dir) = fs.get(ino).dir() else {
                return false;
            };
            if dir.parent == ino {
                return false;
            }
            ino = dir.parent;
        }
    }
}
