//! The reference side of the differential test: the host Linux kernel.
//!
//! [`confined`] gives a closure a [`LinuxTarget`] on a fresh thread of its
//! own, inside a fresh sandbox directory on tmpfs. That thread unshares its
//! filesystem context (`CLONE_FS`) and chroots into the sandbox, so root,
//! cwd and umask are private to it and absolute paths, absolute symlinks and
//! `..` at the root behave exactly as inside the VFS. Credentials are
//! switched with raw syscalls, which (unlike the glibc wrappers) affect only
//! the calling thread. The target never leaves that thread, so every syscall
//! of a sequence happens there, with no channel round trip per op.

use crate::ops::{
    FlockOp, Identity, InoClasses, Kind, Op, OpenSpec, Outcome, RenameMode, Slot, StatView, Target, TreeEntry, Whence,
    USER_GID, USER_UID,
};
use std::ffi::CString;
use std::io;
use std::marker::PhantomData;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// Sandbox directory names start with this, followed by the pid.
const SANDBOX_PREFIX: &str = "strata-diff-";
/// `readlink` and `getcwd` buffer: PATH_MAX, the most Linux ever returns.
const PATH_MAX: usize = 4096;
/// Descriptor passed for a closed or never-opened slot; never valid.
const BAD_FD: RawFd = -1;

/// Runs `f` with a [`LinuxTarget`] confined to a new sandbox, as root with
/// umask 022, on a thread of its own. When `f` returns (or panics) the
/// target's descriptors are closed and the sandbox is removed. Fails if the
/// kernel refuses the setup (e.g. not root); a panic in `f` is re-raised.
pub fn confined<R: Send>(f: impl FnOnce(&mut LinuxTarget) -> R + Send) -> io::Result<R> {
    // Dropped last, after the thread and its descriptors are gone.
    let sandbox = Sandbox::create()?;
    let root = sandbox.path.as_path();
    thread::scope(|scope| {
        let worker = thread::Builder::new()
            .name("linux-target".into())
            .spawn_scoped(scope, move || LinuxTarget::enter(root).map(|mut target| f(&mut target)))?;
        worker.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    })
}

/// Sandboxes of this process that still exist (should be none between runs).
pub fn leftover_sandboxes() -> Vec<PathBuf> {
    let prefix = format!("{SANDBOX_PREFIX}{}-", std::process::id());
    let Ok(entries) = std::fs::read_dir(sandbox_parent()) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().as_bytes().starts_with(prefix.as_bytes()))
        .map(|entry| entry.path())
        .collect()
}

/// Descriptors of this process still open on a file in one of its
/// sandboxes (there should be none once every target is dropped).
pub fn leaked_fds() -> Vec<String> {
    let marker = format!("/{SANDBOX_PREFIX}{}-", std::process::id());
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    fds.filter_map(Result::ok)
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .filter(|target| target.contains(&marker))
        .collect()
}

/// The host's `fs.protected_*` sysctls: they change Linux's permission
/// answers (hard links, symlinks and O_CREAT in sticky dirs), so a report is
/// only reproducible on a host with the same values.
pub fn host_protections() -> String {
    ["protected_hardlinks", "protected_symlinks", "protected_regular"]
        .iter()
        .map(|name| {
            let value = std::fs::read_to_string(format!("/proc/sys/fs/{name}"));
            let value = value.as_deref().map(str::trim).unwrap_or("?");
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn sandbox_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// A fresh directory, mode 0755 owned by 0:0, removed on drop.
struct Sandbox {
    path: PathBuf,
}

impl Sandbox {
    fn create() -> io::Result<Sandbox> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{SANDBOX_PREFIX}{}-{n}", std::process::id());
        let path = sandbox_parent().join(name);
        std::fs::create_dir(&path)?;
        let sandbox = Sandbox { path };
        // Explicit, so neither the umask nor the parent's setgid bit matter.
        std::fs::set_permissions(&sandbox.path, std::fs::Permissions::from_mode(0o755))?;
        std::os::unix::fs::chown(&sandbox.path, Some(0), Some(0))?;
        Ok(sandbox)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::fs::remove_dir_all(&self.path).is_ok() {
            return;
        }
        // Root normally needs no permission to remove; if it did, open up
        // every directory and retry once.
        make_dirs_accessible(&self.path);
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("differential: cannot remove sandbox {}: {error}", self.path.display());
        }
    }
}

fn make_dirs_accessible(dir: &Path) {
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            make_dirs_accessible(&entry.path());
        }
    }
}

