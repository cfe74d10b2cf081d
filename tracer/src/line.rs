//! One call's line, strace-style: `path_open(3, SYMLINK_FOLLOW, "a/b",
//! CREAT|EXCL, ...) = 5`, or `= -1 ENOENT`; values read from guest memory
//! only where they lie inside it.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::abi::{self, errno_name};
use crate::{config, guest, real, summary};

/// Bytes of data shown, as strace's default `-s 32`.
pub const DATA_SHOWN: usize = 32;
/// Longest path shown whole.
const PATH_SHOWN: usize = 4096;

/// A call being traced: its line so far (`None`: not printed) and when it
/// began.
pub struct Call {
    name: &'static str,
    line: Option<Text>,
    started: u64,
}

/// A line under construction.
pub struct Text {
    bytes: Vec<u8>,
    args: usize,
}

impl core::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.bytes.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl Call {
    pub fn start(name: &'static str) -> Call {
        let config = config::get();
        if config.file.is_some() {
            crate::fds::start();
        }
        let traced = config.traces(name.as_bytes());
        let line = (traced && config.lines).then(|| {
            let mut text = Text { bytes: Vec::with_capacity(128), args: 0 };
            if config.timestamps {
                let since = now().saturating_sub(summary::first_call(now()));
                let _ = write!(text, "{:>4}.{:06} ", since / 1_000_000_000, since % 1_000_000_000 / 1000);
            }
            text.bytes.extend_from_slice(name.as_bytes());
            text.bytes.push(b'(');
            text
        });
        let started = if traced && (config.durations || config.summary) { now() } else { 0 };
        Call { name, line: if traced { line } else { None }, started }
    }

    /// Adds an argument written by `write`.
    pub fn arg(&mut self, write: impl FnOnce(&mut Text)) -> &mut Call {
        if let Some(text) = &mut self.line {
            if text.args > 0 {
                text.bytes.extend_from_slice(b", ");
            }
            text.args += 1;
            write(text);
        }
        self
    }

    pub fn int(&mut self, value: impl core::fmt::Display) -> &mut Call {
        self.arg(|t| {
            let _ = write!(t, "{value}");
        })
    }

    /// A descriptor, with the path it was opened at when the trace saw
    /// that (`3</usr/local/lib>`, as `strace -y`).
    pub fn fd(&mut self, fd: i32) -> &mut Call {
        self.arg(|t| {
            let _ = write!(t, "{fd}");
            if let Some(path) = paths().get(&fd) {
                t.push("<");
                t.bytes.extend_from_slice(path);
                t.push(">");
            }
        })
    }

    pub fn hex(&mut self, value: u64) -> &mut Call {
        self.arg(|t| {
            let _ = write!(t, "{value:#x}");
        })
    }

    /// A string argument of `len` bytes at `ptr` (a path).
    pub fn string(&mut self, ptr: i32, len: i32) -> &mut Call {
        self.arg(|t| t.quoted(ptr as u32, len as u32, PATH_SHOWN))
    }

    /// A flags value: the names of its bits (`A|B`), what is left in hex.
    pub fn flags(&mut self, value: u64, names: &[(u64, &str)]) -> &mut Call {
        self.arg(|t| t.flags(value, names))
    }

    /// An iovec array: `[LEN, LEN]`.
    pub fn iovecs(&mut self, ptr: i32, count: i32) -> &mut Call {
        self.arg(|t| t.iovecs(ptr as u32, count as u32))
    }

    /// Ends the call: its result, and on success what `success` adds
    /// (the value of an out-parameter); prints the line, counts the call.
    pub fn finish(&mut self, code: i32, success: impl FnOnce(&mut Text)) -> i32 {
        let config = config::get();
        let took = if self.started != 0 { now().saturating_sub(self.started) } else { 0 };
        if config.summary && config.traces(self.name.as_bytes()) {
            summary::record(self.name, code != 0, took);
        }
        if let Some(text) = &mut self.line {
            text.bytes.extend_from_slice(b") = ");
            if code == 0 {
                let before = text.bytes.len();
                success(text);
                if text.bytes.len() == before {
                    text.bytes.push(b'0');
                }
            } else {
                let _ = write!(text, "-1 {}", errno_name(code as u16));
            }
            if config.durations {
                let _ = write!(text, " <{}.{:06}>", took / 1_000_000_000, took % 1_000_000_000 / 1000);
            }
            text.bytes.push(b'\n');
            write_stderr(&text.bytes);
        }
        code
    }

