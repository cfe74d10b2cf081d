//! Guests of every shape wrap into valid modules: reactors, exceptions,
//! SIMD, several tables, start functions, odd imports.

mod common;

use common::wasm::{validate, wasm, Described, FEATURE_GUEST, TEST_ADAPTER};
use strata::wrap::{wrap, wrap_with, Adapter, Role, WrapOptions};
use wasmparser::ExternalKind;

fn with_test_adapter(guest: &str) -> anyhow::Result<Vec<u8>> {
    let adapter = wasm(TEST_ADAPTER);
    let options = WrapOptions { adapter: Adapter { wasm: &adapter, version: "9.9.9-test", role: Role::Filesystem } };
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
    let options = WrapOptions { adapter: Adapter { wasm: &adapter, version: "t", role: Role::Filesystem } };
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

/// A guest whose functions each hold a marker constant (100 + n), and
/// name each other from every place a function index can be: `call`,
/// `return_call`, `ref.func` in code, in a global's initializer and in an
/// expression element segment, an export, the start function, and the
/// name section. Imports come first, three of them virtualized and the
/// test adapter adds two, so every defined function's index moves.
const REFERENCING_GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "keep" (func $keep (param i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (type $f (func (result i32)))
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (global $g funcref (ref.func $f101))
  (elem (table $t) (i32.const 0) funcref (ref.func $f102) (ref.func $f103))
  (elem declare func $f104)
  (func $f101 (result i32) (i32.const 101))
  (func $f102 (result i32) (i32.const 102) (drop (call $f101)))
  (func $f103 (result i32) (i32.const 103) (drop) (return_call $f102))
  (func $f104 (result i32) (i32.const 104) (drop) (call_ref $f (ref.func $f104)))
  (func $f105 (export "run") (i32.const 105) (drop)
    (call $keep (call $f103))
    (drop (call $prestat (i32.const 3) (i32.const 0)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))
  (func $f106 (i32.const 106) (drop))
  (start $f106))"#;

#[test]
fn every_reference_to_a_guest_function_follows_it() {
    let module = with_test_adapter(REFERENCING_GUEST).unwrap();
    validate(&module);
    let described = Described::of(&module);
    let imported = described.imported_functions;
    // The marker of each defined function, by fused index.
    let mut markers = std::collections::HashMap::new();
    let mut references: Vec<(&str, u32, u32)> = Vec::new(); // (how, from marker, to index)
    let mut names = std::collections::HashMap::new();
    let mut index = imported;
    for payload in wasmparser::Parser::new(0).parse_all(&module) {
        match payload.unwrap() {
            wasmparser::Payload::CodeSectionEntry(body) => {
                let ops: Vec<_> = body.get_operators_reader().unwrap().into_iter().map(Result::unwrap).collect();
                let marker = match ops.first() {
                    Some(wasmparser::Operator::I32Const { value }) if (101..=106).contains(value) => *value as u32,
                    _ => 0, // an adapter function
                };
                markers.insert(index, marker);
                for op in &ops {
                    match op {
                        wasmparser::Operator::Call { function_index } => {
                            references.push(("call", marker, *function_index))
                        }
                        wasmparser::Operator::ReturnCall { function_index } => {
                            references.push(("return_call", marker, *function_index))
                        }
                        wasmparser::Operator::RefFunc { function_index } => {
                            references.push(("ref.func", marker, *function_index))
                        }
                        _ => {}
                    }
                }
                index += 1;
            }
            wasmparser::Payload::CustomSection(custom) => {
                if let wasmparser::KnownCustom::Name(reader) = custom.as_known() {
                    for name in reader {
                        if let wasmparser::Name::Function(map) = name.unwrap() {
                            for naming in map {
                                let naming = naming.unwrap();
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let marker_of = |index: u32| markers.get(&index).copied();
    let expected = [("call", 102, 101), ("return_call", 103, 102), ("ref.func", 104, 104), ("call", 105, 103)];
    for (how, from, to) in expected {
        let found = references.iter().filter(|(h, f, _)| *h == how && *f == from).map(|(_, _, i)| marker_of(*i));
        assert!(
            found.clone().any(|m| m == Some(to)),
            "{how} in f{from} reaches f{to}: {:?}",
            found.collect::<Vec<_>>()
        );
    }
    // Virtualized imports now reach adapter functions (no marker), `keep`
    // stays an import.
    let from_run: Vec<_> = references.iter().filter(|(h, f, _)| *h == "call" && *f == 105).map(|r| r.2).collect();
    assert_eq!(from_run.iter().filter(|&&i| i < imported).count(), 1, "only env.keep is still imported: {from_run:?}");
    assert_eq!(from_run.iter().filter(|&&i| marker_of(i) == Some(0)).count(), 2, "two adapter functions");
    assert_eq!(marker_of(described.exports["run"].1), Some(105), "the export");
    // The guest has a start and so does the test adapter: the shim calls
    // the guest's second.
    let shim = described.start.unwrap();
    let shim_calls: Vec<_> = references.iter().filter(|(_, f, _)| *f == 0).map(|r| r.2).collect();
    assert!(shim_calls.iter().any(|&i| marker_of(i) == Some(106)), "the start shim {shim} calls f106");
    for marker in 101..=106u32 {
        let index = markers.iter().find(|(_, m)| **m == marker).map(|(i, _)| *i).unwrap();
        assert_eq!(names.get(&index).map(String::as_str), Some(&*format!("f{marker}")), "f{marker}'s name follows it");
    }
    // Constant expressions: the global and the element segment.
    for payload in wasmparser::Parser::new(0).parse_all(&module) {
        match payload.unwrap() {
            wasmparser::Payload::GlobalSection(reader) => {
                let first = reader.into_iter().next().unwrap().unwrap();
                let op = first.init_expr.get_operators_reader().read().unwrap();
                let wasmparser::Operator::RefFunc { function_index } = op else { panic!("{op:?}") };
                assert_eq!(marker_of(function_index), Some(101), "the global's ref.func");
            }
            wasmparser::Payload::ElementSection(reader) => {
                let mut targets = Vec::new();
                for element in reader {
                    if let wasmparser::ElementItems::Expressions(_, exprs) = element.unwrap().items {
                        for expr in exprs {
                            let op = expr.unwrap().get_operators_reader().read().unwrap();
                            if let wasmparser::Operator::RefFunc { function_index } = op {
                                targets.push(marker_of(function_index));
                            }
                        }
                    }
                }
                assert!(targets.contains(&Some(102)) && targets.contains(&Some(103)), "{targets:?}");
            }
            _ => {}
        }
    }
}