// ---------------------------------------------------------------------------
// The confined side: everything below runs on the thread of `confined`.

/// Runs operations on the host kernel. Exists only on a confined thread.
pub struct LinuxTarget {
    slots: Vec<Option<RawFd>>,
    inos: InoClasses,
    /// Not `Send`: the chroot, cwd, umask and credentials belong to the
    /// thread that entered the sandbox.
    _confined: PhantomData<*const ()>,
}

type SysResult<T> = Result<T, i32>;

impl LinuxTarget {
    /// Confines the calling thread to `root`. `unshare(CLONE_FS)` is what
    /// keeps the chroot, cwd and umask from reaching the rest of the process.
    fn enter(root: &Path) -> io::Result<LinuxTarget> {
        let root = cstring(root.as_os_str().as_bytes());
        // SAFETY: plain syscalls on valid NUL-terminated strings.
        unsafe {
            io_check(libc::unshare(libc::CLONE_FS))?;
            io_check(libc::chroot(root.as_ptr()))?;
            io_check(libc::chdir(c"/".as_ptr()))?;
            libc::umask(0o022);
        }
        // Also drops root's supplementary groups, so both identities start
        // from the same known credentials.
        set_identity(Identity::Root).map_err(io::Error::from_raw_os_error)?;
        Ok(LinuxTarget { slots: Vec::new(), inos: InoClasses::default(), _confined: PhantomData })
    }

    fn fd(&self, slot: Slot) -> RawFd {
        self.slots.get(slot).copied().flatten().unwrap_or(BAD_FD)
    }

    fn push_fd(&mut self, fd: SysResult<RawFd>) -> Outcome {
        match fd {
            Ok(fd) => {
                self.slots.push(Some(fd));
                Outcome::Fd
            }
            Err(errno) => Outcome::Err(errno),
        }
    }

    fn stat_outcome(&mut self, stat: SysResult<libc::stat>) -> Outcome {
        match stat {
            Ok(stat) => Outcome::Stat(stat_view(&stat, &mut self.inos)),
            Err(errno) => Outcome::Err(errno),
        }
    }
}

