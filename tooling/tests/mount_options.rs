//! `--dir HOST::GUEST:ro`, `--tmpfs GUEST[:size=N]` and `--save GUESTPATH`
//! at the command line: what `inspect` shows of them, how rewrapping keeps
//! or changes the save path, and the one-line errors of bad ones.

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use common::wasm::{wasm, COMMAND_GUEST};
use common::*;

fn args(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|item| item.as_ref().to_owned()).collect()
}

fn inspect(module: &Path) -> String {
    let output = strata(["inspect".as_ref(), module.as_os_str()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn line<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines().find(|line| line.trim_start().starts_with(label)).unwrap_or_else(|| panic!("no {label} in {text}"))
}

#[test]
fn inspect_lists_mounts_with_their_options_and_the_save_path() {
    let work = temp_dir();
    let guest = work.path().join("app.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let (site, lib) = (work.path().join("site"), work.path().join("lib"));
    fs::create_dir_all(&site).unwrap();
    fs::create_dir_all(&lib).unwrap();
    fs::write(lib.join("libc.so"), b"lib").unwrap();
    let module = work.path().join("app.strata.wasm");
    strata_ok(args(&[
        &"wrap",
        &guest,
        &"--dir",
        &dir_arg(&site, "/srv"),
        &"--dir",
        &dir_arg(&lib, "/usr/lib:ro"),
        &"--tmpfs",
        &"/tmp:size=64M",
        &"--tmpfs",
        &"/run",
        &"--save",
        &"/out/state.img",
        &"-o",
        &module,
    ]));
    let text = inspect(&module);
    assert_eq!(
        line(&text, "preopens:"),
        "  preopens:      /srv (read-write), /usr/lib (read-only), /tmp (tmpfs, 64.0 MiB), /run (tmpfs)"
    );
    assert_eq!(line(&text, "saves to:"), "  saves to:      /out/state.img at exit (STRATA_SAVE overrides)");
    assert!(line(&text, "virtualized:").contains("proc_exit"), "{text}");
    let listing = String::from_utf8(strata(["ls".as_ref(), module.as_os_str(), "-R".as_ref()]).stdout).unwrap();
    assert!(listing.contains("tmp") && listing.contains("libc.so"), "{listing}");

    // Rewrapping keeps the save path unless told otherwise.
    let again = work.path().join("again.wasm");
    strata_ok(args(&[&"wrap", &module, &"--image", &module, &"-o", &again]));
    assert!(line(&inspect(&again), "saves to:").contains("/out/state.img"));
    strata_ok(args(&[&"wrap", &module, &"--image", &module, &"--save", &"/out/b.img", &"-o", &again]));
    assert!(line(&inspect(&again), "saves to:").contains("/out/b.img"));
    strata_ok(args(&[&"wrap", &module, &"--image", &module, &"--no-save", &"-o", &again]));
    assert!(line(&inspect(&again), "saves to:").starts_with("  saves to:      no"));
    assert_eq!(line(&inspect(&again), "preopens:"), line(&text, "preopens:"), "the mounts stay");
}

#[test]
fn bad_mount_and_save_arguments_are_one_line_errors() {
    let work = temp_dir();
    let guest = work.path().join("app.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let site = work.path().join("site");
    fs::create_dir_all(site.join("tmp")).unwrap();
    fs::write(site.join("tmp/file"), b"x").unwrap();
    let out = work.path().join("out.wasm");
    let wrap = |extra: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut all = args(&[&"wrap", &guest]);
        all.extend(args(extra));
        all.extend(args(&[&"-o", &out]));
        strata(all)
    };
    let (root, nested) = (dir_arg(&site, "/"), dir_arg(&site, "/tmp/x"));
    let cases: Vec<(Vec<&dyn AsRef<std::ffi::OsStr>>, &[&str])> = vec![
        (vec![&"--tmpfs", &"/tmp:size=0"], &["--tmpfs /tmp:size=0", "positive number of bytes"]),
        (vec![&"--tmpfs", &"/tmp:size=lots"], &["--tmpfs /tmp:size=lots"]),
        (vec![&"--tmpfs", &"/a/../b"], &["--tmpfs /a/../b", ".. component"]),
        (vec![&"--save", &"state.img", &"--tmpfs", &"/tmp"], &["--save state.img", "absolute guest path"]),
        (vec![&"--save", &"/out/", &"--tmpfs", &"/tmp"], &["--save /out/", "end in a file name"]),
        (vec![&"--save", &"/out/state.img"], &["--save needs a filesystem"]),
        (vec![&"--dir", &root, &"--tmpfs", &"/tmp"], &["--tmpfs /tmp", "not an empty directory"]),
        (vec![&"--tmpfs", &"/tmp", &"--dir", &nested], &["is inside --tmpfs /tmp"]),
        (vec![&"--tmpfs", &"/tmp", &"--tmpfs", &"/tmp/"], &["--tmpfs /tmp and --tmpfs /tmp/ overlap"]),
    ];
    for (extra, needles) in cases {
        assert_one_line_error(&wrap(&extra), needles);
        assert!(!out.exists(), "nothing written for {needles:?}");
    }
}

/// `inspect` names the WebAssembly features a wrapped module uses (the
/// adapter's second memory always; the guest's own besides) and which
/// engines can run it; `wrap` says the same on its second line.
#[test]
fn inspect_and_wrap_name_the_features_and_engines_a_module_needs() {
    let work = temp_dir();
    let (plain, rich) = (work.path().join("plain.wasm"), work.path().join("rich.wasm"));
    fs::write(&plain, wasm(COMMAND_GUEST)).unwrap();
    fs::write(&rich, wasm(common::wasm::FEATURE_GUEST)).unwrap();
    let (plain_out, rich_out) = (work.path().join("plain.strata.wasm"), work.path().join("rich.strata.wasm"));
    let stderr = strata_ok(args(&[&"wrap", &plain, &"-o", &plain_out]));
    let engines = stderr.lines().nth(1).unwrap_or_default();
    assert!(engines.contains("needs multi-memory") && !engines.contains("exception"), "{stderr}");
    let stderr = strata_ok(args(&[&"wrap", &rich, &"-o", &rich_out]));
    assert!(stderr.lines().nth(1).unwrap_or_default().contains("exception-handling: wasmtime run -W exceptions=y"));

    let text = inspect(&plain_out);
    let features: Vec<&str> = line(&text, "features:").split_whitespace().skip(1).collect();
    assert!(features.contains(&"multi-memory") && features.contains(&"bulk-memory"), "{text}");
    assert!(!features.contains(&"simd") && !features.contains(&"exception-handling"), "{text}");
    assert_eq!(
        line(&text, "engines:").trim_start().strip_prefix("engines:").map(str::trim_start),
        Some(engines.strip_prefix(&format!("strata: {} ", plain_out.display())).unwrap_or_default()),
        "inspect and wrap say the same"
    );

    let text = inspect(&rich_out);
    let features: Vec<&str> = line(&text, "features:").split_whitespace().skip(1).collect();
    for feature in ["multi-memory", "exception-handling", "simd", "reference-types"] {
        assert!(features.contains(&feature), "{feature}: {text}");
    }
}
