//! Saving the guest's tree as an image, into a runtime preopen.
//!
//! When a command ends (`_start` returns, or `proc_exit` with any code)
//! or a host calls `strata_save`, the tree the guest sees from `/` is
//! laid out as an image (`strata_vfs::snapshot`) and written to the save
//! path: the image's own (`strata wrap --save`), or `STRATA_SAVE` from the
//! environment, which overrides it (empty: do not save).
//!
//! The path must lie in one of the runtime's own preopens (`wasmtime run
//! --dir ./out::/out`). The image goes to a temporary name beside it,
//! is synced, and is renamed over the path only when complete: a crash
//! or a full disk never leaves half an image under the final name. Any
//! failure is one line on stderr and, at exit, a non-zero exit status.
//!
//! The host reads and writes only guest memory, so every byte handed to
//! it passes through a window at the start of guest memory, borrowed and
//! given back ([`guest::with_window`]); the guest is not running meanwhile.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use strata_vfs::image::format::preopen_tree_path;
use strata_vfs::image::layout::{Layout, Mount};
use strata_vfs::snapshot::ImageOut;
use strata_vfs::FileType;

use crate::abi::{errno, errno_name, layout, oflags, rights, Errno};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::{tree_path, State};

/// The environment variable that sets or overrides the save path.
const SAVE_VARIABLE: &[u8] = b"STRATA_SAVE=";

/// Window layout: an iovec, a result, two paths, then image bytes.
const IOVEC_AT: GuestPtr = 0;
const RESULT_AT: GuestPtr = 8;
const PATH_AT: GuestPtr = 16;
const PATH_ROOM: u32 = 4096 + 64;
const PATH2_AT: GuestPtr = PATH_AT + PATH_ROOM;
const DATA_AT: GuestPtr = PATH2_AT + PATH_ROOM;
/// Image bytes per host write, at most.
const DATA_MAX: u32 = 1 << 20;
/// The least room for image bytes: a guest memory of one page has it.
const DATA_MIN: u32 = 32 << 10;

/// Why a save failed, for the one line on stderr.
pub enum Failure {
    NoPreopen,
    SmallMemory,
    TooLarge,
    /// A host call (what it did, on which host path) failed.
    Host {
        doing: &'static str,
        path: Vec<u8>,
        errno: Errno,
    },
}

impl Failure {
    /// The preview1 errno `strata_save` returns for it.
    pub fn errno(&self) -> Errno {
        match self {
            Failure::NoPreopen => errno::NOENT,
            Failure::SmallMemory => errno::NOMEM,
            Failure::TooLarge => errno::FBIG,
            Failure::Host { errno, .. } => *errno,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::NoPreopen => {
                String::from("no directory the runtime preopens holds it (run with --dir HOSTDIR::GUESTDIR)")
            }
            Failure::SmallMemory => String::from("the guest's memory is too small to pass the image to the host"),
            Failure::TooLarge => String::from("the tree is larger than an image can be (4 GiB)"),
            Failure::Host { doing, path, errno } => {
                format!("{doing} {} failed: {}", String::from_utf8_lossy(path), errno_name(*errno))
            }
        }
    }
}

/// Where to save, if anywhere: `STRATA_SAVE` if set (empty: nowhere),
/// else the image's save path.
pub fn configured_path(state: &State) -> Option<Vec<u8>> {
    match environment_value(SAVE_VARIABLE) {
        Some(value) if value.is_empty() => None,
        Some(value) => Some(value),
        None => state.image.and_then(|image| image.save_path()).map(<[u8]>::to_vec),
    }
}

/// Saves, and on failure says so on stderr: `strata: cannot save the
/// filesystem to PATH: WHY`.
pub fn save_reporting(state: &mut State, path: &[u8]) -> Result<(), Errno> {
    save(state, path).map_err(|failure| {
        let line = format!(
            "strata: cannot save the filesystem to {}: {}\n",
            String::from_utf8_lossy(path),
            failure.describe()
        );
        write_stderr(line.as_bytes());
        failure.errno()
    })
}