impl Target for LinuxTarget {
    fn apply(&mut self, op: &Op) -> Outcome {
        // SAFETY (all unsafe blocks below): syscalls on NUL-terminated paths
        // and on buffers that outlive the call with their true lengths. The
        // descriptors are either ours or invalid, which the kernel rejects.
        match op {
            Op::SetIdentity(identity) => done(set_identity(*identity)),
            Op::Umask(mask) => Outcome::Num(u64::from(unsafe { libc::umask(*mask) })),
            Op::Open { path, flags, mode } => {
                let path = cstring(path);
                let fd = unsafe { libc::open(path.as_ptr(), open_flags(flags), *mode) };
                self.push_fd(check(fd))
            }
            Op::Close(slot) => {
                let fd = self.fd(*slot);
                if let Some(entry) = self.slots.get_mut(*slot) {
                    *entry = None;
                }
                done(check(unsafe { libc::close(fd) }))
            }
            Op::Dup(slot) => {
                let fd = unsafe { libc::fcntl(self.fd(*slot), libc::F_DUPFD_CLOEXEC, 0) };
                self.push_fd(check(fd))
            }
            Op::Read { slot, len } => bytes(read(self.fd(*slot), *len, None)),
            Op::Pread { slot, len, offset } => bytes(read(self.fd(*slot), *len, Some(*offset))),
            Op::Write { slot, data } => num(write(self.fd(*slot), data, None)),
            Op::Pwrite { slot, data, offset } => num(write(self.fd(*slot), data, Some(*offset))),
            Op::Lseek { slot, offset, whence } => {
                let whence = match whence {
                    Whence::Set => libc::SEEK_SET,
                    Whence::Cur => libc::SEEK_CUR,
                    Whence::End => libc::SEEK_END,
                };
                num(check(unsafe { libc::lseek(self.fd(*slot), *offset, whence) }))
            }
            Op::Ftruncate { slot, len } => done(check(unsafe { libc::ftruncate(self.fd(*slot), off(*len)) })),
            Op::Truncate { path, len } => done(check(unsafe { libc::truncate(cstring(path).as_ptr(), off(*len)) })),
            Op::Fallocate { slot, offset, len } => {
                done(check(unsafe { libc::fallocate(self.fd(*slot), 0, off(*offset), off(*len)) }))
            }
            Op::Fsync(slot) => done(check(unsafe { libc::fsync(self.fd(*slot)) })),
            Op::Fstat(slot) => self.stat_outcome(fstat(self.fd(*slot))),
            Op::Stat(path) => self.stat_outcome(stat_path(path, true)),
            Op::Lstat(path) => self.stat_outcome(stat_path(path, false)),
            Op::Mkdir { path, mode } => done(check(unsafe { libc::mkdir(cstring(path).as_ptr(), *mode) })),
            Op::Rmdir(path) => done(check(unsafe { libc::rmdir(cstring(path).as_ptr()) })),
            Op::Unlink(path) => done(check(unsafe { libc::unlink(cstring(path).as_ptr()) })),
            Op::Link { old, new, follow } => {
                let flags = if *follow { libc::AT_SYMLINK_FOLLOW } else { 0 };
                let (old, new) = (cstring(old), cstring(new));
                done(check(unsafe { libc::linkat(libc::AT_FDCWD, old.as_ptr(), libc::AT_FDCWD, new.as_ptr(), flags) }))
            }
            Op::Symlink { target, path } => {
                let (target, path) = (cstring(target), cstring(path));
                done(check(unsafe { libc::symlink(target.as_ptr(), path.as_ptr()) }))
            }
            Op::Readlink(path) => bytes(readlink(&cstring(path))),
            Op::Rename { old, new, mode } => done(rename(old, new, *mode)),
            Op::Chmod { path, mode } => done(check(unsafe { libc::chmod(cstring(path).as_ptr(), *mode) })),
            Op::Fchmod { slot, mode } => done(check(unsafe { libc::fchmod(self.fd(*slot), *mode) })),
            Op::Chown { path, uid, gid, follow } => {
                let flags = if *follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
                let path = cstring(path);
                done(check(unsafe { libc::fchownat(libc::AT_FDCWD, path.as_ptr(), *uid, *gid, flags) }))
            }
            Op::Access { path, mode } => {
                let mode = *mode as libc::c_int;
                let path = cstring(path);
                done(check(unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), mode, 0) }))
            }
            Op::Chdir(path) => done(check(unsafe { libc::chdir(cstring(path).as_ptr()) })),
            Op::Fchdir(slot) => done(check(unsafe { libc::fchdir(self.fd(*slot)) })),
            Op::Getcwd => bytes(getcwd()),
            Op::ListDir(path) => entries(list_dir(&cstring(path))),
            Op::Getdents(slot) => entries(read_entries(self.fd(*slot))),
            Op::Flock { slot, op } => {
                let op = match op {
                    FlockOp::Shared => libc::LOCK_SH,
                    FlockOp::Exclusive => libc::LOCK_EX,
                    FlockOp::Unlock => libc::LOCK_UN,
                };
                done(check(unsafe { libc::flock(self.fd(*slot), op | libc::LOCK_NB) }))
            }
        }
    }

    /// The whole tree as root, without following symlinks. Inode classes are
    /// fresh and assigned in path order, so they depend only on the tree.
    fn snapshot(&mut self) -> Vec<TreeEntry> {
        set_identity(Identity::Root).expect("switching back to root always succeeds");
        let mut found = Vec::new();
        walk(b"/", &mut found);
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let mut inos = InoClasses::default();
        found
            .into_iter()
            .map(|(path, stat, data)| TreeEntry { path, stat: stat_view(&stat, &mut inos), data })
            .collect()
    }
}

