//! `strata wrap`, `inspect`, and `ls`/`extract` on wrapped modules, through
//! the command line.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::wasm::{validate, wasm, Described, COMMAND_GUEST};
use common::*;

struct Setup {
    work: tempfile::TempDir,
    guest: PathBuf,
    tree: PathBuf,
}

fn setup() -> Setup {
    let work = temp_dir();
    let guest = work.path().join("app.wasm");
    fs::write(&guest, wasm(COMMAND_GUEST)).unwrap();
    let tree = work.path().join("tree");
    fs::create_dir_all(tree.join("docs/deep")).unwrap();
    fs::write(tree.join("hello.txt"), b"hello, strata\n").unwrap();
    fs::write(tree.join("docs/deep/big.bin"), varied_bytes(200_000, 7)).unwrap();
    fs::hard_link(tree.join("hello.txt"), tree.join("hello-link")).unwrap();
    symlink("hello.txt", tree.join("to-hello")).unwrap();
    Setup { work, guest, tree }
}

fn stdout(args: &[&std::ffi::OsStr]) -> String {
    let output = strata(args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn wrap(setup: &Setup, extra: &[std::ffi::OsString], out: &Path) -> String {
    let mut args: Vec<std::ffi::OsString> = vec!["wrap".into(), setup.guest.clone().into()];
    args.extend_from_slice(extra);
    args.extend(["-o".into(), out.into()]);
    strata_ok(args)
}

#[test]
fn ls_and_extract_read_a_wrapped_module_like_its_image() {
    let setup = setup();
    let (image, module) = (setup.work.path().join("app.img"), setup.work.path().join("app.strata.wasm"));
    pack(&[(&setup.tree, "/data")], &image);
    let stderr = wrap(&setup, &["--dir".into(), dir_arg(&setup.tree, "/data")], &module);
    validate(&fs::read(&module).unwrap());

    // pack is deterministic: the module holds exactly the image's bytes.
    let described = Described::of(&fs::read(&module).unwrap());
    assert!(described.active_data.iter().any(|(_, _, bytes)| *bytes == fs::read(&image).unwrap()));

    for path in ["/", "/data", "/data/docs/deep"] {
        let ls = |file: &Path| stdout(&["ls".as_ref(), file.as_os_str(), path.as_ref(), "-R".as_ref()]);
        assert_eq!(ls(&module), ls(&image), "ls -R {path}");
    }
    let (from_module, from_image) = (setup.work.path().join("m"), setup.work.path().join("i"));
    strata_ok(["extract".as_ref(), module.as_os_str(), "-o".as_ref(), from_module.as_os_str()]);
    strata_ok(["extract".as_ref(), image.as_os_str(), "-o".as_ref(), from_image.as_os_str()]);
    assert_same_tree(&describe(&from_image), &describe(&from_module), true);
    assert_same_tree(&describe(&setup.tree), &describe(&from_module.join("data")), false);

    // A summary line (sizes, files, time), then which engines can run it.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("strata: wrote ") && lines[0].contains("; guest ") && lines[0].contains(" files), "),
        "{stderr}"
    );
    assert!(lines[0].contains("with 2 files") && lines[0].contains("preview1 functions virtualized"), "{stderr}");
    assert!(
        lines[1].starts_with(&format!("strata: {} needs multi-memory: tested on wasmtime", module.display()))
            && lines[1].contains("Node 20 refuses it"),
        "{stderr}"
    );
}

#[test]
fn an_image_file_or_a_wrapped_modules_image_can_be_used() {
    let setup = setup();
    let image = setup.work.path().join("app.img");
    pack(&[(&setup.tree, "/data")], &image);
    let first = setup.work.path().join("first.wasm");
    wrap(&setup, &["--image".into(), image.clone().into()], &first);
    let second = setup.work.path().join("second.wasm");
    wrap(&setup, &["--image".into(), first.clone().into()], &second);
    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap(), "the same image, the same module");
}

