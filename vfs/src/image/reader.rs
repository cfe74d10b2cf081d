//! Opening an image: one validation pass, then reads in place.
//!
//! [`Image::open`] checks everything `docs/image-format.md` lists, in one
//! linear pass over the fixed-size records; afterwards every accessor may
//! index without further checks, because every range it will form was
//! proven in bounds. Nothing is materialized: the filesystem asks for the
//! inodes and entries a lookup reaches.

use alloc::vec;
use core::fmt;

use super::crc32::crc32;
use super::format::{self as f, DirentRecord, InodeRecord, MountRecord};
use crate::flags::mode;
use crate::stat::FileType;
use crate::time::Timespec;

/// Why an image was rejected: what is wrong, and in which record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageError {
    pub problem: &'static str,
    /// The inode, entry or mount record concerned, if any.
    pub record: Option<(&'static str, u64)>,
}

impl ImageError {
    #[cold]
    fn new(problem: &'static str) -> ImageError {
        ImageError { problem, record: None }
    }

    #[cold]
    fn at(problem: &'static str, kind: &'static str, index: u64) -> ImageError {
        ImageError { problem, record: Some((kind, index)) }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.record {
            Some((kind, index)) => write!(out, "corrupt image: {} ({kind} {index})", self.problem),
            None => write!(out, "corrupt image: {}", self.problem),
        }
    }
}

impl core::error::Error for ImageError {}

/// A validated image, borrowed from the buffer that holds it.
#[derive(Clone, Copy)]
pub struct Image<'a> {
    bytes: &'a [u8],
    version: u16,
    header: f::Header,
    inodes: &'a [u8],
    dirents: &'a [u8],
    mounts: &'a [u8],
    names: &'a [u8],
    data: &'a [u8],
}

/// An inode as the image records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInode {
    pub ino: u32,
    pub kind: FileType,
    /// Permission bits.
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub mtime: Timespec,
    /// Directories: the parent directory; others 0.
    pub parent: u32,
    /// Files: size; directories: entry count; symlinks: target length.
    pub size: u64,
}

/// A mount record: a preopen and how the guest may use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageMount<'a> {
    /// The preopen name, as the guest reads it (see
    /// [`f::preopen_tree_path`] for where it lives in the tree).
    pub name: &'a [u8],
    /// Changes beneath it fail with EROFS.
    pub read_only: bool,
    /// An empty memory filesystem with this size limit (`Some(None)`: no
    /// limit) is mounted on the (empty) directory; `None`: the image's own
    /// tree is served there.
    pub tmpfs: Option<Option<u64>>,
}

/// A directory entry as the image records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageEntry<'a> {
    pub name: &'a [u8],
    pub ino: u32,
    pub kind: FileType,
}

impl<'a> Image<'a> {
    /// Validates `bytes` as an image. See the format's "What a reader
    /// checks".
    pub fn open(bytes: &'a [u8]) -> Result<Image<'a>, ImageError> {
        let (version, header) = read_header(bytes)?;
        let bytes = &bytes[..header.image_len as usize];
        let section = |i: usize| {
            let (offset, len) = header.sections[i];
            &bytes[offset as usize..(offset + len) as usize]
        };
        let image = Image {
            bytes,
            version,
            header,
            inodes: section(f::INODES),
            dirents: section(f::DIRENTS),
            mounts: section(f::MOUNTS),
            names: section(f::NAMES),
            data: section(f::DATA),
        };
        let metadata = &bytes[f::HEADER_LEN..header.sections[f::DATA].0 as usize];
        if crc32(0, metadata) != header.metadata_crc {
            return Err(ImageError::new("metadata checksum mismatch"));
        }
        image.validate_records()?;
        image.validate_tree()?;
        image.validate_mounts()?;
        image.validate_save_path()?;
        Ok(image)
    }

    /// The image's own bytes (`image_len` of them).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn inode_count(&self) -> u32 {
        self.header.inode_count
    }

    /// Bytes of file data.
    pub fn data_len(&self) -> u64 {
        self.data.len() as u64
    }