impl Drop for LinuxTarget {
    fn drop(&mut self) {
        // Descriptors are process-wide: they must not outlive the sequence.
        for fd in self.slots.drain(..).flatten() {
            // SAFETY: fd was opened by this sequence and is closed once.
            unsafe { libc::close(fd) };
        }
    }
}

/// Depth-first walk of `dir`, collecting (path, lstat, data) of every entry.
fn walk(dir: &[u8], found: &mut Vec<(Vec<u8>, libc::stat, Vec<u8>)>) {
    let names =
        list_dir(&cstring(dir)).unwrap_or_else(|errno| panic!("snapshot: listing {} failed: errno {errno}", show(dir)));
    for (name, _) in names {
        let mut path = dir.to_vec();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(&name);
        let stat = stat_path(&path, false)
            .unwrap_or_else(|errno| panic!("snapshot: lstat {} failed: errno {errno}", show(&path)));
        let data = match kind_of(stat.st_mode) {
            Kind::File => read_file(&path),
            Kind::Symlink => readlink(&cstring(&path))
                .unwrap_or_else(|errno| panic!("snapshot: readlink {} failed: errno {errno}", show(&path))),
            Kind::Dir => {
                walk(&path, found);
                Vec::new()
            }
            Kind::Other => Vec::new(),
        };
        found.push((path, stat, data));
    }
}

fn read_file(path: &[u8]) -> Vec<u8> {
    let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: valid path; the descriptor is closed below.
    let fd = check(unsafe { libc::open(cstring(path).as_ptr(), flags) })
        .unwrap_or_else(|errno| panic!("snapshot: open {} failed: errno {errno}", show(path)));
    let mut data = Vec::new();
    let result = loop {
        match read(fd, 64 * 1024, None) {
            Ok(chunk) if chunk.is_empty() => break Ok(data),
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(errno) => break Err(errno),
        }
    };
    // SAFETY: fd is ours and closed once.
    unsafe { libc::close(fd) };
    result.unwrap_or_else(|errno| panic!("snapshot: read {} failed: errno {errno}", show(path)))
}

/// Switches this thread's credentials. Real and effective ids both change
/// (so `faccessat`, which checks the real ids, sees the same identity as
/// everything else); the saved uid stays 0 so root can always come back.
fn set_identity(identity: Identity) -> SysResult<()> {
    // Back to root first: only root may change groups and gids freely.
    setresuid(0, 0, 0)?;
    setresgid(0, 0, 0)?;
    setgroups_empty()?;
    if identity == Identity::User {
        setresgid(USER_GID, USER_GID, 0)?;
        setresuid(USER_UID, USER_UID, 0)?;
    }
    Ok(())
}

// Raw syscalls: glibc's wrappers broadcast credential changes to every
// thread of the process, which would leak one sequence's identity into the
// others (and into the test harness).
fn setresuid(real: u32, effective: u32, saved: u32) -> SysResult<()> {
    let ids = [real, effective, saved].map(libc::c_long::from);
    // SAFETY: setresuid takes three ids and no pointers.
    check(unsafe { libc::syscall(libc::SYS_setresuid, ids[0], ids[1], ids[2]) }).map(drop)
}

fn setresgid(real: u32, effective: u32, saved: u32) -> SysResult<()> {
    let ids = [real, effective, saved].map(libc::c_long::from);
    // SAFETY: setresgid takes three ids and no pointers.
    check(unsafe { libc::syscall(libc::SYS_setresgid, ids[0], ids[1], ids[2]) }).map(drop)
}

