//! The last check before a fused module is returned: it must be valid for
//! the wasm features wasmtime 48 enables by default, and no intrinsic may
//! be left for a host to resolve. A failure is a bug in `wrap`.

use anyhow::{bail, Result};
use wasmparser::{FuncValidatorAllocations, Parser, Payload, ValidPayload, Validator, WasmFeatures};

use super::intrinsics;

/// wasmtime 48's default features: the Wasm 3.0 set (multi-memory,
/// exceptions, SIMD and relaxed SIMD, reference types, bulk memory, tail
/// calls, extended constants, function references, GC, memory64, threads).
const FEATURES: WasmFeatures = WasmFeatures::WASM3;

/// Checks the fused module `module`, made from `guest`. An invalid output
/// from an invalid guest is the guest's fault: `wrap` reads guests without
/// validating them (a full validation of a large guest costs as much as
/// the whole fusion), so this is where a broken guest is found.
pub fn validate(module: &[u8], guest: &[u8]) -> Result<()> {
    if let Err(error) = validate_all(module) {
        if let Err(guest_error) = validate_all(guest) {
            bail!("not a valid WebAssembly module: {guest_error}");
        }
        bail!("internal error: the fused module does not validate ({error}); please report this with the guest module");
    }
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

/// `Validator::validate_all`, with the function bodies (nearly all of a
/// large module's bytes) validated on every core once the sections before
/// the code have been. Threads of its own, not a shared pool: a caller's
/// pool may be busy (wasmtime compiles on rayon's global one).
fn validate_all(module: &[u8]) -> wasmparser::Result<()> {
    let mut validator = Validator::new_with_features(FEATURES);
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match validator.payload(&payload?)? {
            ValidPayload::Func(func, body) => bodies.push((func, body)),
            ValidPayload::Ok | ValidPayload::Parser(_) | ValidPayload::End(_) => {}
        }
    }
    // Dealt round-robin: big functions tend to sit together.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut shares: Vec<Vec<_>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in bodies.into_iter().enumerate() {
        shares[i % threads].push(item);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    let mut allocations = FuncValidatorAllocations::default();
                    for (func, body) in share {
                        let mut validator = func.into_validator(allocations);
                        validator.validate(&body)?;
                        allocations = validator.into_allocations();
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|worker| worker.join().expect("a validating thread panicked"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many functions, so every thread gets some, with one bad body among
    /// them (`wat` does not validate what it assembles).
    fn module(bad: Option<usize>) -> Vec<u8> {
        let bodies: String =
            (0..40)
                .map(|i| {
                    if Some(i) == bad {
                        "(func (result i32) i64.const 1)\n"
                    } else {
                        "(func (result i32) i32.const 1)\n"
                    }
                })
                .collect();
        wat::parse_str(format!("(module (memory 1) {bodies})")).unwrap()
    }

    #[test]
    fn every_function_body_is_validated() {
        let good = module(None);
        assert!(validate(&good, &good).is_ok());
        for bad in [0, 1, 17, 39] {
            let message = validate(&module(Some(bad)), &good).unwrap_err().to_string();
            assert!(message.contains("does not validate") && message.contains("type mismatch"), "{message}");
            let message = validate(&module(Some(bad)), &module(Some(bad))).unwrap_err().to_string();
            assert!(
                message.starts_with("not a valid WebAssembly module") && message.contains("type mismatch"),
                "{message}"
            );
        }
    }
}
