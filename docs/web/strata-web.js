// Runs a module wrapped by `strata wrap` with a preview1 host written in
// JavaScript: @bjorn3/browser_wasi_shim, given stdio and nothing else. The
// filesystem is the module's own (its image, in its second memory), so the
// host needs no files, no preopens and no JavaScript filesystem.
//
// The same file runs in a web page (docs/web/index.html), Deno and Bun
// (tests/engines/web/run-cli.mjs). The shim is passed in rather than
// imported, so each caller loads it its own way (an import map, a bundler,
// a path on disk).
//
//   const result = await runWrapped(shim, await fetch("app.strata.wasm"), {
//     args: ["app", "--help"],
//     env: ["LANG=C.UTF-8"],
//     stdout: (bytes) => ...,   // each write's bytes, a Uint8Array
//     stderr: (bytes) => ...,
//   });
//   // { exit: 0 } or { trap: "RuntimeError: unreachable" }
//
// A wrapped module needs multi-memory (Chrome 120, Firefox 125, Node 24,
// Deno 2, wasmtime: see docs/web.md for the engines tested). An engine
// without it refuses to compile the module; that error is thrown.

const ERRNO_BADF = 8;
const ERRNO_NOTSOCK = 57;

/**
 * A trap of the guest, as each engine reports it. A RangeError is one too:
 * the wasm stack ran out (V8, JavaScriptCore), or the shim read or wrote
 * guest memory out of bounds at a pointer the guest gave it, where
 * wasmtime traps.
 */
export function isTrap(error) {
  return (
    error instanceof WebAssembly.RuntimeError ||
    error instanceof RangeError ||
    // SpiderMonkey: "too much recursion", an InternalError.
    (error && error.name === "InternalError" && /recursion/i.test(error.message))
  );
}

/**
 * Compiles (a Response, an ArrayBuffer or a typed array) and runs the
 * command module `source`. Resolves to `{ exit: code }` (proc_exit, or 0
 * when `_start` returns) or `{ trap: message }`; rejects when the module
 * can not be compiled or instantiated (not the guest's doing).
 */
export async function runWrapped(shim, source, { args = [], env = [], stdout = () => {}, stderr = () => {} } = {}) {
  const module =
    source instanceof Response ? await WebAssembly.compileStreaming(source) : await WebAssembly.compile(source);
  const fds = [
    new shim.OpenFile(new shim.File([], { readonly: true })), // stdin: empty
    new shim.ConsoleStdout(stdout),
    new shim.ConsoleStdout(stderr),
  ];
  // `debug: false` must be said: 0.4.2 logs every call to the console
  // when the option is missing.
  const wasi = new shim.WASI(args, env, fds, { debug: false });
  // The shim throws "sockets not supported" from these, which ends the
  // run; a host with no sockets answers instead, as wasmtime does: stdio is
  // not a socket, any other fd is not the host's (files are the module's).
  for (const name of ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"]) {
    wasi.wasiImport[name] = (fd) => (fd >>> 0 <= 2 ? ERRNO_NOTSOCK : ERRNO_BADF);
  }
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  } catch (error) {
    // The fused module's start function runs here.
    if (isTrap(error)) return { trap: describe(error) };
    if (error instanceof shim.WASIProcExit) return { exit: error.code };
    throw error;
  }
  try {
    return { exit: wasi.start(instance) };
  } catch (error) {
    if (isTrap(error)) return { trap: describe(error) };
    throw error;
  }
}

function describe(error) {
  return `${error.name}: ${String(error.message).split("\n")[0]}`;
}
