//! The adapter's one piece of global state, built on the guest's first
//! preview1 call: the filesystem (the packed image under a memory layer),
//! the descriptor table and the preopens.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use strata_vfs::image::format::preopen_tree_path;
use strata_vfs::image::{Image, ImageError, ImageMount};
use strata_vfs::{Clock, FsId, MountOptions, OpenFlags, Timespec, Vfs};

use crate::abi::{errno, CLOCK_REALTIME};
use crate::fds::{Fds, Kind, Slot, Virtual};
use crate::{guest, host, save};

pub struct State {
    pub vfs: Vfs,
    /// The packed image, if the module has one.
    pub image: Option<Image<'static>>,
    /// The `--tmpfs` filesystems: scratch, never saved.
    pub tmpfs: Vec<FsId>,
    /// The runtime's own preopens, as host fds (where a save may go).
    pub host_preopens: Vec<u32>,
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
        strata_vfs::memory::set_growth_guard(crate::heap::file_data_may_grow);
        let clock: Box<dyn Clock> = Box::new(HostClock);
        // The fuser validated the image before embedding it; a failure here
        // means the module's bytes were changed since.
        let image = guest::image().map(|bytes| Image::open(bytes).unwrap_or_else(|error| damaged_image(&error)));
        let mounts: Vec<ImageMount> = image.iter().flat_map(|image| image.mount_records()).collect();
        let root_read_only = mounts.iter().any(|m| m.read_only && tree_depth(m.name) == 0);
        let root_options = MountOptions { read_only: root_read_only, ..MountOptions::default() };
        let mut vfs = match image {
            Some(image) => Vfs::with_image(clock, image, root_options),
            None => Vfs::new(clock),
        };
        vfs.set_fd_limit(VFS_FD_LIMIT);
        let tmpfs = match image {
            Some(image) => mount_all(&mut vfs, image, &mounts, root_read_only),
            None => Vec::new(),
        };
        let mut fds = Fds::default();
        for stdio in 0..3 {
            let _ = fds.push(Slot::Host(stdio));
        }
        for mount in &mounts {
            open_preopen(&mut vfs, &mut fds, mount.name);
        }
        let host_preopens = host_preopens();
        for &host_fd in &host_preopens {
            let _ = fds.push(Slot::Host(host_fd));
        }
        State { vfs, image, tmpfs, host_preopens, fds, path: Vec::new(), path2: Vec::new(), buffer: Vec::new() }
    }
}

/// Ends the run before the guest sees any filesystem: one line on stderr
/// and exit status 1, as a failed save does (the checks are
/// `Image::open`'s: the header, the metadata checksum, every record).
#[cold]
fn damaged_image(error: &ImageError) -> ! {
    let mut line = Vec::from(&b"strata: the filesystem image inside this module is damaged ("[..]);
    line.extend_from_slice(error.problem.as_bytes());
    if let Some((what, index)) = error.record {
        line.extend_from_slice(b", ");
        line.extend_from_slice(what.as_bytes());
        line.extend_from_slice(b" ");
        line.extend_from_slice(alloc::format!("{index}").as_bytes());
    }
    line.extend_from_slice(b"): wrap the guest again with strata wrap\n");
    save::write_stderr(&line);
    unsafe { host::proc_exit(1) }
}

/// How deep a preopen's directory lies in the tree (0: the root).
fn tree_depth(name: &[u8]) -> usize {
    preopen_tree_path(name).map_or(0, Iterator::count)
}

/// The tree path of preopen `name`: `/` or `/a/b`.
pub fn tree_path(name: &[u8]) -> Vec<u8> {
    let mut path = Vec::with_capacity(name.len() + 1);
    for component in preopen_tree_path(name).into_iter().flatten() {
        path.push(b'/');
        path.extend_from_slice(component);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    path
}

/// Mounts what the image's records ask for, outer directories first (so
/// that an inner mount lands on the filesystem that covers its place): a
/// tmpfs on its empty mountpoint, and the image's own directory again, as
/// a filesystem of its own, where a `--dir` is read-only and what encloses
/// it is not, or the other way round. Returns the tmpfs filesystems.
fn mount_all(vfs: &mut Vfs, image: Image<'static>, mounts: &[ImageMount], root_read_only: bool) -> Vec<FsId> {
    let mut by_depth: Vec<&ImageMount> = mounts.iter().filter(|m| tree_depth(m.name) > 0).collect();
    by_depth.sort_by_key(|m| tree_depth(m.name));
    // (tree path, read-only) of the filesystems mounted so far.
    let mut mounted: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut tmpfs = Vec::new();
    for mount in by_depth {
        let path = tree_path(mount.name);
        let enclosing_read_only = mounted
            .iter()
            .filter(|(outer, _)| path.starts_with(outer) && path.get(outer.len()) == Some(&b'/'))
            .max_by_key(|(outer, _)| outer.len())
            .map_or(root_read_only, |&(_, read_only)| read_only);
        let mounted_fs = match mount.tmpfs {
            Some(size_limit) => {
                // Linux's tmpfs root: 1777, like /tmp.
                let options = MountOptions { size_limit, root_perm: 0o1777, ..MountOptions::default() };
                vfs.mount(&path, options).inspect(|&fs| tmpfs.push(fs))
            }
            None if mount.read_only != enclosing_read_only => {
                let Some(dir) = image.preopen_dir(mount.name) else { guest::trap() };
                let options = MountOptions { read_only: mount.read_only, ..MountOptions::default() };
                vfs.mount_image_dir(&path, image, dir, options)
            }
            None => continue,
        };
        // The fuser validated the image: its mountpoints exist.
        if mounted_fs.is_err() {
            guest::trap();
        }
        mounted.push((path, mount.read_only));
    }
    tmpfs
}

/// Opens the image's mount `name` and gives it the next fd. A relative
/// preopen name lives under the root (`.` is the root itself).
fn open_preopen(vfs: &mut Vfs, fds: &mut Fds, name: &[u8]) {
    let path = tree_path(name);
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

/// Forgets the state (and the host fakes' own), so that the next call builds
/// it afresh: a fuzz target runs many instances one after another in one
/// process. Forgotten, not dropped: after a trap it may be halfway through
/// an operation, and the target reclaims the adapter's memory wholesale, as
/// an engine discards a trapped instance's (`fuzz/src/adapter/`).
#[cfg(not(target_arch = "wasm32"))]
pub fn reset_for_fuzzing() {
    // SAFETY: see `Global`; no export is running.
    let slot = unsafe { &mut *STATE.0.get() };
    core::mem::forget(slot.take());
    host::reset_fakes();
}
