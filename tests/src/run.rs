//! One run of a preview1 program under wasmtime 48 and wasmtime-wasi's
//! preview1 host (synchronous), as `wasmtime run` would run it: the given
//! arguments, environment and preopens (every permission), no inherited
//! stdio (stdin is empty; stdout and stderr are captured). A command runs
//! `_start`; a reactor is driven by an [`Entry`] of its own.

use std::collections::HashMap;
use std::fmt;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, Result};
use wasmtime::{Config, Engine, Instance, Linker, Module, Store, Trap};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// How much of stdout and of stderr a run keeps; a guest writing more gets
/// a write error, which shows up as a difference if it matters.
const CAPTURE_LIMIT: usize = 64 << 20;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// `proc_exit(code)`, or 0 when `_start` returned.
    Exit(i32),
    /// A trap (or a host error that ends the run like one): the first line
    /// of its message.
    Trap(String),
}

impl Status {
    pub fn trapped(&self) -> bool {
        matches!(self, Status::Trap(_))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exit(code) => write!(f, "exit {code}"),
            Status::Trap(message) => write!(f, "trap: {message}"),
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: Status,
}

/// The engine of every run: wasmtime's defaults (copy-on-write memory
/// initialization included) with multi-memory explicitly on, as the fused
/// module needs it, and exception handling, which C++ and CPython guests
/// built by recent wasi-sdks use (`wasmtime run -W exceptions=y`).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.wasm_multi_memory(true).wasm_exceptions(true);
        Engine::new(&config).expect("wasmtime's default configuration with multi-memory")
    })
}

/// A linker holding wasmtime-wasi's `wasi_snapshot_preview1`.
pub fn linker() -> &'static Linker<WasiP1Ctx> {
    static LINKER: OnceLock<Linker<WasiP1Ctx>> = OnceLock::new();
    LINKER.get_or_init(|| {
        let mut linker = Linker::new(engine());
        p1::add_to_linker_sync(&mut linker, |ctx| ctx).expect("preview1 links");
        linker
    })
}

/// Compiles `wasm` (no cache).
pub fn compile(wasm: &[u8]) -> Result<Module> {
    Module::new(engine(), wasm).map_err(anyhow::Error::from).context("wasmtime cannot compile the module")
}

/// Compiles `wasm` once per test binary: compiling is the slow part of a
/// run, and a fixture runs many times (its main run and every trap
/// scenario). Keyed by length and two independent 64-bit hashes of the
/// bytes, so a large module is not kept twice as its own key.
pub fn module(wasm: &[u8]) -> Result<Module> {
    /// Length and two hashes of the bytes.
    type Key = (usize, u64, u64);
    type Slot = Arc<Mutex<Option<Module>>>;
    static CACHE: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
    let key = (wasm.len(), hash(wasm, 0), hash(wasm, 1));
    // The map's lock is held only to find the slot; compiling holds the
    // slot's lock, so two tests compile two different modules at once.
    let slot = CACHE.get_or_init(Default::default).lock().unwrap().entry(key).or_default().clone();
    let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(module) = &*slot {
        return Ok(module.clone());
    }
    let module = compile(wasm)?;
    *slot = Some(module.clone());
    Ok(module)
}

fn hash(bytes: &[u8], seed: u8) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write_u8(seed);
    hasher.write(bytes);
    hasher.finish()
}

/// A guest directory backed by a host directory.
#[derive(Clone, Copy, Debug)]
pub struct Preopen<'a> {
    pub host: &'a Path,
    /// The name the guest sees (`fd_prestat_dir_name`), e.g. `/data`.
    pub guest: &'a str,
}

/// What one run is given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Invocation<'a> {
    /// `argv[0]` included.
    pub argv: &'a [&'a str],
    /// The environment, in order.
    pub env: &'a [(&'a str, &'a str)],
    /// In order from fd 3, every permission.
    pub preopens: &'a [Preopen<'a>],
}

/// A store for one run: `argv` (`argv[0]` included), `preopens` in order
/// from fd 3 with every permission, no environment, empty stdin, and
/// stdout/stderr into the returned pipes.
pub fn store(argv: &[&str], preopens: &[Preopen]) -> Result<(Store<WasiP1Ctx>, Captured)> {
    store_for(&Invocation { argv, env: &[], preopens })
}