fn setgroups_empty() -> SysResult<()> {
    // SAFETY: a zero-length list is never dereferenced.
    check(unsafe { libc::syscall(libc::SYS_setgroups, 0 as libc::c_long, std::ptr::null::<libc::gid_t>()) }).map(drop)
}

fn open_flags(spec: &OpenSpec) -> libc::c_int {
    let access = match spec.access {
        0 => libc::O_RDONLY,
        1 => libc::O_WRONLY,
        2 => libc::O_RDWR,
        other => panic!("OpenSpec.access must be 0, 1 or 2, not {other}"),
    };
    [
        (spec.create, libc::O_CREAT),
        (spec.excl, libc::O_EXCL),
        (spec.trunc, libc::O_TRUNC),
        (spec.append, libc::O_APPEND),
        (spec.directory, libc::O_DIRECTORY),
        (spec.nofollow, libc::O_NOFOLLOW),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .fold(access | libc::O_CLOEXEC, |flags, (_, bit)| flags | bit)
}

fn read(fd: RawFd, len: usize, offset: Option<u64>) -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let ptr = buf.as_mut_ptr().cast();
    // SAFETY: buf is valid for len bytes.
    let n = check(unsafe {
        match offset {
            Some(offset) => libc::pread(fd, ptr, len, off(offset)),
            None => libc::read(fd, ptr, len),
        }
    })?;
    buf.truncate(n as usize);
    Ok(buf)
}

fn write(fd: RawFd, data: &[u8], offset: Option<u64>) -> SysResult<isize> {
    let ptr = data.as_ptr().cast();
    // SAFETY: data is valid for data.len() bytes.
    check(unsafe {
        match offset {
            Some(offset) => libc::pwrite(fd, ptr, data.len(), off(offset)),
            None => libc::write(fd, ptr, data.len()),
        }
    })
}

fn rename(old: &[u8], new: &[u8], mode: RenameMode) -> SysResult<()> {
    let flags: libc::c_long = match mode {
        RenameMode::Plain => 0,
        RenameMode::NoReplace => libc::RENAME_NOREPLACE.into(),
        RenameMode::Exchange => libc::RENAME_EXCHANGE.into(),
    };
    let (old, new) = (cstring(old), cstring(new));
    let cwd = libc::c_long::from(libc::AT_FDCWD);
    // SAFETY: renameat2 with two valid paths; glibc may lack a wrapper.
    check(unsafe { libc::syscall(libc::SYS_renameat2, cwd, old.as_ptr(), cwd, new.as_ptr(), flags) }).map(drop)
}

fn readlink(path: &CString) -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; PATH_MAX];
    // SAFETY: buf is valid for its length.
    let n = check(unsafe { libc::readlink(path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
    buf.truncate(n as usize);
    Ok(buf)
}

/// The raw syscall, not glibc's getcwd, so the kernel's answer is reported
/// unmodified (ENOENT for a removed cwd).
fn getcwd() -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; PATH_MAX];
    // SAFETY: buf is valid for its length.
    let n = check(unsafe { libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr(), buf.len()) })?;
    // The kernel's length counts the terminating NUL.
    buf.truncate((n as usize).saturating_sub(1));
    Ok(buf)
}

fn stat_path(path: &[u8], follow: bool) -> SysResult<libc::stat> {
    let path = cstring(path);
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe {
        if follow {
            libc::stat(path.as_ptr(), &mut stat)
        } else {
            libc::lstat(path.as_ptr(), &mut stat)
        }
    })?;
    Ok(stat)
}

fn fstat(fd: RawFd) -> SysResult<libc::stat> {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(fd, &mut stat) })?;
    Ok(stat)
}

