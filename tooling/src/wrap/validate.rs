//! The last check before a fused module is returned: it must be valid for
//! the wasm features wasmtime 48 enables by default, and no intrinsic may
//! be left for a host to resolve. A failure is a bug in `wrap`.

use anyhow::{anyhow, bail, Result};
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

use super::intrinsics;

/// wasmtime 48's default features: the Wasm 3.0 set (multi-memory,
/// exceptions, SIMD and relaxed SIMD, reference types, bulk memory, tail
/// calls, extended constants, function references, GC, memory64, threads).
const FEATURES: WasmFeatures = WasmFeatures::WASM3;

pub fn validate(module: &[u8]) -> Result<()> {
    Validator::new_with_features(FEATURES).validate_all(module).map_err(|error| {
        anyhow!(
            "internal error: the fused module does not validate ({error}); please report this with the guest module"
        )
    })?;
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(imports) = payload? {
            for import in imports.into_imports() {
                let import = import?;
                if import.module == intrinsics::MODULE {
                    bail!("internal error: the fused module still imports {}.{}", import.module, import.name);
                }
            }
        }
    }
    Ok(())
}