/// A store for one run of `invocation`: empty stdin, stdout/stderr into
/// the returned pipes.
pub fn store_for(invocation: &Invocation) -> Result<(Store<WasiP1Ctx>, Captured)> {
    let Invocation { argv, env, preopens } = *invocation;
    let captured =
        Captured { stdout: MemoryOutputPipe::new(CAPTURE_LIMIT), stderr: MemoryOutputPipe::new(CAPTURE_LIMIT) };
    let mut builder = WasiCtxBuilder::new();
    // As `wasmtime run` does: filesystem calls run on this thread rather
    // than through a blocking pool. Same semantics, less overhead. Set
    // before the preopens, which copy it.
    builder.allow_blocking_current_thread(true);
    builder.args(argv).envs(env).stdout(captured.stdout.clone()).stderr(captured.stderr.clone());
    for preopen in preopens {
        builder
            .preopened_dir(preopen.host, preopen.guest, FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot preopen {} as {}", preopen.host.display(), preopen.guest))?;
    }
    Ok((Store::new(engine(), builder.build_p1()), captured))
}

/// The guest's stdout and stderr of one store.
pub struct Captured {
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
}

/// Instantiates `module` in `store` (running its start function, if any).
/// A trap or `proc_exit` during instantiation is a [`Status`]; a module
/// that can not be linked is an error.
pub fn instantiate(store: &mut Store<WasiP1Ctx>, module: &Module) -> Result<Result<Instance, Status>> {
    instantiate_with(linker(), store, module)
}

/// [`instantiate`] with another linker (one holding a program's own
/// non-WASI imports besides preview1).
pub fn instantiate_with(
    linker: &Linker<WasiP1Ctx>,
    store: &mut Store<WasiP1Ctx>,
    module: &Module,
) -> Result<Result<Instance, Status>> {
    match linker.instantiate(&mut *store, module) {
        Ok(instance) => Ok(Ok(instance)),
        Err(error) if error.downcast_ref::<I32Exit>().is_some() || error.downcast_ref::<Trap>().is_some() => {
            Ok(Err(status_of(error)))
        }
        Err(error) => Err(anyhow::Error::from(error).context("cannot instantiate the module")),
    }
}

/// How a program runs once instantiated: what it calls, and the exit
/// status that makes (`proc_exit` and traps are taken care of around it).
/// It gets the invocation's argv too, for reactors that take theirs
/// through their own exports rather than `args_get`.
pub type Entry = fn(&mut Store<WasiP1Ctx>, &Instance, &[&str]) -> wasmtime::Result<i32>;

/// A command's entry: `_start`; returning from it is exit status 0.
pub fn command(store: &mut Store<WasiP1Ctx>, instance: &Instance, _argv: &[&str]) -> wasmtime::Result<i32> {
    instance.get_typed_func::<(), ()>(&mut *store, "_start")?.call(&mut *store, ())?;
    Ok(0)
}

/// Runs the command `module`: instantiate, call `_start`.
pub fn run(module: &Module, argv: &[&str], preopens: &[Preopen]) -> Result<Outcome> {
    run_with(linker(), module, &Invocation { argv, env: &[], preopens }, command)
}

/// Runs `module` given `invocation`: instantiate with `linker`, then
/// `entry`.
pub fn run_with(linker: &Linker<WasiP1Ctx>, module: &Module, invocation: &Invocation, entry: Entry) -> Result<Outcome> {
    let (mut store, captured) = store_for(invocation)?;
    let status = match instantiate_with(linker, &mut store, module)? {
        Ok(instance) => match entry(&mut store, &instance, invocation.argv) {
            Ok(code) => Status::Exit(code),
            Err(error) => status_of(error),
        },
        Err(status) => status,
    };
    drop(store);
    Ok(Outcome { stdout: captured.stdout.contents().to_vec(), stderr: captured.stderr.contents().to_vec(), status })
}

/// Compiles (cached) and runs `wasm`.
pub fn run_wasm(wasm: &[u8], argv: &[&str], preopens: &[Preopen]) -> Result<Outcome> {
    run(&module(wasm)?, argv, preopens)
}

/// `proc_exit`'s code, or the trap's first line. The error's top level is
/// wasmtime's backtrace; the trap itself is the root cause.
fn status_of(error: wasmtime::Error) -> Status {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Status::Exit(exit.0);
    }
    let message = match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => error.root_cause().to_string(),
    };
    Status::Trap(message.lines().next().unwrap_or("").to_owned())
}
