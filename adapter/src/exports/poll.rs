//! poll_oneoff: the adapter's files are always ready; clocks and the host's
//! descriptors are the host's to wait for.
//!
//! With no subscription on a virtual file, the whole call goes to the host,
//! each fd rewritten to its host number for the call and put back after.
//! With one or more, the call returns at once (wasmtime's host returns at
//! once for a regular file too): an event for each virtual file, plus
//! those of the host's descriptors that are ready now, which the host tells
//! in a poll that does not wait. Events come in subscription order.

use alloc::vec::Vec;

use crate::abi::{errno, eventtype, layout, Errno, EVENT_HANGUP};
use crate::call::{host_result, ret, vfs, Fuel};
use crate::fds::{Kind, Slot};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

/// `clockid::monotonic`, for the host poll that must not wait.
const CLOCK_MONOTONIC: u32 = 1;
/// Marks that clock's event.
const NO_WAIT_USERDATA: u64 = u64::MAX;

const SUB: usize = layout::SUBSCRIPTION_SIZE as usize;
const EVENT: usize = layout::EVENT_SIZE as usize;

/// What one subscription is on.
enum On {
    Clock,
    Host { host_fd: u32 },
    Virtual { vfs_fd: i32, position: u64 },
}

struct Subscription {
    at: GuestPtr,
    tag: u8,
    on: On,
}

#[no_mangle]
pub extern "C" fn poll_oneoff(subs: i32, events: i32, count: i32, out: i32) -> i32 {
    ret(poll(subs as GuestPtr, events as GuestPtr, count as u32, out as GuestPtr))
}

fn poll(subs: GuestPtr, events: GuestPtr, count: u32, out: GuestPtr) -> Result<(), Errno> {
    if count == 0 {
        return Err(errno::INVAL);
    }
    if count > 1 {
        let mut fuel = Fuel::default();
        fuel.take(count as u64 * layout::SUBSCRIPTION_SIZE as u64)?;
        fuel.take(count as u64 * layout::EVENT_SIZE as u64)?;
    }
    let list = read_subscriptions(subs, count)?;
    if !list.iter().any(|sub| matches!(sub.on, On::Virtual { .. })) {
        return forward(subs, events, count, out, &list);
    }
    let host_ready = host_ready_now(subs, events, out, &list)?;
    guest::check_aligned(events, layout::EVENT_ALIGN);
    let st = state();
    let mut written = 0u32;
    for (index, sub) in list.iter().enumerate() {
        let event = match sub.on {
            On::Clock => continue,
            On::Host { .. } => match host_ready.iter().find(|(i, _)| *i == index) {
                Some((_, event)) => *event,
                None => continue,
            },
            On::Virtual { vfs_fd, position } => {
                // wasmtime reports one byte either way, and a hangup to a
                // reader at or past the end.
                let mut flags = 0u16;
                if sub.tag == eventtype::FD_READ && vfs(st.vfs.fstat(vfs_fd))?.size <= position {
                    flags = EVENT_HANGUP;
                }
                let mut event = [0u8; EVENT];
                event[0..8].copy_from_slice(&guest::read_u64(sub.at).to_le_bytes());
                event[10] = sub.tag;
                event[16..24].copy_from_slice(&1u64.to_le_bytes());
                event[24..26].copy_from_slice(&flags.to_le_bytes());
                event
            }
        };
        guest::write_bytes(events + written * layout::EVENT_SIZE, &event);
        written += 1;
    }
    guest::write_u32(out, written);
    Ok(())
}

