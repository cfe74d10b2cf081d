//! Guests of every shape wrap into valid modules: reactors, exceptions,
//! SIMD, several tables, start functions, odd imports.

mod common;

use common::wasm::{validate, wasm, Described, FEATURE_GUEST, TEST_ADAPTER};
use strata::wrap::{wrap, wrap_with, Adapter, WrapOptions};
use wasmparser::ExternalKind;

fn with_test_adapter(guest: &str) -> anyhow::Result<Vec<u8>> {
    let adapter = wasm(TEST_ADAPTER);
    let options = WrapOptions { adapter: Adapter { wasm: &adapter, version: "9.9.9-test" } };
    Ok(wrap_with(&wasm(guest), None, &options)?.module)
}

#[test]
fn a_reactor_with_exceptions_simd_and_two_tables_wraps_and_validates() {
    for module in [with_test_adapter(FEATURE_GUEST).unwrap(), wrap(&wasm(FEATURE_GUEST), None).unwrap()] {
        validate(&module);
        let described = Described::of(&module);
        assert_eq!(described.exports.get("_initialize").map(|e| e.0), Some(ExternalKind::Func));
        assert_eq!(described.exports.get("work").map(|e| e.0), Some(ExternalKind::Func));
        assert!(described.tables >= 2, "the guest's two tables are kept");
        assert!(described.count_ops(&["TryTable"]) == 1 && described.count_ops(&["ThrowRef"]) == 0);
        assert_eq!(described.count_ops(&["I32x4Add"]), 1);
        assert!(described.start.is_some(), "the guest's start function still runs");
    }
}

#[test]
fn both_start_functions_run_the_adapters_first() {
    // The test adapter and the feature guest each have a start function:
    // the fused module's start calls the adapter's, then the guest's.
    let module = with_test_adapter(FEATURE_GUEST).unwrap();
    let described = Described::of(&module);
    let start = described.start.expect("a start function") - described.imported_functions;
    let mut bodies = wasmparser::Parser::new(0).parse_all(&module).filter_map(|payload| match payload.unwrap() {
        wasmparser::Payload::CodeSectionEntry(body) => Some(body),
        _ => None,
    });
    let body = bodies.nth(start as usize).expect("the start function's body");
    let ops: Vec<String> =
        body.get_operators_reader().unwrap().into_iter().map(|op| format!("{:?}", op.unwrap())).collect();
    assert_eq!(ops.len(), 3, "call adapter start, call guest start, end: {ops:?}");
    assert!(ops[0].starts_with("Call") && ops[1].starts_with("Call") && ops[2] == "End", "{ops:?}");
}

#[test]
fn a_guest_importing_one_function_twice_gets_one_adapter_function() {
    let guest = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $a (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $b (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (call $a (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
        (drop (call $b (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))"#;
    let module = with_test_adapter(guest).unwrap();
    validate(&module);
    let described = Described::of(&module);
    // One host fd_write remains: the adapter's, for stdio.
    assert_eq!(described.imports_from("wasi_snapshot_preview1"), ["fd_write", "clock_time_get"]);
    assert_eq!(described.count_ops(&["MemoryCopy { dst_mem: 1, src_mem: 0 }"]), 1, "the body is copied once");
}

#[test]
fn a_guest_that_imports_nothing_the_adapter_serves_still_wraps() {
    let guest = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 0))))"#;
    let adapter = wasm(TEST_ADAPTER);
    let options = WrapOptions { adapter: Adapter { wasm: &adapter, version: "t" } };
    let wrapped = wrap_with(&wasm(guest), None, &options).unwrap();
    validate(&wrapped.module);
    assert!(wrapped.virtualized.is_empty());
    assert_eq!(wrapped.warnings.len(), 1, "{:?}", wrapped.warnings);
    assert!(wrapped.warnings[0].contains("nothing will read the image"));
}

#[test]
fn a_signature_mismatch_names_the_function() {
    let guest = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $w (i32.const 1)))))"#;
    let error = format!("{:#}", with_test_adapter(guest).unwrap_err());
    assert!(error.contains("wasi_snapshot_preview1.fd_write") && error.contains("(i32) -> (i32)"), "{error}");
    assert_eq!(error.lines().count(), 1);
}

#[test]
fn a_virtualized_import_in_a_guest_table_becomes_the_adapters_function() {
    // The command guest puts its fd_write import into its table: after the
    // fuse, that entry is a function defined in the module (the adapter's).
    let module = with_test_adapter(common::wasm::COMMAND_GUEST).unwrap();
    validate(&module);
    let imported = Described::of(&module).imported_functions;
    let mut entries = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&module) {
        if let wasmparser::Payload::ElementSection(reader) = payload.unwrap() {
            for element in reader {
                if let wasmparser::ElementItems::Functions(funcs) = element.unwrap().items {
                    entries.extend(funcs.into_iter().map(Result::unwrap));
                }
            }
        }
    }
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|&func| func >= imported), "no table entry is an import: {entries:?}");
}
