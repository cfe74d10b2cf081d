//! `strata wrap` on bad input: one line on stderr naming the problem, exit
//! status 1, and nothing written (no output, no temporary file).

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use common::wasm::{wasm, COMMAND_GUEST};
use common::*;

/// Runs `strata wrap` with `args` in `work` and requires a one-line error
/// containing `needles`, with nothing new in `work`.
fn wrap_fails(work: &Path, args: &[OsString], needles: &[&str]) -> String {
    let before = listing(work);
    let mut all: Vec<OsString> = vec!["wrap".into()];
    all.extend_from_slice(args);
    let line = assert_one_line_error(&strata(all), needles);
    assert_eq!(listing(work), before, "nothing written for {line}");
    line
}

/// Writes `bytes` as `name` in `work`; wraps it into `out.wasm`, which must
/// fail with `needles`.
fn guest_fails(bytes: &[u8], needles: &[&str]) -> String {
    let work = temp_dir();
    let guest = work.path().join("guest.wasm");
    fs::write(&guest, bytes).unwrap();
    let out = work.path().join("out.wasm");
    let mut with_name = vec!["guest.wasm"];
    with_name.extend_from_slice(needles);
    wrap_fails(work.path(), &[guest.into(), "-o".into(), out.into()], &with_name)
}

#[test]
fn not_webassembly() {
    guest_fails(b"#!/bin/sh\necho hi\n", &["not a WebAssembly module"]);
    guest_fails(b"\0asm", &["not a WebAssembly module"]);
}

#[test]
fn a_component() {
    // A component's header: version 0x0d, layer 1.
    guest_fails(b"\0asm\x0d\x00\x01\x00", &["this is a component, strata wraps core modules (wasi preview1)"]);
}

#[test]
fn malformed_module() {
    guest_fails(b"\0asm\x01\x00\x00\x00\x01\x05", &["not a valid WebAssembly module"]);
}

#[test]
fn memory_problems() {
    let cases: &[(&str, &str)] = &[
        ("(module (func (export \"_start\")))", "has no memory"),
        ("(module (memory 1) (func (export \"_start\")))", "does not export its memory as `memory`"),
        (
            "(module (import \"env\" \"memory\" (memory 1)) (export \"memory\" (memory 0)))",
            "imports its memory (env.memory)",
        ),
        ("(module (memory 1 1 shared) (export \"memory\" (memory 0)))", "shared (threads)"),
        ("(module (memory i64 1) (export \"memory\" (memory 0)))", "64-bit (memory64)"),
        ("(module (memory 1) (memory 1) (export \"memory\" (memory 1)))", "other than memory 0"),
        ("(module (memory 1) (func $f) (export \"memory\" (func $f)))", "`memory` is not a memory"),
    ];
    for (text, needle) in cases {
        guest_fails(&wasm(text), &[needle]);
    }
}

#[test]
fn a_signature_the_adapter_does_not_have() {
    let text = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
      (memory (export "memory") 1))"#;
    guest_fails(&wasm(text), &["wasi_snapshot_preview1.fd_write as (i32) -> (i32)"]);
}

#[test]
fn argument_problems() {
    let work = temp_dir();
    let guest = work.path().join("guest.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let tree = work.path().join("tree");
    fs::create_dir(&tree).unwrap();
    let image = work.path().join("notes.txt");
    fs::write(&image, b"not an image, but long enough to look at").unwrap();
    let out = work.path().join("out.wasm");
    let args = |extra: &[OsString]| {
        let mut args: Vec<OsString> = vec![guest.clone().into(), "-o".into(), out.clone().into()];
        args.extend_from_slice(extra);
        args
    };
    wrap_fails(
        work.path(),
        &args(&["--dir".into(), dir_arg(&tree, "/d"), "--image".into(), image.clone().into()]),
        &["--dir", "--image", "not both"],
    );
    wrap_fails(work.path(), &args(&["--exclude".into(), "*.o".into()]), &["--exclude", "give --dir too"]);
    wrap_fails(work.path(), &args(&["--image".into(), image.clone().into()]), &["notes.txt", "not a Strata image"]);
    wrap_fails(work.path(), &args(&["--dir".into(), dir_arg(&tree, "a/../b")]), &["contains a .. component"]);
    wrap_fails(work.path(), &args(&["--dir".into(), dir_arg(&work.path().join("nope"), "/d")]), &["no such directory"]);
    let missing = work.path().join("missing.wasm");
    wrap_fails(work.path(), &[missing.into(), "-o".into(), out.clone().into()], &["cannot read", "missing.wasm"]);
    let nowhere = work.path().join("no-such-dir").join("out.wasm");
    wrap_fails(work.path(), &[guest.clone().into(), "-o".into(), nowhere.into()], &["cannot write"]);
    // The output inside a packed tree would be packed by the next wrap.
    let inside = tree.join("out.wasm");
    wrap_fails(
        work.path(),
        &[guest.into(), "--dir".into(), dir_arg(&tree, "/d"), "-o".into(), inside.into()],
        &["inside --dir"],
    );
}

#[test]
fn a_failed_wrap_leaves_an_existing_output_alone() {
    let work = temp_dir();
    let out = work.path().join("out.wasm");
    fs::write(&out, b"previous contents").unwrap();
    let guest = work.path().join("guest.wasm");
    fs::write(&guest, b"not wasm at all").unwrap();
    wrap_fails(work.path(), &[guest.into(), "-o".into(), out.clone().into()], &["not a WebAssembly module"]);
    assert_eq!(fs::read(&out).unwrap(), b"previous contents");
}

#[test]
fn inspect_refuses_a_module_strata_did_not_write() {
    let work = temp_dir();
    let plain = work.path().join("plain.wasm");
    fs::write(&plain, wasm(COMMAND_GUEST)).unwrap();
    assert_one_line_error(
        &strata(["inspect".as_ref(), plain.as_os_str()]),
        &["plain.wasm", "not written by strata wrap"],
    );
    for command in ["ls", "extract"] {
        let out = work.path().join("x");
        let mut args = vec![command.as_ref(), plain.as_os_str()];
        if command == "extract" {
            args.extend(["-o".as_ref(), out.as_os_str()]);
        }
        assert_one_line_error(&strata(args), &["plain.wasm", "not written by strata wrap"]);
    }
}