#[test]
fn no_image_gives_an_empty_filesystem() {
    let setup = setup();
    let module = setup.work.path().join("bare.wasm");
    wrap(&setup, &[], &module);
    let listing = stdout(&["inspect".as_ref(), module.as_os_str()]);
    assert!(listing.contains("image:         none"), "{listing}");
    assert_one_line_error(&strata(["ls".as_ref(), module.as_os_str()]), &["wrapped without an image"]);
}

#[test]
fn inspect_tells_what_a_module_holds() {
    let setup = setup();
    let module = setup.work.path().join("app.strata.wasm");
    wrap(
        &setup,
        &["--dir".into(), dir_arg(&setup.tree, "/data"), "--dir".into(), dir_arg(&setup.tree, "srv")],
        &module,
    );
    let text = stdout(&["inspect".as_ref(), module.as_os_str()]);
    assert!(text.contains(&format!("adapter {}", strata::wrap::embedded::VERSION)), "{text}");
    // The tree twice; hello.txt's two names are one host inode, so one
    // image inode shared by both copies.
    assert!(text.contains("3 files, 7 dirs, 2 symlinks"), "{text}");
    assert!(text.contains("preopens:      /data (read-write), srv (read-write)"), "preopen names as given: {text}");
    let virtualized = text.lines().find(|line| line.contains("virtualized:")).unwrap();
    assert!(virtualized.contains("fd_prestat_get") && virtualized.contains("fd_write"), "{text}");
    assert!(text.contains("wasi_snapshot_preview1: ") && text.contains("args_get") && text.contains("proc_exit"));
    assert!(text.contains("env: foo"), "{text}");
    assert!(text.contains("entry points:  _start"), "{text}");
}

#[test]
fn rewrapping_says_so_and_replaces_the_image() {
    let setup = setup();
    let module = setup.work.path().join("app.strata.wasm");
    wrap(&setup, &["--dir".into(), dir_arg(&setup.tree, "/data")], &module);
    let other = setup.work.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("only.txt"), b"only").unwrap();
    let again = setup.work.path().join("again.wasm");
    let stderr = strata_ok([
        "wrap".as_ref(),
        module.as_os_str(),
        "--dir".as_ref(),
        dir_arg(&other, ".").as_os_str(),
        "-o".as_ref(),
        again.as_os_str(),
    ]);
    assert!(stderr.contains("replaced the image of an already wrapped module"), "{stderr}");
    assert_eq!(stderr.lines().count(), 3, "the note, the summary and the engines: {stderr}");
    assert_eq!(stdout(&["ls".as_ref(), again.as_os_str(), "/".as_ref()]).lines().count(), 1);
    assert!(stdout(&["ls".as_ref(), again.as_os_str()]).contains("only.txt"));
    let text = stdout(&["inspect".as_ref(), again.as_os_str()]);
    assert!(text.contains("preopens:      . (read-write)\n"), "{text}");
}

#[test]
fn relative_and_bare_guest_names_are_kept_as_written() {
    let setup = setup();
    let image = setup.work.path().join("app.img");
    let bare = std::ffi::OsString::from(setup.tree.as_os_str());
    strata_ok([
        "pack".as_ref(),
        "--dir".as_ref(),
        dir_arg(&setup.tree, "./site").as_os_str(),
        "--dir".as_ref(),
        bare.as_os_str(),
        "-o".as_ref(),
        image.as_os_str(),
    ]);
    let bytes = fs::read(&image).unwrap();
    let opened = strata_vfs::image::Image::open(&bytes).unwrap();
    let names: Vec<&[u8]> = opened.mounts().collect();
    assert_eq!(names, [&b"./site"[..], setup.tree.as_os_str().as_encoded_bytes()]);
    // Each lives where the rule puts it: ./site at /site, the bare host
    // path at itself.
    assert!(stdout(&["ls".as_ref(), image.as_os_str(), "/site".as_ref()]).contains("hello.txt"));
    let at_host_path = stdout(&["ls".as_ref(), image.as_os_str(), setup.tree.as_os_str()]);
    assert!(at_host_path.contains("hello.txt"), "{at_host_path}");
}
