//! Modules for the wrap tests, written in the text format, and a reader
//! that describes a module with wasmparser alone (never with the code under
//! test).

use std::collections::BTreeMap;

use wasmparser::{DataKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// An adapter that exercises the fuser: every intrinsic, a host import,
/// a start function, a table and element segment, globals, data, nested
/// blocks with every kind of branch, and exports the guests below do not
/// import (which must not survive).
pub const TEST_ADAPTER: &str = r#"
(module
  (import "strata_intrinsics" "copy_in" (func $copy_in (param i32 i32 i32)))
  (import "strata_intrinsics" "copy_out" (func $copy_out (param i32 i32 i32)))
  (import "strata_intrinsics" "fill" (func $fill (param i32 i32 i32)))
  (import "strata_intrinsics" "load_u8" (func $load_u8 (param i32) (result i32)))
  (import "strata_intrinsics" "load_u16" (func $load_u16 (param i32) (result i32)))
  (import "strata_intrinsics" "load_u32" (func $load_u32 (param i32) (result i32)))
  (import "strata_intrinsics" "load_u64" (func $load_u64 (param i32) (result i64)))
  (import "strata_intrinsics" "store_u8" (func $store_u8 (param i32 i32)))
  (import "strata_intrinsics" "store_u16" (func $store_u16 (param i32 i32)))
  (import "strata_intrinsics" "store_u32" (func $store_u32 (param i32 i32)))
  (import "strata_intrinsics" "store_u64" (func $store_u64 (param i32 i64)))
  (import "strata_intrinsics" "guest_pages" (func $guest_pages (result i32)))
  (import "strata_intrinsics" "image_base" (func $image_base (result i32)))
  (import "strata_intrinsics" "image_len" (func $image_len (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $host_fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $host_clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 17)
  (global $__stack_pointer (mut i32) (i32.const 1048576))
  (global $started (mut i32) (i32.const 0))
  (global (export "__heap_base") i32 (i32.const 1049000))
  (global (export "__data_end") i32 (i32.const 1048600))
  (table $fns 2 2 funcref)
  (elem (table $fns) (i32.const 1) func $helper)
  (data (i32.const 1048576) "adapter data")
  (type $helper_t (func (result i32)))
  (func $start (global.set $started (i32.const 1)))
  (start $start)
  (func $helper (result i32) (global.get $started))
  (func (export "fd_write") (param $fd i32) (param $iovs i32) (param $len i32) (param $out i32) (result i32)
    (if (i32.lt_u (local.get $fd) (i32.const 3))
      (then (return (call $host_fd_write (local.get $fd) (local.get $iovs) (local.get $len) (local.get $out)))))
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 16)))
    (call $copy_in (i32.const 1048576) (local.get $iovs) (i32.const 8))
    (call $copy_out (local.get $out) (i32.const 1048576) (i32.const 4))
    (call $fill (local.get $out) (i32.const 0) (i32.const 4))
    (drop (call $load_u8 (local.get $iovs)))
    (drop (call $load_u16 (local.get $iovs)))
    (drop (call $load_u32 (local.get $iovs)))
    (drop (call $load_u64 (local.get $iovs)))
    (call $store_u8 (local.get $out) (i32.const 1))
    (call $store_u16 (local.get $out) (i32.const 2))
    (call $store_u64 (local.get $out) (i64.const 4))
    (call $store_u32 (local.get $out)
      (i32.add (call $guest_pages) (i32.add (call $image_base) (call $image_len))))
    (drop (call $host_clock (i32.const 0) (i64.const 0) (local.get $out)))
    (call_indirect $fns (type $helper_t) (i32.const 1)))
  (func (export "fd_prestat_get") (param $fd i32) (param $out i32) (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $fd)))
        (local.set $fd (i32.sub (local.get $fd) (i32.const 1)))
        (br_table $l $done (local.get $fd))))
    (i32.const 8))
  (func (export "path_open") (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
    (call $store_u32 (local.get 8) (i32.const 3))
    (i32.const 0))
  (func (export "strata_internal_unused") (result i32) (i32.const 7))
)
"#;

/// A command guest: virtualized imports (fd_write, fd_prestat_get), host
/// ones (args_get, proc_exit) and a non-WASI one (env.foo).
pub const COMMAND_GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "foo" (func $foo (param i32) (result i32)))
  (memory (export "memory") 2)
  (global $g (mut i32) (i32.const 42))
  (table 1 funcref)
  (elem (i32.const 0) func $fd_write)
  (data (i32.const 16) "guest data")
  (func $main (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_prestat_get (i32.const 3) (i32.const 8)))
    (drop (call $args_get (i32.const 0) (i32.const 4)))
    (drop (call $foo (global.get $g)))
    (call $proc_exit (i32.const 0)))
  (@custom "guest-note" "kept")
)
"#;

