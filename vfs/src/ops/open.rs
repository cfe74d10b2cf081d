//! `open`, `openat`, `creat`.

use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, FdEntry, AT_FDCWD};
use crate::file_data::FileData;
use crate::flags::{mode, AccessCheck, FdFlags, OpenFlags, StatusFlags};
use crate::inode::Node;
use crate::memfs::NewInode;
use crate::mount::Loc;
use crate::open_file::OpenFile;
use crate::resolve::{FinalLink, Last, Walked};
use crate::Vfs;

/// Whether an open found its file or made it.
enum Opened {
    Existing(Loc),
    Created(Loc),
}

impl Vfs {
    /// `open(2)`.
    pub fn open(&mut self, path: &[u8], flags: OpenFlags, mode: u32) -> Result<Fd> {
        self.openat(AT_FDCWD, path, flags, mode)
    }

    /// `creat(2)`: `O_CREAT | O_WRONLY | O_TRUNC`.
    pub fn creat(&mut self, path: &[u8], mode: u32) -> Result<Fd> {
        self.open(path, OpenFlags::CREAT | OpenFlags::WRONLY | OpenFlags::TRUNC, mode)
    }

    /// `openat(2)`. Follows Linux `do_filp_open`: flag checks, the walk,
    /// `open_last_lookups` (create side), then `do_open`/`may_open`.
    pub fn openat(&mut self, dirfd: Fd, path: &[u8], flags: OpenFlags, mode: u32) -> Result<Fd> {
        if flags.contains(OpenFlags::PATH) || flags.contains(OpenFlags::CREAT | OpenFlags::DIRECTORY) {
            return Err(Errno::INVAL);
        }
        if flags.contains(OpenFlags::TMPFILE) {
            return Err(Errno::OPNOTSUPP);
        }
        // Linux reserves the descriptor before looking at the path.
        if !self.fds.has_room() {
            return Err(Errno::MFILE);
        }
        let opened = if flags.contains(OpenFlags::CREAT) {
            self.open_creating(dirfd, path, flags, mode)?
        } else {
            let final_link = if flags.contains(OpenFlags::NOFOLLOW) { FinalLink::NoFollow } else { FinalLink::Follow };
            let walked = self.walk(dirfd, path, final_link)?;
            Opened::Existing(walked.existing()?)
        };
        let loc = match opened {
            Opened::Created(loc) => loc,
            Opened::Existing(loc) => {
                self.may_open_existing(loc, flags)?;
                loc
            }
        };
        let (readable, writable) = match flags.bits() & 0o3 {
            0 => (true, false),
            1 => (false, true),
            2 => (true, true),
            _ => (false, false),
        };
        let file = OpenFile {
            loc,
            readable,
            writable,
            status: StatusFlags::from_bits_truncate(flags.bits()),
            offset: 0,
            refs: 1,
            lock: None,
        };
        self.pin(loc);
        let id = self.files.insert(file);
        let fd_flags = if flags.contains(OpenFlags::CLOEXEC) { FdFlags::CLOEXEC } else { FdFlags::empty() };
        let fd = self.fds.allocate(0, FdEntry { file: id, flags: fd_flags }).expect("room checked above");
        Ok(fd)
    }

    /// The `O_CREAT` side of `open_last_lookups`: a final component ending
    /// in a slash is EISDIR, and a final symlink is followed to create its
    /// target unless `O_EXCL` or `O_NOFOLLOW`.
    fn open_creating(&mut self, dirfd: Fd, path: &[u8], flags: OpenFlags, mode: u32) -> Result<Opened> {
        let no_follow = flags.intersects(OpenFlags::EXCL | OpenFlags::NOFOLLOW);
        let walked = self.walk(dirfd, path, if no_follow { FinalLink::Name } else { FinalLink::Create })?;
        if walked.last != Last::Normal {
            return Ok(Opened::Existing(walked.existing()?));
        }
        if walked.trailing_slash {
            return Err(Errno::ISDIR);
        }
        // A `Name` walk left the final lookup to us; a `Create` walk did it.
        let target = if no_follow { self.lookup_final(&walked)? } else { walked.target };
        if let Some(found) = target {
            return Ok(Opened::Existing(found));
        }
        let loc = self.create_file(&walked, mode)?;
        Ok(Opened::Created(loc))
    }

