//! Sockets: the adapter's files are not sockets (ENOTSOCK); calls on the
//! host's descriptors go to the host, and an accepted connection gets a
//! guest number.

use crate::abi::{self, errno, fdflags, Errno, RIFLAGS_ALL, SDFLAGS_ALL};
use crate::call::{host_result, ret, target, Target};
use crate::fds::Slot;
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

/// The host fd behind guest `fd`: EBADF for none, ENOTSOCK for the
/// adapter's own descriptors.
fn host_socket(fd: i32) -> Result<u32, Errno> {
    match target(&mut state().fds, fd)? {
        Target::Host(host) => Ok(host),
        _ => Err(errno::NOTSOCK),
    }
}

#[no_mangle]
pub extern "C" fn sock_accept(fd: i32, flags: i32, out: i32) -> i32 {
    ret((|| {
        let flags = abi::flags16(flags, fdflags::ALL);
        let host = host_socket(fd)?;
        host_result(unsafe { host::sock_accept(host, flags as u32, out as u32) })?;
        let accepted = guest::read_u32(out as GuestPtr);
        let guest_fd = state().fds.push(Slot::Host(accepted))?;
        guest::write_u32(out as GuestPtr, guest_fd);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn sock_recv(fd: i32, iovs: i32, len: i32, flags: i32, out_len: i32, out_flags: i32) -> i32 {
    ret((|| {
        let flags = abi::flags16(flags, RIFLAGS_ALL);
        let host = host_socket(fd)?;
        host_result(unsafe {
            host::sock_recv(host, iovs as u32, len as u32, flags as u32, out_len as u32, out_flags as u32)
        })
    })())
}

#[no_mangle]
pub extern "C" fn sock_send(fd: i32, iovs: i32, len: i32, flags: i32, out: i32) -> i32 {
    ret((|| {
        // `siflags` is a plain u16, not a flags type: any value that fits.
        let flags = abi::flags16(flags, u16::MAX);
        let host = host_socket(fd)?;
        host_result(unsafe { host::sock_send(host, iovs as u32, len as u32, flags as u32, out as u32) })
    })())
}

#[no_mangle]
pub extern "C" fn sock_shutdown(fd: i32, how: i32) -> i32 {
    ret((|| {
        let how = abi::flags8(how, SDFLAGS_ALL);
        let host = host_socket(fd)?;
        host_result(unsafe { host::sock_shutdown(host, how as u32) })
    })())
}
