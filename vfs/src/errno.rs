//! Linux error numbers, as one newtype with named constants.
//!
//! Every fallible operation returns [`Result`]. The numbers are Linux's
//! (asm-generic/errno-base.h, errno.h) so that a differential test can
//! compare them with the host kernel directly; the adapter converts them to
//! WASI errnos in one table.

use core::fmt;

/// A Linux errno value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Errno(pub u16);

/// The result of every fallible filesystem operation.
pub type Result<T> = core::result::Result<T, Errno>;

macro_rules! errnos {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl Errno {
            $($(#[$doc])* pub const $name: Errno = Errno($value);)*

            /// The C name of this errno (`"ENOENT"`), or `None` if unknown.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(concat!("E", stringify!($name))),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    /// Operation not permitted.
    PERM = 1;
    /// No such file or directory.
    NOENT = 2;
    /// Interrupted system call.
    INTR = 4;
    /// I/O error.
    IO = 5;
    /// No such device or address (`SEEK_DATA`/`SEEK_HOLE` past the end).
    NXIO = 6;
    /// Bad file descriptor.
    BADF = 9;
    /// Resource temporarily unavailable (also EWOULDBLOCK).
    AGAIN = 11;
    /// Out of memory.
    NOMEM = 12;
    /// Permission denied.
    ACCES = 13;
    /// Bad address.
    FAULT = 14;
    /// Device or resource busy.
    BUSY = 16;
    /// File exists.
    EXIST = 17;
    /// Cross-device link.
    XDEV = 18;
    /// No such device.
    NODEV = 19;
    /// Not a directory.
    NOTDIR = 20;
    /// Is a directory.
    ISDIR = 21;
    /// Invalid argument.
    INVAL = 22;
    /// Too many open files in system.
    NFILE = 23;
    /// Too many open files.
    MFILE = 24;
    /// Text file busy.
    TXTBSY = 26;
    /// File too large.
    FBIG = 27;
    /// No space left on device.
    NOSPC = 28;
    /// Illegal seek.
    SPIPE = 29;
    /// Read-only file system.
    ROFS = 30;
    /// Too many links.
    MLINK = 31;
    /// Broken pipe.
    PIPE = 32;
    /// Result out of range.
    RANGE = 34;
    /// Resource deadlock would occur.
    DEADLK = 35;
    /// File name too long.
    NAMETOOLONG = 36;
    /// Function not implemented.
    NOSYS = 38;
    /// Directory not empty.
    NOTEMPTY = 39;
    /// Too many levels of symbolic links.
    LOOP = 40;
    /// No data available (no such attribute).
    NODATA = 61;
    /// Value too large for defined data type.
    OVERFLOW = 75;
    /// Illegal byte sequence.
    ILSEQ = 84;
    /// Socket operation on non-socket.
    NOTSOCK = 88;
    /// Operation not supported.
    OPNOTSUPP = 95;
    /// Stale file handle.
    STALE = 116;
}

impl Errno {
    /// EWOULDBLOCK is EAGAIN on Linux.
    pub const WOULDBLOCK: Errno = Errno::AGAIN;
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_linux_numbers() {
        assert_eq!(Errno::NOENT.0, 2);
        assert_eq!(Errno::LOOP.0, 40);
        assert_eq!(Errno::NOTEMPTY.name(), Some("ENOTEMPTY"));
        assert_eq!(Errno(9999).name(), None);
        assert_eq!(alloc::format!("{:?}", Errno::XDEV), "EXDEV");
    }
}
