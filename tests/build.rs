//! Builds the fixture guests and lists them for the tests.
//!
//! - `fixtures/rust/` is its own cargo workspace: one nested
//!   `cargo build --release --target wasm32-wasip1`, and every `[[bin]]` it
//!   produces is a fixture (read from cargo's JSON messages, so a removed
//!   bin is not picked up from a stale target directory).
//! - `fixtures/c/*.c`: each file is one program, compiled with `clang-19`
//!   against wasi-libc; headers sit beside the sources.
//!
//! Writes `$OUT_DIR/fixtures.rs` (the list, for `strata_e2e::fixtures`)
//! and `$OUT_DIR/fixture_tests.rs` (one `fixture_test!` line per fixture,
//! for `tests/fixtures.rs`). A missing fixture folder builds nothing.

use std::env;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SETUP_HINT_CLANG: &str = "install clang-19 lld-19 libclang-rt-19-dev-wasm32 wasi-libc (bash .ci/setup does)";
const SETUP_HINT_TARGET: &str = "run bash .ci/setup";

/// One built fixture.
struct Built {
    name: String,
    /// `C` or `Rust`: a variant of `strata_e2e::fixtures::Language`.
    language: &'static str,
    wasm: PathBuf,
}

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = manifest_dir.parent().expect("tests/ is inside the repository").to_owned();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let fixtures = repo.join("fixtures");

    let mut built = Vec::new();
    built.extend(build_rust(&fixtures.join("rust"), &out_dir));
    built.extend(build_c(&fixtures.join("c"), &out_dir));
    built.sort_by(|a, b| (a.language, &a.name).cmp(&(b.language, &b.name)));

    write_lists(&built, &out_dir);
}

/// Builds the Rust fixture workspace, if there is one; returns its bins.
fn build_rust(dir: &Path, out_dir: &Path) -> Vec<Built> {
    let manifest = dir.join("Cargo.toml");
    watch_rust_sources(dir);
    if !manifest.is_file() {
        return Vec::new();
    }
    check_wasip1_target();

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--release", "--target", "wasm32-wasip1", "--message-format=json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(out_dir.join("fixtures-target"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    scrub_cargo_env(&mut command);
    let output = command.output().unwrap_or_else(|error| panic!("cannot run cargo for fixtures/rust: {error}"));
    if !output.status.success() {
        panic!("building fixtures/rust for wasm32-wasip1 failed ({}); cargo's messages are above", output.status);
    }

    let mut bins = Vec::new();
    for line in output.stdout.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let is_bin = message["target"]["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"));
        let (Some(name), Some(wasm)) = (message["target"]["name"].as_str(), message["executable"].as_str()) else {
            continue;
        };
        if is_bin {
            bins.push(Built { name: name.to_owned(), language: "Rust", wasm: PathBuf::from(wasm) });
        }
    }
    bins
}

/// The build script's environment describes *this* package's build; a
/// nested cargo must not inherit it (`CARGO_TARGET_DIR`, `CARGO_PKG_*`,
/// `CARGO_ENCODED_RUSTFLAGS`, `RUSTC_WORKSPACE_WRAPPER`, …). Kept:
/// `CARGO_HOME` (where the registry is) and `CARGO_MAKEFLAGS` (the
/// jobserver, so the nested build shares this build's job limit).
fn scrub_cargo_env(command: &mut Command) {
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let scrub = (key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_MAKEFLAGS")
            || matches!(
                key,
                "RUSTFLAGS"
                    | "RUSTDOCFLAGS"
                    | "RUSTC"
                    | "RUSTDOC"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "RUSTC_LINKER"
                    | "TARGET"
                    | "HOST"
                    | "OUT_DIR"
                    | "PROFILE"
                    | "OPT_LEVEL"
                    | "DEBUG"
                    | "NUM_JOBS"
            );
        if scrub {
            command.env_remove(key);
        }
    }
}

/// Fails with the setup hint when rustc has no `wasm32-wasip1` standard
/// library.
fn check_wasip1_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc).args(["--print", "sysroot"]).output();
    let Ok(sysroot) = sysroot else {
        panic!("cannot run rustc to find its sysroot: {SETUP_HINT_TARGET}");
    };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib/wasm32-wasip1/lib").is_dir() {
        panic!(
            "the Rust target wasm32-wasip1 is not installed (no {}): {SETUP_HINT_TARGET}",
            sysroot.join("lib/rustlib/wasm32-wasip1").display()
        );
    }
}