/// Reads and classifies the subscriptions as wasmtime does: an unknown fd
/// or a directory is EBADF, an unknown tag EINVAL.
fn read_subscriptions(subs: GuestPtr, count: u32) -> Result<Vec<Subscription>, Errno> {
    let st = state();
    let mut list = Vec::new();
    for index in 0..count {
        let Some(at) = index.checked_mul(layout::SUBSCRIPTION_SIZE).and_then(|off| subs.checked_add(off)) else {
            guest::trap()
        };
        guest::check_aligned(at, layout::SUBSCRIPTION_ALIGN);
        // The whole subscription lies in memory before a field is read, as
        // wasmtime reads it; so `at + offset` below can not wrap around to
        // the start of memory (found by fuzz/ adapter_abi).
        guest::check_region(at, layout::SUBSCRIPTION_SIZE);
        let tag = guest::read_u8(at + layout::SUBSCRIPTION_TAG);
        let on = match tag {
            eventtype::CLOCK => On::Clock,
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let guest_fd = guest::read_u32(at + layout::SUBSCRIPTION_FD);
                match st.fds.get(guest_fd as i32).ok_or(errno::BADF)? {
                    Slot::Host(host_fd) => On::Host { host_fd: *host_fd },
                    Slot::Virtual(v) => match &v.kind {
                        Kind::Dir { .. } => return Err(errno::BADF),
                        Kind::File(file) => On::Virtual { vfs_fd: v.vfs_fd, position: file.position },
                    },
                }
            }
            _ => return Err(errno::INVAL),
        };
        list.push(Subscription { at, tag, on });
    }
    Ok(list)
}

/// Hands the call to the host with host fd numbers in the subscriptions,
/// then puts the guest's numbers back.
fn forward(subs: GuestPtr, events: GuestPtr, count: u32, out: GuestPtr, list: &[Subscription]) -> Result<(), Errno> {
    let fd_field = |sub: &Subscription| sub.at + layout::SUBSCRIPTION_FD;
    let mut saved = Vec::new();
    for sub in list {
        if let On::Host { host_fd } = sub.on {
            saved.push((fd_field(sub), guest::read_u32(fd_field(sub))));
            guest::write_u32(fd_field(sub), host_fd);
        }
    }
    let code = unsafe { host::poll_oneoff(subs, events, count, out) };
    for (field, guest_fd) in saved {
        guest::write_u32(field, guest_fd);
    }
    host_result(code)
}

/// Which host-fd subscriptions are ready now, with their events (the
/// guest's userdata restored), by subscription index. The guest's own
/// subscription array holds the host's for the call: the host-fd
/// subscriptions, renumbered, then a clock that expires at once, so the
/// host does not wait. The array is put back afterwards.
fn host_ready_now(
    subs: GuestPtr,
    events: GuestPtr,
    out: GuestPtr,
    list: &[Subscription],
) -> Result<Vec<(usize, [u8; EVENT])>, Errno> {
    let on_host: Vec<(usize, u32)> = list
        .iter()
        .enumerate()
        .filter_map(|(index, sub)| match sub.on {
            On::Host { host_fd } => Some((index, host_fd)),
            _ => None,
        })
        .collect();
    if on_host.is_empty() {
        return Ok(Vec::new());
    }
    // There is at least one virtual subscription, so the array has room
    // for the host's subscriptions and the clock.
    let mut saved = alloc::vec![0u8; list.len() * SUB];
    guest::read_bytes(subs, &mut saved);
    for (slot, &(index, host_fd)) in on_host.iter().enumerate() {
        let mut sub = [0u8; SUB];
        sub.copy_from_slice(&saved[index * SUB..(index + 1) * SUB]);
        sub[0..8].copy_from_slice(&(slot as u64).to_le_bytes());
        sub[16..20].copy_from_slice(&host_fd.to_le_bytes());
        guest::write_bytes(subs + (slot * SUB) as u32, &sub);
    }
    let mut clock = [0u8; SUB];
    clock[0..8].copy_from_slice(&NO_WAIT_USERDATA.to_le_bytes());
    clock[8] = eventtype::CLOCK;
    clock[16..20].copy_from_slice(&CLOCK_MONOTONIC.to_le_bytes());
    guest::write_bytes(subs + (on_host.len() * SUB) as u32, &clock);
    let code = unsafe { host::poll_oneoff(subs, events, on_host.len() as u32 + 1, out) };
    guest::write_bytes(subs, &saved);
    host_result(code)?;
    let mut ready = Vec::new();
    for n in 0..guest::read_u32(out) {
        let mut event = [0u8; EVENT];
        guest::read_bytes(events + n * layout::EVENT_SIZE, &mut event);
        let slot = u64::from_le_bytes(event[0..8].try_into().unwrap_or_default());
        let Some(&(index, _)) = on_host.get(slot as usize) else {
            continue;
        };
        let userdata = &saved[index * SUB..index * SUB + 8];
        event[0..8].copy_from_slice(userdata);
        ready.push((index, event));
    }
    Ok(ready)
}