/// Writes the guest's tree to `path` (absolute, in a runtime preopen).
pub fn save(state: &mut State, path: &[u8]) -> Result<(), Failure> {
    let (dir_fd, relative) = locate(state, path)?;
    let split = relative.iter().rposition(|&b| b == b'/').map_or(0, |at| at + 1);
    let (parent, name) = relative.split_at(split);
    let window = guest::memory_len().min((DATA_AT + DATA_MAX) as u64) as u32;
    if window < DATA_AT + DATA_MIN {
        return Err(Failure::SmallMemory);
    }

    let kept = kept_mounts(state);
    let tmpfs = state.tmpfs.clone();
    let snapshot = state.vfs.snapshot(&|fs| !tmpfs.contains(&fs));
    let mounts: Vec<Mount> = kept.iter().map(|m| Mount::new(m.name, m.read_only, m.tmpfs)).collect();
    let save_path = state.image.and_then(|image| image.save_path());
    let Ok(image_layout) = Layout::new(&snapshot, &mounts, save_path) else { return Err(Failure::TooLarge) };
    if image_layout.header.image_len > u32::MAX as u64 {
        return Err(Failure::TooLarge);
    }

    let outcome = guest::with_window(window, |_| {
        let temp = create_temp(dir_fd, parent, name)?;
        let mut out = HostOut { fd: temp.fd, capacity: window - DATA_AT, filled: 0, error: None };
        snapshot.write(&image_layout, &mut out);
        let mut result = out.finish();
        if result.is_ok() {
            result = host_call(unsafe { host::fd_datasync(temp.fd) }).or_else(|errno| {
                if errno == errno::NOTSUP || errno == errno::INVAL {
                    Ok(())
                } else {
                    Err(errno)
                }
            });
        }
        let closed = host_call(unsafe { host::fd_close(temp.fd) });
        let written =
            result.and(closed).map_err(|errno| Failure::Host { doing: "writing", path: temp.path.clone(), errno });
        let renamed = written.and_then(|()| rename(dir_fd, &temp.path, &relative));
        if renamed.is_err() {
            put_path(PATH_AT, &temp.path);
            let _ = unsafe { host::path_unlink_file(dir_fd, PATH_AT, temp.path.len() as u32) };
        }
        renamed
    });
    outcome.unwrap_or(Err(Failure::SmallMemory))
}

/// The image's mount records that still name a directory: a preopen the
/// guest removed or replaced is left out (its name would lead nowhere).
fn kept_mounts(state: &mut State) -> Vec<strata_vfs::image::ImageMount<'static>> {
    let Some(image) = state.image else { return Vec::new() };
    let mut kept = Vec::new();
    for mount in image.mount_records() {
        let is_dir = state.vfs.lstat(&tree_path(mount.name)).is_ok_and(|stat| stat.file_type() == FileType::Directory);
        if is_dir {
            kept.push(mount);
        } else {
            let line = format!(
                "strata: the saved filesystem has no preopen {}: the guest removed its directory\n",
                String::from_utf8_lossy(mount.name)
            );
            write_stderr(line.as_bytes());
        }
    }
    kept
}

/// The runtime preopen holding `path` (the one whose name covers most of
/// it, as wasi-libc picks one) and the path relative to it.
fn locate(state: &State, path: &[u8]) -> Result<(u32, Vec<u8>), Failure> {
    let wanted: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|c| !c.is_empty() && *c != b".").collect();
    let mut best: Option<(usize, u32)> = None;
    for &host_fd in &state.host_preopens {
        let Some(name) = preopen_name(host_fd) else { continue };
        let Ok(components) = preopen_tree_path(&name) else { continue };
        let components: Vec<&[u8]> = components.collect();
        let covers = components.len() < wanted.len() && wanted.starts_with(&components);
        if covers && best.is_none_or(|(depth, _)| components.len() > depth) {
            best = Some((components.len(), host_fd));
        }
    }
    let (depth, fd) = best.ok_or(Failure::NoPreopen)?;
    Ok((fd, wanted[depth..].join(&b'/')))
}

/// A host preopen's name, if `host_fd` is still one.
fn preopen_name(host_fd: u32) -> Option<Vec<u8>> {
    let len = guest::with_scratch(layout::PRESTAT_SIZE as usize, |at| {
        let ok = unsafe { host::fd_prestat_get(host_fd, at) } == 0 && guest::read_u8(at) == 0;
        ok.then(|| guest::read_u32(at + 4))
    })??;
    if len > PATH_ROOM {
        return None;
    }
    guest::with_window(len, |at| {
        let ok = unsafe { host::fd_prestat_dir_name(host_fd, at, len) } == 0;
        ok.then(|| {
            let mut name = alloc::vec![0; len as usize];
            guest::read_bytes(at, &mut name);
            name
        })
    })?
}

/// An open temporary file beside the destination.
struct Temp {
    fd: u32,
    /// Relative to the preopen.
    path: Vec<u8>,
}

/// Creates `PARENT.NAME.XXXXXXXX.tmp` exclusively, the X's from the clock.
fn create_temp(dir_fd: u32, parent: &[u8], name: &[u8]) -> Result<Temp, Failure> {
    let mut stamp = clock_nanos();
    for _ in 0..16 {
        let mut path = parent.to_vec();
        path.extend_from_slice(format!(".{}.{:08x}.tmp", String::from_utf8_lossy(name), stamp as u32).as_bytes());
        put_path(PATH_AT, &path);
        let code = unsafe {
            host::path_open(
                dir_fd,
                0,
                PATH_AT,
                path.len() as u32,
                (oflags::CREAT | oflags::EXCL) as u32,
                rights::FD_WRITE | rights::FD_SEEK | rights::FD_DATASYNC | rights::FD_SYNC,
                0,
                0,
                RESULT_AT,
            )
        };
        match host_call(code) {
            Ok(()) => return Ok(Temp { fd: guest::read_u32(RESULT_AT), path }),
            Err(errno::EXIST) => stamp = stamp.wrapping_add(0x9e37_79b9),
            Err(errno) => return Err(Failure::Host { doing: "creating", path, errno }),
        }
    }
    Err(Failure::Host { doing: "creating a temporary file in", path: parent.to_vec(), errno: errno::EXIST })
}

