//! Runs `vfs_ops` operations, each followed by the checks its result
//! allows: what a call that succeeded must have done, and that every
//! errno is one strata-vfs names.

use std::cell::Cell;
use std::collections::BTreeSet;

use strata_vfs::image::Image;
use strata_vfs::{
    AtFlags, Clock, Credentials, Errno, FallocateMode, Fd, FileType, FlockOp, MountOptions, OpenFlags, RenameFlags,
    SetTime, Stat, Timespec, Vfs, Whence as VfsWhence, AT_FDCWD,
};

use super::ops::{Base, Cookie, FdRef, Op, Time, Whence};
use super::tree;
use crate::images;

/// A clock that ticks a millisecond per reading, from the same start in
/// every input (so an input always runs the same).
struct Ticks(Cell<i64>);

impl Clock for Ticks {
    fn now(&self) -> Timespec {
        let ms = self.0.get();
        self.0.set(ms + 1);
        Timespec::new(1_700_000_000 + ms / 1000, (ms % 1000) as u32 * 1_000_000)
    }
}

pub struct Runner {
    pub vfs: Vfs,
    image: Option<Image<'static>>,
    /// The descriptors open now, exactly (every call that makes or
    /// closes one is tracked).
    open: BTreeSet<Fd>,
    /// Cookies readdir gave, for later calls.
    cookies: Vec<u64>,
    /// Whether anything was mounted: names under a covered directory are
    /// hidden, so a walk may see fewer names than a link count says.
    pub mounted: bool,
}

/// Panics unless `e` is an errno strata-vfs knows.
fn known(e: Errno) {
    assert!(e.name().is_some(), "an unknown errno {}", e.0);
}

fn times(times: [Time; 2]) -> [SetTime; 2] {
    [times[0].set(), times[1].set()]
}

impl Runner {
    pub fn new(base: Base) -> Runner {
        let clock = Box::new(Ticks(Cell::new(0)));
        let image = || Image::open(images::preopens()).expect("the built image opens");
        let (vfs, image) = match base {
            Base::Empty => (Vfs::new(clock), None),
            Base::Image => (Vfs::with_image(clock, image(), MountOptions::default()), Some(image())),
            Base::ImageReadOnly => {
                let options = MountOptions { read_only: true, ..MountOptions::default() };
                (Vfs::with_image(clock, image(), options), Some(image()))
            }
            Base::Limited(limit) => {
                let options = MountOptions { size_limit: Some(limit.bytes()), ..MountOptions::default() };
                (Vfs::with_root(clock, options), None)
            }
        };
        Runner { vfs, image, open: BTreeSet::new(), cookies: Vec::new(), mounted: false }
    }

    fn fd(&self, fd: FdRef) -> Fd {
        match fd {
            FdRef::Open(i) if !self.open.is_empty() => {
                *self.open.iter().nth(i as usize % self.open.len()).expect("in range")
            }
            FdRef::Open(_) => -1,
            FdRef::Cwd => AT_FDCWD,
            FdRef::Bad(n) => n,
        }
    }

    /// The lowest descriptor number not open: what the next one must be.
    fn lowest_free(&self) -> Fd {
        (0..).find(|fd| !self.open.contains(fd)).expect("a free number")
    }

    /// Runs `f` as root (the checks look at what the operation did, not at
    /// what the caller may see), then as whoever ran before.
    pub fn as_root<R>(&mut self, f: impl FnOnce(&mut Vfs) -> R) -> R {
        let cred = self.vfs.credentials().clone();
        self.vfs.set_credentials(Credentials::root());
        let result = f(&mut self.vfs);
        self.vfs.set_credentials(cred);
        result
    }

    fn fstat(&mut self, fd: Fd) -> Stat {
        self.vfs.fstat(fd).unwrap_or_else(|e| panic!("fstat of open fd {fd}: {e:?}"))
    }

    /// Size, position and append mode of a regular file's fd.
    fn file(&mut self, fd: Fd) -> Option<(u64, u64, bool)> {
        let stat = self.vfs.fstat(fd).ok()?;
        if stat.file_type() != FileType::Regular {
            return None;
        }
        let position = self.vfs.lseek(fd, 0, VfsWhence::Cur).expect("lseek of an open file");
        let append = self.vfs.status_flags(fd).expect("flags of an open file").contains(OpenFlags::APPEND);
        Some((stat.size, position, append))
    }

