//! Path functions: open, stat, times, create and remove, link, symlink,
//! readlink, rename. Paths are relative to a directory fd; see
//! [`crate::call::check_relative`] for what the sandbox refuses.

use strata_vfs::{AtFlags, OpenFlags, SetTime};

use crate::abi::{self, errno, fdflags, filetype, fstflags, layout, lookupflags, oflags, rights, Errno};
use crate::call::{dir_target, host_result, read_path, read_relative_path, ret, target, vfs, DirTarget, Fuel, Target};
use crate::fds::{Fds, FileState, Kind, Slot, Virtual};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

use super::stat::{set_times, write_filestat};

/// Mode of files and directories the guest creates, before the umask (the
/// host's defaults: 0666 and 0777).
const FILE_MODE: u32 = 0o666;
const DIR_MODE: u32 = 0o777;

fn nofollow_unless(follow: bool) -> AtFlags {
    if follow {
        AtFlags::empty()
    } else {
        AtFlags::SYMLINK_NOFOLLOW
    }
}

#[no_mangle]
pub extern "C" fn path_create_directory(fd: i32, path: i32, len: i32) -> i32 {
    let st = state();
    ret((|| match dir_target(&mut st.fds, fd)? {
        DirTarget::Host(host) => host_result(unsafe { host::path_create_directory(host, path as u32, len as u32) }),
        DirTarget::Dir(dir) => {
            read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
            vfs(st.vfs.mkdirat(dir, &st.path, DIR_MODE))
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, out: i32) -> i32 {
    let st = state();
    ret((|| {
        let flags = abi::flags32(flags, lookupflags::ALL);
        match dir_target(&mut st.fds, fd)? {
            DirTarget::Host(host) => {
                host_result(unsafe { host::path_filestat_get(host, flags, path as u32, len as u32, out as u32) })
            }
            DirTarget::Dir(dir) => {
                read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
                let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
                let stat = vfs(st.vfs.fstatat(dir, &st.path, nofollow_unless(follow)))?;
                write_filestat(out, &stat);
                Ok(())
            }
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_filestat_set_times(
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> i32 {
    let st = state();
    ret((|| {
        let flags = abi::flags32(flags, lookupflags::ALL);
        let fst = abi::flags16(fst, fstflags::ALL);
        let times = set_times(fst, atim, mtim)?;
        match dir_target(&mut st.fds, fd)? {
            DirTarget::Host(host) => host_result(unsafe {
                host::path_filestat_set_times(
                    host,
                    flags,
                    path as u32,
                    len as u32,
                    atim as u64,
                    mtim as u64,
                    fst as u32,
                )
            }),
            DirTarget::Dir(dir) => {
                read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
                let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
                if times == [SetTime::Omit, SetTime::Omit] {
                    // Linux's utimensat "must not even check the path" when
                    // both times are omitted (and strata-vfs follows it);
                    // wasmtime looks it up all the same, the whole path with
                    // SYMLINK_FOLLOW, its directory part without (found by
                    // tests/abi_fuzz.rs).
                    return omitted_times_lookup(&st.vfs, dir, &st.path, follow);
                }
                vfs(st.vfs.utimensat(dir, &st.path, times, nofollow_unless(follow)))
            }
        }
    })())
}

/// What wasmtime answers for `path_filestat_set_times` with no time to set:
/// the errors of looking up all of `path` (`follow`) or its directory part.
fn omitted_times_lookup(fs: &strata_vfs::Vfs, dir: strata_vfs::Fd, path: &[u8], follow: bool) -> Result<(), Errno> {
    vfs(if follow { fs.fstatat(dir, path, AtFlags::empty()).map(drop) } else { directory_part_lookup(fs, dir, path) })
}

/// The errors of looking up the directory `path` lies in (all of it but
/// its last component, symlinks followed): ENOENT, ENOTDIR, ELOOP; `Ok`
/// for a path of one component.
fn directory_part_lookup(fs: &strata_vfs::Vfs, dir: strata_vfs::Fd, path: &[u8]) -> strata_vfs::Result<()> {
    let Some(slash) = path.iter().rposition(|&b| b == b'/') else { return Ok(()) };
    let stat = fs.fstatat(dir, &path[..slash.max(1)], AtFlags::empty())?;
    if stat.file_type() == strata_vfs::FileType::Directory {
        Ok(())
    } else {
        Err(strata_vfs::Errno::NOTDIR)
    }
}

/// Whether `path` under `dir` names a symlink itself.
fn is_symlink(fs: &strata_vfs::Vfs, dir: strata_vfs::Fd, path: &[u8]) -> bool {
    fs.fstatat(dir, path, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|stat| stat.file_type() == strata_vfs::FileType::Symlink)
}

#[no_mangle]
pub extern "C" fn path_link(
    old_fd: i32,
    flags: i32,
    old: i32,
    old_len: i32,
    new_fd: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    let st = state();
    ret((|| {
        let flags = abi::flags32(flags, lookupflags::ALL);
        let from = dir_target(&mut st.fds, old_fd)?;
        let to = dir_target(&mut st.fds, new_fd)?;
        match (from, to) {
            (DirTarget::Host(from), DirTarget::Host(to)) => host_result(unsafe {
                host::path_link(from, flags, old as u32, old_len as u32, to, new as u32, new_len as u32)
            }),
            (DirTarget::Dir(from), DirTarget::Dir(to)) => {
                let mut fuel = Fuel::default();
                read_relative_path(old, old_len, &mut st.path, &mut fuel)?;
                read_relative_path(new, new_len, &mut st.path2, &mut fuel)?;
                if flags & lookupflags::SYMLINK_FOLLOW != 0 {
                    return Err(errno::INVAL);
                }
                // wasmtime opens both paths' directories before it looks at
                // either final component; Linux looks all of the old path
                // up first. So a missing old file with a broken new
                // directory is the directory's error, as under wasmtime
                // (found by tests/abi_fuzz.rs).
                vfs(directory_part_lookup(&st.vfs, from, &st.path))?;
                vfs(directory_part_lookup(&st.vfs, to, &st.path2))?;
                vfs(st.vfs.linkat(from, &st.path, to, &st.path2, AtFlags::empty()))
            }
            (from, to) => mixed(from, to),
        }
    })())
}

/// A link or rename between a host fd and a virtual directory: EBADF if the
/// host fd is not a directory (what wasmtime says for stdio), else EXDEV,
/// for they are different filesystems.
fn mixed(from: DirTarget, to: DirTarget) -> Result<(), Errno> {
    let host = match (from, to) {
        (DirTarget::Host(host), _) | (_, DirTarget::Host(host)) => host,
        _ => return Err(errno::XDEV),
    };
    let is_dir = guest::with_scratch(layout::FDSTAT_SIZE as usize, |scratch| {
        let code = unsafe { host::fd_fdstat_get(host, scratch) };
        code == 0 && guest::read_u8(scratch) == filetype::DIRECTORY
    });
    if is_dir == Some(true) {
        Err(errno::XDEV)
    } else {
        Err(errno::BADF)
    }
}

#[no_mangle]
pub extern "C" fn path_rename(old_fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32) -> i32 {
    let st = state();
    ret((|| {
        let from = dir_target(&mut st.fds, old_fd)?;
        let to = dir_target(&mut st.fds, new_fd)?;
        match (from, to) {
            (DirTarget::Host(from), DirTarget::Host(to)) => host_result(unsafe {
                host::path_rename(from, old as u32, old_len as u32, to, new as u32, new_len as u32)
            }),
            (DirTarget::Dir(from), DirTarget::Dir(to)) => {
                let mut fuel = Fuel::default();
                read_relative_path(old, old_len, &mut st.path, &mut fuel)?;
                read_relative_path(new, new_len, &mut st.path2, &mut fuel)?;
                vfs(st.vfs.renameat(from, &st.path, to, &st.path2))
            }
            (from, to) => mixed(from, to),
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_symlink(old: i32, old_len: i32, fd: i32, new: i32, new_len: i32) -> i32 {
    let st = state();
    ret((|| match dir_target(&mut st.fds, fd)? {
        DirTarget::Host(host) => {
            host_result(unsafe { host::path_symlink(old as u32, old_len as u32, host, new as u32, new_len as u32) })
        }
        DirTarget::Dir(dir) => {
            let mut fuel = Fuel::default();
            read_path(old, old_len, &mut st.path, &mut fuel)?;
            if st.path.contains(&0) {
                return Err(errno::INVAL);
            }
            read_relative_path(new, new_len, &mut st.path2, &mut fuel)?;
            // The WASI testsuite requires it, and wasmtime's sandbox (cap-std)
            // refuses a target that would point outside it. Absolute
            // symlinks packed in an image still resolve in the namespace.
            if st.path.first() == Some(&b'/') {
                return Err(errno::PERM);
            }
            vfs(st.vfs.symlinkat(&st.path, dir, &st.path2))
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, out: i32) -> i32 {
    let st = state();
    ret((|| match dir_target(&mut st.fds, fd)? {
        DirTarget::Host(host) => host_result(unsafe {
            host::path_readlink(host, path as u32, len as u32, buf as u32, buf_len as u32, out as u32)
        }),
        DirTarget::Dir(dir) => {
            read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
            st.buffer.resize(strata_vfs::resolve::PATH_MAX + 1, 0);
            let n = vfs(st.vfs.readlinkat(dir, &st.path, &mut st.buffer))?;
            let n = n.min(buf_len as u32 as usize);
            guest::write_bytes(buf as GuestPtr, &st.buffer[..n]);
            guest::write_u32(out as GuestPtr, n as u32);
            Ok(())
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_remove_directory(fd: i32, path: i32, len: i32) -> i32 {
    let st = state();
    ret((|| match dir_target(&mut st.fds, fd)? {
        DirTarget::Host(host) => host_result(unsafe { host::path_remove_directory(host, path as u32, len as u32) }),
        DirTarget::Dir(dir) => {
            read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
            vfs(st.vfs.unlinkat(dir, &st.path, AtFlags::REMOVEDIR))
        }
    })())
}

#[no_mangle]
pub extern "C" fn path_unlink_file(fd: i32, path: i32, len: i32) -> i32 {
    let st = state();
    ret((|| match dir_target(&mut st.fds, fd)? {
        DirTarget::Host(host) => host_result(unsafe { host::path_unlink_file(host, path as u32, len as u32) }),
        DirTarget::Dir(dir) => {
            read_relative_path(path, len, &mut st.path, &mut Fuel::default())?;
            vfs(st.vfs.unlinkat(dir, &st.path, AtFlags::empty()))
        }
    })())
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn path_open(
    fd: i32,
    dirflags: i32,
    path: i32,
    len: i32,
    oflags_arg: i32,
    base: i64,
    inheriting: i64,
    fdflags_arg: i32,
    out: i32,
) -> i32 {
    ret((|| {
        let dirflags = abi::flags32(dirflags, lookupflags::ALL);
        let oflags = abi::flags16(oflags_arg, oflags::ALL);
        let base = abi::rights(base);
        let inheriting = abi::rights(inheriting);
        let fdflags = abi::flags16(fdflags_arg, fdflags::ALL);
        let st = state();
        read_path(path, len, &mut st.path, &mut Fuel::default())?;
        let dir = match target(&mut st.fds, fd)? {
            Target::Host(host) => {
                return open_on_host(&mut st.fds, host, dirflags, path, len, oflags, base, inheriting, fdflags, out)
            }
            Target::File { .. } => return Err(errno::NOTDIR),
            Target::Dir { vfs_fd, .. } => vfs_fd,
        };
        if fdflags & (fdflags::SYNC | fdflags::DSYNC | fdflags::RSYNC) != 0 {
            return Err(errno::NOTSUP);
        }
        if oflags & oflags::DIRECTORY != 0 && oflags & (oflags::CREAT | oflags::EXCL | oflags::TRUNC) != 0 {
            return Err(errno::INVAL);
        }
        crate::call::check_relative(&st.path)?;
        // wasmtime's open: creating or truncating opens for writing; reading
        // is asked for by the right, or implied when the write right is not.
        let write_right = base & rights::FD_WRITE != 0;
        let writable = write_right || oflags & (oflags::CREAT | oflags::TRUNC) != 0;
        let readable = base & rights::FD_READ != 0 || !write_right;
        let mut flags = match (readable, writable) {
            (true, true) => OpenFlags::RDWR,
            (false, true) => OpenFlags::WRONLY,
            _ => OpenFlags::RDONLY,
        };
        if oflags & oflags::CREAT != 0 {
            flags |= OpenFlags::CREAT;
            if oflags & oflags::EXCL != 0 {
                flags |= OpenFlags::EXCL;
            }
        }
        if oflags & oflags::TRUNC != 0 {
            flags |= OpenFlags::TRUNC;
        }
        if oflags & oflags::DIRECTORY != 0 {
            flags |= OpenFlags::DIRECTORY;
        }
        if dirflags & lookupflags::SYMLINK_FOLLOW == 0 {
            flags |= OpenFlags::NOFOLLOW;
        }
        let append = fdflags & fdflags::APPEND != 0;
        if append {
            flags |= OpenFlags::APPEND;
        }
        let vfs_fd = match st.vfs.openat(dir, &st.path, flags, FILE_MODE) {
            // Linux says ENOTDIR for O_NOFOLLOW|O_DIRECTORY on a symlink;
            // wasmtime says ELOOP, as for O_NOFOLLOW alone (found by
            // tests/abi_fuzz.rs).
            Err(strata_vfs::Errno::NOTDIR)
                if flags.contains(OpenFlags::NOFOLLOW | OpenFlags::DIRECTORY) && is_symlink(&st.vfs, dir, &st.path) =>
            {
                return Err(errno::LOOP)
            }
            // The adapter's own descriptor limit (`state::VFS_FD_LIMIT`):
            // preview1's EMFILE says just that. (wasmtime, whose table has
            // no limit, says EIO when the host runs out of descriptors.)
            Err(strata_vfs::Errno::MFILE) => return Err(errno::MFILE),
            result => vfs(result)?,
        };
        let is_dir = match st.vfs.fstat(vfs_fd) {
            Ok(stat) => stat.file_type() == strata_vfs::FileType::Directory,
            Err(e) => {
                let _ = st.vfs.close(vfs_fd);
                return vfs(Err(e));
            }
        };
        let kind = if is_dir {
            Kind::Dir { preopen: None }
        } else {
            Kind::File(FileState {
                readable,
                writable,
                append,
                nonblock: fdflags & fdflags::NONBLOCK != 0,
                position: 0,
            })
        };
        let guest_fd = match st.fds.push(Slot::Virtual(Virtual { vfs_fd, kind })) {
            Ok(guest_fd) => guest_fd,
            Err(e) => {
                let _ = st.vfs.close(vfs_fd);
                return Err(e);
            }
        };
        guest::write_u32(out as GuestPtr, guest_fd);
        Ok(())
    })())
}

/// path_open beneath a host directory: the host opens, and the new host fd
/// gets a guest number of its own.
#[allow(clippy::too_many_arguments)]
fn open_on_host(
    fds: &mut Fds,
    host: u32,
    dirflags: u32,
    path: i32,
    len: i32,
    oflags: u16,
    base: u64,
    inheriting: u64,
    fdflags: u16,
    out: i32,
) -> Result<(), Errno> {
    host_result(unsafe {
        host::path_open(
            host,
            dirflags,
            path as u32,
            len as u32,
            oflags as u32,
            base,
            inheriting,
            fdflags as u32,
            out as u32,
        )
    })?;
    let opened = guest::read_u32(out as GuestPtr);
    let guest_fd = fds.push(Slot::Host(opened))?;
    guest::write_u32(out as GuestPtr, guest_fd);
    Ok(())
}
