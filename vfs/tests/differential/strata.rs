//! The differential test's strata-vfs side: each [`Op`] as the matching
//! `Vfs` call, results in the shared [`Outcome`] vocabulary.

use std::boxed::Box;
use std::vec::Vec;

use strata_vfs::{
    AccessCheck, AtFlags, Credentials, Errno, FileType, FixedClock, FlockOp as VfsFlockOp, OpenFlags, RenameFlags,
    Stat, Timespec, Vfs, Whence as VfsWhence, AT_FDCWD,
};

use crate::ops::{
    FlockOp, Identity, InoClasses, Kind, Op, OpenSpec, Outcome, RenameMode, StatView, Target, TreeEntry, Whence,
    USER_GID, USER_UID,
};

/// A descriptor that is never valid, for closed or unknown slots.
const BAD_FD: i32 = -1;

pub struct StrataTarget {
    vfs: Vfs,
    slots: Vec<Option<i32>>,
    inos: InoClasses,
}

impl StrataTarget {
    pub fn new() -> StrataTarget {
        let clock = FixedClock(Timespec::new(1_700_000_000, 0));
        StrataTarget { vfs: Vfs::new(Box::new(clock)), slots: Vec::new(), inos: InoClasses::default() }
    }

    fn fd(&self, slot: usize) -> i32 {
        self.slots.get(slot).copied().flatten().unwrap_or(BAD_FD)
    }

    fn view(&mut self, stat: Stat) -> StatView {
        stat_view(&stat, &mut self.inos)
    }

    fn list(&mut self, fd: i32) -> Outcome {
        let mut entries = Vec::new();
        let result = self.vfs.getdents(fd, |e| {
            if e.name != b"." && e.name != b".." {
                entries.push((e.name.to_vec(), kind(e.kind)));
            }
            true
        });
        match result {
            Ok(_) => {
                entries.sort();
                Outcome::Entries(entries)
            }
            Err(e) => err(e),
        }
    }
}

fn err(e: Errno) -> Outcome {
    Outcome::Err(e.0 as i32)
}

fn done<T>(r: Result<T, Errno>) -> Outcome {
    r.map_or_else(err, |_| Outcome::Done)
}

fn num(r: Result<impl Into<u64>, Errno>) -> Outcome {
    r.map_or_else(err, |n| Outcome::Num(n.into()))
}

fn kind(t: FileType) -> Kind {
    match t {
        FileType::Regular => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
    }
}

fn stat_view(stat: &Stat, inos: &mut InoClasses) -> StatView {
    let kind = kind(stat.file_type());
    StatView {
        kind,
        perm: stat.mode & 0o7777,
        nlink: stat.nlink,
        uid: stat.uid,
        gid: stat.gid,
        size: if kind == Kind::Dir { 0 } else { stat.size },
        ino_class: inos.class(stat.ino),
    }
}

fn open_flags(spec: OpenSpec) -> OpenFlags {
    let mut flags = OpenFlags::from_bits_retain(spec.access as u32) | OpenFlags::CLOEXEC;
    for (on, flag) in [
        (spec.create, OpenFlags::CREAT),
        (spec.excl, OpenFlags::EXCL),
        (spec.trunc, OpenFlags::TRUNC),
        (spec.append, OpenFlags::APPEND),
        (spec.directory, OpenFlags::DIRECTORY),
        (spec.nofollow, OpenFlags::NOFOLLOW),
    ] {
        if on {
            flags |= flag;
        }
    }
    flags
}

fn whence(w: Whence) -> VfsWhence {
    match w {
        Whence::Set => VfsWhence::Set,
        Whence::Cur => VfsWhence::Cur,
        Whence::End => VfsWhence::End,
    }
}