    fn readable(&self, fd: Fd) -> bool {
        matches!(self.vfs.access_mode(fd), Ok(Some(mode)) if mode.readable())
    }

    /// A new descriptor `fd` was handed out.
    fn opened(&mut self, fd: Fd, like: Option<Fd>) {
        assert_eq!(fd, self.lowest_free(), "a new descriptor is the lowest free number");
        if let Some(old) = like {
            let (a, b) = (self.fstat(old), self.fstat(fd));
            assert_eq!((a.dev, a.ino), (b.dev, b.ino), "a duplicate is the same file");
        }
        self.open.insert(fd);
    }

    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::Open { at, path, flags, mode } => {
                let flags = flags.0;
                match self.vfs.openat(self.fd(*at), &path.bytes(), flags, *mode as u32) {
                    Ok(fd) => {
                        self.opened(fd, None);
                        let stat = self.fstat(fd);
                        if flags.contains(OpenFlags::DIRECTORY) {
                            assert_eq!(stat.file_type(), FileType::Directory, "O_DIRECTORY opened a non-directory");
                        }
                        let writes = flags.access().is_some_and(|mode| mode.writable());
                        if flags.contains(OpenFlags::TRUNC) && writes && stat.file_type() == FileType::Regular {
                            assert_eq!(stat.size, 0, "O_TRUNC left bytes");
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Close(fd) => {
                let fd = self.fd(*fd);
                match self.vfs.close(fd) {
                    Ok(()) => assert!(self.open.remove(&fd), "closed fd {fd}, which was not open"),
                    Err(e) => {
                        assert_eq!(e, Errno::BADF, "close failed otherwise than EBADF");
                        assert!(!self.open.contains(&fd), "close of open fd {fd}: EBADF");
                    }
                }
            }
            Op::Dup(fd) => {
                let fd = self.fd(*fd);
                match self.vfs.dup(fd) {
                    Ok(new) => self.opened(new, Some(fd)),
                    Err(e) => known(e),
                }
            }
            Op::Dup2 { old, new } => {
                let (old, new) = (self.fd(*old), *new as Fd);
                match self.vfs.dup2(old, new) {
                    Ok(fd) => {
                        assert_eq!(fd, new, "dup2 returns the new number");
                        self.open.insert(new);
                        let (a, b) = (self.fstat(old), self.fstat(new));
                        assert_eq!((a.dev, a.ino), (b.dev, b.ino), "dup2 makes the same file");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Read { fd, len } => {
                let fd = self.fd(*fd);
                let before = self.file(fd);
                let mut buf = vec![0; *len as usize];
                match self.vfs.read(fd, &mut buf) {
                    Ok(n) => {
                        assert!(n <= buf.len(), "read more than asked");
                        if let Some((size, position, _)) = before {
                            assert_eq!(n as u64, size.saturating_sub(position).min(buf.len() as u64), "read length");
                            assert_eq!(self.file(fd).map(|f| f.1), Some(position + n as u64), "position after read");
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Pread { fd, len, offset } => {
                let fd = self.fd(*fd);
                let before = self.file(fd);
                let mut buf = vec![0; *len as usize];
                match self.vfs.pread(fd, &mut buf, offset.0) {
                    Ok(n) => {
                        assert!(n <= buf.len(), "pread more than asked");
                        if let Some((size, position, _)) = before {
                            assert_eq!(n as u64, size.saturating_sub(offset.0).min(buf.len() as u64), "pread length");
                            assert_eq!(self.file(fd).map(|f| f.1), Some(position), "pread moved the position");
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Write { fd, data } => self.write(self.fd(*fd), &data.bytes(), None),
            Op::Pwrite { fd, data, offset } => self.write(self.fd(*fd), &data.bytes(), Some(offset.0)),
            Op::Seek { fd, offset, whence } => {
                let fd = self.fd(*fd);
                let before = self.file(fd);
                let whence = match whence {
                    Whence::Set => VfsWhence::Set,
                    Whence::Cur => VfsWhence::Cur,
                    Whence::End => VfsWhence::End,
                    Whence::Data => VfsWhence::Data,
                    Whence::Hole => VfsWhence::Hole,
                };
                match self.vfs.lseek(fd, *offset as i64, whence) {
                    Ok(at) => {
                        if let Some((size, position, _)) = before {
                            let from = match whence {
                                VfsWhence::Set => Some(0),
                                VfsWhence::Cur => Some(position),
                                VfsWhence::End => Some(size),
                                _ => None,
                            };
                            if let Some(from) = from {
                                assert_eq!(Some(at), from.checked_add_signed(*offset as i64), "lseek result");
                            }
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Truncate { path, len } => match self.vfs.truncate(&path.bytes(), len.0) {
                Ok(()) => {
                    let size = self.as_root(|vfs| vfs.stat(&path.bytes())).expect("stat after truncate").size;
                    assert_eq!(size, len.0, "size after truncate");
                }
                Err(e) => known(e),
            },
            Op::Ftruncate { fd, len } => {
                let fd = self.fd(*fd);
                match self.vfs.ftruncate(fd, len.0) {
                    Ok(()) => assert_eq!(self.fstat(fd).size, len.0, "size after ftruncate"),
                    Err(e) => known(e),
                }
            }
            Op::Fallocate { fd, mode, offset, len } => {
                let fd = self.fd(*fd);
                let mode = FallocateMode::from_bits_retain(*mode as u32 & 7);
                let before = self.file(fd);
                match self.vfs.fallocate(fd, mode, offset.0, len.0) {
                    Ok(()) => {
                        let (size, _, _) = before.expect("fallocate succeeds on regular files only");
                        let after = self.fstat(fd).size;
                        if mode.contains(FallocateMode::KEEP_SIZE) {
                            assert_eq!(after, size, "fallocate KEEP_SIZE changed the size");
                        } else {
                            assert_eq!(after, size.max(offset.0 + len.0), "size after fallocate");
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Mkdir { at, path, mode } => {
                let (at, path) = (self.fd(*at), path.bytes());
                match self.vfs.mkdirat(at, &path, *mode as u32) {
                    Ok(()) => {
                        let stat = self.as_root(|vfs| vfs.fstatat(at, &path, AtFlags::SYMLINK_NOFOLLOW));
                        let stat = stat.expect("stat after mkdir");
                        assert_eq!(stat.file_type(), FileType::Directory, "mkdir made a directory");
                        assert_eq!(stat.nlink, 2, "a new directory's link count");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Unlink { at, path, dir } => {
                let (at, path) = (self.fd(*at), path.bytes());
                let flags = if *dir { AtFlags::REMOVEDIR } else { AtFlags::empty() };
                match self.vfs.unlinkat(at, &path, flags) {
                    Ok(()) => {
                        let after = self.as_root(|vfs| vfs.fstatat(at, &path, AtFlags::SYMLINK_NOFOLLOW));
                        assert_eq!(after.err(), Some(Errno::NOENT), "the name is gone after unlink");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Link { from, old, to, new, follow } => {
                let (from, old, to, new) = (self.fd(*from), old.bytes(), self.fd(*to), new.bytes());
                let (flags, lookup) = match follow {
                    true => (AtFlags::SYMLINK_FOLLOW, AtFlags::empty()),
                    false => (AtFlags::empty(), AtFlags::SYMLINK_NOFOLLOW),
                };
                let before = self.as_root(|vfs| vfs.fstatat(from, &old, lookup));
                match self.vfs.linkat(from, &old, to, &new, flags) {
                    Ok(()) => {
                        let before = before.expect("a linked file existed");
                        let linked = self.as_root(|vfs| vfs.fstatat(to, &new, AtFlags::SYMLINK_NOFOLLOW));
                        let linked = linked.expect("stat of a new link");
                        assert_eq!((linked.dev, linked.ino), (before.dev, before.ino), "a link names its file");
                        assert_eq!(linked.nlink, before.nlink + 1, "a link counts");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Symlink { target, at, path } => {
                let (target, at, path) = (target.bytes(), self.fd(*at), path.bytes());
                match self.vfs.symlinkat(&target, at, &path) {
                    Ok(()) => {
                        let mut buf = vec![0; target.len() + 1];
                        let n = self.as_root(|vfs| vfs.readlinkat(at, &path, &mut buf)).expect("readlink a new link");
                        assert_eq!(&buf[..n], &target[..], "a symlink holds its target");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Readlink { at, path, len } => {
                let (at, path) = (self.fd(*at), path.bytes());
                let mut buf = vec![0; *len as usize % 5000];
                match self.vfs.readlinkat(at, &path, &mut buf) {
                    Ok(n) => {
                        let size = self.as_root(|vfs| vfs.fstatat(at, &path, AtFlags::SYMLINK_NOFOLLOW));
                        let size = size.expect("lstat of a link read").size;
                        assert_eq!(n as u64, size.min(buf.len() as u64), "readlink length");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Rename { from, old, to, new, flags } => {
                let flags = RenameFlags::from_bits_retain(*flags as u32 & 7);
                let result = self.vfs.renameat2(self.fd(*from), &old.bytes(), self.fd(*to), &new.bytes(), flags);
                if let Err(e) = result {
                    known(e);
                }
            }
            Op::Stat { at, path, nofollow, empty_path } => {
                let mut flags = AtFlags::empty();
                flags.set(AtFlags::SYMLINK_NOFOLLOW, *nofollow);
                flags.set(AtFlags::EMPTY_PATH, *empty_path);
                match self.vfs.fstatat(self.fd(*at), &path.bytes(), flags) {
                    Ok(stat) => tree::check_stat(&stat),
                    Err(e) => known(e),
                }
            }
            Op::Fstat(fd) => {
                let fd = self.fd(*fd);
                match self.vfs.fstat(fd) {
                    Ok(stat) => {
                        assert!(self.open.contains(&fd), "fstat of fd {fd}, which is not open");
                        tree::check_stat(&stat);
                    }
                    Err(e) => {
                        assert_eq!(e, Errno::BADF, "fstat failed otherwise than EBADF");
                        assert!(!self.open.contains(&fd), "fstat of open fd {fd}: EBADF");
                    }
                }
            }
            Op::Utimens { at, path, times: given, nofollow } => {
                let (at, path) = (self.fd(*at), path.bytes());
                let flags = if *nofollow { AtFlags::SYMLINK_NOFOLLOW } else { AtFlags::empty() };
                match self.vfs.utimensat(at, &path, times(*given), flags) {
                    // Linux returns at once, without looking the path up.
                    Ok(()) if times(*given) == [SetTime::Omit; 2] => {}
                    Ok(()) => {
                        let stat = self.as_root(|vfs| vfs.fstatat(at, &path, flags)).expect("stat after utimensat");
                        check_times(&stat, times(*given));
                    }
                    Err(e) => known(e),
                }
            }
            Op::Futimens { fd, times: given } => {
                let fd = self.fd(*fd);
                match self.vfs.futimens(fd, times(*given)) {
                    Ok(()) => {
                        let stat = self.fstat(fd);
                        check_times(&stat, times(*given));
                    }
                    Err(e) => known(e),
                }
            }
            Op::Chmod { at, path, mode } => {
                let (at, path) = (self.fd(*at), path.bytes());
                match self.vfs.fchmodat(at, &path, *mode as u32, AtFlags::empty()) {
                    Ok(()) => {
                        let stat =
                            self.as_root(|vfs| vfs.fstatat(at, &path, AtFlags::empty())).expect("stat after chmod");
                        assert_eq!(stat.mode & 0o777, *mode as u32 & 0o777, "mode after chmod");
                    }
                    Err(e) => known(e),
                }
            }
            Op::Fchmod { fd, mode } => {
                let fd = self.fd(*fd);
                match self.vfs.fchmod(fd, *mode as u32) {
                    Ok(()) => assert_eq!(self.fstat(fd).mode & 0o777, *mode as u32 & 0o777, "mode after fchmod"),
                    Err(e) => known(e),
                }
            }
            Op::Chown { at, path, uid, gid, nofollow } => {
                let id = |n: u8| match n % 4 {
                    0 => 0,
                    1 => 1000,
                    2 => u32::MAX,
                    _ => n as u32,
                };
                let (at, path, uid) = (self.fd(*at), path.bytes(), id(*uid));
                let flags = if *nofollow { AtFlags::SYMLINK_NOFOLLOW } else { AtFlags::empty() };
                match self.vfs.fchownat(at, &path, uid, id(*gid), flags) {
                    Ok(()) if uid != u32::MAX => {
                        let stat = self.as_root(|vfs| vfs.fstatat(at, &path, flags)).expect("stat after chown");
                        assert_eq!(stat.uid, uid, "owner after chown");
                    }
                    Ok(()) => {}
                    Err(e) => known(e),
                }
            }
            Op::AsUser(user) => {
                let cred = if *user { Credentials::user(1000, 1000) } else { Credentials::root() };
                self.vfs.set_credentials(cred);
            }
            Op::Umask(mask) => {
                self.vfs.umask(*mask as u32);
            }
            Op::Chdir(path) => {
                if let Err(e) = self.vfs.chdir(&path.bytes()) {
                    known(e);
                }
            }
            Op::Fchdir(fd) => {
                if let Err(e) = self.vfs.fchdir(self.fd(*fd)) {
                    known(e);
                }
            }
            Op::Getcwd => match self.vfs.getcwd() {
                Ok(path) => {
                    assert_eq!(path.first(), Some(&b'/'), "getcwd is absolute");
                    // A mount may since cover a directory on the way.
                    if !self.mounted {
                        let (cwd, named) = self.as_root(|vfs| (vfs.stat(b"."), vfs.stat(&path)));
                        let (cwd, named) = (cwd.expect("stat ."), named.expect("stat of getcwd"));
                        assert_eq!((cwd.dev, cwd.ino), (named.dev, named.ino), "getcwd names the cwd");
                    }
                }
                Err(e) => known(e),
            },
            Op::Readdir { fd, cookie, max } => {
                let fd = self.fd(*fd);
                let cookie = match cookie {
                    Cookie::Seen(i) if !self.cookies.is_empty() => self.cookies[*i as usize % self.cookies.len()],
                    Cookie::Seen(i) => *i as u64,
                    Cookie::Raw(raw) => *raw,
                };
                let mut listed = Vec::new();
                let result = self.vfs.readdir(fd, cookie, |entry| {
                    if listed.len() > *max as usize % 40 {
                        return false;
                    }
                    listed.push((entry.name.to_vec(), entry.ino, entry.kind, entry.next));
                    true
                });
                match result {
                    Ok((n, next)) => {
                        assert_eq!(n, listed.len(), "readdir counts what it gave");
                        self.cookies.push(next);
                        self.check_listing(fd, &listed);
                    }
                    Err(e) => known(e),
                }
            }
            Op::Getdents { fd, max } => {
                let fd = self.fd(*fd);
                let mut listed = Vec::new();
                let result = self.vfs.getdents(fd, |entry| {
                    if listed.len() > *max as usize % 40 {
                        return false;
                    }
                    listed.push((entry.name.to_vec(), entry.ino, entry.kind, entry.next));
                    true
                });
                match result {
                    Ok(n) => {
                        assert_eq!(n, listed.len(), "getdents counts what it gave");
                        self.check_listing(fd, &listed);
                    }
                    Err(e) => known(e),
                }
            }
            Op::SetAppend { fd, append } => {
                let fd = self.fd(*fd);
                match self.vfs.status_flags(fd) {
                    Ok(mut flags) => {
                        flags.set(OpenFlags::APPEND, *append);
                        if let Err(e) = self.vfs.set_status_flags(fd, flags) {
                            known(e);
                        }
                    }
                    Err(e) => known(e),
                }
            }
            Op::Flock { fd, op } => {
                let lock = [FlockOp::Shared, FlockOp::Exclusive, FlockOp::Unlock][*op as usize % 3];
                if let Err(e) = self.vfs.flock(self.fd(*fd), lock, *op & 4 != 0) {
                    known(e);
                }
            }
            Op::Statfs(path) => match self.vfs.statfs(&path.bytes()) {
                Ok(statfs) => assert!(statfs.blocks_free <= statfs.blocks, "statfs: more free than total"),
                Err(e) => known(e),
            },
            Op::Mount { path, read_only, limit } => {
                let options =
                    MountOptions { read_only: *read_only, size_limit: limit.map(|l| l.bytes()), ..Default::default() };
                match self.vfs.mount(&path.bytes(), options) {
                    Ok(_) => self.mounted = true,
                    Err(e) => known(e),
                }
            }
            Op::MountImageDir { path, preopen, read_only } => {
                let Some(image) = self.image else { return };
                let names: Vec<&[u8]> = image.mounts().collect();
                let dir = image.preopen_dir(names[*preopen as usize % names.len()]).expect("a preopen's directory");
                let options = MountOptions { read_only: *read_only, ..MountOptions::default() };
                match self.vfs.mount_image_dir(&path.bytes(), image, dir, options) {
                    Ok(_) => self.mounted = true,
                    Err(e) => known(e),
                }
            }
            Op::Snapshot { all_mounts } => {
                let mounted = self.mounted;
                self.as_root(|vfs| tree::snapshot_round_trip(vfs, *all_mounts, mounted));
            }
        }
        self.check_open_fds();
    }

    /// A write or pwrite of `data` at the position or `offset`.
    fn write(&mut self, fd: Fd, data: &[u8], offset: Option<u64>) {
        let before = self.file(fd);
        let result = match offset {
            Some(offset) => self.vfs.pwrite(fd, data, offset),
            None => self.vfs.write(fd, data),
        };
        let n = match result {
            Ok(n) => n,
            Err(e) => return known(e),
        };
        assert!(n <= data.len(), "wrote more than given");
        assert!(n > 0 || data.is_empty(), "a write of {} bytes wrote none and did not fail", data.len());
        let (size, position, append) = before.expect("writes succeed on regular files only");
        let after = self.file(fd).expect("still a file");
        if n == 0 {
            // Linux returns before anything moves (not even to the end).
            assert_eq!((after.0, after.1), (size, position), "size and position after an empty write");
            return;
        }
        // Linux appends whatever the offset, with O_APPEND.
        let at = if append { size } else { offset.unwrap_or(position) };
        let end = at.checked_add(n as u64).expect("a write ends before 2^64");
        assert_eq!(after.0, size.max(end), "size after a write");
        assert_eq!(after.1, if offset.is_some() { position } else { end }, "position after a write");
        if self.readable(fd) {
            let mut back = vec![0; n];
            assert_eq!(self.vfs.pread(fd, &mut back, at), Ok(n), "reading back a write");
            assert_eq!(back, data[..n], "what a write wrote");
        }
    }

    /// Entries listed from directory `fd`: sane names, each still there
    /// with the listed type (and number, for non-directories).
    fn check_listing(&mut self, fd: Fd, listed: &[(Vec<u8>, u64, FileType, u64)]) {
        let mut names = BTreeSet::new();
        for (name, ino, kind, _) in listed {
            assert!(!name.is_empty() && !name.contains(&b'/') && !name.contains(&0), "a listed name {name:?}");
            assert!(names.insert(name.clone()), "{name:?} listed twice in one call");
            if name == b"." || name == b".." {
                continue;
            }
            let stat = self.as_root(|vfs| vfs.fstatat(fd, name, AtFlags::SYMLINK_NOFOLLOW));
            let stat = stat.unwrap_or_else(|e| panic!("a listed name {name:?} does not stat: {e:?}"));
            assert_eq!(stat.file_type(), *kind, "the listed type of {name:?}");
            if *kind != FileType::Directory {
                assert_eq!(stat.ino, *ino, "the listed number of {name:?}");
            }
        }
    }

    /// What must hold after every operation: each open descriptor stats.
    fn check_open_fds(&mut self) {
        for fd in self.open.clone() {
            self.fstat(fd);
        }
    }
}

/// The times `utimensat` set explicitly are the file's.
fn check_times(stat: &Stat, times: [SetTime; 2]) {
    for (time, was) in times.into_iter().zip([stat.atime, stat.mtime]) {
        if let SetTime::At(t) = time {
            assert_eq!(was, t, "a time utimensat set");
        }
    }
}
