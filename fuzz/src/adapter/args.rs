//! Argument values as a hostile guest picks them: mostly the few values
//! where behaviour changes (fds 0..8, pointers at 0, at the layout's
//! places and at the end of memory, lengths 0, 1 and huge, known flag bits
//! with the odd unknown one), sometimes anything at all.
//!
//! Each choice takes one byte of the input (`int_in_range` over at most
//! 256 values: the byte modulo their count), a raw value as many bytes as
//! it is wide (little-endian), so that seeds can be written by hand
//! (`seeds.rs`). Two wide ranges, an offset into DATA and a small file
//! offset, take two and three bytes (big-endian).

use arbitrary::{Result, Unstructured};

use super::memory::{self, DATA, DATA_LEN, EVENTS, IOVS, IOVS_STRIDE, OUT, OUT_SLOTS, SUBS, SUB_SIZE};

/// What a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A descriptor number.
    Fd,
    /// Where a result goes.
    Out,
    /// A buffer the adapter writes into (listings, names, link targets).
    Buf,
    /// A buffer's length.
    Len,
    /// A path's address; the [`Kind::PathLen`] after it usually matches.
    PathPtr,
    PathLen,
    /// An iovec array, and an array's element count.
    Iovs,
    Count,
    /// A subscription array; where events go.
    Subs,
    Events,
    /// A flags value with these known bits (a u32, u16 or u8 type).
    Flags32(u32),
    Flags16(u16),
    Flags8(u8),
    /// An enum value with this many variants.
    Enum(u8),
    /// A file offset or size (u64 or i64).
    Offset,
    /// A rights set.
    Rights,
    /// A timestamp in nanoseconds.
    Time,
    /// A readdir cookie.
    Cookie,
    /// An exit code.
    Code,
}

/// Draws arguments for one input's calls.
pub struct Args<'a, 'b> {
    pub u: &'a mut Unstructured<'b>,
    /// The guest memory's length.
    pub end: u32,
    /// Fds the adapter handed out in this input (path_open, sock_accept).
    pub opened: &'a [u32],
    /// The length of the path the last [`Kind::PathPtr`] chose.
    path_len: Option<u32>,
}

/// `rights::ALL` and the rights the adapter looks at.
const RIGHTS_ALL: u64 = (1 << 30) - 1;
const FD_READ: u64 = 1 << 1;
const FD_WRITE: u64 = 1 << 6;

impl<'a, 'b> Args<'a, 'b> {
    pub fn new(u: &'a mut Unstructured<'b>, end: u32, opened: &'a [u32]) -> Args<'a, 'b> {
        Args { u, end, opened, path_len: None }
    }

    /// One choice among `n` (one byte).
    pub fn pick(&mut self, n: u32) -> Result<u32> {
        self.u.int_in_range(0..=n - 1)
    }

    /// A value of `kind`, as the i64 that carries it.
    pub fn value(&mut self, kind: Kind) -> Result<i64> {
        Ok(match kind {
            Kind::Fd => self.fd()? as i64,
            Kind::Out => self.out()? as i64,
            Kind::Buf => self.buf()? as i64,
            Kind::Len => self.len()? as i64,
            Kind::PathPtr => self.path_ptr()? as i64,
            Kind::PathLen => match self.path_len.take() {
                Some(len) if self.pick(8)? != 0 => len as i64,
                _ => self.len()? as i64,
            },
            Kind::Iovs => match self.pick(4)? {
                0 | 1 => (IOVS + self.pick(8)? * IOVS_STRIDE) as i64,
                2 => (IOVS + 2) as i64,
                _ => self.pointer()? as i64,
            },
            Kind::Count => self.count()? as i64,
            Kind::Subs => match self.pick(4)? {
                0 | 1 => (SUBS + self.pick(8)? * SUB_SIZE) as i64,
                2 => (SUBS + 4) as i64,
                _ => self.pointer()? as i64,
            },
            Kind::Events => match self.pick(3)? {
                0 | 1 => EVENTS as i64,
                _ => self.pointer()? as i64,
            },
            Kind::Flags32(known) => self.flags(known)? as i64,
            Kind::Flags16(known) => self.flags(known as u32)? as i64,
            Kind::Flags8(known) => self.flags(known as u32)? as i64,
            Kind::Enum(count) => match self.pick(8)? {
                0..=4 => self.pick(count as u32)? as i64,
                5 => count as i64,
                6 => -1,
                _ => self.u.arbitrary::<u32>()? as i64,
            },
            Kind::Offset => self.offset()?,
            Kind::Rights => match self.pick(8)? {
                0 => 0,
                1 => RIGHTS_ALL as i64,
                2 => FD_READ as i64,
                3 => FD_WRITE as i64,
                4 => (FD_READ | FD_WRITE) as i64,
                5 => (self.u.arbitrary::<u64>()? & RIGHTS_ALL) as i64,
                6 => (RIGHTS_ALL + 1) as i64,
                _ => self.u.arbitrary::<i64>()?,
            },
            Kind::Time => match self.pick(6)? {
                0 => 0,
                1 => 1,
                2 => 1_600_000_000_123_456_789,
                3 => -1,
                4 => i64::MAX,
                _ => self.u.arbitrary::<i64>()?,
            },
            Kind::Cookie => match self.pick(8)? {
                0..=3 => self.pick(8)? as i64,
                4 => u32::MAX as i64,
                5 => i64::MAX,
                6 => -1,
                _ => self.u.arbitrary::<i64>()?,
            },
            Kind::Code => match self.pick(3)? {
                0 => 0,
                1 => 1,
                _ => self.u.arbitrary::<u32>()? as i64,
            },
        })
    }

