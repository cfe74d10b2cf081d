//! `mount(2)` of memory filesystems.

use crate::errno::{Errno, Result};
use crate::fd_table::AT_FDCWD;
use crate::image::Image;
use crate::memfs::MemFs;
use crate::mount::{FsId, MountOptions};
use crate::resolve::FinalLink;
use crate::vfs::new_mount_root;
use crate::Vfs;

impl Vfs {
    /// Mounts a new, empty memory filesystem on the directory `path`. Only
    /// root may (EPERM); the directory must exist (ENOENT, ENOTDIR) and not
    /// be a mountpoint or `/` (EBUSY). Renames and links between it and
    /// other filesystems are EXDEV.
    pub fn mount(&mut self, path: &[u8], options: MountOptions) -> Result<FsId> {
        if !self.cred.is_root() {
            return Err(Errno::PERM);
        }
        let fs = MemFs::new(new_mount_root(&options, self.now()), options.size_limit);
        self.attach(path, fs, options.read_only)
    }

    /// Mounts `image` on the directory `path`, as [`Vfs::mount`] does an
    /// empty filesystem; see [`Vfs::with_image`].
    pub fn mount_image(&mut self, path: &[u8], image: Image<'static>, options: MountOptions) -> Result<FsId> {
        if !self.cred.is_root() {
            return Err(Errno::PERM);
        }
        self.attach(path, MemFs::with_image(image, options.size_limit), options.read_only)
    }

    /// Mounts directory `dir` of `image` (and what lies beneath it) on the
    /// directory `path`, as a bind mount of part of an image: a filesystem
    /// of its own (EXDEV across it), read-only if `options` say so.
    pub fn mount_image_dir(
        &mut self,
        path: &[u8],
        image: Image<'static>,
        dir: u32,
        options: MountOptions,
    ) -> Result<FsId> {
        if !self.cred.is_root() {
            return Err(Errno::PERM);
        }
        if dir == 0 || dir > image.inode_count() || image.inode(dir).kind != crate::FileType::Directory {
            return Err(Errno::NOTDIR);
        }
        self.attach(path, MemFs::with_image_root(image, dir, options.size_limit), options.read_only)
    }

    fn attach(&mut self, path: &[u8], fs: MemFs, read_only: bool) -> Result<FsId> {
        let at = self.resolve(AT_FDCWD, path, FinalLink::Follow)?;
        if !self.inode(at).is_dir() {
            return Err(Errno::NOTDIR);
        }
        if self.mounts.is_fs_root(at) {
            return Err(Errno::BUSY);
        }
        // Mounting pins the covered directory, as a mount's reference does.
        self.pin(at);
        self.names_changed();
        Ok(self.mounts.attach(at, fs, read_only))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, MountOptions, OpenFlags as O};

    #[test]
    fn mounts_cross_and_refuse_cross_device_renames() {
        let mut vfs = vfs();
        vfs.mkdir(b"/mnt", 0o755).unwrap();
        write_file(&mut vfs, b"/mnt/hidden", b"");
        write_file(&mut vfs, b"/f", b"root fs");
        vfs.mount(b"/mnt", MountOptions::default()).unwrap();
        assert_eq!(names(&mut vfs, b"/mnt"), alloc::vec::Vec::<alloc::vec::Vec<u8>>::new());
        write_file(&mut vfs, b"/mnt/g", b"other fs");
        assert_ne!(vfs.stat(b"/mnt/g").unwrap().dev, vfs.stat(b"/f").unwrap().dev);
        assert_eq!(vfs.rename(b"/f", b"/mnt/f"), Err(Errno::XDEV));
        assert_eq!(vfs.link(b"/mnt/g", b"/g"), Err(Errno::XDEV));
        assert_eq!(vfs.rmdir(b"/mnt"), Err(Errno::BUSY));
        assert_eq!(vfs.rename(b"/mnt", b"/elsewhere"), Err(Errno::BUSY));
        assert_eq!(vfs.mount(b"/mnt", MountOptions::default()), Err(Errno::BUSY));
        assert_eq!(read_file(&mut vfs, b"/mnt/../f"), b"root fs");
        as_user(&mut vfs);
        assert_eq!(vfs.mount(b"/", MountOptions::default()), Err(Errno::PERM));
    }

    #[test]
    fn read_only_mounts_refuse_every_change() {
        let mut vfs = vfs();
        vfs.mkdir(b"/ro", 0o755).unwrap();
        vfs.mount(b"/ro", MountOptions { read_only: true, ..Default::default() }).unwrap();
        assert_eq!(vfs.mkdir(b"/ro/d", 0o755), Err(Errno::ROFS));
        assert_eq!(vfs.open(b"/ro/f", O::CREAT | O::WRONLY, 0o644), Err(Errno::ROFS));
        assert_eq!(vfs.open(b"/ro", O::RDONLY, 0).map(|_| ()), Ok(()));
        assert_eq!(vfs.symlink(b"x", b"/ro/l"), Err(Errno::ROFS));
        assert_eq!(vfs.chmod(b"/ro", 0o777), Err(Errno::ROFS));
        assert_eq!(vfs.access(b"/ro", crate::AccessCheck::WRITE), Err(Errno::ROFS));
        assert_eq!(vfs.mkdir(b"/ro", 0o755), Err(Errno::EXIST), "EEXIST before EROFS");
    }

    #[test]
    fn size_limits_give_enospc_and_keep_what_was_written() {
        let mut vfs = vfs();
        vfs.mkdir(b"/small", 0o755).unwrap();
        vfs.mount(b"/small", MountOptions { size_limit: Some(100_000), ..Default::default() }).unwrap();
        let fd = vfs.open(b"/small/f", O::CREAT | O::RDWR, 0o644).unwrap();
        let big = alloc::vec![9u8; 300_000];
        let written = vfs.write(fd, &big).unwrap();
        assert_eq!(written, 100_000, "a short write, up to the limit exactly (as tmpfs, to its page)");
        assert_eq!(vfs.write(fd, &big), Err(Errno::NOSPC));
        assert_eq!(read_file(&mut vfs, b"/small/f"), alloc::vec![9u8; written]);
        // Freeing space makes room again.
        vfs.ftruncate(fd, 0).unwrap();
        assert_eq!(vfs.pwrite(fd, b"again", 0), Ok(5));
        assert_eq!(vfs.symlink(&[b'x'; 4000], b"/small/l").map(|_| ()), Ok(()));
    }
}