    /// Prints the line of a call that does not return (`proc_exit`).
    pub fn finish_noreturn(&mut self) {
        if config::get().summary {
            summary::record(self.name, false, 0);
        }
        if let Some(text) = &mut self.line {
            text.bytes.extend_from_slice(b") = ?\n");
            write_stderr(&text.bytes);
        }
    }
}

impl Text {
    pub fn push(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// `"..."` of up to `shown` of the `len` bytes at `ptr`, escaped as
    /// strace escapes; `...` after it if there are more; `<bad pointer>`
    /// if they are not all in guest memory.
    pub fn quoted(&mut self, ptr: u32, len: u32, shown: usize) {
        let Some(bytes) = peek(ptr, (len as usize).min(shown)) else {
            let _ = write!(self, "{ptr:#x} <out of bounds>");
            return;
        };
        self.bytes.push(b'"');
        for &b in &bytes {
            match b {
                b'"' => self.push("\\\""),
                b'\\' => self.push("\\\\"),
                b'\n' => self.push("\\n"),
                b'\t' => self.push("\\t"),
                b'\r' => self.push("\\r"),
                0x20..=0x7e => self.bytes.push(b),
                _ => {
                    let _ = write!(self, "\\x{b:02x}");
                }
            }
        }
        self.bytes.push(b'"');
        if len as usize > bytes.len() {
            self.push("...");
        }
    }

    pub fn flags(&mut self, value: u64, names: &[(u64, &str)]) {
        if value == 0 {
            self.push("0");
            return;
        }
        let mut left = value;
        let mut first = true;
        for &(bit, name) in names {
            if left & bit == bit && bit != 0 {
                if !first {
                    self.push("|");
                }
                self.push(name);
                left &= !bit;
                first = false;
            }
        }
        if left != 0 {
            if !first {
                self.push("|");
            }
            let _ = write!(self, "{left:#x}");
        }
    }

    pub fn iovecs(&mut self, ptr: u32, count: u32) {
        let Some(array) = peek(ptr, (count as usize).min(16) * 8) else {
            let _ = write!(self, "{ptr:#x} <out of bounds>");
            return;
        };
        self.push("[");
        for (i, iovec) in array.chunks_exact(8).enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let _ = write!(self, "{}", u32_at(iovec, 4));
        }
        if count > 16 {
            self.push(", ...");
        }
        self.push("]");
    }

    /// The u32 at `ptr`, if it is in guest memory.
    pub fn u32_result(&mut self, ptr: i32) {
        match peek(ptr as u32, 4) {
            Some(bytes) => {
                let _ = write!(self, "{}", u32_at(&bytes, 0));
            }
            None => self.push("?"),
        }
    }

    pub fn u64_result(&mut self, ptr: i32) {
        match peek(ptr as u32, 8) {
            Some(bytes) => {
                let _ = write!(self, "{}", u64_at(&bytes, 0));
            }
            None => self.push("?"),
        }
    }

    /// A filestat at `ptr`: `0 {type=..., size=..., ...}`.
    pub fn filestat(&mut self, ptr: i32) {
        let Some(s) = peek(ptr as u32, abi::layout::FILESTAT_SIZE as usize) else { return self.push("0") };
        let _ = write!(
            self,
            "0 {{dev={}, ino={}, type={}, nlink={}, size={}, atim={}, mtim={}, ctim={}}}",
            u64_at(&s, 0),
            u64_at(&s, 8),
            filetype_name(s[16]),
            u64_at(&s, 24),
            u64_at(&s, 32),
            u64_at(&s, 40),
            u64_at(&s, 48),
            u64_at(&s, 56)
        );
    }

