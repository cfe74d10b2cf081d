//! The adapter `wrap` fuses: by default the one built with this tool
//! (`build.rs`), or any other for tests.

/// An adapter module and the strata-adapter version it was built from.
#[derive(Clone, Copy, Debug)]
pub struct Adapter<'a> {
    pub wasm: &'a [u8],
    /// Recorded in every module wrapped with it; re-wrapping a module
    /// requires the same version.
    pub version: &'a str,
}

/// The version of the embedded adapter (the strata-adapter crate's).
pub const VERSION: &str = env!("STRATA_ADAPTER_VERSION");

static WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strata_adapter.wasm"));

impl Adapter<'static> {
    /// The adapter built into this tool.
    pub fn embedded() -> Adapter<'static> {
        Adapter { wasm: WASM, version: VERSION }
    }
}
