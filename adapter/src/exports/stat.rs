//! Filestat and timestamp conversions shared by the fd_ and path_ families.

use strata_vfs::{FileType, SetTime, Stat, Timespec};

use crate::abi::{errno, filetype, fstflags, layout, Errno};
use crate::guest::{self, GuestPtr};

pub fn filetype_of(kind: FileType) -> u8 {
    match kind {
        FileType::Regular => filetype::REGULAR_FILE,
        FileType::Directory => filetype::DIRECTORY,
        FileType::Symlink => filetype::SYMBOLIC_LINK,
    }
}

/// Writes `stat` as a preview1 `filestat` at `out` (traps if misaligned or
/// out of bounds). `dev` is 1 for every file, as wasmtime reports it.
pub fn write_filestat(out: i32, stat: &Stat) {
    let out = out as GuestPtr;
    guest::check_aligned(out, layout::FILESTAT_ALIGN);
    let mut bytes = [0u8; layout::FILESTAT_SIZE as usize];
    bytes[0..8].copy_from_slice(&1u64.to_le_bytes());
    bytes[8..16].copy_from_slice(&stat.ino.to_le_bytes());
    bytes[16] = filetype_of(stat.file_type());
    bytes[24..32].copy_from_slice(&stat.nlink.to_le_bytes());
    bytes[32..40].copy_from_slice(&stat.size.to_le_bytes());
    bytes[40..48].copy_from_slice(&stat.atime.as_nanos().to_le_bytes());
    bytes[48..56].copy_from_slice(&stat.mtime.as_nanos().to_le_bytes());
    bytes[56..64].copy_from_slice(&stat.ctime.as_nanos().to_le_bytes());
    guest::write_bytes(out, &bytes);
}

/// The two `utimensat` times a preview1 `fstflags` asks for; EINVAL when
/// one time is both given and "now".
pub fn set_times(flags: u16, atim: i64, mtim: i64) -> Result<[SetTime; 2], Errno> {
    let one = |set: u16, now: u16, value: i64| -> Result<SetTime, Errno> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(errno::INVAL),
            (true, false) => Ok(SetTime::At(Timespec::from_nanos(value as u64))),
            (false, true) => Ok(SetTime::Now),
            (false, false) => Ok(SetTime::Omit),
        }
    };
    Ok([one(fstflags::ATIM, fstflags::ATIM_NOW, atim)?, one(fstflags::MTIM, fstflags::MTIM_NOW, mtim)?])
}
