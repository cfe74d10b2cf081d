//! The adapter `wrap` fuses: by default the one built with this tool
//! (`build.rs`), or any other for tests.

/// An adapter module and the strata-adapter version it was built from.
#[derive(Clone, Copy, Debug)]
pub struct Adapter<'a> {
    pub wasm: &'a [u8],
    /// Recorded in every module wrapped with it; re-wrapping a module
    /// requires the same version.
    pub version: &'a str,
    pub role: Role,
}

/// What a fused module is made for: the same fuser puts either in front
/// of a guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// strata-adapter: the filesystem (`strata wrap`).
    Filesystem,
    /// strata-tracer: every preview1 call logged (`strata trace`).
    Tracer,
}

impl Role {
    /// The prefix of its items in the name section.
    pub fn prefix(self) -> &'static str {
        match self {
            Role::Filesystem => "strata",
            Role::Tracer => "strata-trace",
        }
    }

    /// The custom section that records the fusion (`section::NAME` for
    /// the filesystem).
    pub fn section(self) -> &'static str {
        match self {
            Role::Filesystem => super::section::NAME,
            Role::Tracer => super::section::TRACE_NAME,
        }
    }
}

/// The version of the embedded tracer.
pub const TRACER_VERSION: &str = env!("STRATA_TRACER_VERSION");

static TRACER_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strata_tracer.wasm"));

impl Adapter<'static> {
    /// The tracer built into this tool (its options not yet written in:
    /// see `crate::trace`).
    pub fn tracer() -> Adapter<'static> {
        Adapter { wasm: TRACER_WASM, version: TRACER_VERSION, role: Role::Tracer }
    }
}

/// The version of the embedded adapter (the strata-adapter crate's).
pub const VERSION: &str = env!("STRATA_ADAPTER_VERSION");

static WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/strata_adapter.wasm"));

impl Adapter<'static> {
    /// The adapter built into this tool.
    pub fn embedded() -> Adapter<'static> {
        Adapter { wasm: WASM, version: VERSION, role: Role::Filesystem }
    }
}
