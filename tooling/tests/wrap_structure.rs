//! The shape of a fused module, checked with wasmparser: memories, the
//! image segment, imports left and gone, intrinsics inlined, the section.

mod common;

use std::fs;

use common::wasm::{validate, wasm, Described, COMMAND_GUEST, TEST_ADAPTER};
use common::*;
use strata::wrap::section::Record;
use strata::wrap::{wrap, wrap_with, Adapter, Role, WrapOptions};
use wasmparser::ExternalKind;

const PAGE: usize = 65536;

fn test_options(adapter: &[u8]) -> WrapOptions<'_> {
    WrapOptions { adapter: Adapter { wasm: adapter, version: "9.9.9-test", role: Role::Filesystem } }
}

/// A small packed image: `/data/hello.txt`.
fn image() -> Vec<u8> {
    let work = temp_dir();
    let data = work.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("hello.txt"), b"hello, strata\n").unwrap();
    let out = work.path().join("app.img");
    pack(&[(&data, "/data")], &out);
    fs::read(out).unwrap()
}

fn wrapped_command(image: Option<&[u8]>) -> (Described, Record) {
    let adapter = wasm(TEST_ADAPTER);
    let wrapped = wrap_with(&wasm(COMMAND_GUEST), image, &test_options(&adapter)).unwrap();
    validate(&wrapped.module);
    let described = Described::of(&wrapped.module);
    let record = Record::decode(described.custom("strata").expect("a strata section")).unwrap();
    (described, record)
}

#[test]
fn memory_0_is_the_guests_and_the_adapter_memory_is_hidden() {
    let (described, record) = wrapped_command(None);
    assert_eq!(described.memories.len(), 2);
    assert_eq!(described.memories[0], (2, None, false, false), "the guest's memory, unchanged");
    assert_eq!(described.exports.get("memory"), Some(&(ExternalKind::Memory, 0)));
    assert_eq!(record.memory, 1);
    assert!(
        !described.exports.values().any(|&(kind, index)| kind == ExternalKind::Memory && index == 1),
        "the adapter's memory is not exported"
    );
    // The adapter's initial memory, unchanged without an image.
    assert_eq!(described.memories[1].0, 17);
    assert_eq!(record.image_offset as usize, 17 * PAGE);
}

#[test]
fn only_the_guests_exports_remain() {
    let (described, _) = wrapped_command(None);
    let names: Vec<&str> = described.exports.keys().map(String::as_str).collect();
    assert_eq!(names, ["_start", "memory"], "no adapter export (fd_write, __heap_base, ...) leaks");
}

#[test]
fn virtualized_imports_are_gone_and_the_others_remain() {
    let (described, record) = wrapped_command(None);
    let mut preview1 = described.imports_from("wasi_snapshot_preview1");
    preview1.sort();
    // fd_write stays: the adapter forwards stdio to the host's. fd_prestat_get
    // is gone; args_get and proc_exit were never the adapter's.
    assert_eq!(preview1, ["args_get", "clock_time_get", "fd_write", "proc_exit"]);
    assert_eq!(described.imports_from("env"), ["foo"]);
    assert!(described.imports_from("strata_intrinsics").is_empty());
    assert_eq!(record.virtualized, ["fd_prestat_get", "fd_write"]);
    assert_eq!(
        described.imports.iter().filter(|(m, n)| m == "wasi_snapshot_preview1" && n == "fd_write").count(),
        1,
        "the guest's and the adapter's host imports are one"
    );
}

#[test]
fn unused_adapter_code_is_dropped() {
    let (described, _) = wrapped_command(None);
    // path_open's body is the only place storing 3 through an i32.store; the
    // unused export returns 7.
    assert_eq!(described.count_ops(&["I32Const { value: 7 }"]), 0, "strata_internal_unused was dropped");
    let guest_and_adapter_code = described.operators.len();
    assert!(guest_and_adapter_code > 0);
}