    /// An fdstat at `ptr`: `0 {type=..., flags=..., rights=...}`.
    pub fn fdstat(&mut self, ptr: i32) {
        let Some(s) = peek(ptr as u32, abi::layout::FDSTAT_SIZE as usize) else { return self.push("0") };
        let _ = write!(self, "0 {{type={}, flags=", filetype_name(s[0]));
        self.flags(u16::from_le_bytes([s[2], s[3]]) as u64, FDFLAGS);
        self.push(", rights_base=");
        self.rights(u64_at(&s, 8));
        self.push(", rights_inheriting=");
        self.rights(u64_at(&s, 16));
        self.push("}");
    }

    /// Rights: their names when few (`FD_READ|FD_SEEK`), else hex, as a
    /// full set makes a line unreadable.
    pub fn rights(&mut self, value: u64) {
        if value.count_ones() <= 3 {
            self.flags(value, RIGHTS);
        } else {
            let _ = write!(self, "{value:#x}");
        }
    }
}

pub fn filetype_name(code: u8) -> &'static str {
    const NAMES: [&str; 8] = [
        "UNKNOWN",
        "BLOCK_DEVICE",
        "CHARACTER_DEVICE",
        "DIRECTORY",
        "REGULAR_FILE",
        "SOCKET_DGRAM",
        "SOCKET_STREAM",
        "SYMBOLIC_LINK",
    ];
    NAMES.get(code as usize).copied().unwrap_or("?")
}

pub const LOOKUPFLAGS: &[(u64, &str)] = &[(1, "SYMLINK_FOLLOW")];
pub const OFLAGS: &[(u64, &str)] = &[(1, "O_CREAT"), (2, "O_DIRECTORY"), (4, "O_EXCL"), (8, "O_TRUNC")];
pub const FDFLAGS: &[(u64, &str)] = &[(1, "APPEND"), (2, "DSYNC"), (4, "NONBLOCK"), (8, "RSYNC"), (16, "SYNC")];
pub const FSTFLAGS: &[(u64, &str)] = &[(1, "ATIM"), (2, "ATIM_NOW"), (4, "MTIM"), (8, "MTIM_NOW")];
pub const RIGHTS: &[(u64, &str)] = &[
    (1 << 0, "FD_DATASYNC"),
    (1 << 1, "FD_READ"),
    (1 << 2, "FD_SEEK"),
    (1 << 3, "FD_FDSTAT_SET_FLAGS"),
    (1 << 4, "FD_SYNC"),
    (1 << 5, "FD_TELL"),
    (1 << 6, "FD_WRITE"),
    (1 << 7, "FD_ADVISE"),
    (1 << 8, "FD_ALLOCATE"),
    (1 << 9, "PATH_CREATE_DIRECTORY"),
    (1 << 10, "PATH_CREATE_FILE"),
    (1 << 11, "PATH_LINK_SOURCE"),
    (1 << 12, "PATH_LINK_TARGET"),
    (1 << 13, "PATH_OPEN"),
    (1 << 14, "FD_READDIR"),
    (1 << 15, "PATH_READLINK"),
    (1 << 16, "PATH_RENAME_SOURCE"),
    (1 << 17, "PATH_RENAME_TARGET"),
    (1 << 18, "PATH_FILESTAT_GET"),
    (1 << 19, "PATH_FILESTAT_SET_SIZE"),
    (1 << 20, "PATH_FILESTAT_SET_TIMES"),
    (1 << 21, "FD_FILESTAT_GET"),
    (1 << 22, "FD_FILESTAT_SET_SIZE"),
    (1 << 23, "FD_FILESTAT_SET_TIMES"),
    (1 << 24, "PATH_SYMLINK"),
    (1 << 25, "PATH_REMOVE_DIRECTORY"),
    (1 << 26, "PATH_UNLINK_FILE"),
    (1 << 27, "POLL_FD_READWRITE"),
    (1 << 28, "SOCK_SHUTDOWN"),
    (1 << 29, "SOCK_ACCEPT"),
];

