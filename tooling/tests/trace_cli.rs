//! `strata trace` at the command line: what it writes (checked with
//! wasmparser alone), the one-line errors of bad options, and that a
//! module wrapped without tracing holds none of the tracer.

mod common;

use std::fs;

use common::wasm::{wasm, Described, COMMAND_GUEST};
use common::*;

#[test]
fn trace_writes_a_traced_module_and_wrap_writes_none_of_it() {
    let work = temp_dir();
    let guest = work.path().join("app.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let traced = work.path().join("app.traced.wasm");
    let stderr = strata_ok(["trace".as_ref(), guest.as_os_str(), "-o".as_ref(), traced.as_os_str()]);
    assert!(stderr.contains("preview1 functions traced"), "{stderr}");
    let described = Described::of(&fs::read(&traced).unwrap());
    assert!(described.custom("strata-trace").is_some(), "the trace record");
    assert!(described.custom("strata").is_none(), "not wrapped: no image, no adapter");
    let imports = described.imports_from("wasi_snapshot_preview1");
    for name in ["fd_write", "args_get", "fd_prestat_get", "proc_exit", "clock_time_get"] {
        assert!(imports.contains(&name), "{name} is the host's: {imports:?}");
    }

    let wrapped = work.path().join("app.strata.wasm");
    strata_ok(["wrap".as_ref(), guest.as_os_str(), "-o".as_ref(), wrapped.as_os_str()]);
    let described = Described::of(&fs::read(&wrapped).unwrap());
    assert!(described.custom("strata-trace").is_none(), "no tracer in a module wrapped without tracing");
    let bytes = fs::read(&wrapped).unwrap();
    assert!(!bytes.windows(12).any(|w| w == b"strata-trace"), "not a byte of it");
}

#[test]
fn bad_trace_options_are_one_line_errors() {
    let work = temp_dir();
    let guest = work.path().join("app.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let out = work.path().join("out.wasm");
    let trace = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec!["trace".into(), guest.clone().into()];
        args.extend(extra.iter().map(Into::into));
        args.extend(["-o".into(), out.clone().into()]);
        strata(args)
    };
    assert_one_line_error(&trace(&["-e", "open"]), &["-e open", "no wasi_snapshot_preview1 function"]);
    assert_one_line_error(&trace(&["-e", "trace=path_opn"]), &["path_opn"]);
    assert_one_line_error(&trace(&["--trace-file", "trace.txt"]), &["--trace-file trace.txt", "absolute guest path"]);
    assert!(!out.exists());
    let wrapped = work.path().join("w.wasm");
    strata_ok(["wrap".as_ref(), guest.as_os_str(), "-o".as_ref(), wrapped.as_os_str()]);
    let output = strata(["trace".as_ref(), wrapped.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_one_line_error(&output, &["trace the original guest"]);
}
