//! Wrapping a wrapped module replaces its image and keeps its one adapter;
//! anything that would stack a second adapter is refused.

mod common;

use std::fs;

use common::wasm::{validate, wasm, Described, COMMAND_GUEST, TEST_ADAPTER};
use common::*;
use strata::wrap::section::Record;
use strata::wrap::{wrap_with, Adapter, Role, WrapOptions};

fn image_of(name: &str, contents: &[u8]) -> Vec<u8> {
    let work = temp_dir();
    let dir = work.path().join("d");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join(name), contents).unwrap();
    let out = work.path().join("i.img");
    pack(&[(&dir, "/data")], &out);
    fs::read(out).unwrap()
}

fn options<'a>(adapter: &'a [u8], version: &'a str) -> WrapOptions<'a> {
    WrapOptions { adapter: Adapter { wasm: adapter, version, role: Role::Filesystem } }
}

fn record(module: &[u8]) -> Record {
    Record::decode(Described::of(module).custom("strata").unwrap()).unwrap()
}

#[test]
fn wrapping_twice_replaces_the_image_and_keeps_one_adapter() {
    let adapter = wasm(TEST_ADAPTER);
    let (small, big) = (image_of("a", b"first"), image_of("b", &varied_bytes(300_000, 1)));
    let once = wrap_with(&wasm(COMMAND_GUEST), Some(&small), &options(&adapter, "1")).unwrap();
    assert!(!once.replaced_image);
    let twice = wrap_with(&once.module, Some(&big), &options(&adapter, "1")).unwrap();
    assert!(twice.replaced_image);
    validate(&twice.module);

    let (before, after) = (Described::of(&once.module), Described::of(&twice.module));
    assert_eq!(after.memories.len(), 2, "still the guest's memory and one adapter memory");
    assert_eq!(after.operators.len(), before.operators.len(), "the same code: no second adapter");
    assert_eq!(after.imports, before.imports);
    assert_eq!(after.custom_sections.iter().filter(|(name, _)| name == "strata").count(), 1);
    let images: Vec<_> = after.active_data.iter().filter(|(_, _, bytes)| bytes.starts_with(b"STRATAIM")).collect();
    assert_eq!(images.len(), 1, "the old image is gone");
    assert_eq!(images[0].2, big);
    assert_eq!(after.memories[1].0 as usize, 17 + big.len().div_ceil(65536), "the minimum follows the new image");
    let replaced = record(&twice.module);
    assert_eq!((replaced.image_len as usize, replaced.image_offset), (big.len(), 17 << 16));
    assert_eq!(replaced.virtualized, ["fd_prestat_get", "fd_write"]);

    // And back to no image at all, then to an image again.
    let none = wrap_with(&twice.module, None, &options(&adapter, "1")).unwrap();
    validate(&none.module);
    let described = Described::of(&none.module);
    assert!(described.active_data.iter().all(|(_, _, bytes)| !bytes.starts_with(b"STRATAIM")));
    assert_eq!(described.memories[1].0, 17);
    let emptied = record(&none.module);
    assert_eq!((emptied.image_len, emptied.image_data), (0, None));
    let again = wrap_with(&none.module, Some(&small), &options(&adapter, "1")).unwrap();
    assert_eq!(Described::of(&again.module).active_data.iter().filter(|(_, _, b)| *b == small).count(), 1);
}

#[test]
fn another_adapter_version_refuses_to_rewrap() {
    let adapter = wasm(TEST_ADAPTER);
    let once = wrap_with(&wasm(COMMAND_GUEST), None, &options(&adapter, "1.0.0")).unwrap();
    let error = format!("{:#}", wrap_with(&once.module, None, &options(&adapter, "2.0.0")).unwrap_err());
    assert!(
        error.contains("adapter 1.0.0") && error.contains("adapter 2.0.0") && error.contains("original guest"),
        "{error}"
    );
}

#[test]
fn a_wrapped_module_without_its_section_is_refused() {
    let adapter = wasm(TEST_ADAPTER);
    let once = wrap_with(&wasm(COMMAND_GUEST), None, &options(&adapter, "1")).unwrap();
    let stripped = strip_custom(&once.module, "strata");
    let error = format!("{:#}", wrap_with(&stripped, None, &options(&adapter, "1")).unwrap_err());
    assert!(error.contains("already wrapped") && error.contains("lost its strata section"), "{error}");
}

#[test]
fn a_section_that_does_not_match_the_module_is_refused() {
    let adapter = wasm(TEST_ADAPTER);
    let once = wrap_with(&wasm(COMMAND_GUEST), Some(&image_of("a", b"x")), &options(&adapter, "1")).unwrap();
    let mut record = record(&once.module);
    record.image_len += 1;
    let tampered = replace_custom(&strip_custom(&once.module, "strata"), "strata", record.encode().as_bytes());
    let error = format!("{:#}", wrap_with(&tampered, None, &options(&adapter, "1")).unwrap_err());
    assert!(error.contains("does not describe it"), "{error}");
    assert_eq!(error.lines().count(), 1);
}

#[test]
fn an_adapter_is_not_a_guest() {
    let adapter = wasm(TEST_ADAPTER);
    let error = format!("{:#}", wrap_with(&adapter, None, &options(&adapter, "1")).unwrap_err());
    assert!(error.contains("strata adapter, not a guest"), "{error}");
}

/// `module` without its custom sections named `name`.
fn strip_custom(module: &[u8], name: &str) -> Vec<u8> {
    let mut out = module[..8].to_vec();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.unwrap();
        if let Some((id, range)) = payload.as_section() {
            if let wasmparser::Payload::CustomSection(section) = &payload {
                if section.name() == name {
                    continue;
                }
            }
            append_section(&mut out, id, &module[range]);
        }
    }
    out
}

/// `module` with a custom section `name` holding `data` appended.
fn replace_custom(module: &[u8], name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = module.to_vec();
    let mut payload = leb128(name.len());
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    append_section(&mut out, 0, &payload);
    out
}

fn append_section(out: &mut Vec<u8>, id: u8, data: &[u8]) {
    out.push(id);
    out.extend(leb128(data.len()));
    out.extend_from_slice(data);
}

fn leb128(mut value: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}