    /// Checks the data section's checksum (reads every file byte).
    pub fn verify_data(&self) -> Result<(), ImageError> {
        if crc32(0, self.data) != self.header.data_crc {
            return Err(ImageError::new("data checksum mismatch"));
        }
        Ok(())
    }

    /// Inode `ino`, which must be in `1..=inode_count`.
    pub fn inode(&self, ino: u32) -> ImageInode {
        let record = self.record(ino);
        let kind = kind_of(record.mode).expect("validated at open");
        ImageInode {
            ino,
            kind,
            perm: record.mode & mode::PERMISSIONS,
            uid: record.uid,
            gid: record.gid,
            nlink: record.nlink,
            mtime: Timespec::new(record.mtime_sec, record.mtime_nsec),
            parent: record.parent,
            size: record.b,
        }
    }

    /// A regular file's bytes.
    pub fn file_bytes(&self, ino: u32) -> &'a [u8] {
        let record = self.record(ino);
        &self.data[record.a as usize..(record.a + record.b) as usize]
    }

    /// A symlink's target.
    pub fn symlink_target(&self, ino: u32) -> &'a [u8] {
        let record = self.record(ino);
        &self.names[record.a as usize..(record.a + record.b) as usize]
    }

    /// The entries of directory `ino`, sorted by name.
    pub fn entries(&self, ino: u32) -> impl ExactSizeIterator<Item = ImageEntry<'a>> + Clone + '_ {
        let record = self.record(ino);
        let first = record.a as usize;
        (first..first + record.b as usize).map(move |i| self.entry(i))
    }

    /// Entry `index` of directory `ino` (0-based within the directory).
    pub fn entry_of(&self, ino: u32, index: usize) -> ImageEntry<'a> {
        self.entry(self.record(ino).a as usize + index)
    }

    /// Looks `name` up in directory `ino` by binary search: its index
    /// within the directory and the entry.
    pub fn lookup(&self, ino: u32, name: &[u8]) -> Option<(usize, ImageEntry<'a>)> {
        let record = self.record(ino);
        let (first, count) = (record.a as usize, record.b as usize);
        let (mut low, mut high) = (0, count);
        while low < high {
            let mid = low + (high - low) / 2;
            let entry = self.entry(first + mid);
            match entry.name.cmp(name) {
                core::cmp::Ordering::Less => low = mid + 1,
                core::cmp::Ordering::Greater => high = mid,
                core::cmp::Ordering::Equal => return Some((mid, entry)),
            }
        }
        None
    }

    /// The preopen names the image was packed for, in order.
    pub fn mounts(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + '_ {
        self.mount_records().map(|mount| mount.name)
    }

    /// The mount records, in order: each a preopen with its options.
    pub fn mount_records(&self) -> impl ExactSizeIterator<Item = ImageMount<'a>> + '_ {
        self.mounts.chunks_exact(f::mount_len(self.version)).map(move |chunk| {
            let (record, _) = MountRecord::decode(chunk, self.version);
            let start = record.name_offset as usize;
            let tmpfs = record.flags & f::MOUNT_TMPFS != 0;
            ImageMount {
                name: &self.names[start..start + record.name_len as usize],
                read_only: record.flags & f::MOUNT_READ_ONLY != 0,
                tmpfs: tmpfs.then_some((record.size_limit != 0).then_some(record.size_limit)),
            }
        })
    }

    /// Where the adapter saves the guest's tree when the guest ends, if
    /// the image says.
    pub fn save_path(&self) -> Option<&'a [u8]> {
        let (offset, len) = self.header.save_path;
        (len != 0).then(|| &self.names[offset as usize..(offset + len) as usize])
    }

    /// The directory inode a preopen name's tree path leads to, if any.
    pub fn preopen_dir(&self, name: &[u8]) -> Option<u32> {
        let mut at = f::ROOT_INO;
        for component in f::preopen_tree_path(name).ok()? {
            match self.lookup(at, component) {
                Some((_, entry)) if entry.kind == FileType::Directory => at = entry.ino,
                _ => return None,
            }
        }
        Some(at)
    }

    fn record(&self, ino: u32) -> InodeRecord {
        let at = (ino as usize - 1) * f::INODE_LEN;
        InodeRecord::decode(self.inodes[at..at + f::INODE_LEN].try_into().expect("exact length"))
    }

    fn entry(&self, index: usize) -> ImageEntry<'a> {
        let (record, _) = self.dirent(index);
        let start = record.name_offset as usize;
        ImageEntry {
            name: &self.names[start..start + record.name_len as usize],
            ino: record.ino,
            kind: kind_of_code(record.type_code).expect("validated at open"),
        }
    }

    fn dirent(&self, index: usize) -> (DirentRecord, bool) {
        let at = index * f::DIRENT_LEN;
        DirentRecord::decode(self.dirents[at..at + f::DIRENT_LEN].try_into().expect("exact length"))
    }

    fn dirent_count(&self) -> usize {
        self.dirents.len() / f::DIRENT_LEN
    }

    /// Checks 2 and 3 of the format: each record on its own.
    fn validate_records(&self) -> Result<(), ImageError> {
        let n = self.inode_count();
        // Directories' entry ranges and files' data, in inode order, follow
        // one another without gaps or overlap and cover their sections.
        let (mut next_entry, mut next_data) = (0u64, 0u64);
        for ino in 1..=n {
            let record = self.record(ino);
            let bad = |problem| Err(ImageError::at(problem, "inode", ino as u64));
            let Some(kind) = kind_of(record.mode) else { return bad("unknown file type") };
            if record.mode & !(mode::S_IFMT | mode::PERMISSIONS) != 0 {
                return bad("unknown mode bits");
            }
            if record.mtime_nsec >= 1_000_000_000 {
                return bad("nanoseconds out of range");
            }
            let end = record.a.checked_add(record.b);
            match kind {
                FileType::Regular => {
                    if end.is_none_or(|e| e > self.data.len() as u64) || record.parent != 0 {
                        return bad("file data out of bounds");
                    }
                    if record.a != next_data {
                        return bad("file data not laid out in inode order");
                    }
                    next_data = record.a + record.b;
                }
                FileType::Symlink => {
                    if record.b == 0 || record.b > f::TARGET_MAX as u64 {
                        return bad("symlink target length out of range");
                    }
                    if end.is_none_or(|e| e > self.names.len() as u64) || record.parent != 0 {
                        return bad("symlink target out of bounds");
                    }
                    if self.names[record.a as usize..(record.a + record.b) as usize].contains(&0) {
                        return bad("symlink target contains a NUL byte");
                    }
                }
                FileType::Directory => {
                    if end.is_none_or(|e| e > self.dirent_count() as u64) {
                        return bad("directory entries out of bounds");
                    }
                    if record.a != next_entry {
                        return bad("directory entries not laid out in inode order");
                    }
                    next_entry = record.a + record.b;
                    if record.parent == 0
                        || record.parent > n
                        || kind_of(self.record(record.parent).mode) != Some(FileType::Directory)
                    {
                        return bad("parent is not a directory");
                    }
                }
            }
        }
        if next_entry != self.dirent_count() as u64 {
            return Err(ImageError::new("entries that belong to no directory"));
        }
        if next_data != self.data.len() as u64 {
            return Err(ImageError::new("data that belongs to no file"));
        }
        if self.inode(f::ROOT_INO).kind != FileType::Directory || self.record(f::ROOT_INO).parent != f::ROOT_INO {
            return Err(ImageError::at("the root is not a directory that is its own parent", "inode", 1));
        }
        for index in 0..self.dirent_count() {
            let (record, reserved_zero) = self.dirent(index);
            let bad = |problem| Err(ImageError::at(problem, "entry", index as u64));
            if !reserved_zero {
                return bad("reserved bytes are not zero");
            }
            let name_end = record.name_offset as u64 + record.name_len as u64;
            if name_end > self.names.len() as u64 {
                return bad("name out of bounds");
            }
            let name = &self.names[record.name_offset as usize..name_end as usize];
            if name.is_empty()
                || name.len() > f::NAME_MAX
                || name == b"."
                || name == b".."
                || name.iter().any(|&b| b == b'/' || b == 0)
            {
                return bad("malformed name");
            }
            if record.ino < 2 || record.ino > n {
                return bad("inode number out of range");
            }
            if kind_of_code(record.type_code) != Some(self.inode(record.ino).kind) {
                return bad("type does not match its inode");
            }
        }
        Ok(())
    }

    /// Check 4: directories form one tree, and link counts are exact.
    fn validate_tree(&self) -> Result<(), ImageError> {
        let n = self.inode_count() as usize;
        // references[i]: entries naming inode i+1; subdirs[i]: of directory i+1.
        let mut references = vec![0u32; n];
        let mut subdirs = vec![0u32; n];
        for ino in 1..=n as u32 {
            if self.inode(ino).kind != FileType::Directory {
                continue;
            }
            let mut previous: Option<&[u8]> = None;
            for entry in self.entries(ino) {
                if previous.is_some_and(|p| p >= entry.name) {
                    return Err(ImageError::at("entries not strictly sorted", "inode", ino as u64));
                }
                previous = Some(entry.name);
                let count = &mut references[entry.ino as usize - 1];
                *count = count.saturating_add(1);
                if entry.kind == FileType::Directory {
                    if self.record(entry.ino).parent != ino {
                        return Err(ImageError::at("directory listed outside its parent", "inode", entry.ino as u64));
                    }
                    subdirs[ino as usize - 1] += 1;
                }
            }
        }
        for ino in 1..=n as u32 {
            let inode = self.inode(ino);
            let named = references[ino as usize - 1];
            let bad = |problem| Err(ImageError::at(problem, "inode", ino as u64));
            if ino != f::ROOT_INO && named == 0 {
                return bad("not named by any entry");
            }
            let expected = match inode.kind {
                FileType::Directory if named > 1 => return bad("directory named more than once"),
                FileType::Directory => 2 + subdirs[ino as usize - 1],
                _ => named,
            };
            if inode.nlink != expected {
                return bad("link count does not match the entries");
            }
        }
        // Every directory names exactly one parent that lists it, so the
        // directories form a forest; it is one tree iff walking up from each
        // reaches the root. Walks share their results: each directory is
        // visited at most twice in all.
        let mut reaches_root = vec![false; n];
        reaches_root[0] = true;
        let mut on_path = vec![false; n];
        for ino in 2..=n as u32 {
            if self.inode(ino).kind != FileType::Directory || reaches_root[ino as usize - 1] {
                continue;
            }
            let mut at = ino;
            while !reaches_root[at as usize - 1] {
                if on_path[at as usize - 1] {
                    return Err(ImageError::at("directories form a cycle", "inode", at as u64));
                }
                on_path[at as usize - 1] = true;
                at = self.record(at).parent;
            }
            let mut at = ino;
            while !reaches_root[at as usize - 1] {
                reaches_root[at as usize - 1] = true;
                at = self.record(at).parent;
            }
        }
        Ok(())
    }

    /// Check 5: mount names are preopen names whose tree paths
    /// ([`f::preopen_tree_path`]) name distinct directories; flags are
    /// known, a size limit only on a tmpfs, whose directory is empty.
    fn validate_mounts(&self) -> Result<(), ImageError> {
        let len = f::mount_len(self.version);
        let mut seen = alloc::vec::Vec::with_capacity(self.mounts.len() / len);
        for (index, chunk) in self.mounts.chunks_exact(len).enumerate() {
            let (record, reserved_zero) = MountRecord::decode(chunk, self.version);
            let bad = |problem| Err(ImageError::at(problem, "mount", index as u64));
            if !reserved_zero || record.flags & !f::MOUNT_FLAGS != 0 {
                return bad("unknown flags or reserved bytes");
            }
            let tmpfs = record.flags & f::MOUNT_TMPFS != 0;
            if record.size_limit != 0 && !tmpfs {
                return bad("a size limit on a mount that is not a tmpfs");
            }
            let end = record.name_offset as u64 + record.name_len as u64;
            if end > self.names.len() as u64 {
                return bad("path out of bounds");
            }
            let name = &self.names[record.name_offset as usize..end as usize];
            if f::preopen_tree_path(name).is_err() {
                return bad("name is not a preopen name (empty, NUL, .. or a component over 255 bytes)");
            }
            let Some(at) = self.preopen_dir(name) else {
                return bad("path does not name a directory of the image");
            };
            if tmpfs && self.inode(at).size != 0 {
                return bad("a tmpfs mountpoint that is not empty");
            }
            if seen.contains(&at) {
                return bad("two mounts name the same directory");
            }
            seen.push(at);
        }
        Ok(())
    }

    /// Check 6: a save path lies in names and is an absolute path with no
    /// NUL byte.
    fn validate_save_path(&self) -> Result<(), ImageError> {
        let (offset, len) = self.header.save_path;
        if len == 0 {
            return if offset == 0 { Ok(()) } else { Err(ImageError::new("save path offset without a length")) };
        }
        let end = offset as u64 + len as u64;
        if end > self.names.len() as u64 || len as usize > f::SAVE_PATH_MAX {
            return Err(ImageError::new("save path out of bounds"));
        }
        let path = &self.names[offset as usize..end as usize];
        if path[0] != b'/' || path.contains(&0) {
            return Err(ImageError::new("save path is not an absolute path"));
        }
        Ok(())
    }
}

