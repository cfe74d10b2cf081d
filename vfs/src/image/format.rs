//! Record layouts of image format version 2 (and the version 1 mount
//! records it extends), shared by the reader and the writers. `docs/image-format.md` is the specification; this file encodes
//! it and nothing else.

use crate::flags::mode;

pub const MAGIC: [u8; 8] = *b"STRATAIM";
/// The version writers write. Readers also read [`VERSION_1`].
pub const VERSION: u16 = 2;
/// Version 1: mount records of [`MOUNT_LEN_V1`] bytes (names only), no
/// save path.
pub const VERSION_1: u16 = 1;
pub const HEADER_LEN: usize = 64;
pub const SECTION_COUNT: usize = 5;
pub const SECTION_TABLE_LEN: usize = SECTION_COUNT * 16;
/// Where the first section starts.
pub const SECTIONS_START: usize = HEADER_LEN + SECTION_TABLE_LEN;
pub const INODE_LEN: usize = 48;
pub const DIRENT_LEN: usize = 16;
pub const MOUNT_LEN: usize = 24;
pub const MOUNT_LEN_V1: usize = 8;
/// The root directory's inode number.
pub const ROOT_INO: u32 = 1;
/// Longest entry name.
pub const NAME_MAX: usize = 255;
/// Longest symlink target.
pub const TARGET_MAX: usize = 4095;
/// Longest save path (Linux's `PATH_MAX` less its NUL).
pub const SAVE_PATH_MAX: usize = 4095;

/// Mount record flags.
pub const MOUNT_READ_ONLY: u32 = 1;
/// An empty memory filesystem: the directory in the tree is its
/// mountpoint (and empty); what the guest writes there is never saved.
pub const MOUNT_TMPFS: u32 = 2;
pub const MOUNT_FLAGS: u32 = MOUNT_READ_ONLY | MOUNT_TMPFS;

/// Section indexes in the table, in their required order.
pub const INODES: usize = 0;
pub const DIRENTS: usize = 1;
pub const MOUNTS: usize = 2;
pub const NAMES: usize = 3;
pub const DATA: usize = 4;

/// Entry type codes.
pub const TYPE_FILE: u8 = 1;
pub const TYPE_DIR: u8 = 2;
pub const TYPE_SYMLINK: u8 = 3;

