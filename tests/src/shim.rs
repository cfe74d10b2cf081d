//! The known differences of `@bjorn3/browser_wasi_shim` (0.4.2, the
//! preview1 host of `docs/web/`, given stdio only) from wasmtime's host, on
//! the calls a wrapped module hands to its host: one list for every engine
//! that runs it (Chromium, Firefox, Deno, Bun), since the host is the same
//! JavaScript everywhere.

use crate::known::{known, Known};

pub const KNOWN: &[Known] = &[];