    /// Creates an empty regular file at the walk's final name (which does
    /// not exist). Checks as `lookup_open` and `may_o_create`.
    fn create_file(&mut self, walked: &Walked<'_>, mode: u32) -> Result<Loc> {
        let parent = walked.parent;
        self.may_create_in(parent)?;
        let now = self.now();
        let new =
            NewInode { perm: mode & !self.umask & mode::PERMISSIONS, uid: self.cred.uid, gid: self.cred.gid, now };
        let ino = self.mounts.fs_mut(parent.fs).allocate(Node::File(FileData::default()), new);
        let loc = Loc { fs: parent.fs, ino };
        self.link_new(parent, &walked.name, loc, now);
        Ok(loc)
    }

    /// `do_open` and `may_open` for a file that already existed.
    fn may_open_existing(&mut self, loc: Loc, flags: OpenFlags) -> Result<()> {
        let inode = self.inode(loc);
        if flags.contains(OpenFlags::CREAT | OpenFlags::EXCL) {
            return Err(Errno::EXIST);
        }
        let is_dir = inode.is_dir();
        if flags.contains(OpenFlags::CREAT) && is_dir {
            return Err(Errno::ISDIR);
        }
        if flags.contains(OpenFlags::DIRECTORY) && !is_dir {
            return Err(Errno::NOTDIR);
        }
        let mut want = match flags.bits() & 0o3 {
            0 => AccessCheck::READ,
            1 => AccessCheck::WRITE,
            _ => AccessCheck::READ | AccessCheck::WRITE,
        };
        let truncate = flags.contains(OpenFlags::TRUNC);
        if truncate {
            want |= AccessCheck::WRITE;
        }
        let truncate = truncate && matches!(inode.node, Node::File(_));
        if truncate {
            self.writable_mount(loc)?;
        }
        match inode.node {
            Node::Symlink(_) => return Err(Errno::LOOP),
            Node::Dir(_) if want.contains(AccessCheck::WRITE) => return Err(Errno::ISDIR),
            _ => {}
        }
        if want.contains(AccessCheck::WRITE) {
            self.writable_mount(loc)?;
        }
        if !self.cred.permits(inode, want) {
            return Err(Errno::ACCES);
        }
        if flags.contains(OpenFlags::NOATIME) && !self.cred.owns(inode) {
            return Err(Errno::PERM);
        }
        if truncate {
            let now = self.now();
            self.mounts.fs_mut(loc.fs).with_budget(loc.ino, |inode, _| {
                if let Some(data) = inode.file_mut() {
                    data.truncate(0).expect("0 is a valid size");
                }
                inode.touch_modified(now);
            });
        }
        Ok(())
    }

    /// `may_create`: ENOENT for a removed directory (its lookup failed
    /// first), EROFS, EACCES without write and search permission on it,
    /// ENOSPC once its cookies are exhausted.
    pub(crate) fn may_create_in(&self, parent: Loc) -> Result<()> {
        let dir = self.inode(parent);
        if dir.nlink == 0 {
            return Err(Errno::NOENT);
        }
        self.writable_mount(parent)?;
        if !self.cred.permits(dir, AccessCheck::WRITE | AccessCheck::EXECUTE) {
            return Err(Errno::ACCES);
        }
        if dir.dir().is_some_and(|d| d.is_full()) {
            return Err(Errno::NOSPC);
        }
        Ok(())
    }

    /// Enters `child` (a fresh inode, or one gaining a name) into `parent`
    /// as `name`, counting the link and updating the parent's times.
    pub(crate) fn link_new(&mut self, parent: Loc, name: &[u8], child: Loc, now: crate::Timespec) {
        let inode = self.inode_mut(child);
        let kind = inode.file_type();
        let is_dir = inode.is_dir();
        inode.nlink += if is_dir { 2 } else { 1 };
        self.names_changed();
        let dir_inode = self.inode_mut(parent);
        dir_inode.dir_mut().expect("parent is a directory").insert(name, child.ino, kind);
        if is_dir {
            dir_inode.nlink += 1;
        }
        dir_inode.touch_modified(now);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, OpenFlags as O};