impl Target for StrataTarget {
    fn apply(&mut self, op: &Op) -> Outcome {
        let vfs = &mut self.vfs;
        match op {
            Op::SetIdentity(Identity::Root) => {
                vfs.set_credentials(Credentials::root());
                Outcome::Done
            }
            Op::SetIdentity(Identity::User) => {
                vfs.set_credentials(Credentials::user(USER_UID, USER_GID));
                Outcome::Done
            }
            Op::Umask(mask) => Outcome::Num(vfs.umask(*mask) as u64),
            Op::Open { path, flags, mode } => match vfs.open(path, open_flags(*flags), *mode) {
                Ok(fd) => {
                    self.slots.push(Some(fd));
                    Outcome::Fd
                }
                Err(e) => err(e),
            },
            Op::Close(slot) => {
                let fd = self.fd(*slot);
                if let Some(s) = self.slots.get_mut(*slot) {
                    *s = None;
                }
                done(self.vfs.close(fd))
            }
            Op::Dup(slot) => match self.vfs.dup(self.fd(*slot)) {
                Ok(fd) => {
                    self.slots.push(Some(fd));
                    Outcome::Fd
                }
                Err(e) => err(e),
            },
            Op::Read { slot, len } => {
                let mut buf = std::vec![0; *len];
                match self.vfs.read(self.fd(*slot), &mut buf) {
                    Ok(n) => Outcome::Bytes(buf[..n].to_vec()),
                    Err(e) => err(e),
                }
            }
            Op::Write { slot, data } => num(self.vfs.write(self.fd(*slot), data).map(|n| n as u64)),
            Op::Pread { slot, len, offset } => {
                let mut buf = std::vec![0; *len];
                match self.vfs.pread(self.fd(*slot), &mut buf, *offset) {
                    Ok(n) => Outcome::Bytes(buf[..n].to_vec()),
                    Err(e) => err(e),
                }
            }
            Op::Pwrite { slot, data, offset } => num(self.vfs.pwrite(self.fd(*slot), data, *offset).map(|n| n as u64)),
            Op::Lseek { slot, offset, whence: w } => num(self.vfs.lseek(self.fd(*slot), *offset, whence(*w))),
            Op::Ftruncate { slot, len } => done(self.vfs.ftruncate(self.fd(*slot), *len)),
            Op::Truncate { path, len } => done(vfs.truncate(path, *len)),
            Op::Fallocate { slot, offset, len } => {
                done(self.vfs.fallocate(self.fd(*slot), Default::default(), *offset, *len))
            }
            Op::Fsync(slot) => done(self.vfs.fsync(self.fd(*slot))),
            Op::Fstat(slot) => match self.vfs.fstat(self.fd(*slot)) {
                Ok(stat) => Outcome::Stat(self.view(stat)),
                Err(e) => err(e),
            },
            Op::Stat(path) => match vfs.stat(path) {
                Ok(stat) => Outcome::Stat(self.view(stat)),
                Err(e) => err(e),
            },
            Op::Lstat(path) => match vfs.lstat(path) {
                Ok(stat) => Outcome::Stat(self.view(stat)),
                Err(e) => err(e),
            },
            Op::Mkdir { path, mode } => done(vfs.mkdir(path, *mode)),
            Op::Rmdir(path) => done(vfs.rmdir(path)),
            Op::Unlink(path) => done(vfs.unlink(path)),
            Op::Link { old, new, follow } => {
                let flags = if *follow { AtFlags::SYMLINK_FOLLOW } else { AtFlags::empty() };
                done(vfs.linkat(AT_FDCWD, old, AT_FDCWD, new, flags))
            }
            Op::Symlink { target, path } => done(vfs.symlink(target, path)),
            Op::Readlink(path) => {
                let mut buf = [0u8; 4096];
                match vfs.readlink(path, &mut buf) {
                    Ok(n) => Outcome::Bytes(buf[..n].to_vec()),
                    Err(e) => err(e),
                }
            }
            Op::Rename { old, new, mode } => {
                let flags = match mode {
                    RenameMode::Plain => RenameFlags::empty(),
                    RenameMode::NoReplace => RenameFlags::NOREPLACE,
                    RenameMode::Exchange => RenameFlags::EXCHANGE,
                };
                done(vfs.renameat2(AT_FDCWD, old, AT_FDCWD, new, flags))
            }
            Op::Chmod { path, mode } => done(vfs.chmod(path, *mode)),
            Op::Fchmod { slot, mode } => done(self.vfs.fchmod(self.fd(*slot), *mode)),
            Op::Chown { path, uid, gid, follow } => {
                let flags = if *follow { AtFlags::empty() } else { AtFlags::SYMLINK_NOFOLLOW };
                done(vfs.fchownat(AT_FDCWD, path, *uid, *gid, flags))
            }
            Op::Access { path, mode } => done(vfs.access(path, AccessCheck::from_bits_retain(*mode))),
            Op::Chdir(path) => done(vfs.chdir(path)),
            Op::Fchdir(slot) => done(self.vfs.fchdir(self.fd(*slot))),
            Op::Getcwd => vfs.getcwd().map_or_else(err, Outcome::Bytes),
            Op::ListDir(path) => {
                let flags = OpenFlags::RDONLY | OpenFlags::DIRECTORY | OpenFlags::CLOEXEC;
                match vfs.open(path, flags, 0) {
                    Ok(fd) => {
                        let outcome = self.list(fd);
                        self.vfs.close(fd).expect("just opened");
                        outcome
                    }
                    Err(e) => err(e),
                }
            }
            Op::Getdents(slot) => self.list(self.fd(*slot)),
            Op::Flock { slot, op } => {
                let op = match op {
                    FlockOp::Shared => VfsFlockOp::Shared,
                    FlockOp::Exclusive => VfsFlockOp::Exclusive,
                    FlockOp::Unlock => VfsFlockOp::Unlock,
                };
                done(self.vfs.flock(self.fd(*slot), op, true))
            }
        }
    }

