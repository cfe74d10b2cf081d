//! `vfs_ops`'s input: where the namespace starts, then operations, each
//! one strata-vfs call. Decoded with `arbitrary`; `Debug` prints an input
//! readably (`cargo fuzz fmt vfs_ops FILE`).
//!
//! Names come from a tiny set (as in the differential test) so that
//! operations keep meeting on the same nodes, including the image's; paths
//! may be absolute, climb with `..`, repeat slashes and end with one.

use arbitrary::{Arbitrary, Result, Unstructured};
use strata_vfs::{OpenFlags, SetTime, Timespec};

#[derive(Arbitrary, Debug)]
pub struct Input {
    pub base: Base,
    pub ops: Vec<Op>,
}

/// The root filesystem.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Base {
    Empty,
    /// `crate::images::preopens` underneath, copy-on-write.
    Image,
    /// The same image, mounted read-only.
    ImageReadOnly,
    /// An empty root that holds at most this many bytes.
    Limited(Limit),
}

/// A size limit: small enough to reach.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Limit {
    Zero,
    Page,
    Chunk,
    Some(u16),
}

impl Limit {
    pub fn bytes(self) -> u64 {
        match self {
            Limit::Zero => 0,
            Limit::Page => 4096,
            Limit::Chunk => 65536,
            Limit::Some(n) => n as u64,
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    A,
    B,
    C,
    D,
    Dot,
    DotDot,
    /// 255 bytes: the longest name.
    Long,
    /// 256 bytes: ENAMETOOLONG.
    TooLong,
    // In the image.
    Srv,
    Hello,
    Sub,
    Loop1,
    Up,
    Tmp,
}

impl Name {
    fn bytes(self) -> &'static [u8] {
        const LONG: [u8; 256] = [b'l'; 256];
        match self {
            Name::A => b"a",
            Name::B => b"b",
            Name::C => b"c",
            Name::D => b"d",
            Name::Dot => b".",
            Name::DotDot => b"..",
            Name::Long => &LONG[..255],
            Name::TooLong => &LONG,
            Name::Srv => b"srv",
            Name::Hello => b"hello.txt",
            Name::Sub => b"sub",
            Name::Loop1 => b"loop1",
            Name::Up => b"up",
            Name::Tmp => b"tmp",
        }
    }
}

/// A path of at most [`Path::MAX_PARTS`] names.
#[derive(Debug, Clone)]
pub struct Path {
    pub absolute: bool,
    pub parts: Vec<Name>,
    /// `a//b` instead of `a/b`.
    pub double_slash: bool,
    pub trailing_slash: bool,
}

impl Path {
    pub const MAX_PARTS: usize = 5;

    pub fn bytes(&self) -> Vec<u8> {
        let mut path = Vec::new();
        if self.absolute {
            path.push(b'/');
        }
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                path.extend_from_slice(if self.double_slash { b"//" } else { b"/" });
            }
            path.extend_from_slice(part.bytes());
        }
        if self.trailing_slash {
            path.push(b'/');
        }
        path
    }
}

impl<'a> Arbitrary<'a> for Path {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Path> {
        let flags = u8::arbitrary(u)?;
        let count = u.int_in_range(0..=Path::MAX_PARTS)?;
        let parts = (0..count).map(|_| Name::arbitrary(u)).collect::<Result<_>>()?;
        // Mostly relative, rarely doubled slashes.
        Ok(Path { absolute: flags & 3 == 0, parts, double_slash: flags & 0x1c == 0, trailing_slash: flags & 0x60 == 0 })
    }
}

/// Which descriptor an operation uses: one it opened (by index into the
/// open ones), the working directory, or a number that is none.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FdRef {
    Open(u8),
    Cwd,
    Bad(i32),
}

/// `open(2)` flags: any of the known bits (and the invalid access mode 3).
#[derive(Debug, Clone, Copy)]
pub struct Flags(pub OpenFlags);

impl<'a> Arbitrary<'a> for Flags {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Flags> {
        const KNOWN: [OpenFlags; 12] = [
            OpenFlags::CREAT,
            OpenFlags::EXCL,
            OpenFlags::TRUNC,
            OpenFlags::APPEND,
            OpenFlags::NONBLOCK,
            OpenFlags::DIRECTORY,
            OpenFlags::NOFOLLOW,
            OpenFlags::CLOEXEC,
            OpenFlags::NOATIME,
            OpenFlags::SYNC,
            OpenFlags::PATH,
            OpenFlags::TMPFILE,
        ];
        let bits = u16::arbitrary(u)?;
        let mut flags = OpenFlags::from_bits_retain((bits & 3) as u32);
        for (i, flag) in KNOWN.iter().enumerate() {
            // The first seven (CREAT to NOFOLLOW) often, the rest rarely.
            let set = if i < 7 { bits >> (2 + i) & 1 == 1 } else { bits >> (2 + i) & 3 == 3 };
            if set {
                flags |= *flag;
            }
        }
        Ok(Flags(flags))
    }
}