    #[test]
    fn create_exclusive_and_truncate() {
        let mut vfs = vfs();
        let fd = vfs.open(b"/f", O::CREAT | O::EXCL | O::WRONLY, 0o640).unwrap();
        vfs.write(fd, b"hello").unwrap();
        assert_eq!(vfs.open(b"/f", O::CREAT | O::EXCL | O::RDONLY, 0), Err(Errno::EXIST));
        assert_eq!(vfs.fstat(fd).unwrap().mode & 0o7777, 0o640 & !0o022);
        vfs.open(b"/f", O::RDONLY | O::TRUNC, 0).unwrap();
        assert_eq!(vfs.stat(b"/f").unwrap().size, 0, "O_TRUNC truncates even with O_RDONLY");
    }

    #[test]
    fn directories_and_trailing_slashes() {
        let mut vfs = vfs();
        vfs.mkdir(b"/d", 0o755).unwrap();
        write_file(&mut vfs, b"/f", b"");
        assert_eq!(vfs.open(b"/d", O::WRONLY, 0), Err(Errno::ISDIR));
        assert_eq!(vfs.open(b"/d", O::RDONLY | O::TRUNC, 0), Err(Errno::ISDIR));
        assert_eq!(vfs.open(b"/d", O::CREAT | O::RDONLY, 0), Err(Errno::ISDIR));
        assert_eq!(vfs.open(b"/new/", O::CREAT | O::RDONLY, 0), Err(Errno::ISDIR));
        assert_eq!(vfs.open(b"/f/", O::RDONLY, 0), Err(Errno::NOTDIR));
        assert_eq!(vfs.open(b"/f", O::DIRECTORY, 0), Err(Errno::NOTDIR));
        assert_eq!(vfs.open(b"/d", O::DIRECTORY | O::CREAT, 0), Err(Errno::INVAL));
        assert!(vfs.open(b"/d/", O::RDONLY | O::DIRECTORY, 0).is_ok());
        assert_eq!(vfs.open(b"", O::RDONLY, 0), Err(Errno::NOENT));
    }

    #[test]
    fn symlinks_nofollow_and_create_through_dangling() {
        let mut vfs = vfs();
        vfs.symlink(b"target", b"/link").unwrap();
        assert_eq!(vfs.open(b"/link", O::RDONLY, 0), Err(Errno::NOENT));
        assert_eq!(vfs.open(b"/link", O::RDONLY | O::NOFOLLOW, 0), Err(Errno::LOOP));
        assert_eq!(vfs.open(b"/link", O::CREAT | O::EXCL | O::WRONLY, 0o644), Err(Errno::EXIST));
        let fd = vfs.open(b"/link", O::CREAT | O::WRONLY, 0o644).unwrap();
        vfs.write(fd, b"via link").unwrap();
        assert_eq!(read_file(&mut vfs, b"/target"), b"via link");
    }

    #[test]
    fn permissions_of_the_opener() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/secret", b"x");
        vfs.chmod(b"/secret", 0o600).unwrap();
        vfs.mkdir(b"/pub", 0o755).unwrap();
        vfs.chmod(b"/pub", 0o777).unwrap();
        as_user(&mut vfs);
        assert_eq!(vfs.open(b"/secret", O::RDONLY, 0), Err(Errno::ACCES));
        assert_eq!(vfs.open(b"/new", O::CREAT | O::WRONLY, 0o644), Err(Errno::ACCES));
        // A file created with mode 0 can still be written through the creating open.
        let fd = vfs.open(b"/pub/mine", O::CREAT | O::RDWR, 0).unwrap();
        assert_eq!(vfs.write(fd, b"ok"), Ok(2));
        assert_eq!(vfs.fstat(fd).unwrap().uid, USER);
        assert_eq!(vfs.open(b"/pub/mine", O::RDONLY, 0), Err(Errno::ACCES));
        as_root(&mut vfs);
        assert!(vfs.open(b"/secret", O::RDWR, 0).is_ok(), "root bypasses mode bits");
    }
}
