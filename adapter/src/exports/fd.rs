//! Descriptor-level functions: close, renumber, fdstat, filestat, sizes,
//! times, advice, sync, seek and tell, prestat.

use crate::abi::{self, errno, fdflags, fstflags, layout, rights, whence, Errno, ADVICE_COUNT};
use crate::call::{file_target, host_result, ret, target, vfs, FileTarget, Target};
use crate::fds::Slot;
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::{state, State};

use super::stat::{set_times, write_filestat};

/// Closes guest `fd`, whatever it stands for.
pub(crate) fn close(st: &mut State, fd: i32) -> Result<(), Errno> {
    match st.fds.remove(fd).ok_or(errno::BADF)? {
        Slot::Host(host) => host_result(unsafe { host::fd_close(host) }),
        Slot::Virtual(v) => {
            // The description can not fail to close; its fd was valid.
            let _ = st.vfs.close(v.vfs_fd);
            Ok(())
        }
    }
}

#[no_mangle]
pub extern "C" fn fd_close(fd: i32) -> i32 {
    ret(close(state(), fd))
}

#[no_mangle]
pub extern "C" fn fd_renumber(from: i32, to: i32) -> i32 {
    let st = state();
    ret((|| {
        if st.fds.get(from).is_none() || st.fds.get(to).is_none() {
            return Err(errno::BADF);
        }
        if from == to {
            return Ok(());
        }
        close(st, to)?;
        st.fds.renumber(from, to);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn fd_fdstat_get(fd: i32, out: i32) -> i32 {
    let st = state();
    ret((|| {
        let (filetype, flags, base, inheriting) = match target(&mut st.fds, fd)? {
            Target::Host(host) => return host_result(unsafe { host::fd_fdstat_get(host, out as u32) }),
            Target::Dir { preopen: Some(_), .. } => {
                (abi::filetype::DIRECTORY, 0, rights::PREOPEN_BASE, rights::PREOPEN_INHERITING)
            }
            Target::Dir { preopen: None, .. } => {
                // Directories are only ever open for reading.
                let base = rights::ALL
                    & !(rights::FD_SEEK
                        | rights::FD_FILESTAT_SET_SIZE
                        | rights::PATH_FILESTAT_SET_SIZE
                        | rights::FD_WRITE);
                (abi::filetype::DIRECTORY, 0, base, base)
            }
            Target::File { state: file, .. } => {
                let mut base = rights::ALL;
                if !file.readable {
                    base &= !(rights::FD_READ | rights::FD_READDIR);
                }
                if !file.writable {
                    base &= !rights::FD_WRITE;
                }
                let mut flags = 0;
                if file.append {
                    flags |= fdflags::APPEND;
                }
                if file.nonblock {
                    flags |= fdflags::NONBLOCK;
                }
                (abi::filetype::REGULAR_FILE, flags, base, base)
            }
        };
        let out = out as GuestPtr;
        guest::check_aligned(out, layout::FDSTAT_ALIGN);
        let mut bytes = [0u8; layout::FDSTAT_SIZE as usize];
        bytes[0] = filetype;
        bytes[2..4].copy_from_slice(&flags.to_le_bytes());
        bytes[8..16].copy_from_slice(&base.to_le_bytes());
        bytes[16..24].copy_from_slice(&inheriting.to_le_bytes());
        guest::write_bytes(out, &bytes);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn fd_fdstat_set_flags(fd: i32, flags: i32) -> i32 {
    let st = state();
    ret((|| {
        let flags = abi::flags16(flags, fdflags::ALL);
        match target(&mut st.fds, fd)? {
            Target::Host(host) => host_result(unsafe { host::fd_fdstat_set_flags(host, flags as u32) }),
            Target::Dir { .. } => Err(errno::BADF),
            Target::File { vfs_fd, state: file } => {
                if flags & (fdflags::DSYNC | fdflags::SYNC | fdflags::RSYNC) != 0 {
                    return Err(errno::INVAL);
                }
                let append = flags & fdflags::APPEND != 0;
                let mut status = vfs(st.vfs.status_flags(vfs_fd))?;
                status.set(strata_vfs::OpenFlags::APPEND, append);
                vfs(st.vfs.set_status_flags(vfs_fd, status))?;
                file.append = append;
                file.nonblock = flags & fdflags::NONBLOCK != 0;
                Ok(())
            }
        }
    })())
}

/// wasmtime no longer tracks rights: for any descriptor but stdio this is
/// ENOTSUP, and so it is here.
#[no_mangle]
pub extern "C" fn fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64) -> i32 {
    let st = state();
    ret((|| {
        let base = abi::rights(base);
        let inheriting = abi::rights(inheriting);
        match target(&mut st.fds, fd)? {
            Target::Host(host) => host_result(unsafe { host::fd_fdstat_set_rights(host, base, inheriting) }),
            _ => Err(errno::NOTSUP),
        }
    })())
}

#[no_mangle]
pub extern "C" fn fd_filestat_get(fd: i32, out: i32) -> i32 {
    let st = state();
    ret((|| {
        let vfs_fd = match target(&mut st.fds, fd)? {
            Target::Host(host) => return host_result(unsafe { host::fd_filestat_get(host, out as u32) }),
            Target::Dir { vfs_fd, .. } | Target::File { vfs_fd, .. } => vfs_fd,
        };
        let stat = vfs(st.vfs.fstat(vfs_fd))?;
        write_filestat(out, &stat);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn fd_filestat_set_size(fd: i32, size: i64) -> i32 {
    let st = state();
    ret((|| match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => host_result(unsafe { host::fd_filestat_set_size(host, size as u64) }),
        FileTarget::File { vfs_fd, .. } => vfs(st.vfs.ftruncate(vfs_fd, size as u64)),
    })())
}

#[no_mangle]
pub extern "C" fn fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32) -> i32 {
    let st = state();
    ret((|| {
        let flags = abi::flags16(flags, fstflags::ALL);
        let times = set_times(flags, atim, mtim)?;
        match target(&mut st.fds, fd)? {
            Target::Host(host) => {
                host_result(unsafe { host::fd_filestat_set_times(host, atim as u64, mtim as u64, flags as u32) })
            }
            Target::Dir { vfs_fd, .. } | Target::File { vfs_fd, .. } => vfs(st.vfs.futimens(vfs_fd, times)),
        }
    })())
}

#[no_mangle]
pub extern "C" fn fd_advise(fd: i32, offset: i64, len: i64, advice: i32) -> i32 {
    let st = state();
    ret((|| {
        let advice = abi::enum8(advice, ADVICE_COUNT);
        match file_target(&mut st.fds, fd)? {
            FileTarget::Host(host) => {
                host_result(unsafe { host::fd_advise(host, offset as u64, len as u64, advice as u32) })
            }
            // Memory has no read-ahead; wasmtime's host accepts any range.
            FileTarget::File { .. } => Ok(()),
        }
    })())
}

/// wasmtime answers ENOTSUP for any file.
#[no_mangle]
pub extern "C" fn fd_allocate(fd: i32, offset: i64, len: i64) -> i32 {
    let st = state();
    ret((|| match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => host_result(unsafe { host::fd_allocate(host, offset as u64, len as u64) }),
        FileTarget::File { .. } => Err(errno::NOTSUP),
    })())
}

#[no_mangle]
pub extern "C" fn fd_datasync(fd: i32) -> i32 {
    let st = state();
    ret((|| match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => host_result(unsafe { host::fd_datasync(host) }),
        FileTarget::File { vfs_fd, .. } => vfs(st.vfs.fdatasync(vfs_fd)),
    })())
}

#[no_mangle]
pub extern "C" fn fd_sync(fd: i32) -> i32 {
    let st = state();
    ret((|| match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => host_result(unsafe { host::fd_sync(host) }),
        FileTarget::File { vfs_fd, .. } => vfs(st.vfs.fsync(vfs_fd)),
    })())
}

#[no_mangle]
pub extern "C" fn fd_seek(fd: i32, offset: i64, whence_arg: i32, out: i32) -> i32 {
    let st = state();
    ret((|| {
        let whence_value = abi::enum8(whence_arg, 3);
        let (vfs_fd, file) = match file_target(&mut st.fds, fd)? {
            FileTarget::Host(host) => {
                return host_result(unsafe { host::fd_seek(host, offset, whence_value as u32, out as u32) })
            }
            FileTarget::File { vfs_fd, state: file } => (vfs_fd, file),
        };
        let position = match whence_value {
            whence::SET if offset >= 0 => offset as u64,
            whence::SET => return Err(errno::INVAL),
            whence::CUR => file.position.checked_add_signed(offset).ok_or(errno::INVAL)?,
            _ => vfs(st.vfs.fstat(vfs_fd))?.size.checked_add_signed(offset).ok_or(errno::INVAL)?,
        };
        file.position = position;
        guest::write_u64(out as GuestPtr, position);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn fd_tell(fd: i32, out: i32) -> i32 {
    let st = state();
    ret((|| match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => host_result(unsafe { host::fd_tell(host, out as u32) }),
        FileTarget::File { state: file, .. } => {
            guest::write_u64(out as GuestPtr, file.position);
            Ok(())
        }
    })())
}

#[no_mangle]
pub extern "C" fn fd_prestat_get(fd: i32, out: i32) -> i32 {
    let st = state();
    ret((|| match target(&mut st.fds, fd)? {
        Target::Host(host) => host_result(unsafe { host::fd_prestat_get(host, out as u32) }),
        Target::Dir { preopen: Some(name), .. } => {
            let out = out as GuestPtr;
            guest::check_aligned(out, layout::PRESTAT_ALIGN);
            let mut bytes = [0u8; layout::PRESTAT_SIZE as usize];
            bytes[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
            guest::write_bytes(out, &bytes);
            Ok(())
        }
        _ => Err(errno::BADF),
    })())
}

#[no_mangle]
pub extern "C" fn fd_prestat_dir_name(fd: i32, path: i32, len: i32) -> i32 {
    let st = state();
    ret((|| match target(&mut st.fds, fd)? {
        Target::Host(host) => host_result(unsafe { host::fd_prestat_dir_name(host, path as u32, len as u32) }),
        Target::Dir { preopen: Some(name), .. } => {
            if name.len() > len as u32 as usize {
                return Err(errno::NAMETOOLONG);
            }
            guest::write_bytes(path as GuestPtr, name);
            Ok(())
        }
        _ => Err(errno::NOTDIR),
    })())
}
