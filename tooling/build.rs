//! Builds the adapter (`../adapter`, a wasm32-unknown-unknown cdylib) so
//! that `strata wrap` can embed it with `include_bytes!`, and the tracer
//! (`../tracer`, likewise) for `strata trace`.
//!
//! Outputs, for `src/wrap/embedded.rs`:
//! - `$OUT_DIR/strata_adapter.wasm`, the adapter module;
//! - `STRATA_ADAPTER_VERSION`, the strata-adapter crate's version and a
//!   digest of the module (`0.1.0+1a2b3c4d`), which `wrap` records in every
//!   module it writes and compares on re-wrapping: two builds of the
//!   adapter with different code never pass for one another.
//!
//! The adapter is built by a nested cargo with its own target directory
//! (under `$OUT_DIR`, so the outer build's lock is never waited on) and
//! the workspace's `adapter` profile. `STRATA_ADAPTER_WASM=path` embeds
//! that file instead, with no nested build: for working on `wrap` while
//! the adapter's sources do not build, and for packagers.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("tooling/ is inside the workspace").to_owned();
    let adapter_dir = workspace.join("adapter");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    build_tracer(&workspace, &out_dir);
    let embedded = out_dir.join("strata_adapter.wasm");

    let adapter_manifest = adapter_dir.join("Cargo.toml");
    println!("cargo:rerun-if-changed={}", adapter_manifest.display());

    println!("cargo:rerun-if-env-changed=STRATA_ADAPTER_WASM");
    if let Some(prebuilt) = env::var_os("STRATA_ADAPTER_WASM") {
        let prebuilt = PathBuf::from(prebuilt);
        println!("cargo:rerun-if-changed={}", prebuilt.display());
        copy(&prebuilt, &embedded);
        announce_version("STRATA_ADAPTER_VERSION", &adapter_manifest, &embedded);
        return;
    }

    // Everything the adapter's build reads: its sources and strata-vfs's,
    // their manifests, the workspace manifest (the `adapter` profile) and
    // the lock file. A directory is scanned recursively by cargo.
    for path in [
        adapter_dir.join("src"),
        workspace.join("vfs/src"),
        workspace.join("vfs/Cargo.toml"),
        workspace.join("Cargo.toml"),
        workspace.join("Cargo.lock"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    check_target_installed();
    let target_dir = out_dir.join("adapter-target");
    build_adapter(&adapter_manifest, &target_dir);
    copy(&target_dir.join(TARGET).join("adapter").join("strata_adapter.wasm"), &embedded);
    announce_version("STRATA_ADAPTER_VERSION", &adapter_manifest, &embedded);
}

/// Builds the tracer (it shares the adapter's ABI and guest-memory
/// modules) into `$OUT_DIR/strata_tracer.wasm`; sets
/// `STRATA_TRACER_VERSION`.
fn build_tracer(workspace: &Path, out_dir: &Path) {
    let manifest = workspace.join("tracer/Cargo.toml");
    for path in [
        workspace.join("tracer/src"),
        manifest.clone(),
        workspace.join("adapter/src/abi.rs"),
        workspace.join("adapter/src/guest.rs"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    check_target_installed();
    let target_dir = out_dir.join("tracer-target");
    build_adapter(&manifest, &target_dir);
    let embedded = out_dir.join("strata_tracer.wasm");
    copy(&target_dir.join(TARGET).join("adapter").join("strata_tracer.wasm"), &embedded);
    announce_version("STRATA_TRACER_VERSION", &manifest, &embedded);
}

/// Sets `variable`: the crate version, `+`, and the FNV-1a digest of the
/// module's bytes.
fn announce_version(variable: &str, manifest: &Path, wasm: &Path) {
    let bytes = fs::read(wasm).unwrap_or_else(|e| panic!("reading {}: {e}", wasm.display()));
    let digest = bytes.iter().fold(0x811c_9dc5u32, |hash, &b| (hash ^ b as u32).wrapping_mul(0x0100_0193));
    println!("cargo:rustc-env={variable}={}+{digest:08x}", package_version(manifest));
}

/// Runs `cargo build` for the adapter (or the tracer) in a clean
/// environment.
fn build_adapter(manifest: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--target", TARGET, "--profile", "adapter", "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir);
    for (name, _) in env::vars_os() {
        if name.to_str().is_some_and(is_outer_build_setting) {
            command.env_remove(name);
        }
    }
    let output = command.output().unwrap_or_else(|error| panic!("cannot run cargo to build the adapter: {error}"));
    if !output.status.success() {
        panic!(
            "building the adapter ({}) failed; set STRATA_ADAPTER_WASM=path/to/strata_adapter.wasm to embed a prebuilt one:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Whether the variable `name`, which cargo set for this build script or
/// the user set for the outer build, must not reach the nested cargo.
///
/// What cargo sets for a build script describes the host build, and a
/// nested cargo would read some of it as its own configuration:
/// CARGO_ENCODED_RUSTFLAGS / RUSTFLAGS are host flags (and the encoded
/// form overrides every other source), CARGO_TARGET_DIR would share the
/// outer target directory and wait on its lock forever, CARGO_BUILD_* could
/// change the target, RUSTC_WORKSPACE_WRAPPER is clippy-driver under `cargo
/// clippy`. The package, manifest, feature, cfg and DEP_ variables are this
/// crate's. Kept: CARGO_HOME, registry, network and terminal settings,
/// RUSTC and RUSTC_WRAPPER (the same toolchain and cache), and the
/// jobserver (CARGO_MAKEFLAGS), so the nested build shares the outer one's
/// job slots.
fn is_outer_build_setting(name: &str) -> bool {
    const VARIABLES: [&str; 5] = [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
    ];
    const PREFIXES: [&str; 7] =
        ["CARGO_BUILD_", "CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_FEATURE_", "CARGO_CFG_", "CARGO_CRATE_", "DEP_"];
    VARIABLES.contains(&name) || PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// Fails the build with the fix if the wasm target's standard library is
/// missing (rustup does not add targets listed in rust-toolchain.toml to
/// an installed toolchain).
fn check_target_installed() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    if !libdir.is_some_and(|dir| dir.is_dir()) {
        panic!("the {TARGET} target is not installed, and strata embeds an adapter built for it: run .ci/setup (or rustup target add {TARGET})");
    }
}

/// The `version` of the `[package]` table of the manifest at `path`.
fn package_version(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some(value) = line.strip_prefix("version").map(str::trim_start) {
            if let (true, Some(value)) = (in_package, value.strip_prefix('=')) {
                return value.trim().trim_matches('"').to_owned();
            }
        }
    }
    panic!("{} has no [package] version", path.display())
}

fn copy(from: &Path, to: &Path) {
    if let Err(error) = fs::copy(from, to) {
        panic!("cannot copy the adapter {} to {}: {error}", from.display(), to.display());
    }
}
