//! poll_oneoff: the adapter's files are always ready; clocks and the host's
//! descriptors are the host's to wait for.
//!
//! When any subscription is on a virtual file, the call returns at once with
//! an event for each of those (as wasmtime's host returns at once for a
//! regular file). Otherwise the whole call goes to the host, with each fd
//! in the subscriptions rewritten to its host number for the duration of
//! the call and put back afterwards.

use alloc::vec::Vec;

use strata_vfs::Whence;

use crate::abi::{errno, eventtype, layout, Errno, EVENT_HANGUP};
use crate::call::{ret, vfs};
use crate::fds::{Kind, Slot};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

/// One fd subscription, read from the guest.
struct FdSubscription {
    /// Where its fd field is in guest memory.
    fd_field: GuestPtr,
    guest_fd: u32,
    host_fd: Option<u32>,
}

#[no_mangle]
pub extern "C" fn poll_oneoff(subs: i32, events: i32, count: i32, out: i32) -> i32 {
    ret(poll(subs as GuestPtr, events as GuestPtr, count as u32, out as GuestPtr))
}

fn poll(subs: GuestPtr, events: GuestPtr, count: u32, out: GuestPtr) -> Result<(), Errno> {
    if count == 0 {
        return Err(errno::INVAL);
    }
    let st = state();
    let mut fd_subscriptions = Vec::new();
    let mut ready = Vec::new();
    for index in 0..count {
        let sub = subs.checked_add(index.checked_mul(layout::SUBSCRIPTION_SIZE).unwrap_or(u32::MAX)).unwrap_or(u32::MAX);
        guest::check_aligned(sub, layout::SUBSCRIPTION_ALIGN);
        let tag = guest::read_u8(sub + layout::SUBSCRIPTION_TAG);
        match tag {
            eventtype::CLOCK => {}
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd_field = sub + layout::SUBSCRIPTION_FD;
                let guest_fd = guest::read_u32(fd_field);
                match st.fds.get(guest_fd as i32).ok_or(errno::BADF)? {
                    Slot::Host(host) => fd_subscriptions.push(FdSubscription { fd_field, guest_fd, host_fd: Some(*host) }),
                    Slot::Virtual(v) => match &v.kind {
                        Kind::Dir { .. } => return Err(errno::BADF),
                        Kind::File(_) => {
                            fd_subscriptions.push(FdSubscription { fd_field, guest_fd, host_fd: None });
                            ready.push((sub, tag, v.vfs_fd));
                        }
                    },
                }
            }
            _ => return Err(errno::INVAL),
        }
    }
    if ready.is_empty() {
        return forward(subs, events, count, out, &fd_subscriptions);
    }
    guest::check_aligned(events, layout::EVENT_ALIGN);
    for (slot, &(sub, tag, vfs_fd)) in ready.iter().enumerate() {
        // wasmtime reports one byte either way, and a hangup when a
        // reader is at or past the end.
        let mut flags = 0u16;
        if tag == eventtype::FD_READ {
            let size = vfs(st.vfs.fstat(vfs_fd))?.size;
            let position = vfs(st.vfs.lseek(vfs_fd, 0, Whence::Cur))?;
            if size <= position {
                flags = EVENT_HANGUP;
            }
        }
        let mut event = [0u8; layout::EVENT_SIZE as usize];
        event[0..8].copy_from_slice(&guest::read_u64(sub).to_le_bytes());
        event[10] = tag;
        event[16..24].copy_from_slice(&1u64.to_le_bytes());
        event[24..26].copy_from_slice(&flags.to_le_bytes());
        guest::write_bytes(events + slot as u32 * layout::EVENT_SIZE, &event);
    }
    guest::write_u32(out, ready.len() as u32);
    Ok(())
}

/// Hands the call to the host with host fd numbers in the subscriptions,
/// then restores the guest's numbers.
fn forward(subs: GuestPtr, events: GuestPtr, count: u32, out: GuestPtr, fd_subs: &[FdSubscription]) -> Result<(), Errno> {
    for sub in fd_subs {
        if let Some(host) = sub.host_fd {
            guest::write_u32(sub.fd_field, host);
        }
    }
    let code = unsafe { host::poll_oneoff(subs, events, count, out) };
    for sub in fd_subs {
        guest::write_u32(sub.fd_field, sub.guest_fd);
    }
    crate::call::host_result(code)
}