/// The header, and the format version it declares.
fn read_header(bytes: &[u8]) -> Result<(u16, f::Header), ImageError> {
    if bytes.len() < f::SECTIONS_START {
        return Err(ImageError::new("shorter than its header"));
    }
    if bytes[0..8] != f::MAGIC {
        return Err(ImageError::new("not a Strata image (bad magic)"));
    }
    let version = f::u16_at(bytes, 8);
    if version != f::VERSION && version != f::VERSION_1 {
        return Err(ImageError::new("unsupported format version (made by a newer strata?)"));
    }
    if f::u16_at(bytes, 10) as usize != f::HEADER_LEN || f::u32_at(bytes, 12) != 0 {
        return Err(ImageError::new("unknown header length or flags"));
    }
    let reserved_from = if version == f::VERSION_1 { 36 } else { 44 };
    if bytes[reserved_from..f::HEADER_LEN].iter().any(|&b| b != 0) {
        return Err(ImageError::new("reserved header bytes are not zero"));
    }
    let image_len = f::u64_at(bytes, 16);
    if image_len > bytes.len() as u64 {
        return Err(ImageError::new("truncated (shorter than its recorded length)"));
    }
    let mut header = f::Header {
        image_len,
        inode_count: f::u32_at(bytes, 24),
        metadata_crc: f::u32_at(bytes, 28),
        data_crc: f::u32_at(bytes, 32),
        sections: [(0, 0); f::SECTION_COUNT],
        save_path: (f::u32_at(bytes, 36), f::u32_at(bytes, 40)),
    };
    if version == f::VERSION_1 {
        header.save_path = (0, 0);
    }
    let record_len = [f::INODE_LEN, f::DIRENT_LEN, f::mount_len(version), 1, 1];
    let mut expected_start = f::SECTIONS_START as u64;
    for (i, section) in header.sections.iter_mut().enumerate() {
        let at = f::HEADER_LEN + i * 16;
        let (offset, len) = (f::u64_at(bytes, at), f::u64_at(bytes, at + 8));
        if offset != expected_start || len % record_len[i] as u64 != 0 {
            return Err(ImageError::new("sections are not laid out back to back in order"));
        }
        expected_start =
            offset.checked_add(len).filter(|&end| end <= image_len).ok_or(ImageError::new("section out of bounds"))?;
        *section = (offset, len);
    }
    if expected_start != image_len {
        return Err(ImageError::new("sections do not end at the image's end"));
    }
    let inodes = header.sections[f::INODES].1 / f::INODE_LEN as u64;
    if header.inode_count == 0 || inodes != header.inode_count as u64 {
        return Err(ImageError::new("inode count does not match the inode section"));
    }
    Ok((version, header))
}

fn kind_of(mode_bits: u32) -> Option<FileType> {
    f::type_code(mode_bits).and_then(kind_of_code)
}

fn kind_of_code(code: u8) -> Option<FileType> {
    match code {
        f::TYPE_FILE => Some(FileType::Regular),
        f::TYPE_DIR => Some(FileType::Directory),
        f::TYPE_SYMLINK => Some(FileType::Symlink),
        _ => None,
    }
}
