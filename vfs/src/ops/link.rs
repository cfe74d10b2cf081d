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
        let victim = self.lookup_final(&walked)?.ok_or(Errno::NOENT)?;
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
        let ino = self.mounts.fs_mut(parent.fs).allocate(Node::Symlink(target.to_vec().into()), new);
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{AtFlags, Errno, OpenFlags as O, AT_FDCWD};

    #[test]
    fn hard_links_share_an_inode_and_outlive_names() {
        let mut vfs = vfs();
        vfs.mkdir(b"/a", 0o755).unwrap();
        vfs.mkdir(b"/b", 0o755).unwrap();
        write_file(&mut vfs, b"/a/f", b"shared");
        vfs.link(b"/a/f", b"/b/g").unwrap();
        let (f, g) = (vfs.stat(b"/a/f").unwrap(), vfs.stat(b"/b/g").unwrap());
        assert_eq!((f.ino, f.nlink), (g.ino, 2));
        let fd = vfs.open(b"/b/g", O::RDWR, 0).unwrap();
        vfs.unlink(b"/a/f").unwrap();
        vfs.unlink(b"/b/g").unwrap();
        assert_eq!(vfs.fstat(fd).unwrap().nlink, 0);
        assert_eq!(read_fd(&mut vfs, fd), b"shared", "open and unlinked: data lives");
        vfs.write(fd, b"!").unwrap();
        assert_eq!(names(&mut vfs, b"/a"), alloc::vec::Vec::<alloc::vec::Vec<u8>>::new());
        assert_eq!(vfs.linkat(fd, b"", AT_FDCWD, b"/back", AtFlags::EMPTY_PATH), Err(Errno::NOENT));
    }

    #[test]
    fn link_rules() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        write_file(&mut vfs, b"/f", b"");
        vfs.symlink(b"f", b"/l").unwrap();
        assert_eq!(vfs.link(b"/d", b"/d2"), Err(Errno::PERM));
        assert_eq!(vfs.link(b"/f", b"/d"), Err(Errno::EXIST));
        assert_eq!(vfs.link(b"/f", b"/new/"), Err(Errno::NOENT));
        assert_eq!(vfs.link(b"/f/", b"/x"), Err(Errno::NOTDIR));
        vfs.link(b"/l", b"/l2").unwrap();
        assert_eq!(vfs.lstat(b"/l2").unwrap().ino, vfs.lstat(b"/l").unwrap().ino, "link(2) does not follow");
        vfs.linkat(AT_FDCWD, b"/l", AT_FDCWD, b"/f2", AtFlags::SYMLINK_FOLLOW).unwrap();
        assert_eq!(vfs.stat(b"/f2").unwrap().nlink, 2);
        assert_eq!(vfs.linkat(AT_FDCWD, b"/f", AT_FDCWD, b"/x", AtFlags::REMOVEDIR), Err(Errno::INVAL));
        // protected_hardlinks: no links to files the user can't write.
        as_user(&mut vfs);
        vfs.mkdir(b"/d", 0o755).ok();
        as_root(&mut vfs);
        vfs.chmod(b"/d", 0o777).unwrap();
        as_user(&mut vfs);
        assert_eq!(vfs.link(b"/f", b"/d/mine"), Err(Errno::PERM));
    }

    #[test]
    fn unlink_rules() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        write_file(&mut vfs, b"/f", b"");
        assert_eq!(vfs.unlink(b"/d"), Err(Errno::ISDIR));
        assert_eq!(vfs.unlink(b"/d/."), Err(Errno::ISDIR));
        assert_eq!(vfs.unlink(b"/f/"), Err(Errno::NOTDIR));
        assert_eq!(vfs.unlink(b"/none"), Err(Errno::NOENT));
        assert_eq!(vfs.unlinkat(AT_FDCWD, b"/d", AtFlags::REMOVEDIR), Ok(()));
        as_user(&mut vfs);
        assert_eq!(vfs.unlink(b"/f"), Err(Errno::ACCES));
    }

    #[test]
    fn symlinks_resolve_relative_absolute_and_loop() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        write_file(&mut vfs, b"/d/f", b"x");
        vfs.symlink(b"/d", b"/abs").unwrap();
        vfs.symlink(b"../d/f", b"/d/rel").unwrap();
        assert_eq!(read_file(&mut vfs, b"/abs/rel"), b"x");
        vfs.symlink(b"/../../d/f", b"/escape").unwrap();
        assert_eq!(read_file(&mut vfs, b"/escape"), b"x", ".. at the root stays at the root");
        vfs.symlink(b"loop2", b"/loop1").unwrap();
        vfs.symlink(b"loop1", b"/loop2").unwrap();
        assert_eq!(vfs.stat(b"/loop1"), Err(Errno::LOOP));
        assert_eq!(vfs.symlink(b"", b"/empty"), Err(Errno::NOENT));
        assert_eq!(vfs.symlink(&[b'a'; 4096], b"/long"), Err(Errno::NAMETOOLONG));
        let mut buf = [0u8; 3];
        assert_eq!(vfs.readlink(b"/d/rel", &mut buf), Ok(3), "truncated to the buffer");
        assert_eq!(&buf, b"../");
        assert_eq!(vfs.readlink(b"/d", &mut buf), Err(Errno::INVAL));
        assert_eq!(vfs.readlink(b"/abs/", &mut buf), Err(Errno::INVAL), "a trailing slash follows");
        assert_eq!(vfs.readlink(b"/d/rel", &mut []), Err(Errno::INVAL));
    }

    #[test]
    fn forty_symlinks_resolve_and_forty_one_loop() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/l0", b"end");
        for i in 1..=41 {
            let target = alloc::format!("l{}", i - 1);
            vfs.symlink(target.as_bytes(), alloc::format!("/l{i}").as_bytes()).unwrap();
        }
        assert_eq!(read_file(&mut vfs, b"/l40"), b"end");
        assert_eq!(vfs.stat(b"/l41"), Err(Errno::LOOP));
    }
}
