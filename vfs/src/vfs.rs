//! The process-like context every operation runs in: the mount namespace,
//! open file descriptions, the descriptor table, working directory, umask
//! and credentials.

use alloc::boxed::Box;
use core::cell::RefCell;

use crate::cred::Credentials;
use crate::errno::{Errno, Result};
use crate::fd_table::{Fd, FdTable, DEFAULT_FD_LIMIT};
use crate::image::Image;
use crate::inode::Inode;
use crate::memfs::{MemFs, NewInode};
use crate::mount::{Loc, MountOptions, Mounts};
use crate::name_cache::NameCache;
use crate::open_file::{OpenFile, OpenFiles};
use crate::time::{Clock, Timespec};

/// A filesystem namespace and one process using it. Every method is one
/// syscall with Linux's semantics; see the crate docs for the list.
pub struct Vfs {
    pub(crate) mounts: Mounts,
    pub(crate) files: OpenFiles,
    pub(crate) fds: FdTable,
    /// The working directory; pinned (it keeps a removed directory alive).
    pub(crate) cwd: Loc,
    pub(crate) umask: u32,
    pub(crate) cred: Credentials,
    clock: Box<dyn Clock>,
    /// Walks made since the namespace last changed.
    pub(crate) names: RefCell<NameCache>,
}

impl Vfs {
    /// An empty namespace: a writable memory filesystem at `/` (mode 0755,
    /// owned by root), the working directory at `/`, umask 022, running as
    /// root.
    pub fn new(clock: Box<dyn Clock>) -> Vfs {
        Vfs::with_root(clock, MountOptions::default())
    }

    /// Like [`Vfs::new`] with the root filesystem's options given.
    pub fn with_root(clock: Box<dyn Clock>, options: MountOptions) -> Vfs {
        let root_fs = MemFs::new(new_root(&options, clock.now()), options.size_limit);
        Vfs::with_root_fs(clock, root_fs, options.read_only)
    }

    /// A namespace whose root filesystem starts as `image`: its files are
    /// read in place and copied on write, chunk by chunk; its inodes keep the
    /// image's numbers, owners, modes and times. `options.size_limit` and
    /// `read_only` apply; the root directory's own metadata comes from the
    /// image.
    pub fn with_image(clock: Box<dyn Clock>, image: Image<'static>, options: MountOptions) -> Vfs {
        let root_fs = MemFs::with_image(image, options.size_limit);
        Vfs::with_root_fs(clock, root_fs, options.read_only)
    }

    fn with_root_fs(clock: Box<dyn Clock>, root_fs: MemFs, read_only: bool) -> Vfs {
        let mounts = Mounts::new(root_fs, read_only);
        let cwd = mounts.root();
        let mut vfs = Vfs {
            mounts,
            files: OpenFiles::default(),
            fds: FdTable::new(DEFAULT_FD_LIMIT),
            cwd,
            umask: 0o022,
            cred: Credentials::root(),
            clock,
            names: RefCell::default(),
        };
        vfs.pin(cwd);
        vfs
    }

    pub fn credentials(&self) -> &Credentials {
        &self.cred
    }

    /// Changes who the following operations run as.
    pub fn set_credentials(&mut self, cred: Credentials) {
        self.cred = cred;
        self.names_changed();
    }

    /// Call on every change that could make a walk end differently (the
    /// list is in `crate::name_cache`).
    pub(crate) fn names_changed(&mut self) {
        self.names.get_mut().invalidate();
    }

    /// `umask(2)`: sets the creation mask, returns the previous one.
    pub fn umask(&mut self, mask: u32) -> u32 {
        core::mem::replace(&mut self.umask, mask & 0o777)
    }

    /// `RLIMIT_NOFILE`: descriptors at or above it can not be allocated.
    pub fn set_fd_limit(&mut self, limit: u32) {
        self.fds.set_limit(limit);
    }

    pub(crate) fn now(&self) -> Timespec {
        self.clock.now()
    }

    pub(crate) fn inode(&self, loc: Loc) -> &Inode {
        self.mounts.inode(loc)
    }

    pub(crate) fn inode_mut(&mut self, loc: Loc) -> &mut Inode {
        self.mounts.inode_mut(loc)
    }

    /// Keeps `loc` alive while an open description or the cwd refers to it.
    pub(crate) fn pin(&mut self, loc: Loc) {
        self.inode_mut(loc).pins += 1;
    }

    pub(crate) fn unpin(&mut self, loc: Loc) {
        let inode = self.inode_mut(loc);
        debug_assert!(inode.pins > 0);
        inode.pins -= 1;
        self.mounts.fs_mut(loc.fs).release_if_unused(loc.ino);
    }

    /// Drops one link to `loc` (an unlink, rmdir or a replaced rename
    /// target); frees it if nothing else holds it.
    pub(crate) fn drop_link(&mut self, loc: Loc, now: Timespec) {
        let inode = self.inode_mut(loc);
        if inode.is_dir() {
            // A removed directory: no links at all, even its own `.`.
            inode.nlink = 0;
        } else {
            debug_assert!(inode.nlink > 0);
            inode.nlink -= 1;
        }
        inode.ctime = now;
        self.mounts.fs_mut(loc.fs).release_if_unused(loc.ino);
    }

    /// The open file description behind `fd` (EBADF).
    pub(crate) fn open_file(&self, fd: Fd) -> Result<&OpenFile> {
        Ok(self.files.get(self.fds.get(fd)?.file))
    }

    pub(crate) fn open_file_mut(&mut self, fd: Fd) -> Result<&mut OpenFile> {
        let id = self.fds.get(fd)?.file;
        Ok(self.files.get_mut(id))
    }

    /// EROFS if `loc` is on a read-only mount.
    pub(crate) fn writable_mount(&self, loc: Loc) -> Result<()> {
        if self.mounts.mount(loc.fs).read_only {
            return Err(Errno::ROFS);
        }
        Ok(())
    }
}

fn new_root(options: &MountOptions, now: Timespec) -> NewInode {
    NewInode { perm: options.root_perm & 0o7777, uid: options.root_uid, gid: options.root_gid, now }
}

pub(crate) fn new_mount_root(options: &MountOptions, now: Timespec) -> NewInode {
    new_root(options, now)
}
