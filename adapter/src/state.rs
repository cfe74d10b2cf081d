//! The adapter's one piece of global state, built on the guest's first
//! preview1 call: the filesystem (the packed image under a memory layer),
//! the descriptor table and the preopens.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use strata_vfs::image::Image;
use strata_vfs::{Clock, MountOptions, OpenFlags, Timespec, Vfs};

use crate::abi::{errno, CLOCK_REALTIME};
use crate::fds::{Fds, Kind, Slot, Virtual};
use crate::{guest, host};

pub struct State {
    pub vfs: Vfs,
    pub fds: Fds,
    /// Reused for path arguments, so a path costs no allocation.
    pub path: Vec<u8>,
    pub path2: Vec<u8>,
    /// Reused for data on its way between guest memory and the filesystem.
    pub buffer: Vec<u8>,
}

struct Global(UnsafeCell<Option<State>>);

// SAFETY: a wasm instance runs one thread (the fuser refuses shared
// memories), and no export calls back into the guest while it holds the
// state, so there is never more than one reference at a time.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(None));

/// The state, built on first use.
pub fn state() -> &'static mut State {
    // SAFETY: see `Global`.
    let slot = unsafe { &mut *STATE.0.get() };
    slot.get_or_insert_with(State::new)
}

/// Descriptors the filesystem may hold open at once; the guest's own
/// table is unbounded, as wasmtime's is.
const VFS_FD_LIMIT: u32 = 1 << 20;

impl State {
    fn new() -> State {
        let clock: Box<dyn Clock> = Box::new(HostClock);
        // The fuser validated the image before embedding it; a failure here
        // means the module was tampered with.
        let image = guest::image().map(|bytes| Image::open(bytes).unwrap_or_else(|_| guest::trap()));
        let mut vfs = match image {
            Some(image) => Vfs::with_image(clock, image, MountOptions::default()),
            None => Vfs::new(clock),
        };
        vfs.set_fd_limit(VFS_FD_LIMIT);
        let mut fds = Fds::default();
        for stdio in 0..3 {
            let _ = fds.push(Slot::Host(stdio));
        }
        for name in image.iter().flat_map(|image| image.mounts()) {
            open_preopen(&mut vfs, &mut fds, name);
        }
        for host_fd in host_preopens() {
            let _ = fds.push(Slot::Host(host_fd));
        }
        State { vfs, fds, path: Vec::new(), path2: Vec::new(), buffer: Vec::new() }
    }
}

/// Opens the image's mount `name` and gives it the next fd. A relative
/// preopen name lives under the root (`.` is the root itself).
fn open_preopen(vfs: &mut Vfs, fds: &mut Fds, name: &[u8]) {
    let mut path = Vec::with_capacity(name.len() + 1);
    if name.first() != Some(&b'/') {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    let Ok(vfs_fd) = vfs.open(&path, OpenFlags::RDONLY | OpenFlags::DIRECTORY, 0) else {
        guest::trap();
    };
    let preopen = Some(name.to_vec().into_boxed_slice());
    let _ = fds.push(Slot::Virtual(Virtual { vfs_fd, kind: Kind::Dir { preopen } }));
}

/// The runtime's own preopened directories: host fds 3, 4, ... until the
/// first that is not one.
fn host_preopens() -> Vec<u32> {
    let mut found = Vec::new();
    for host_fd in 3.. {
        let ok = guest::with_scratch(8, |scratch| unsafe { host::fd_prestat_get(host_fd, scratch) } == 0);
        if ok != Some(true) {
            break;
        }
        found.push(host_fd);
    }
    found
}

/// The host's realtime clock, for timestamps.
struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> Timespec {
        let nanos = guest::with_scratch(8, |scratch| {
            if unsafe { host::clock_time_get(CLOCK_REALTIME, 1, scratch) } != errno::SUCCESS as i32 {
                return 0;
            }
            guest::read_u64(scratch)
        });
        Timespec::from_nanos(nanos.unwrap_or(0))
    }
}