#[test]
fn every_intrinsic_becomes_its_instruction() {
    let (described, record) = wrapped_command(None);
    let copy_in = described.count_ops(&["MemoryCopy { dst_mem: 1, src_mem: 0 }"]);
    let copy_out = described.count_ops(&["MemoryCopy { dst_mem: 0, src_mem: 1 }"]);
    assert_eq!((copy_in, copy_out), (1, 1));
    assert_eq!(described.count_ops(&["MemoryFill { mem: 0 }"]), 1);
    assert_eq!(described.count_ops(&["MemorySize { mem: 0 }"]), 1);
    let guest_access = |op: &str| described.count_ops(&[op, "align: 0", "offset: 0", "memory: 0"]);
    for op in ["I32Load8U", "I32Load16U", "I32Load ", "I64Load ", "I32Store8", "I32Store16", "I64Store "] {
        assert_eq!(guest_access(op), 1, "{op} on the guest's memory, alignment 1 (exponent 0), offset 0");
    }
    // store_u32 is used twice by the adapter, once in the dropped path_open.
    assert_eq!(guest_access("I32Store "), 1);
    for global in [record.image_base, record.image_len_global] {
        assert_eq!(described.count_ops(&[&format!("GlobalGet {{ global_index: {global} }}")]), 1);
    }
}

#[test]
fn the_image_is_a_page_aligned_constant_segment_covered_by_the_minimum() {
    let image = image();
    let (described, record) = wrapped_command(Some(&image));
    let segment = described
        .active_data
        .iter()
        .find(|(memory, _, bytes)| *memory == 1 && bytes.starts_with(b"STRATAIM"))
        .expect("an image segment in the adapter's memory");
    let offset = segment.1.expect("an i32.const offset") as usize;
    assert_eq!(offset % PAGE, 0);
    assert_eq!(offset, 17 * PAGE, "just past the adapter's initial memory");
    assert_eq!(segment.2, image, "the image's bytes, unchanged");
    assert!(described.memories[1].0 as usize * PAGE >= offset + image.len(), "the minimum covers it");
    assert_eq!(described.memories[1].0 as usize, 17 + image.len().div_ceil(PAGE));
    assert_eq!(described.memories[1].1, None, "no maximum: the adapter's heap grows past it");
    assert!(
        described.active_data.iter().all(|(_, offset, _)| offset.is_some()),
        "every active segment has a constant offset (else wasmtime turns copy-on-write off)"
    );
    assert_eq!((record.image_offset as usize, record.image_len as usize), (offset, image.len()));
    assert_eq!(described.active_data.iter().filter(|(memory, _, _)| *memory == 1).count(), 2, "adapter data + image");
}

#[test]
fn the_guests_custom_sections_survive_and_the_output_names_the_adapter_items() {
    let (described, _) = wrapped_command(None);
    assert_eq!(described.custom("guest-note"), Some(&b"kept"[..]));
    let names = String::from_utf8_lossy(described.custom("name").expect("a name section")).into_owned();
    for name in ["strata:__stack_pointer", "strata:memory", "strata:image_base", "strata:image_len"] {
        assert!(names.contains(name), "the name section names {name}");
    }
    let producers = String::from_utf8_lossy(described.custom("producers").expect("producers")).into_owned();
    assert!(producers.contains("strata"), "{producers}");
}

#[test]
fn the_adapters_start_runs_before_the_guests() {
    // The test adapter has a start function; the command guest has none.
    let (described, _) = wrapped_command(None);
    assert!(described.start.is_some(), "the adapter's start function is the module's");
}

#[test]
fn the_embedded_adapter_fuses_too() {
    let wrapped = wrap(&wasm(COMMAND_GUEST), Some(&image())).unwrap();
    validate(&wrapped);
    let described = Described::of(&wrapped);
    assert!(described.imports_from("strata_intrinsics").is_empty());
    let record = Record::decode(described.custom("strata").unwrap()).unwrap();
    assert_eq!(record.adapter_version, strata::wrap::embedded::VERSION);
    // Whatever else the adapter serves today, it serves these two.
    for name in ["fd_prestat_get", "fd_write"] {
        assert!(record.virtualized.iter().any(|v| v == name), "{name} in {:?}", record.virtualized);
    }
}

#[test]
fn an_image_too_large_for_the_adapter_memory_is_refused() {
    // An adapter whose own memory takes nearly all of wasm32's 4 GiB: any
    // image would leave it less than 64 MiB of heap.
    let adapter =
        wasm(&TEST_ADAPTER.replace(r#"(memory (export "memory") 17)"#, r#"(memory (export "memory") 65000)"#));
    let error = format!("{:#}", wrap_with(&wasm(COMMAND_GUEST), Some(&image()), &test_options(&adapter)).unwrap_err());
    assert!(error.contains("the image is too large") && error.contains("kept for its heap"), "{error}");
    assert_eq!(error.lines().count(), 1);
}
