//! Time: the embedder supplies a clock; the filesystem stores nanoseconds.

/// A point in time as seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespec {
    pub sec: i64,
    /// Always below 1_000_000_000.
    pub nsec: u32,
}

impl Timespec {
    pub const fn new(sec: i64, nsec: u32) -> Timespec {
        Timespec { sec, nsec }
    }

    /// From nanoseconds since the epoch (the WASI representation).
    pub const fn from_nanos(ns: u64) -> Timespec {
        Timespec { sec: (ns / 1_000_000_000) as i64, nsec: (ns % 1_000_000_000) as u32 }
    }

    /// Nanoseconds since the epoch, saturating at the ends of `u64`.
    pub fn as_nanos(self) -> u64 {
        if self.sec < 0 {
            return 0;
        }
        // Not `saturating_mul`: on wasm32 that is a 128-bit multiply call.
        const MAX_SEC: u64 = u64::MAX / 1_000_000_000;
        match self.sec as u64 {
            sec if sec > MAX_SEC => u64::MAX,
            sec => (sec * 1_000_000_000).saturating_add(self.nsec as u64),
        }
    }
}

/// The source of "now" for timestamps. In the adapter this is the host's
/// realtime clock; in tests, a clock the test advances.
pub trait Clock {
    fn now(&self) -> Timespec;
}

/// A clock that never moves, for embedders without time.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixedClock(pub Timespec);

impl Clock for FixedClock {
    fn now(&self) -> Timespec {
        self.0
    }
}

/// One timestamp argument of `utimensat(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// `UTIME_NOW`: the current time.
    Now,
    /// `UTIME_OMIT`: leave this timestamp unchanged.
    Omit,
    /// An explicit time.
    At(Timespec),
}
