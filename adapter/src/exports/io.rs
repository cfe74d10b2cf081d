//! Reading and writing data: fd_read, fd_pread, fd_write, fd_pwrite.
//!
//! As in wasmtime, only the first non-empty iovec of a call is used: a
//! vectored call transfers at most that buffer, and the guest's libc loops.

use alloc::vec::Vec;

use strata_vfs::file_data::{ReadSink, WriteSource};
use strata_vfs::Vfs;

use crate::abi::{errno, layout, Errno};
use crate::call::{self, file_target, host_result, ret, FileTarget, Fuel};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

/// The first iovec with a non-zero length, as (address, length); (0, 0) if
/// there is none. As in wasmtime: the array and then that buffer are
/// charged to the call's fuel (ENOMEM), and the array is read element by
/// element, each 4-aligned and in bounds or a trap.
fn first_non_empty(iovs: i32, count: i32) -> Result<(GuestPtr, u32), Errno> {
    let mut fuel = Fuel::default();
    fuel.take(count as u32 as u64 * layout::IOVEC_SIZE as u64)?;
    let base = iovs as GuestPtr;
    for index in 0..count as u32 {
        let Some(element) = index.checked_mul(layout::IOVEC_SIZE).and_then(|off| base.checked_add(off)) else {
            guest::trap()
        };
        guest::check_aligned(element, layout::IOVEC_ALIGN);
        let buf = guest::read_u32(element);
        let len = guest::read_u32(element + 4);
        if len != 0 {
            fuel.take(len as u64)?;
            return Ok((buf, len));
        }
    }
    Ok((0, 0))
}

/// Where a transfer happens in the file.
#[derive(Clone, Copy)]
enum At {
    /// At the descriptor's position, which moves past what was transferred.
    Cursor,
    Offset(u64),
}

/// Linux's `rw_verify_area`: a transfer may not reach past the largest
/// `off_t`.
fn check_span(offset: u64, len: u32) -> Result<(), Errno> {
    if len > 0 && offset.checked_add(len as u64).is_none_or(|end| end > i64::MAX as u64) {
        return Err(errno::INVAL);
    }
    Ok(())
}

/// Guest memory from `at` on, filled in order: one `memory.copy` from the
/// file's own storage per stored piece, one `memory.fill` per hole. No
/// adapter buffer in between.
struct GuestSink {
    at: GuestPtr,
}

impl ReadSink for GuestSink {
    fn bytes(&mut self, bytes: &[u8]) {
        guest::write_bytes(self.at, bytes);
        self.at += bytes.len() as u32;
    }

    fn zeros(&mut self, len: usize) {
        guest::zero(self.at, len as u32);
        self.at += len as u32;
    }
}

/// Guest memory from `at` on, copied straight into the file's storage.
struct GuestSource {
    at: GuestPtr,
}

impl WriteSource for GuestSource {
    fn fill(&mut self, into: &mut [u8]) {
        guest::read_bytes(self.at, into);
        self.at += into.len() as u32;
    }

    fn append_to(&mut self, chunk: &mut Vec<u8>, len: usize) {
        guest::read_into_spare(self.at, chunk, len);
        self.at += len as u32;
    }
}

/// Reads up to `len` bytes at `offset` into guest memory at `buf`.
fn read_into_guest(vfs: &mut Vfs, vfs_fd: i32, buf: GuestPtr, len: u32, offset: u64) -> Result<u32, Errno> {
    let got = call::vfs(vfs.pread_to(vfs_fd, offset, len as usize, &mut GuestSink { at: buf }))?;
    Ok(got as u32)
}

/// How a write lands: appended (the description is in append mode, and
/// Linux ignores any offset then) or at an offset.
#[derive(Clone, Copy)]
enum Put {
    Append,
    At(u64),
}

/// Writes `len` guest bytes at `buf` to the file.
fn write_from_guest(vfs: &mut Vfs, vfs_fd: i32, buf: GuestPtr, len: u32, put: Put) -> Result<u32, Errno> {
    let offset = match put {
        Put::Append => None,
        Put::At(offset) => Some(offset),
    };
    let put = call::vfs(vfs.write_from(vfs_fd, offset, len as usize, &mut GuestSource { at: buf }))?;
    Ok(put as u32)
}

fn read(fd: i32, iovs: i32, count: i32, at: At, out: i32) -> Result<(), Errno> {
    let (buf, len) = first_non_empty(iovs, count)?;
    let st = state();
    let (vfs_fd, file) = match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => {
            return host_result(unsafe {
                match at {
                    At::Cursor => host::fd_read(host, iovs as u32, count as u32, out as u32),
                    At::Offset(offset) => host::fd_pread(host, iovs as u32, count as u32, offset, out as u32),
                }
            })
        }
        FileTarget::File { vfs_fd, state: file } => (vfs_fd, file),
    };
    let offset = match at {
        // wasmtime takes the whole buffer before reading into it (fd_read),
        // but only the part it fills for fd_pread.
        At::Cursor => {
            guest::check_region(buf, len);
            file.position
        }
        At::Offset(offset) => offset,
    };
    check_span(offset, len)?;
    let n = read_into_guest(&mut st.vfs, vfs_fd, buf, len, offset)?;
    if let At::Cursor = at {
        file.position += n as u64;
    }
    guest::write_u32(out as GuestPtr, n);
    Ok(())
}

fn write(fd: i32, iovs: i32, count: i32, at: At, out: i32) -> Result<(), Errno> {
    let (buf, len) = first_non_empty(iovs, count)?;
    let st = state();
    let (vfs_fd, file) = match file_target(&mut st.fds, fd)? {
        FileTarget::Host(host) => {
            return host_result(unsafe {
                match at {
                    At::Cursor => host::fd_write(host, iovs as u32, count as u32, out as u32),
                    At::Offset(offset) => host::fd_pwrite(host, iovs as u32, count as u32, offset, out as u32),
                }
            })
        }
        FileTarget::File { vfs_fd, state: file } => (vfs_fd, file),
    };
    guest::check_region(buf, len);
    let put = match (file.append, at) {
        (true, _) => Put::Append,
        (false, At::Cursor) => Put::At(file.position),
        (false, At::Offset(offset)) => Put::At(offset),
    };
    if let Put::At(offset) = put {
        check_span(offset, len)?;
    }
    let n = write_from_guest(&mut st.vfs, vfs_fd, buf, len, put)?;
    if let At::Cursor = at {
        // After an append the position is the end of the file, as in
        // wasmtime (which asks the file its size).
        file.position = match put {
            Put::Append => call::vfs(st.vfs.fstat(vfs_fd))?.size,
            Put::At(offset) => offset + n as u64,
        };
    }
    guest::write_u32(out as GuestPtr, n);
    Ok(())
}

#[no_mangle]
pub extern "C" fn fd_read(fd: i32, iovs: i32, count: i32, out: i32) -> i32 {
    ret(read(fd, iovs, count, At::Cursor, out))
}

#[no_mangle]
pub extern "C" fn fd_pread(fd: i32, iovs: i32, count: i32, offset: i64, out: i32) -> i32 {
    ret(read(fd, iovs, count, At::Offset(offset as u64), out))
}

#[no_mangle]
pub extern "C" fn fd_write(fd: i32, iovs: i32, count: i32, out: i32) -> i32 {
    ret(write(fd, iovs, count, At::Cursor, out))
}

#[no_mangle]
pub extern "C" fn fd_pwrite(fd: i32, iovs: i32, count: i32, offset: i64, out: i32) -> i32 {
    ret(write(fd, iovs, count, At::Offset(offset as u64), out))
}
