//! What `strata trace` asked for, read once from [`CONFIG`].
//!
//! `strata trace` writes its options into the bytes of [`CONFIG`] in the
//! tracer's data segment before fusing it (`tooling/src/trace.rs`), where
//! it finds them by [`MAGIC`]. The text after the magic is
//! `key=value` pairs, one per line, then NUL bytes:
//!
//! | key | value | strace |
//! | --- | --- | --- |
//! | `only` | comma-separated function names or prefixes ending in `*` (`path_*`): trace just those | `-e trace=` |
//! | `lines` | `0`: print no line per call | `-c` |
//! | `durations` | `1`: each line ends in `<SECONDS>`, the call's time | `-T` |
//! | `timestamps` | `1`: each line starts with the seconds since the first call | `-r` |
//! | `summary` | `1`: at exit, a table of calls, errors and time per function | `-c`, `-C` |
//! | `file` | an absolute guest path in a preopen: append the trace there instead of stderr | `-o` |

use alloc::vec::Vec;
use core::cell::UnsafeCell;

/// Where the options start; the tooling searches the module for it.
pub const MAGIC: &[u8; 24] = b"strata-trace-config-v1:\n";
const LEN: usize = 2048;

#[repr(C)]
pub struct Block {
    magic: [u8; 24],
    text: [u8; LEN],
}

/// Not zero-initialized (a zero static would not be in the data segment
/// for the tooling to patch): spaces until patched, which parse as empty.
#[no_mangle]
#[used]
pub static CONFIG: Block = Block { magic: *MAGIC, text: [b' '; LEN] };

pub struct Config {
    /// Names, or prefixes (an entry ending in `*`); empty: everything.
    only: Vec<Vec<u8>>,
    pub lines: bool,
    pub durations: bool,
    pub timestamps: bool,
    pub summary: bool,
    /// Where the lines go instead of stderr.
    pub file: Option<Vec<u8>>,
}

impl Config {
    /// Whether calls of `name` are traced.
    pub fn traces(&self, name: &[u8]) -> bool {
        self.only.is_empty()
            || self.only.iter().any(|entry| match entry.strip_suffix(b"*") {
                Some(prefix) => name.starts_with(prefix),
                None => entry == name,
            })
    }
}

struct Slot(UnsafeCell<Option<Config>>);

// SAFETY: one thread, and no reference outlives a call.
unsafe impl Sync for Slot {}

static PARSED: Slot = Slot(UnsafeCell::new(None));

/// The configuration, parsed on first use.
pub fn get() -> &'static Config {
    // SAFETY: see `Slot`.
    let slot = unsafe { &mut *PARSED.0.get() };
    slot.get_or_insert_with(|| {
        // Read through a volatile pointer: the compiler must not fold the
        // bytes it initialized the static with, which the tooling replaces.
        let text: [u8; LEN] = unsafe { core::ptr::read_volatile(&CONFIG.text) };
        parse(&text)
    })
}

fn parse(text: &[u8]) -> Config {
    let mut config =
        Config { only: Vec::new(), lines: true, durations: false, timestamps: false, summary: false, file: None };
    for line in text.split(|&b| b == b'\n' || b == 0) {
        let line = line.trim_ascii();
        let Some(at) = line.iter().position(|&b| b == b'=') else { continue };
        let (key, value) = (&line[..at], &line[at + 1..]);
        let on = value == b"1";
        match key {
            b"only" => {
                config.only = value.split(|&b| b == b',').filter(|n| !n.is_empty()).map(<[u8]>::to_vec).collect()
            }
            b"lines" => config.lines = on,
            b"durations" => config.durations = on,
            b"timestamps" => config.timestamps = on,
            b"summary" => config.summary = on,
            b"file" if !value.is_empty() => config.file = Some(value.to_vec()),
            _ => {}
        }
    }
    config
}