fn rename(dir_fd: u32, from: &[u8], to: &[u8]) -> Result<(), Failure> {
    put_path(PATH_AT, from);
    put_path(PATH2_AT, to);
    let code = unsafe { host::path_rename(dir_fd, PATH_AT, from.len() as u32, dir_fd, PATH2_AT, to.len() as u32) };
    host_call(code).map_err(|errno| Failure::Host { doing: "renaming into", path: to.to_vec(), errno })
}

/// Image bytes gathered in the window and written to the host file.
struct HostOut {
    fd: u32,
    capacity: u32,
    filled: u32,
    error: Option<Errno>,
}

impl ImageOut for HostOut {
    fn bytes(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && self.error.is_none() {
            let n = (self.capacity - self.filled).min(bytes.len() as u32);
            guest::write_bytes(DATA_AT + self.filled, &bytes[..n as usize]);
            self.filled += n;
            bytes = &bytes[n as usize..];
            if self.filled == self.capacity {
                self.flush();
            }
        }
    }

    fn header(&mut self, header: &[u8; strata_vfs::image::format::SECTIONS_START]) {
        self.flush();
        if self.error.is_some() {
            return;
        }
        guest::write_bytes(DATA_AT, header);
        let mut done = 0u32;
        while done < header.len() as u32 && self.error.is_none() {
            set_iovec(DATA_AT + done, header.len() as u32 - done);
            let code = unsafe { host::fd_pwrite(self.fd, IOVEC_AT, 1, done as u64, RESULT_AT) };
            done += self.progress(code);
        }
    }
}

impl HostOut {
    /// Writes the gathered bytes, all of them (a short write continues).
    fn flush(&mut self) {
        let mut done = 0;
        while done < self.filled && self.error.is_none() {
            set_iovec(DATA_AT + done, self.filled - done);
            let code = unsafe { host::fd_write(self.fd, IOVEC_AT, 1, RESULT_AT) };
            done += self.progress(code);
        }
        self.filled = 0;
    }

    /// Bytes a write call moved; a failure, or no progress, is an error.
    fn progress(&mut self, code: i32) -> u32 {
        let moved = match host_call(code) {
            Ok(()) => guest::read_u32(RESULT_AT),
            Err(errno) => {
                self.error = Some(errno);
                return 0;
            }
        };
        if moved == 0 {
            self.error = Some(errno::IO);
        }
        moved
    }

    fn finish(mut self) -> Result<(), Errno> {
        self.flush();
        self.error.map_or(Ok(()), Err)
    }
}

fn set_iovec(buf: GuestPtr, len: u32) {
    guest::write_u32(IOVEC_AT, buf);
    guest::write_u32(IOVEC_AT + 4, len);
}

fn put_path(at: GuestPtr, path: &[u8]) {
    debug_assert!(path.len() as u32 <= PATH_ROOM);
    guest::write_bytes(at, path);
}

fn host_call(code: i32) -> Result<(), Errno> {
    if code == 0 {
        Ok(())
    } else {
        Err(code as Errno)
    }
}

fn clock_nanos() -> u64 {
    guest::with_scratch(8, |at| {
        let ok = unsafe { host::clock_time_get(crate::abi::CLOCK_REALTIME, 1, at) } == 0;
        if ok {
            guest::read_u64(at)
        } else {
            0
        }
    })
    .unwrap_or(0)
}

/// The value of the environment variable `name=` (given with its `=`).
fn environment_value(name: &[u8]) -> Option<Vec<u8>> {
    let (count, size) = guest::with_scratch(8, |at| {
        let ok = unsafe { host::environ_sizes_get(at, at + 4) } == 0;
        ok.then(|| (guest::read_u32(at), guest::read_u32(at + 4)))
    })??;
    let pointers = count.checked_mul(4)?;
    let len = pointers.checked_add(size)?;
    guest::with_window(len, |at| {
        if unsafe { host::environ_get(at, at + pointers) } != 0 {
            return None;
        }
        let mut strings = alloc::vec![0u8; size as usize];
        guest::read_bytes(at + pointers, &mut strings);
        strings.split(|&b| b == 0).find_map(|entry| entry.strip_prefix(name).map(<[u8]>::to_vec))
    })?
}

/// Writes `line` to the host's stderr, as far as it goes.
pub fn write_stderr(line: &[u8]) {
    let len = (line.len() as u32).min(PATH_ROOM * 2);
    let _ = guest::with_window(IOVEC_AT + 16 + len, |_| {
        guest::write_bytes(16, &line[..len as usize]);
        set_iovec(16, len);
        unsafe { host::fd_write(2, IOVEC_AT, 1, RESULT_AT) };
    });
}