// nlink_t is u64 on x86_64 but u32 on some targets.
#[allow(clippy::useless_conversion)]
fn stat_view(stat: &libc::stat, inos: &mut InoClasses) -> StatView {
    let kind = kind_of(stat.st_mode);
    StatView {
        kind,
        perm: stat.st_mode & 0o7777,
        nlink: u64::from(stat.st_nlink),
        uid: stat.st_uid,
        gid: stat.st_gid,
        size: if kind == Kind::Dir { 0 } else { stat.st_size as u64 },
        ino_class: inos.class(stat.st_ino),
    }
}

fn kind_of(mode: libc::mode_t) -> Kind {
    match mode & libc::S_IFMT {
        libc::S_IFREG => Kind::File,
        libc::S_IFDIR => Kind::Dir,
        libc::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    }
}

fn list_dir(path: &CString) -> SysResult<Vec<(Vec<u8>, Kind)>> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: valid path; the descriptor is closed below.
    let fd = check(unsafe { libc::open(path.as_ptr(), flags) })?;
    let entries = read_entries(fd);
    // SAFETY: fd is ours and closed once.
    unsafe { libc::close(fd) };
    entries
}

/// Every entry from the descriptor's current position to the end, without
/// `.` and `..`, sorted by name. Uses getdents64 directly so no library
/// buffer sits between the descriptor's position and what is reported.
fn read_entries(fd: RawFd) -> SysResult<Vec<(Vec<u8>, Kind)>> {
    let mut entries = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        // SAFETY: buf is valid for its length.
        let n = check(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })?;
        if n == 0 {
            break;
        }
        parse_dirents(&buf[..n as usize], &mut entries);
    }
    entries.retain(|(name, _)| name != b"." && name != b"..");
    entries.sort();
    Ok(entries)
}

/// Decodes `struct linux_dirent64` records: d_ino (8 bytes), d_off (8),
/// d_reclen (2), d_type (1), then the NUL-terminated name.
fn parse_dirents(mut records: &[u8], entries: &mut Vec<(Vec<u8>, Kind)>) {
    while !records.is_empty() {
        let reclen = usize::from(u16::from_ne_bytes([records[16], records[17]]));
        let kind = match records[18] {
            libc::DT_REG => Kind::File,
            libc::DT_DIR => Kind::Dir,
            libc::DT_LNK => Kind::Symlink,
            _ => Kind::Other,
        };
        let name = &records[19..reclen];
        let len = name.iter().position(|&b| b == 0).expect("d_name is NUL-terminated");
        entries.push((name[..len].to_vec(), kind));
        records = &records[reclen..];
    }
}

/// Turns a `-1`-on-error return into the errno.
fn check<T: PartialEq + From<i8>>(ret: T) -> SysResult<T> {
    if ret == T::from(-1) {
        Err(io::Error::last_os_error().raw_os_error().expect("a syscall error has an errno"))
    } else {
        Ok(ret)
    }
}

fn io_check(ret: libc::c_int) -> io::Result<()> {
    check(ret).map(drop).map_err(io::Error::from_raw_os_error)
}

/// Generated paths never contain NUL, so this cannot fail.
fn cstring(path: &[u8]) -> CString {
    CString::new(path).expect("generated paths contain no NUL byte")
}

/// Offsets and lengths above i64::MAX wrap negative, which the kernel
/// rejects with EINVAL just as it would the C caller's.
fn off(value: u64) -> libc::off_t {
    value as libc::off_t
}

fn show(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

fn done<T>(result: SysResult<T>) -> Outcome {
    result.map_or_else(Outcome::Err, |_| Outcome::Done)
}

fn num<T: TryInto<u64>>(result: SysResult<T>) -> Outcome {
    result.map_or_else(Outcome::Err, |n| {
        Outcome::Num(n.try_into().unwrap_or_else(|_| unreachable!("successful counts are non-negative")))
    })
}

fn bytes(result: SysResult<Vec<u8>>) -> Outcome {
    result.map_or_else(Outcome::Err, Outcome::Bytes)
}

fn entries(result: SysResult<Vec<(Vec<u8>, Kind)>>) -> Outcome {
    result.map_or_else(Outcome::Err, Outcome::Entries)
}
