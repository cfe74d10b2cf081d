//! `strata extract`: an image's tree recreated on the host.
//!
//! Into a temporary directory beside the destination, renamed to it at the
//! end (never over an existing one), so a failure leaves nothing. Contents,
//! types, symlink targets, hard-link groups (later names linked to the
//! first), permission bits and mtimes to the nanosecond are restored, and
//! owners too when running as root. Directories get their mode and mtime
//! after their children exist, deepest first.

use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::fs::{self, File, Permissions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{lchown, symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use strata_vfs::image::format::ROOT_INO;
use strata_vfs::image::{Image, ImageInode};
use strata_vfs::FileType;

use crate::pack::Counts;

/// Extracts `image` to `dest`, which must not exist. Checks the data
/// checksum first.
pub fn extract(image: &Image, dest: &Path) -> Result<Counts> {
    image.verify_data().map_err(|error| anyhow!("{error}"))?;
    if fs::symlink_metadata(dest).is_ok() {
        bail!("{} already exists", dest.display());
    }
    let parent = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(dest.file_name().unwrap_or_default());
    prefix.push(".");
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    let root = temp.path().to_owned();
    let result = Extraction { image, as_root: unsafe { libc::geteuid() } == 0, counts: Counts::default() }
        .run(&root)
        .and_then(|counts| rename_new(&root, dest).map(|()| counts));
    match result {
        Ok(counts) => {
            // Renamed away: nothing left to remove.
            let _ = temp.keep();
            Ok(counts)
        }
        Err(error) => {
            // Restored modes may forbid removing what is inside.
            make_removable(&root);
            drop(temp);
            Err(error)
        }
    }
}

struct Extraction<'i, 'a> {
    image: &'i Image<'a>,
    as_root: bool,
    counts: Counts,
}

impl Extraction<'_, '_> {
    fn run(mut self, root: &Path) -> Result<Counts> {
        // Host paths of the first name of every multiply-linked inode.
        let mut first_names: HashMap<u32, PathBuf> = HashMap::new();
        // Every directory with its host path, parents before children.
        let mut dirs = vec![(ROOT_INO, root.to_owned())];
        let mut next = 0;
        while next < dirs.len() {
            let (dir, dir_path) = dirs[next].clone();
            next += 1;
            for entry in self.image.entries(dir) {
                let path = dir_path.join(OsStr::from_bytes(entry.name));
                let inode = self.image.inode(entry.ino);
                if let Some(first) = first_names.get(&entry.ino) {
                    fs::hard_link(first, &path).with_context(|| format!("cannot create {}", path.display()))?;
                    continue;
                }
                match inode.kind {
                    FileType::Directory => {
                        fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
                        dirs.push((entry.ino, path));
                        continue;
                    }
                    FileType::Regular => self.file(&inode, &path)?,
                    FileType::Symlink => self.symlink(&inode, &path)?,
                }
                if inode.nlink > 1 {
                    first_names.insert(entry.ino, path);
                }
            }
        }
        for (ino, path) in dirs.iter().rev() {
            self.counts.dirs += 1;
            self.set_attributes(&self.image.inode(*ino), path)?;
        }
        Ok(self.counts)
    }

    fn file(&mut self, inode: &ImageInode, path: &Path) -> Result<()> {
        self.counts.files += 1;
        let cannot_write = || format!("cannot write {}", path.display());
        let mut file = File::create_new(path).with_context(cannot_write)?;
        file.write_all(self.image.file_bytes(inode.ino)).with_context(cannot_write)?;
        drop(file);
        self.set_attributes(inode, path)
    }

    fn symlink(&mut self, inode: &ImageInode, path: &Path) -> Result<()> {
        self.counts.symlinks += 1;
        let target = OsStr::from_bytes(self.image.symlink_target(inode.ino));
        symlink(target, path).with_context(|| format!("cannot create {}", path.display()))?;
        self.set_attributes(inode, path)
    }

    /// Owner (as root), permission bits (not for symlinks, which have
    /// none), then times: chown clears set-id bits, and both would change
    /// the ctime only.
    fn set_attributes(&self, inode: &ImageInode, path: &Path) -> Result<()> {
        let cannot_set = || format!("cannot set the attributes of {}", path.display());
        if self.as_root {
            lchown(path, Some(inode.uid), Some(inode.gid)).with_context(cannot_set)?;
        }
        if inode.kind != FileType::Symlink {
            fs::set_permissions(path, Permissions::from_mode(inode.perm)).with_context(cannot_set)?;
        }
        set_mtime(path, inode.mtime.sec, inode.mtime.nsec).with_context(cannot_set)
    }
}

/// Sets the atime and mtime of `path` (not following a symlink).
fn set_mtime(path: &Path, sec: i64, nsec: u32) -> std::io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes())?;
    let time = libc::timespec { tv_sec: sec as libc::time_t, tv_nsec: nsec as libc::c_long };
    let times = [time, time];
    // SAFETY: `c_path` is NUL-terminated and `times` holds two timespecs.
    let status = unsafe { libc::utimensat(libc::AT_FDCWD, c_path.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
    if status != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Renames `from` to `to`, failing if `to` exists (even as an empty
/// directory, which a plain rename would replace).
fn rename_new(from: &Path, to: &Path) -> Result<()> {
    let failed = || format!("cannot create {}", to.display());
    let from_c = CString::new(from.as_os_str().as_bytes()).with_context(failed)?;
    let to_c = CString::new(to.as_os_str().as_bytes()).with_context(failed)?;
    // SAFETY: both paths are NUL-terminated.
    let status = unsafe {
        libc::renameat2(libc::AT_FDCWD, from_c.as_ptr(), libc::AT_FDCWD, to_c.as_ptr(), libc::RENAME_NOREPLACE)
    };
    if status != 0 {
        let error = std::io::Error::last_os_error();
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            bail!("{} already exists", to.display());
        }
        return Err(error).with_context(failed);
    }
    Ok(())
}

/// Gives the owner full access to every directory under `dir` (not
/// following symlinks), so it can be removed.
fn make_removable(dir: &Path) {
    let _ = fs::set_permissions(dir, Permissions::from_mode(0o700));
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            make_removable(&entry.path());
        }
    }
}
