//! The strata-vfs calls strata-adapter makes for each preview1 call
//! fsbench makes (adapter/src/exports/), and nothing of the adapter's own:
//! no descriptor table, no argument decoding, no guest memory. Data goes
//! to and from the caller's buffers with one copy per stored piece, as the
//! adapter's goes to and from guest memory: the copy counts as strata-vfs's.

use strata_vfs::file_data::{ReadSink, WriteSource};
use strata_vfs::{AtFlags, Fd, OpenFlags, Stat, Vfs};

/// A namespace and the directory every path is relative to: the preopen.
pub struct Preview1 {
    vfs: Vfs,
    dir: Fd,
}

/// How fsbench opens (the flags wasi-libc's arguments become in the
/// adapter's `path_open`; the trace of a wrapped run shows the arguments).
#[derive(Clone, Copy)]
pub enum Open {
    /// `File::open`.
    Read,
    /// `read_dir`'s `opendir`.
    Directory,
    /// `File::create`.
    Create,
    /// `OpenOptions::new().append(true).create(true)`.
    Append,
}

/// An open file and the position the adapter keeps for it (`fd_read` and
/// `fd_write` are `pread_to` and `write_from` at it).
pub struct File {
    fd: Fd,
    position: u64,
    append: bool,
}

/// What one `fd_readdir` put in the guest's buffer.
pub struct Listed {
    /// Entries whole in the buffer (`.` and `..` included).
    pub entries: usize,
    /// The cookie after the last whole entry, where wasi-libc asks again.
    pub next: u64,
    /// Whether the buffer came back full (the last entry cut off at its
    /// end): wasi-libc then asks again; otherwise the listing is over.
    pub full: bool,
}

/// The size of a preview1 dirent before its name.
const DIRENT: usize = 24;
/// Mode of the files the guest creates (the adapter's `FILE_MODE`).
const FILE_MODE: u32 = 0o666;
const DIR_MODE: u32 = 0o777;

/// What went wrong, for the message that ends the run; `path` is empty for
/// a call on a descriptor.
fn failed(call: &str, path: &[u8], errno: strata_vfs::Errno) -> String {
    if path.is_empty() {
        format!("{call}: {errno}")
    } else {
        format!("{call} {}: {errno}", String::from_utf8_lossy(path))
    }
}

impl Preview1 {
    pub fn new(vfs: Vfs, dir: Fd) -> Preview1 {
        Preview1 { vfs, dir }
    }

    /// `path_open`: `openat`, then `fstat` (the adapter asks whether it
    /// opened a directory).
    pub fn open(&mut self, path: &[u8], how: Open) -> Result<File, String> {
        let flags = match how {
            Open::Read => OpenFlags::RDONLY,
            Open::Directory => OpenFlags::RDONLY | OpenFlags::DIRECTORY,
            Open::Create => OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::TRUNC,
            Open::Append => OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::APPEND,
        };
        let fd = self.vfs.openat(self.dir, path, flags, FILE_MODE).map_err(|e| failed("open", path, e))?;
        self.vfs.fstat(fd).map_err(|e| failed("fstat", path, e))?;
        Ok(File { fd, position: 0, append: matches!(how, Open::Append) })
    }

    /// `fd_close`.
    pub fn close(&mut self, file: File) {
        // Closing a valid descriptor can not fail.
        let _ = self.vfs.close(file.fd);
    }

    /// `path_filestat_get` with `SYMLINK_FOLLOW`.
    pub fn stat(&mut self, path: &[u8]) -> Result<Stat, String> {
        self.vfs.fstatat(self.dir, path, AtFlags::empty()).map_err(|e| failed("stat", path, e))
    }

    /// `fd_read` into all of `buffer`.
    pub fn read(&mut self, file: &mut File, buffer: &mut [u8]) -> Result<usize, String> {
        let n = self.pread(file, buffer, file.position)?;
        file.position += n as u64;
        Ok(n)
    }

    /// `fd_pread` into all of `buffer`.
    pub fn pread(&mut self, file: &File, buffer: &mut [u8], offset: u64) -> Result<usize, String> {
        let len = buffer.len();
        self.vfs.pread_to(file.fd, offset, len, &mut ToBuffer { buffer, at: 0 }).map_err(|e| failed("read", b"", e))
    }

    /// `fd_write` of all of `data`: at the position, or appended and then
    /// `fstat` for the new position.
    pub fn write(&mut self, file: &mut File, data: &[u8]) -> Result<usize, String> {
        let offset = (!file.append).then_some(file.position);
        let source = &mut FromData { data, at: 0 };
        let n = self.vfs.write_from(file.fd, offset, data.len(), source).map_err(|e| failed("write", b"", e))?;
        file.position = match offset {
            Some(offset) => offset + n as u64,
            None => self.vfs.fstat(file.fd).map_err(|e| failed("fstat", b"", e))?.size,
        };
        Ok(n)
    }

    /// `fd_readdir` from `cookie` into a buffer of `len` bytes: each entry
    /// takes a dirent and its name, and the one that does not fit is cut
    /// off at the end, which stops the listing there.
    pub fn readdir(&mut self, dir: &File, cookie: u64, len: usize) -> Result<Listed, String> {
        let mut listed = Listed { entries: 0, next: cookie, full: false };
        let mut left = len;
        let emit = |entry: strata_vfs::DirEntry<'_>| {
            let size = DIRENT + entry.name.len();
            let take = size.min(left);
            left -= take;
            if take == size {
                listed.entries += 1;
                listed.next = entry.next;
            }
            left > 0
        };
        self.vfs.readdir(dir.fd, cookie, emit).map_err(|e| failed("readdir", b"", e))?;
        listed.full = left == 0;
        Ok(listed)
    }

    /// `path_create_directory`.
    pub fn mkdir(&mut self, path: &[u8]) -> Result<(), String> {
        self.vfs.mkdirat(self.dir, path, DIR_MODE).map_err(|e| failed("mkdir", path, e))
    }

    /// `path_rename`, both paths relative to the preopen.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), String> {
        self.vfs.renameat(self.dir, from, self.dir, to).map_err(|e| failed("rename", from, e))
    }

    /// `path_unlink_file`.
    pub fn unlink(&mut self, path: &[u8]) -> Result<(), String> {
        self.vfs.unlinkat(self.dir, path, AtFlags::empty()).map_err(|e| failed("unlink", path, e))
    }
}

/// A read's destination: the caller's buffer, from its start.
struct ToBuffer<'a> {
    buffer: &'a mut [u8],
    at: usize,
}

impl ReadSink for ToBuffer<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.buffer[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }

    fn zeros(&mut self, len: usize) {
        self.buffer[self.at..self.at + len].fill(0);
        self.at += len;
    }
}

/// A write's source: the caller's data, from its start.
struct FromData<'a> {
    data: &'a [u8],
    at: usize,
}

impl WriteSource for FromData<'_> {
    fn fill(&mut self, into: &mut [u8]) {
        into.copy_from_slice(&self.data[self.at..self.at + into.len()]);
        self.at += into.len();
    }

    /// Straight into the chunk's spare room, as the adapter's source does:
    /// new file data is written once, not zeroed first.
    fn append_to(&mut self, chunk: &mut Vec<u8>, len: usize) {
        chunk.extend_from_slice(&self.data[self.at..self.at + len]);
        self.at += len;
    }
}
