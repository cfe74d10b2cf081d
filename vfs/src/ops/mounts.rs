//! `mount(2)` of memory filesystems.

use crate::errno::{Errno, Result};
use crate::fd_table::AT_FDCWD;
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
        let at = self.resolve(AT_FDCWD, path, FinalLink::Follow)?;
        if !self.inode(at).is_dir() {
            return Err(Errno::NOTDIR);
        }
        if self.mounts.is_fs_root(at) {
            return Err(Errno::BUSY);
        }
        let fs = MemFs::new(new_mount_root(&options, self.now()), options.size_limit);
        // Mounting pins the covered directory, as a mount's reference does.
        self.pin(at);
        Ok(self.mounts.attach(at, fs, options.read_only))
    }
}
