//! Phase 3: stream the image to disk.
//!
//! Into a temporary file next to the output: zeros where the header goes,
//! the metadata, then each file's bytes read straight into an output
//! buffer (never a whole file in memory), then the header with the data
//! checksum written over the zeros, then a rename. Any error drops the
//! temporary file, so no partial output is ever left.
//!
//! Three threads share the work, a pipeline of buffers: this one opens
//! and reads the files into a buffer, a writer writes each full buffer, a
//! checksummer checksums it and hands it back to be refilled. The checksum
//! costs about as much as reading and writing together, so on two cores
//! this nearly halves the time. Files come in inode order, which groups them by directory: each
//! host directory is opened once and its files are opened relative to it,
//! so no open walks a full path.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use anyhow::{anyhow, bail, Context, Result};
use strata_vfs::image::crc32;
use strata_vfs::image::format::SECTIONS_START;

use super::layout::Layout;
use super::progress::Progress;
use super::scan::{Kind, Tree};

/// One output buffer: big enough that small files coalesce into few
/// writes, small enough to stay in cache.
const BUFFER_LEN: usize = 1 << 20;

/// Buffers going round the pipeline.
const BUFFERS: usize = 6;

/// Writes the image laid out by `layout` to `output`; returns its length.
pub(crate) fn write_image(tree: &Tree, layout: &Layout, output: &Path, progress: &mut Progress) -> Result<u64> {
    let dir = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(output.file_name().unwrap_or_default());
    prefix.push(".");
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        // Subject to the umask, like any file the user creates.
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let cannot_write = || format!("cannot write {}", output.display());

    let mut file: &File = temp.as_file();
    file.write_all(&[0; SECTIONS_START]).with_context(cannot_write)?;
    file.write_all(&layout.metadata).with_context(cannot_write)?;
    let data_crc = std::thread::scope(|scope| -> Result<u32> {
        // Buffers go round: reader (this thread) → writer → checksummer →
        // reader, each stage working on a different buffer at a time.
        let (full_tx, full_rx) = sync_channel::<(Box<[u8]>, usize)>(BUFFERS);
        let (written_tx, written_rx) = sync_channel::<(Box<[u8]>, usize)>(BUFFERS);
        let (free_tx, free_rx) = sync_channel::<Box<[u8]>>(BUFFERS);
        for _ in 0..BUFFERS {
            free_tx.send(vec![0; BUFFER_LEN].into_boxed_slice()).expect("room for every buffer");
        }
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut file = file;
            for (buffer, len) in full_rx {
                // On failure the channels close, which stops the others.
                file.write_all(&buffer[..len])?;
                if written_tx.send((buffer, len)).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let checksummer = scope.spawn(move || {
            let mut crc = 0;
            for (buffer, len) in written_rx {
                crc = crc32(crc, &buffer[..len]);
                // The reader may have failed and gone; then so do we.
                let _ = free_tx.send(buffer);
            }
            crc
        });
        let buffer = free_rx.recv().expect("buffers were queued");
        let mut sink = Sink { buffer, filled: 0, free: free_rx, full: full_tx };
        let read = sink.copy_files(tree, layout, progress);
        // Closing the channel lets the writer, then the checksummer, finish.
        drop(sink);
        writer.join().expect("the writer does not panic").with_context(cannot_write)?;
        let crc = checksummer.join().expect("the checksummer does not panic");
        read.map(|()| crc)
    })?;
    let mut header = layout.header;
    header.data_crc = data_crc;
    file.write_all_at(&header.encode(), 0).with_context(cannot_write)?;
    temp.persist(output).map_err(|error| anyhow!("{}: {}", cannot_write(), error.error))?;
    Ok(header.image_len)
}

/// The data section's reader: fills a buffer with file bytes, hands it
/// to the writer thread and takes a free one.
struct Sink {
    buffer: Box<[u8]>,
    filled: usize,
    /// Buffers the writer is done with.
    free: Receiver<Box<[u8]>>,
    /// Full buffers (and their filled length), in data order.
    full: SyncSender<(Box<[u8]>, usize)>,
}

impl Sink {
    /// Reads every file of `layout`, in order, into the data stream.
    fn copy_files(&mut self, tree: &Tree, layout: &Layout, progress: &mut Progress) -> Result<()> {
        let mut opener = Opener { dir: None, name: Vec::new() };
        let mut copied = 0u64;
        for (done, &id) in layout.files.iter().enumerate() {
            let Kind::File { dir, name, size } = &tree.nodes[id].kind else { unreachable!("layout.files holds files") };
            let path = || tree.host_path(*dir, name);
            let source = opener.open(tree, *dir, name).with_context(|| format!("cannot read {}", path().display()))?;
            let mut report =
                |bytes: u64| progress.copied(done as u64, layout.files.len() as u64, copied + bytes, layout.data_len);
            self.copy_file(source, *size, &path, &mut report)?;
            copied += size;
            progress.copied(done as u64 + 1, layout.files.len() as u64, copied, layout.data_len);
        }
        self.flush()
    }

    /// Hands the filled part of the buffer to the writer.
    fn flush(&mut self) -> Result<()> {
        if self.filled == 0 {
            return Ok(());
        }
        // Either fails only if the writer stopped, whose error is reported.
        let next = self.free.recv().map_err(|_| anyhow!("the writer stopped"))?;
        let full = std::mem::replace(&mut self.buffer, next);
        self.full.send((full, self.filled)).map_err(|_| anyhow!("the writer stopped"))?;
        self.filled = 0;
        Ok(())
    }

    /// Appends the `size` bytes of `source`, the file at `path()`. Fails
    /// if it no longer has `size` bytes.
    /// Reports the bytes copied so far to `report` as it goes.
    fn copy_file(
        &mut self,
        mut source: File,
        size: u64,
        path: &dyn Fn() -> PathBuf,
        report: &mut dyn FnMut(u64),
    ) -> Result<()> {
        let cannot_read = || format!("cannot read {}", path().display());
        let grew = || anyhow!("cannot pack {}: it grew while being packed (it had {size} bytes)", path().display());
        let mut left = size;
        loop {
            if self.filled == self.buffer.len() {
                self.flush()?;
            }
            let room = &mut self.buffer[self.filled..];
            // One byte more than is left, where it fits: a short read of a
            // regular file is its end, so no further read is needed to see
            // that it did not grow.
            let want = room.len().min(usize::try_from(left).unwrap_or(usize::MAX).saturating_add(1));
            let n = read(&mut source, &mut room[..want]).with_context(cannot_read)?;
            if n as u64 > left {
                return Err(grew());
            }
            if n == 0 && left > 0 {
                bail!(
                    "cannot pack {}: it shrank while being packed (it had {size} bytes, now {})",
                    path().display(),
                    size - left
                );
            }
            self.filled += n;
            left -= n as u64;
            report(size - left);
            if left == 0 && n < want {
                return Ok(());
            }
            if left == 0 {
                // The buffer had no room for the extra byte: ask directly.
                if read(&mut source, &mut [0; 1]).with_context(cannot_read)? != 0 {
                    return Err(grew());
                }
                return Ok(());
            }
        }
    }
}

/// Opens host files relative to their directory, keeping the last
/// directory open.
struct Opener {
    dir: Option<(usize, File)>,
    /// The name being opened, NUL-terminated (reused).
    name: Vec<u8>,
}

impl Opener {
    fn open(&mut self, tree: &Tree, dir: usize, name: &[u8]) -> std::io::Result<File> {
        if self.dir.as_ref().is_none_or(|(open, _)| *open != dir) {
            let handle = OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
                .open(&tree.host_dirs[dir])?;
            self.dir = Some((dir, handle));
        }
        let (_, handle) = self.dir.as_ref().expect("opened above");
        if name.contains(&0) {
            return Err(std::io::Error::from(ErrorKind::InvalidInput));
        }
        self.name.clear();
        self.name.extend_from_slice(name);
        self.name.push(0);
        // Never follow a symlink or block on a fifo that replaced the file
        // since the scan: the copy then fails on the size check or here.
        let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NOFOLLOW | libc::O_NONBLOCK;
        // SAFETY: a valid directory descriptor and a NUL-terminated name.
        let fd = unsafe { libc::openat(handle.as_raw_fd(), self.name.as_ptr().cast(), flags) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        Ok(unsafe { File::from_raw_fd(fd) })
    }
}

fn read(source: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match source.read(buffer) {
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}