    fn fd(&mut self) -> Result<u32> {
        Ok(match self.pick(16)? {
            0..=8 => self.pick(9)?,
            // One byte whatever the count (a choice of one would take none,
            // and shift what follows).
            9..=11 if !self.opened.is_empty() => self.opened[self.pick(256)? as usize % self.opened.len()],
            9 | 10 => self.pick(9)? + 6,
            11 => u32::MAX,
            12 => 1 << 31,
            13 => 1 << 20,
            14 => 3 + self.pick(3)?,
            _ => self.u.arbitrary::<u32>()?,
        })
    }

    /// Any address, mostly where things change.
    fn pointer(&mut self) -> Result<u32> {
        Ok(match self.pick(10)? {
            0 => 0,
            1 => self.pick(64)?,
            2 => OUT + 8 * self.pick(OUT_SLOTS)?,
            3 => DATA + self.u.int_in_range(0..=DATA_LEN - 1)?,
            4 => self.end.wrapping_sub(self.pick(65)?),
            5 => self.end.wrapping_add(self.pick(65)?),
            6 => u32::MAX - self.pick(65)?,
            7 => 0x8000_0000,
            8 => OUT + self.pick(256)?,
            _ => self.u.arbitrary::<u32>()?,
        })
    }

    fn out(&mut self) -> Result<u32> {
        match self.pick(4)? {
            0..=2 => Ok(OUT + 8 * self.pick(OUT_SLOTS)?),
            _ => self.pointer(),
        }
    }

    fn buf(&mut self) -> Result<u32> {
        match self.pick(4)? {
            0 | 1 => Ok(DATA + 8 * self.pick(64)?),
            _ => self.pointer(),
        }
    }

    fn len(&mut self) -> Result<u32> {
        Ok(match self.pick(12)? {
            0 => 0,
            1 => 1,
            2 => 2 + self.pick(63)?,
            3 => 24,
            4 => 4096,
            5 => self.end.wrapping_sub(DATA),
            6 => 65536,
            7 => u32::MAX,
            8 => 0x7fff_ffff,
            9 => 0x8000_0000,
            10 => self.pick(256)? * 8,
            _ => self.u.arbitrary::<u32>()?,
        })
    }

    fn path_ptr(&mut self) -> Result<u32> {
        let paths = memory::paths().len() as u32;
        match self.pick(8)? {
            0..=5 => {
                let (at, len) = memory::path_at(self.pick(paths)? as usize);
                self.path_len = Some(len);
                Ok(at)
            }
            _ => self.pointer(),
        }
    }

    fn count(&mut self) -> Result<u32> {
        Ok(match self.pick(10)? {
            0..=4 => self.pick(5)?,
            5 => 8,
            6 => 0x2000_0000,
            7 => 0x1000_0001,
            8 => u32::MAX,
            _ => self.u.arbitrary::<u32>()?,
        })
    }

    fn flags(&mut self, known: u32) -> Result<u32> {
        Ok(match self.pick(8)? {
            0 => 0,
            1..=4 => self.u.arbitrary::<u32>()? & known,
            5 => (self.u.arbitrary::<u32>()? & known) | 1 << self.pick(32)?,
            6 => known + 1,
            _ => self.u.arbitrary::<u32>()?,
        })
    }

    fn offset(&mut self) -> Result<i64> {
        Ok(match self.pick(14)? {
            0 => 0,
            1 => 1,
            2 => self.u.int_in_range(0..=100_000)?,
            3 => 65535,
            4 => 65536,
            5 => 65537,
            6 => (1 << 32) - 1,
            7 => 1 << 32,
            8 => i64::MAX,
            9 => i64::MIN,
            10 => -1,
            11 => -4096,
            12 => 70_000 - self.pick(64)? as i64,
            _ => self.u.arbitrary::<i64>()?,
        })
    }
}