/// `len` bytes of guest memory at `ptr`, if all of them are inside it.
pub fn peek(ptr: u32, len: usize) -> Option<Vec<u8>> {
    if ptr as u64 + len as u64 > guest::memory_len() {
        return None;
    }
    let mut bytes = alloc::vec![0; len];
    guest::read_bytes(ptr, &mut bytes);
    Some(bytes)
}

pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The monotonic clock, in nanoseconds (0 if the host has none).
pub fn now() -> u64 {
    guest::with_scratch(8, |at| {
        let ok = unsafe { real::clock_time_get(1, 1, at as i32) } == 0;
        if ok {
            let mut bytes = [0; 8];
            guest::read_bytes(at, &mut bytes);
            u64::from_le_bytes(bytes)
        } else {
            0
        }
    })
    .unwrap_or(0)
}

struct Paths(core::cell::UnsafeCell<Option<BTreeMap<i32, Vec<u8>>>>);

// SAFETY: one thread, and no reference outlives a call.
unsafe impl Sync for Paths {}

static PATHS: Paths = Paths(core::cell::UnsafeCell::new(None));

/// The path each fd was opened at, as far as the trace saw it: preopens
/// by their names, what `path_open` opened beneath a known directory.
fn paths() -> &'static mut BTreeMap<i32, Vec<u8>> {
    // SAFETY: see `Paths`.
    unsafe { &mut *PATHS.0.get() }.get_or_insert_with(BTreeMap::new)
}

/// After `fd_prestat_dir_name(fd)` gave `name`.
pub fn preopened(fd: i32, name: Vec<u8>) {
    paths().insert(fd, name);
}

/// After `path_open(dir, path)` gave `fd`.
pub fn opened(dir: i32, path: &[u8], fd: i32) {
    let paths = paths();
    let full = match paths.get(&dir) {
        Some(base) if path == b"." => base.clone(),
        Some(base) => {
            let mut full = base.clone();
            if full.last() != Some(&b'/') {
                full.push(b'/');
            }
            full.extend_from_slice(path);
            full
        }
        None => {
            paths.remove(&fd);
            return;
        }
    };
    paths.insert(fd, full);
}

/// The guest's fd of the host's stderr: 2 until the guest closes it or
/// renumbers another fd over it (then the trace goes nowhere: writing to
/// what is fd 2 then would change the guest's own file), following it if
/// the guest renumbers it elsewhere.
struct StderrFd(core::cell::Cell<i32>);

// SAFETY: one thread.
unsafe impl Sync for StderrFd {}

static STDERR: StderrFd = StderrFd(core::cell::Cell::new(2));
const GONE: i32 = -1;

/// After a successful `fd_close(fd)`.
pub fn closed(fd: i32) {
    paths().remove(&fd);
    if STDERR.0.get() == fd {
        STDERR.0.set(GONE);
    }
}

/// After a successful `fd_renumber(from, to)`.
pub fn renumbered(from: i32, to: i32) {
    if from != to {
        match paths().remove(&from) {
            Some(path) => paths().insert(to, path),
            None => paths().remove(&to),
        };
    }
    let stderr = STDERR.0.get();
    if from == to || stderr == GONE {
        return;
    }
    if stderr == from {
        STDERR.0.set(to);
    } else if stderr == to {
        STDERR.0.set(GONE);
    }
}

/// Writes `bytes` where the trace goes: the trace file if there is one,
/// else the host's stderr.
pub fn write_stderr(bytes: &[u8]) {
    match &config::get().file {
        Some(path) => crate::file::append(path, bytes),
        None => write_fd(STDERR.0.get(), bytes),
    }
}

/// Writes `bytes` to guest fd `fd`, through a window at the start of
/// guest memory given back afterwards.
pub fn write_fd(fd: i32, bytes: &[u8]) {
    if fd == GONE {
        return;
    }
    for piece in bytes.chunks(16 << 10) {
        let len = piece.len() as u32;
        let _ = guest::with_window(16 + len, |at| {
            guest::write_bytes(at + 16, piece);
            guest::write_bytes(at, &(at + 16).to_le_bytes());
            guest::write_bytes(at + 4, &len.to_le_bytes());
            unsafe { real::fd_write(fd, at as i32, 1, (at + 8) as i32) };
        });
    }
}