/// Reruns the build script when the Rust fixtures change: their manifest
/// and lock file and every folder beside them but `target/`.
fn watch_rust_sources(dir: &Path) {
    if !dir.is_dir() {
        // Appears later: watch the parent for it.
        watch(dir.parent().expect("fixtures/rust has a parent"));
        return;
    }
    // Not `dir` itself: cargo scans a watched folder recursively, and a
    // `target/` inside would rerun this script after every fixture build.
    for entry in fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display())) {
        let entry = entry.expect("readable entry");
        if entry.file_name() != "target" {
            watch(&entry.path());
        }
    }
}

/// Compiles every `fixtures/c/*.c`; returns the programs.
fn build_c(dir: &Path, out_dir: &Path) -> Vec<Built> {
    if !dir.is_dir() {
        watch(dir.parent().expect("fixtures/c has a parent"));
        return Vec::new();
    }
    watch(dir);
    let mut sources: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension() == Some(OsStr::new("c")) && path.is_file())
        .collect();
    sources.sort();
    if sources.is_empty() {
        return Vec::new();
    }
    check_clang();

    // Two at a time: the machine is small, and cargo runs other work.
    let mut built = Vec::new();
    for pair in sources.chunks(2) {
        let results: Vec<Built> = std::thread::scope(|scope| {
            let handles: Vec<_> = pair.iter().map(|source| scope.spawn(|| compile_c(source, out_dir))).collect();
            handles.into_iter().map(|handle| handle.join().expect("compile thread")).collect()
        });
        built.extend(results);
    }
    built
}

fn check_clang() {
    match Command::new("clang-19").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(status) if status.success() => {}
        Ok(status) => panic!("clang-19 --version failed ({status}): {SETUP_HINT_CLANG}"),
        Err(error) if error.kind() == ErrorKind::NotFound => {
            panic!("clang-19 is not on PATH; the C fixtures need it: {SETUP_HINT_CLANG}")
        }
        Err(error) => panic!("cannot run clang-19 ({error}): {SETUP_HINT_CLANG}"),
    }
}

fn compile_c(source: &Path, out_dir: &Path) -> Built {
    let name = source.file_stem().and_then(OsStr::to_str).expect("a UTF-8 file name").to_owned();
    let wasm = out_dir.join(format!("{name}.wasm"));
    let output = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror"])
        .arg(source)
        .arg("-o")
        .arg(&wasm)
        .output()
        .unwrap_or_else(|error| panic!("cannot run clang-19: {error}"));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("file not found") || stderr.contains("unable to find library") {
            format!("\n(is wasi-libc installed? {SETUP_HINT_CLANG})")
        } else {
            String::new()
        };
        panic!("clang-19 failed on {} ({}):\n{stderr}{hint}", source.display(), output.status);
    }
    Built { name, language: "C", wasm }
}

fn watch(path: &Path) {
    println!("cargo::rerun-if-changed={}", path.display());
}

/// `fixtures.rs`: the list; `fixture_tests.rs`: one test per fixture.
fn write_lists(built: &[Built], out_dir: &Path) {
    let mut list = String::from("/// Every fixture guest, built by `build.rs`.\npub const FIXTURES: &[Fixture] = &[\n");
    let mut tests = String::new();
    let mut tools = String::new();
    for fixture in built {
        let path = fixture.wasm.to_str().expect("a UTF-8 OUT_DIR");
        if let Some(&(_, constant)) = TOOL_GUESTS.iter().find(|(name, _)| *name == fixture.name) {
            writeln!(
                tools,
                "/// The `{}` guest, built by `build.rs`.\npub const {constant}: &str = {path:?};",
                fixture.name
            )
            .unwrap();
            continue;
        }
        writeln!(
            list,
            "    Fixture {{ name: {:?}, language: Language::{}, path: {:?} }},",
            fixture.name, fixture.language, path
        )
        .unwrap();
        writeln!(
            tests,
            "fixture_test!({}_{}, {}, {:?});",
            fixture.language.to_lowercase(),
            identifier(&fixture.name),
            fixture.language,
            fixture.name
        )
        .unwrap();
    }
    list.push_str("];\n");
    list.push_str(&tools);
    write_if_changed(&out_dir.join("fixtures.rs"), &list);
    write_if_changed(&out_dir.join("fixture_tests.rs"), &tests);
}

/// Bins of `fixtures/rust/` that are test tools rather than fixtures: not
/// in `FIXTURES` (every engine test runs those), each a constant of its
/// path instead: the ABI differential fuzzer (`tests/abi_fuzz.rs`) and a
/// guest that runs out of memory and fds (`tests/limits.rs`).
const TOOL_GUESTS: &[(&str, &str)] = &[("abi_fuzz", "ABI_FUZZ"), ("limits", "LIMITS")];

/// `name` as a Rust identifier fragment: anything but `[A-Za-z0-9_]`
/// becomes `_`.
fn identifier(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' }).collect()
}

fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(contents) {
        fs::write(path, contents).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    }
}