    fn snapshot(&mut self) -> Vec<TreeEntry> {
        self.vfs.set_credentials(Credentials::root());
        let mut entries = Vec::new();
        let mut inos = InoClasses::default();
        let mut paths = Vec::new();
        collect(&mut self.vfs, b"/".to_vec(), &mut paths);
        paths.sort();
        for path in paths {
            let stat = self.vfs.lstat(&path).expect("listed path exists");
            let data = match stat.file_type() {
                FileType::Regular => {
                    let fd = self.vfs.open(&path, OpenFlags::RDONLY, 0).expect("root can read");
                    let mut data = std::vec![0; stat.size as usize];
                    let n = self.vfs.read(fd, &mut data).expect("readable");
                    data.truncate(n);
                    self.vfs.close(fd).expect("open");
                    data
                }
                FileType::Symlink => {
                    let mut buf = [0u8; 4096];
                    let n = self.vfs.readlink(&path, &mut buf).expect("a symlink");
                    buf[..n].to_vec()
                }
                FileType::Directory => Vec::new(),
            };
            entries.push(TreeEntry { stat: stat_view(&stat, &mut inos), path, data });
        }
        entries
    }
}

/// Every path under `dir` (not `dir` itself), depth first.
fn collect(vfs: &mut Vfs, dir: Vec<u8>, out: &mut Vec<Vec<u8>>) {
    let fd = vfs.open(&dir, OpenFlags::RDONLY | OpenFlags::DIRECTORY, 0).expect("a directory");
    let mut children = Vec::new();
    vfs.getdents(fd, |e| {
        if e.name != b"." && e.name != b".." {
            children.push((e.name.to_vec(), e.kind));
        }
        true
    })
    .expect("readable");
    vfs.close(fd).expect("open");
    for (name, kind) in children {
        let mut path = dir.clone();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(&name);
        out.push(path.clone());
        if kind == FileType::Directory {
            collect(vfs, path, out);
        }
    }
}