/// A file offset or length: the boundaries (pages, chunks, 2^31, 2^32,
/// i64::MAX) more often than anything else.
#[derive(Debug, Clone, Copy)]
pub struct Offset(pub u64);

impl<'a> Arbitrary<'a> for Offset {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Offset> {
        const EDGES: [u64; 12] =
            [0, 1, 4095, 4096, 65535, 65536, 65537, 70_000, 1 << 31, (1 << 32) - 1, 1 << 32, i64::MAX as u64];
        Ok(Offset(match u.int_in_range(0..=15)? {
            i @ 0..=11 => EDGES[i as usize],
            12 | 13 => u16::arbitrary(u)? as u64,
            14 => u32::arbitrary(u)? as u64,
            _ => u64::arbitrary(u)?,
        }))
    }
}

/// Data to write: given bytes, or many copies of one (to cross chunks
/// without a long input).
#[derive(Arbitrary, Debug, Clone)]
pub enum Data {
    Bytes(Vec<u8>),
    Fill(u8, u16),
    FillLarge(u8, u8),
}

impl Data {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Data::Bytes(bytes) => bytes.clone(),
            Data::Fill(byte, n) => vec![*byte; *n as usize],
            Data::FillLarge(byte, k) => vec![*byte; *k as usize * 4096],
        }
    }
}

/// One timestamp of `utimensat`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Time {
    Now,
    Omit,
    At(i64, u32),
}

impl Time {
    pub fn set(self) -> SetTime {
        match self {
            Time::Now => SetTime::Now,
            Time::Omit => SetTime::Omit,
            // Out-of-range nanoseconds are the caller's to refuse (EINVAL).
            Time::At(sec, nsec) => SetTime::At(Timespec::new(sec, nsec % 1_100_000_000)),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Whence {
    Set,
    Cur,
    End,
    Data,
    Hole,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    Open {
        at: FdRef,
        path: Path,
        flags: Flags,
        mode: u16,
    },
    Close(FdRef),
    Dup(FdRef),
    Dup2 {
        old: FdRef,
        new: u8,
    },
    Read {
        fd: FdRef,
        len: u16,
    },
    Write {
        fd: FdRef,
        data: Data,
    },
    Pread {
        fd: FdRef,
        len: u16,
        offset: Offset,
    },
    Pwrite {
        fd: FdRef,
        data: Data,
        offset: Offset,
    },
    Seek {
        fd: FdRef,
        offset: i32,
        whence: Whence,
    },
    Truncate {
        path: Path,
        len: Offset,
    },
    Ftruncate {
        fd: FdRef,
        len: Offset,
    },
    Fallocate {
        fd: FdRef,
        mode: u8,
        offset: Offset,
        len: Offset,
    },
    Mkdir {
        at: FdRef,
        path: Path,
        mode: u16,
    },
    Unlink {
        at: FdRef,
        path: Path,
        dir: bool,
    },
    Link {
        from: FdRef,
        old: Path,
        to: FdRef,
        new: Path,
        follow: bool,
    },
    Symlink {
        target: Path,
        at: FdRef,
        path: Path,
    },
    Readlink {
        at: FdRef,
        path: Path,
        len: u16,
    },
    Rename {
        from: FdRef,
        old: Path,
        to: FdRef,
        new: Path,
        flags: u8,
    },
    Stat {
        at: FdRef,
        path: Path,
        nofollow: bool,
        empty_path: bool,
    },
    Fstat(FdRef),
    Utimens {
        at: FdRef,
        path: Path,
        times: [Time; 2],
        nofollow: bool,
    },
    Futimens {
        fd: FdRef,
        times: [Time; 2],
    },
    Chmod {
        at: FdRef,
        path: Path,
        mode: u16,
    },
    Fchmod {
        fd: FdRef,
        mode: u16,
    },
    Chown {
        at: FdRef,
        path: Path,
        uid: u8,
        gid: u8,
        nofollow: bool,
    },
    /// Run as root (false) or as uid/gid 1000 (true) from now on.
    AsUser(bool),
    Umask(u16),
    Chdir(Path),
    Fchdir(FdRef),
    Getcwd,
    /// `readdir` from a cookie seen before (by index), or a made-up one.
    Readdir {
        fd: FdRef,
        cookie: Cookie,
        max: u8,
    },
    Getdents {
        fd: FdRef,
        max: u8,
    },
    SetAppend {
        fd: FdRef,
        append: bool,
    },
    Flock {
        fd: FdRef,
        op: u8,
    },
    Statfs(Path),
    Mount {
        path: Path,
        read_only: bool,
        limit: Option<Limit>,
    },
    /// One of the image's preopen directories, mounted again.
    MountImageDir {
        path: Path,
        preopen: u8,
        read_only: bool,
    },
    /// A snapshot of the tree, laid out, written and reopened;
    /// `all_mounts: false` leaves every mounted filesystem out.
    Snapshot {
        all_mounts: bool,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Cookie {
    Seen(u8),
    Raw(u64),
}
