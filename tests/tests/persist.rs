//! The round trip of issue "state that outlives the instance": the
//! `persist` fixture, wrapped with the fixture tree packed and `--save
//! /out/state.img`, makes every kind of change (new, changed, truncated,
//! sparse, renamed and deleted files and directories, new and broken hard
//! links, new and retargeted symlinks, set mtimes) and prints its tree at
//! exit. The saved image, extracted by `strata extract` (not by the code
//! that wrote it) and listed on the host, must be that tree exactly; the
//! module rewrapped with the saved image must show the guest the same tree
//! again, and save it again byte for byte. Under wasmtime and Node 24.

use std::fs;
use std::path::Path;

use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::listing::{self, Root};
use strata_e2e::run::{self, Invocation, Outcome, Preopen, Status};
use strata_e2e::{diff, node, tree, wrap};
use strata_vfs::image::Image;

#[derive(Clone, Copy, Debug)]
enum Engine {
    Wasmtime,
    Node,
}

/// `persist ARG` of `module` on `engine`, with `out` preopened as `/out`.
fn persist(engine: Engine, module: &[u8], arg: &str, out: &Path) -> String {
    let argv = ["persist", arg];
    let preopens = [Preopen { host: out, guest: "/out" }];
    let invocation = Invocation { argv: &argv, env: &[], preopens: &preopens };
    let outcome: Outcome = match engine {
        Engine::Wasmtime => run::run_with(run::linker(), &run::module(module).unwrap(), &invocation, run::command),
        Engine::Node => node::run_invocation(&node::module_file(module).unwrap(), &invocation, &[], node::TIMEOUT),
    }
    .unwrap_or_else(|error| panic!("persist {arg} under {engine:?}: {error:#}"));
    assert_eq!(
        outcome.status,
        Status::Exit(0),
        "persist {arg} under {engine:?}; stderr:\n{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    assert!(outcome.stderr.is_empty(), "{}", String::from_utf8_lossy(&outcome.stderr));
    String::from_utf8(outcome.stdout).unwrap()
}

/// The saved image at `path`, extracted into `into` and listed as the
/// guest lists its tree.
fn extracted_listing(path: &Path, into: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|error| panic!("no saved image {}: {error}", path.display()));
    let image = Image::open(&bytes).unwrap_or_else(|error| panic!("the saved image: {error}"));
    strata::extract::extract(&image, into).unwrap();
    let (data, other) = (into.join("data"), into.join("other"));
    listing::listing(&[Root { host: &data, guest: "/data" }, Root { host: &other, guest: "/other" }])
}

fn assert_same(what: &str, guest: &str, saved: &str) {
    if let Some(report) = diff::lines_as(["guest", "saved image"], guest.as_bytes(), saved.as_bytes()) {
        panic!("{what}:\n{report}");
    }
}

fn round_trip(engine: Engine) {
    let scratch = tree::scratch();
    let tree = tree::make(&tree::made(scratch.path().join("tree")));
    let mappings = vec![wrap::dir(&tree.data, "/data").unwrap(), wrap::dir(&tree.other, "/other").unwrap()];
    let image = wrap::pack_mappings(mappings, Some("/out/state.img"), scratch.path()).unwrap();
    let guest = Fixture::get(Language::Rust, "persist").wasm().unwrap();
    let module = wrap::wrap(&guest, Some(&image)).unwrap();
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();

    let seen = persist(engine, &module, "mutate", &out);
    assert!(seen.contains("\tsymlink\t") && seen.contains(" link="), "the changes include links: {seen}");
    let saved = extracted_listing(&out.join("state.img"), &scratch.path().join("first"));
    assert_same("the tree saved at exit is not the one the guest saw", &seen, &saved);
    let entries: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(entries, ["state.img"], "no temporary file is left");

    // Resume: the module with the saved image shows the guest the same
    // tree, and saves it again (the image keeps its save path) unchanged.
    let first_save = fs::read(out.join("state.img")).unwrap();
    let resumed = wrap::wrap(&module, Some(&first_save)).unwrap();
    fs::remove_file(out.join("state.img")).unwrap();
    let seen_again = persist(engine, &resumed, "list", &out);
    assert_same("the resumed guest sees another tree", &seen, &seen_again);
    let second_save = fs::read(out.join("state.img")).unwrap();
    assert!(second_save == first_save, "an unchanged tree saves to the same bytes");
}

#[test]
fn every_change_survives_a_save_and_a_resume_under_wasmtime() {
    round_trip(Engine::Wasmtime);
}

#[test]
fn every_change_survives_a_save_and_a_resume_under_node() {
    round_trip(Engine::Node);
}