/// The type code of a mode's `S_IFMT` bits, if it is one images hold.
pub fn type_code(mode_bits: u32) -> Option<u8> {
    match mode_bits & mode::S_IFMT {
        mode::S_IFREG => Some(TYPE_FILE),
        mode::S_IFDIR => Some(TYPE_DIR),
        mode::S_IFLNK => Some(TYPE_SYMLINK),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub image_len: u64,
    pub inode_count: u32,
    pub metadata_crc: u32,
    pub data_crc: u32,
    /// `(offset, length)` of inodes, dirents, mounts, names, data.
    pub sections: [(u64, u64); SECTION_COUNT],
    /// `(offset, length)` in names of the path the adapter saves the tree
    /// to when the guest ends; length 0: none. Version 2 only.
    pub save_path: (u32, u32),
}

impl Header {
    /// The header and section table, `SECTIONS_START` bytes.
    pub fn encode(&self) -> [u8; SECTIONS_START] {
        let mut out = [0u8; SECTIONS_START];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&VERSION.to_le_bytes());
        out[10..12].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        out[16..24].copy_from_slice(&self.image_len.to_le_bytes());
        out[24..28].copy_from_slice(&self.inode_count.to_le_bytes());
        out[28..32].copy_from_slice(&self.metadata_crc.to_le_bytes());
        out[32..36].copy_from_slice(&self.data_crc.to_le_bytes());
        out[36..40].copy_from_slice(&self.save_path.0.to_le_bytes());
        out[40..44].copy_from_slice(&self.save_path.1.to_le_bytes());
        for (i, (offset, len)) in self.sections.iter().enumerate() {
            let at = HEADER_LEN + i * 16;
            out[at..at + 8].copy_from_slice(&offset.to_le_bytes());
            out[at + 8..at + 16].copy_from_slice(&len.to_le_bytes());
        }
        out
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InodeRecord {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub mtime_sec: i64,
    pub mtime_nsec: u32,
    /// Directories: the parent's inode number; others 0.
    pub parent: u32,
    /// File: data offset; directory: first entry index; symlink: target
    /// offset in names.
    pub a: u64,
    /// File: size; directory: entry count; symlink: target length.
    pub b: u64,
}

impl InodeRecord {
    pub fn encode(&self) -> [u8; INODE_LEN] {
        let mut out = [0u8; INODE_LEN];
        out[0..4].copy_from_slice(&self.mode.to_le_bytes());
        out[4..8].copy_from_slice(&self.uid.to_le_bytes());
        out[8..12].copy_from_slice(&self.gid.to_le_bytes());
        out[12..16].copy_from_slice(&self.nlink.to_le_bytes());
        out[16..24].copy_from_slice(&self.mtime_sec.to_le_bytes());
        out[24..28].copy_from_slice(&self.mtime_nsec.to_le_bytes());
        out[28..32].copy_from_slice(&self.parent.to_le_bytes());
        out[32..40].copy_from_slice(&self.a.to_le_bytes());
        out[40..48].copy_from_slice(&self.b.to_le_bytes());
        out
    }

    pub fn decode(bytes: &[u8; INODE_LEN]) -> InodeRecord {
        InodeRecord {
            mode: u32_at(bytes, 0),
            uid: u32_at(bytes, 4),
            gid: u32_at(bytes, 8),
            nlink: u32_at(bytes, 12),
            mtime_sec: u64_at(bytes, 16) as i64,
            mtime_nsec: u32_at(bytes, 24),
            parent: u32_at(bytes, 28),
            a: u64_at(bytes, 32),
            b: u64_at(bytes, 40),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirentRecord {
    pub name_offset: u32,
    pub name_len: u16,
    pub type_code: u8,
    pub ino: u32,
}

impl DirentRecord {
    pub fn encode(&self) -> [u8; DIRENT_LEN] {
        let mut out = [0u8; DIRENT_LEN];
        out[0..4].copy_from_slice(&self.name_offset.to_le_bytes());
        out[4..6].copy_from_slice(&self.name_len.to_le_bytes());
        out[6] = self.type_code;
        out[8..12].copy_from_slice(&self.ino.to_le_bytes());
        out
    }

    /// Decodes, and whether the reserved bytes are zero.
    pub fn decode(bytes: &[u8; DIRENT_LEN]) -> (DirentRecord, bool) {
        let record = DirentRecord {
            name_offset: u32_at(bytes, 0),
            name_len: u16::from_le_bytes([bytes[4], bytes[5]]),
            type_code: bytes[6],
            ino: u32_at(bytes, 8),
        };
        (record, bytes[7] == 0 && u32_at(bytes, 12) == 0)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountRecord {
    pub name_offset: u32,
    pub name_len: u32,
    /// [`MOUNT_READ_ONLY`], [`MOUNT_TMPFS`].
    pub flags: u32,
    /// A tmpfs mount's size limit in bytes; 0: none (and always 0 for
    /// other mounts).
    pub size_limit: u64,
}

impl MountRecord {
    pub fn encode(&self) -> [u8; MOUNT_LEN] {
        let mut out = [0u8; MOUNT_LEN];
        out[0..4].copy_from_slice(&self.name_offset.to_le_bytes());
        out[4..8].copy_from_slice(&self.name_len.to_le_bytes());
        out[8..12].copy_from_slice(&self.flags.to_le_bytes());
        out[16..24].copy_from_slice(&self.size_limit.to_le_bytes());
        out
    }

    /// Decodes a record of `version`'s length, and whether its reserved
    /// bytes are zero.
    pub fn decode(bytes: &[u8], version: u16) -> (MountRecord, bool) {
        let mut record =
            MountRecord { name_offset: u32_at(bytes, 0), name_len: u32_at(bytes, 4), ..Default::default() };
        if version == VERSION_1 {
            return (record, true);
        }
        record.flags = u32_at(bytes, 8);
        record.size_limit = u64_at(bytes, 16);
        (record, u32_at(bytes, 12) == 0)
    }
}

/// The length of a mount record in `version`.
pub fn mount_len(version: u16) -> usize {
    if version == VERSION_1 {
        MOUNT_LEN_V1
    } else {
        MOUNT_LEN
    }
}

/// Why a preopen name has no place in an image's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreopenNameError {
    /// The name is empty.
    Empty,
    /// A component is `..`: the place would depend on what lies above.
    DotDot,
    /// The name contains a NUL byte.
    Nul,
    /// A component is longer than [`NAME_MAX`] bytes.
    TooLong,
}

impl PreopenNameError {
    /// What is wrong, to follow "the name": `is empty`.
    pub fn problem(self) -> &'static str {
        match self {
            PreopenNameError::Empty => "is empty",
            PreopenNameError::DotDot => "contains a .. component",
            PreopenNameError::Nul => "contains a NUL byte",
            PreopenNameError::TooLong => "has a component longer than 255 bytes",
        }
    }
}

/// Where the preopen named `name` lives in an image's tree, as the
/// components of its path from the root (none: the root itself).
///
/// A mount record stores the preopen's name exactly as the guest reads it
/// from `fd_prestat_dir_name` (wasmtime accepts `--dir HOST::GUEST` with a
/// relative GUEST, and `--dir HOST` alone names the preopen HOST); its
/// place in the tree is derived by this one rule, which `strata pack`, the
/// image reader and the adapter share:
///
/// - an absolute name is its own path: `/srv` → `/srv`, `//a/./b/` → `/a/b`;
/// - a relative name lives under the root: `.` → `/`, `./site` → `/site`,
///   `data/x` → `/data/x`;
/// - empty components and `.` components are dropped; a `..` component, a
///   NUL byte, an empty name or a component over [`NAME_MAX`] bytes is an
///   error.
///
/// The name is checked whole before the iterator is returned, so the
/// iterator itself can not fail.
pub fn preopen_tree_path(name: &[u8]) -> Result<impl Iterator<Item = &[u8]> + Clone, PreopenNameError> {
    if name.is_empty() {
        return Err(PreopenNameError::Empty);
    }
    if name.contains(&0) {
        return Err(PreopenNameError::Nul);
    }
    let components = name.split(|&b| b == b'/').filter(|c| !c.is_empty() && *c != b".");
    for component in components.clone() {
        if component == b".." {
            return Err(PreopenNameError::DotDot);
        }
        if component.len() > NAME_MAX {
            return Err(PreopenNameError::TooLong);
        }
    }
    Ok(components)
}

pub fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn tree_path(name: &str) -> Result<Vec<&[u8]>, PreopenNameError> {
        preopen_tree_path(name.as_bytes()).map(Iterator::collect)
    }

    #[test]
    fn absolute_names_are_their_own_normalized_path() {
        assert_eq!(tree_path("/"), Ok(Vec::new()));
        assert_eq!(tree_path("/srv"), Ok(vec![&b"srv"[..]]));
        assert_eq!(tree_path("//usr/./lib/"), Ok(vec![&b"usr"[..], b"lib"]));
    }

    #[test]
    fn relative_names_live_under_the_root() {
        assert_eq!(tree_path("."), Ok(Vec::new()));
        assert_eq!(tree_path("./"), Ok(Vec::new()));
        assert_eq!(tree_path("./site"), Ok(vec![&b"site"[..]]));
        assert_eq!(tree_path("data/x"), Ok(vec![&b"data"[..], b"x"]));
        assert_eq!(tree_path("a::b"), Ok(vec![&b"a::b"[..]]));
    }

    #[test]
    fn unplaceable_names_are_errors() {
        assert_eq!(tree_path(""), Err(PreopenNameError::Empty));
        assert_eq!(tree_path(".."), Err(PreopenNameError::DotDot));
        assert_eq!(tree_path("/a/../b"), Err(PreopenNameError::DotDot));
        assert_eq!(tree_path("a\0b"), Err(PreopenNameError::Nul));
        assert_eq!(tree_path(&"n".repeat(256)), Err(PreopenNameError::TooLong));
        assert!(tree_path(&"n".repeat(255)).is_ok());
    }
}
