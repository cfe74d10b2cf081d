//! `chmod`, `fchmod`, `fchmodat`, `chown`, `fchown`, `lchown`, `fchownat`,
//! `access`, `faccessat`.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, AT_FDCWD};
use crate::flags::{mode, AccessCheck, AtFlags};
use crate::inode::Node;
use crate::mount::Loc;
use crate::Vfs;

/// `(uid_t)-1` / `(gid_t)-1`: leave unchanged.
pub const KEEP_ID: u32 = u32::MAX;

/// `faccessat`'s `AT_EACCESS`; accepted and meaningless here, where the
/// real and effective ids are the same.
const AT_EACCESS: u32 = 0x200;

impl Vfs {
    /// `chmod(2)`.
    pub fn chmod(&mut self, path: &[u8], mode: u32) -> Result<()> {
        self.fchmodat(AT_FDCWD, path, mode, AtFlags::empty())
    }

    /// `fchmod(2)`.
    pub fn fchmod(&mut self, fd: Fd, mode: u32) -> Result<()> {
        let loc = self.open_file(fd)?.loc;
        self.set_mode(loc, mode)
    }

    /// `fchmodat2(2)`: with `AT_SYMLINK_NOFOLLOW` a symlink is EOPNOTSUPP,
    /// as on Linux (its mode can not change).
    pub fn fchmodat(&mut self, dirfd: Fd, path: &[u8], mode: u32, flags: AtFlags) -> Result<()> {
        if !(AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH).contains(flags) {
            return Err(Errno::INVAL);
        }
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let loc = self.resolve_at(dirfd, path, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        if matches!(self.inode(loc).node, Node::Symlink(_)) {
            return Err(Errno::OPNOTSUPP);
        }
        self.set_mode(loc, mode)
    }

    /// `chmod_common` + `setattr_prepare`: EROFS, then only the owner (or
    /// root) may; a non-root owner outside the file's group loses setgid.
    fn set_mode(&mut self, loc: Loc, new_mode: u32) -> Result<()> {
        self.writable_mount(loc)?;
        let inode = self.inode(loc);
        if !self.cred.owns(inode) {
            return Err(Errno::PERM);
        }
        let mut perm = new_mode & mode::PERMISSIONS;
        if !self.cred.is_root() && !self.cred.in_group(inode.gid) {
            perm &= !mode::S_ISGID;
        }
        let now = self.now();
        self.names_changed();
        let inode = self.inode_mut(loc);
        inode.perm = perm;
        inode.ctime = now;
        Ok(())
    }

    /// `chown(2)`; [`KEEP_ID`] leaves an id unchanged.
    pub fn chown(&mut self, path: &[u8], uid: u32, gid: u32) -> Result<()> {
        self.fchownat(AT_FDCWD, path, uid, gid, AtFlags::empty())
    }

    /// `lchown(2)`.
    pub fn lchown(&mut self, path: &[u8], uid: u32, gid: u32) -> Result<()> {
        self.fchownat(AT_FDCWD, path, uid, gid, AtFlags::SYMLINK_NOFOLLOW)
    }

    /// `fchown(2)`.
    pub fn fchown(&mut self, fd: Fd, uid: u32, gid: u32) -> Result<()> {
        let loc = self.open_file(fd)?.loc;
        self.set_owner(loc, uid, gid)
    }

    /// `fchownat(2)`.
    pub fn fchownat(&mut self, dirfd: Fd, path: &[u8], uid: u32, gid: u32, flags: AtFlags) -> Result<()> {
        if !(AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH).contains(flags) {
            return Err(Errno::INVAL);
        }
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let loc = self.resolve_at(dirfd, path, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        self.set_owner(loc, uid, gid)
    }

    /// `chown_common` + `setattr_prepare`: EROFS; changing the owner needs
    /// root (or "changing" it to itself, as the owner); changing the group
    /// needs root, or the owner changing it to a group they are in. Set-id
    /// bits of non-directories are cleared (setgid only when group-
    /// executable); ctime changes even for a no-op chown.
    fn set_owner(&mut self, loc: Loc, uid: u32, gid: u32) -> Result<()> {
        self.writable_mount(loc)?;
        let inode = self.inode(loc);
        let cred = &self.cred;
        if uid != KEEP_ID && !cred.is_root() && !(inode.uid == cred.uid && uid == inode.uid) {
            return Err(Errno::PERM);
        }
        if gid != KEEP_ID && !cred.is_root() && !(inode.uid == cred.uid && (gid == inode.gid || cred.in_group(gid))) {
            return Err(Errno::PERM);
        }
        let now = self.now();
        self.names_changed();
        let inode = self.inode_mut(loc);
        if uid != KEEP_ID {
            inode.uid = uid;
        }
        if gid != KEEP_ID {
            inode.gid = gid;
        }
        if !inode.is_dir() {
            inode.perm &= !mode::S_ISUID;
            if inode.perm & 0o010 != 0 {
                inode.perm &= !mode::S_ISGID;
            }
        }
        inode.ctime = now;
        Ok(())
    }

    /// `access(2)`.
    pub fn access(&self, path: &[u8], check: AccessCheck) -> Result<()> {
        self.faccessat(AT_FDCWD, path, check, AtFlags::empty())
    }

    /// `faccessat2(2)`: `AT_SYMLINK_NOFOLLOW`, `AT_EMPTY_PATH` and
    /// `AT_EACCESS` (0x200) are accepted. W_OK on a read-only mount is EROFS.
    pub fn faccessat(&self, dirfd: Fd, path: &[u8], check: AccessCheck, flags: AtFlags) -> Result<()> {
        let known = AtFlags::SYMLINK_NOFOLLOW.bits() | AtFlags::EMPTY_PATH.bits() | AT_EACCESS;
        if flags.bits() & !known != 0 {
            return Err(Errno::INVAL);
        }
        let follow = !flags.contains(AtFlags::SYMLINK_NOFOLLOW);
        let loc = self.resolve_at(dirfd, path, follow, flags.contains(AtFlags::EMPTY_PATH))?;
        if check.is_empty() {
            return Ok(());
        }
        let inode = self.inode(loc);
        if check.contains(AccessCheck::WRITE) && self.mounts.mount(loc.fs).read_only {
            return Err(Errno::ROFS);
        }
        if !self.cred.permits(inode, check) {
            return Err(Errno::ACCES);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::KEEP_ID;
    use crate::{AccessCheck as A, AtFlags, Errno, OpenFlags as O, AT_FDCWD};

    #[test]
    fn chmod_needs_ownership() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        vfs.chown(b"/f", USER, USER).unwrap();
        vfs.symlink(b"f", b"/l").unwrap();
        assert_eq!(vfs.fchmodat(AT_FDCWD, b"/l", 0o600, AtFlags::SYMLINK_NOFOLLOW), Err(Errno::OPNOTSUPP));
        as_user(&mut vfs);
        vfs.chmod(b"/l", 0o2600).unwrap();
        assert_eq!(vfs.stat(b"/f").unwrap().mode & 0o7777, 0o2600, "owner in the group keeps setgid");
        vfs.chown(b"/f", KEEP_ID, 0).unwrap_err();
        as_root(&mut vfs);
        vfs.chown(b"/f", KEEP_ID, 0).unwrap();
        as_user(&mut vfs);
        vfs.chmod(b"/f", 0o2600).unwrap();
        assert_eq!(vfs.stat(b"/f").unwrap().mode & 0o7777, 0o600, "not in the group: setgid dropped");
        assert_eq!(vfs.chmod(b"/", 0o777), Err(Errno::PERM));
        let fd = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        vfs.fchmod(fd, 0o640).unwrap();
    }

    #[test]
    fn chown_rules() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        vfs.chmod(b"/f", 0o6755).unwrap();
        vfs.chown(b"/f", USER, USER).unwrap();
        assert_eq!(vfs.stat(b"/f").unwrap().mode & 0o7777, 0o755, "chown clears set-id bits");
        vfs.symlink(b"f", b"/l").unwrap();
        vfs.lchown(b"/l", 5, 5).unwrap();
        assert_eq!((vfs.lstat(b"/l").unwrap().uid, vfs.stat(b"/l").unwrap().uid), (5, USER));
        as_user(&mut vfs);
        assert_eq!(vfs.chown(b"/f", 0, KEEP_ID), Err(Errno::PERM));
        assert_eq!(vfs.chown(b"/f", USER, USER), Ok(()), "owner to self is allowed");
        assert_eq!(vfs.chown(b"/f", KEEP_ID, 0), Err(Errno::PERM), "not a member of group 0");
        assert_eq!(vfs.chown(b"/", KEEP_ID, KEEP_ID), Err(Errno::PERM).or(Ok(())));
    }

    #[test]
    fn access_checks_the_callers_bits() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        vfs.chmod(b"/f", 0o604).unwrap();
        assert_eq!(vfs.access(b"/f", A::READ | A::WRITE), Ok(()));
        assert_eq!(vfs.access(b"/f", A::EXECUTE), Err(Errno::ACCES), "root needs an x bit to execute");
        assert_eq!(vfs.access(b"/", A::EXECUTE), Ok(()));
        as_user(&mut vfs);
        assert_eq!(vfs.access(b"/f", A::READ), Ok(()));
        assert_eq!(vfs.access(b"/f", A::WRITE), Err(Errno::ACCES));
        assert_eq!(vfs.access(b"/none", A::empty()), Err(Errno::NOENT));
        assert_eq!(
            vfs.faccessat(AT_FDCWD, b"/f", A::READ, AtFlags::REMOVEDIR | AtFlags::SYMLINK_FOLLOW),
            Err(Errno::INVAL)
        );
    }

    #[test]
    fn search_permission_gates_the_walk() {
        let mut vfs = vfs();
        vfs.mkdir(b"/locked", 0o700).unwrap();
        write_file(&mut vfs, b"/locked/f", b"");
        vfs.chmod(b"/locked/f", 0o777).unwrap();
        as_user(&mut vfs);
        assert_eq!(vfs.stat(b"/locked/f"), Err(Errno::ACCES));
        assert_eq!(vfs.stat(b"/locked/none"), Err(Errno::ACCES));
        assert_eq!(vfs.stat(b"/locked"), Ok(vfs.stat(b"/locked").unwrap()));
        assert_eq!(vfs.chdir(b"/locked"), Err(Errno::ACCES));
    }
}