/// A reactor using exceptions (try_table, exnref, throw_ref), SIMD, two
/// tables and a start function of its own.
pub const FEATURE_GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (tag $oops (param i32))
  (table $a 2 funcref)
  (table $b 3 externref)
  (elem (table $a) (i32.const 0) func $work $init)
  (global $ready (mut i32) (i32.const 0))
  (func $guest_start (global.set $ready (i32.const 1)))
  (start $guest_start)
  (func $init (export "_initialize") (global.set $ready (i32.const 2)))
  (func $work (export "work") (param $x i32) (result i32)
    (local $e exnref)
    (v128.store (i32.const 0) (i32x4.add (v128.load (i32.const 0)) (v128.const i32x4 1 2 3 4)))
    (block $caught (result i32 exnref)
      (try_table (catch_ref $oops $caught)
        (throw $oops (local.get $x)))
      (unreachable))
    (local.set $e)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
    (table.set $b (i32.const 0) (ref.null extern)))
)
"#;

pub fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("the test module parses")
}

/// A module as wasmparser sees it.
#[derive(Debug, Default)]
pub struct Described {
    /// `(minimum pages, maximum, shared, 64-bit)` per memory, imported ones
    /// first.
    pub memories: Vec<(u64, Option<u64>, bool, bool)>,
    pub imports: Vec<(String, String)>,
    /// Export name → (kind, index).
    pub exports: BTreeMap<String, (ExternalKind, u32)>,
    /// `(memory, i32.const offset, bytes)` of each active data segment;
    /// `None` offset if not an `i32.const`.
    pub active_data: Vec<(u32, Option<i32>, Vec<u8>)>,
    pub custom_sections: Vec<(String, Vec<u8>)>,
    pub tables: usize,
    /// Every operator of every function body, as `{:?}` text.
    pub operators: Vec<String>,
    pub start: Option<u32>,
    /// Imported functions: how many function indices come before local
    /// ones.
    pub imported_functions: u32,
}

impl Described {
    pub fn of(bytes: &[u8]) -> Described {
        let mut described = Described::default();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.expect("a well-formed module") {
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.unwrap();
                        if let TypeRef::Memory(memory) = import.ty {
                            described.memories.push((memory.initial, memory.maximum, memory.shared, memory.memory64));
                        }
                        if let TypeRef::Func(_) = import.ty {
                            described.imported_functions += 1;
                        }
                        described.imports.push((import.module.to_owned(), import.name.to_owned()));
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory.unwrap();
                        described.memories.push((memory.initial, memory.maximum, memory.shared, memory.memory64));
                    }
                }
                Payload::TableSection(reader) => described.tables += reader.count() as usize,
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.unwrap();
                        described.exports.insert(export.name.to_owned(), (export.kind, export.index));
                    }
                }
                Payload::StartSection { func, .. } => described.start = Some(func),
                Payload::DataSection(reader) => {
                    for data in reader {
                        let data = data.unwrap();
                        if let DataKind::Active { memory_index, offset_expr } = data.kind {
                            let offset = match offset_expr.get_operators_reader().read().unwrap() {
                                Operator::I32Const { value } => Some(value),
                                _ => None,
                            };
                            described.active_data.push((memory_index, offset, data.data.to_vec()));
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut reader = body.get_operators_reader().unwrap();
                    while !reader.eof() {
                        described.operators.push(format!("{:?}", reader.read().unwrap()));
                    }
                }
                Payload::CustomSection(section) => {
                    described.custom_sections.push((section.name().to_owned(), section.data().to_vec()))
                }
                _ => {}
            }
        }
        described
    }

    pub fn imports_from(&self, module: &str) -> Vec<&str> {
        self.imports.iter().filter(|(m, _)| m == module).map(|(_, name)| name.as_str()).collect()
    }

    pub fn custom(&self, name: &str) -> Option<&[u8]> {
        self.custom_sections.iter().find(|(n, _)| n == name).map(|(_, data)| data.as_slice())
    }

    /// How many operators' `{:?}` text contains all of `needles`.
    pub fn count_ops(&self, needles: &[&str]) -> usize {
        self.operators.iter().filter(|op| needles.iter().all(|needle| op.contains(needle))).count()
    }
}

/// Validates with the features wasmtime 48 enables by default.
pub fn validate(bytes: &[u8]) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM3)
        .validate_all(bytes)
        .expect("the module validates");
}
