// Runs one WASI preview1 command module under Node's `node:wasi` (uvwasi),
// the second engine of the end-to-end tests (tests/src/node.rs):
//
//   node --disable-warning=ExperimentalWarning run.mjs [--status FILE]
//        [--fix-abstime-poll] [--fix-sock-stdio] [--fix-missing-imports] [--env NAME=VALUE]...
//        [--preopen GUEST=HOST]... MODULE.wasm ARGV0 [ARG ...]
//
// The guest gets exactly the given arguments (ARGV0 included), the given
// environment (none by default), the given preopens in order from fd 3
// (none by default), and this process's fds 0, 1 and 2 as its stdin,
// stdout and stderr. Nothing else is written to stdout or stderr,
// so the guest's output stays byte-exact.
//
// How the run ended goes to FILE as one line:
//
//   exit CODE      proc_exit(CODE), or 0 when `_start` returned
//   trap MESSAGE   a WebAssembly.RuntimeError (or the call stack ran out)
//   error MESSAGE  the module could not be run: not compiled, not linked,
//                  no `_start`, a WASI call throwing (not the guest's doing)
//
// The --fix-* flags work around bugs that stop a run: two of uvwasi
// (fixAbstimePoll, fixSockStdio below) and one of Bun's node:wasi
// (fillMissingImports); without them the runtime's own WASI runs unchanged.
// The same script runs under Deno and Bun (tests/src/runtimes.rs).
//
// This process exits with CODE's low 8 bits, 134 after a trap (as the
// wasmtime CLI does), 70 after an error. Without --status the line goes to
// stderr instead, for runs by hand.

import { readFileSync, writeFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const TRAP_EXIT = 134;
const ERROR_EXIT = 70;

let argv = process.argv.slice(2);
let statusFile = null;
let fixAbstime = false;
let fixSock = false;
let fixMissing = false;
const env = {};
const preopens = {};
for (;;) {
  if (argv[0] === '--status' && argv.length >= 2) {
    statusFile = argv[1];
    argv = argv.slice(2);
  } else if (argv[0] === '--fix-abstime-poll') {
    fixAbstime = true;
    argv = argv.slice(1);
  } else if (argv[0] === '--fix-sock-stdio') {
    fixSock = true;
    argv = argv.slice(1);
  } else if (argv[0] === '--fix-missing-imports') {
    fixMissing = true;
    argv = argv.slice(1);
  } else if ((argv[0] === '--env' || argv[0] === '--preopen') && argv.length >= 2 && argv[1].includes('=')) {
    const at = argv[1].indexOf('=');
    const table = argv[0] === '--env' ? env : preopens;
    table[argv[1].slice(0, at)] = argv[1].slice(at + 1);
    argv = argv.slice(2);
  } else {
    break;
  }
}
if (argv.length < 2 || argv[0].startsWith('--')) {
  process.stderr.write(
    'usage: run.mjs [--status FILE] [--fix-abstime-poll] [--fix-sock-stdio] [--fix-missing-imports] [--env NAME=VALUE]... [--preopen GUEST=HOST]... MODULE.wasm ARGV0 [ARG ...]\n',
  );
  process.exit(2);
}
const [modulePath, ...args] = argv;

/** Records how the run ended and sets this process's exit code. */
function report(kind, detail, exitCode) {
  const line = `${kind} ${detail}\n`;
  if (statusFile === null) {
    process.stderr.write(line);
  } else {
    writeFileSync(statusFile, line);
  }
  process.exitCode = exitCode;
}

/** The first line of an error's message. */
function firstLine(error) {
  return String(error && error.message !== undefined ? error.message : error).split('\n')[0];
}

/**
 * A trap of the guest: a RuntimeError, or a RangeError: wasm code running
 * out of stack, or the host reading guest memory out of bounds at a
 * pointer the guest gave it (Bun's WASI), where wasmtime traps.
 */
function isTrap(error) {
  return error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
}

let module;
try {
  module = new WebAssembly.Module(readFileSync(modulePath));
} catch (error) {
  report('error', `cannot compile ${modulePath}: ${firstLine(error)}`, ERROR_EXIT);
  process.exit();
}

// Deno and Bun print node:wasi's "experimental" warning on stderr, which
// is the guest's (Node is told by --disable-warning=ExperimentalWarning).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  if (!/WASI is an experimental/.test(String(warning && warning.message !== undefined ? warning.message : warning))) {
    emitWarning(warning, ...rest);
  }
};

const wasi = new WASI({
  version: 'preview1',
  args,
  env,
  preopens,
  returnOnExit: true,
  stdin: 0,
  stdout: 1,
  stderr: 2,
});

let instance;
// Bun's node:wasi has no getImportObject, only the older wasiImport.
const imports = wasi.getImportObject ? wasi.getImportObject() : { wasi_snapshot_preview1: wasi.wasiImport };
if (fixAbstime) {
  fixAbstimePoll(imports.wasi_snapshot_preview1, () => instance.exports.memory);
}
if (fixSock) {
  fixSockStdio(imports.wasi_snapshot_preview1);
}
if (fixMissing) {
  fillMissingImports(module, imports.wasi_snapshot_preview1);
}
try {
  instance = new WebAssembly.Instance(module, imports);
} catch (error) {
  // A start function (the adapter's) runs here, before `wasi.start` has
  // given WASI the guest's memory.
  if (isTrap(error)) {
    report('trap', firstLine(error), TRAP_EXIT);
  } else {
    report('error', `cannot instantiate: ${firstLine(error)}`, ERROR_EXIT);
  }
  process.exit();
}

try {
  // Bun's start returns nothing when `_start` returns.
  const code = wasi.start(instance) ?? 0;
  report('exit', String(code), code & 0xff);
} catch (error) {
  if (isTrap(error)) {
    report('trap', firstLine(error), TRAP_EXIT);
  } else {
    report('error', `${error && error.name ? error.name : 'error'}: ${firstLine(error)}`, ERROR_EXIT);
  }
}

/**
 * uvwasi (Node 24's WASI) turns a clock subscription with
 * SUBSCRIPTION_CLOCK_ABSTIME into a relative delay as `timeout - now` in
 * unsigned 64-bit arithmetic, with `now` always from the realtime clock
 * (uvwasi_poll_oneoff in deps/uvwasi/src/uvwasi.c). A deadline already past
 * (or any monotonic deadline) wraps around to a delay of centuries: the
 * call never returns, where wasmtime returns the clock's event at once.
 *
 * This wrapper of the `poll_oneoff` import does that conversion right
 * before uvwasi sees the subscriptions: each clock subscription whose flags
 * are exactly ABSTIME (the case uvwasi converts) on the realtime or
 * monotonic clock becomes relative, `max(timeout - now(clock), 0)`, and the
 * guest's bytes are put back after the call (the guest is not running
 * meanwhile). Everything else reaches uvwasi unchanged.
 */
function fixAbstimePoll(wasiImports, memory) {
  const SUBSCRIPTION = 48;
  const REALTIME = 0;
  const MONOTONIC = 1;
  const ABSTIME = 1;
  const poll = wasiImports.poll_oneoff;
  wasiImports.poll_oneoff = (inPtr, outPtr, count, neventsPtr) => {
    const buffer = memory().buffer;
    const view = new DataView(buffer);
    const start = inPtr >>> 0;
    const saved = [];
    if (start + (count >>> 0) * SUBSCRIPTION <= buffer.byteLength) {
      for (let i = 0; i < count >>> 0; i++) {
        const at = start + i * SUBSCRIPTION;
        const clock = view.getUint32(at + 16, true);
        if (view.getUint8(at + 8) !== 0 || view.getUint16(at + 40, true) !== ABSTIME) continue;
        if (clock !== REALTIME && clock !== MONOTONIC) continue;
        const now = clock === REALTIME ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
        const deadline = view.getBigUint64(at + 24, true);
        saved.push([at, new Uint8Array(buffer.slice(at, at + SUBSCRIPTION))]);
        view.setBigUint64(at + 24, deadline > now ? deadline - now : 0n, true);
        view.setUint16(at + 40, 0, true);
      }
    }
    try {
      return poll(inPtr, outPtr, count, neventsPtr);
    } finally {
      const bytes = new Uint8Array(memory().buffer);
      for (const [at, original] of saved) bytes.set(original, at);
    }
  };
}

/**
 * Node's WASI has no sockets (no way to pass one in), yet uvwasi's
 * sock_accept, sock_recv and sock_send, once the descriptor passes its
 * rights check, use the descriptor's libuv stream without checking it is
 * there: on stdin, stdout or stderr (a character device has every right, a
 * pipe the socket rights) the stream is NULL and Node dies of SIGSEGV.
 *
 * This wrapper answers those three calls on fds 0-2 with ENOSYS (52) without
 * calling uvwasi: an errno neither uvwasi nor wasmtime gives there, so a
 * comparison shows each such call (tests/tests/node.rs lists them). Every
 * other call reaches uvwasi unchanged.
 */
function fixSockStdio(wasiImports) {
  const ENOSYS = 52;
  for (const name of ['sock_accept', 'sock_recv', 'sock_send']) {
    const call = wasiImports[name];
    wasiImports[name] = (fd, ...rest) => (fd >= 0 && fd <= 2 ? ENOSYS : call(fd, ...rest));
  }
}

/**
 * Bun's node:wasi has no sock_accept (1.4.5): a module importing it can not
 * be instantiated at all. This fills each preview1 function the module
 * imports and the host lacks with one answering ENOSYS (52), an errno no
 * host gives for these calls, so a comparison shows each such call
 * (tests/tests/runtimes.rs lists them).
 */
function fillMissingImports(module, wasiImports) {
  const ENOSYS = 52;
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (from === 'wasi_snapshot_preview1' && kind === 'function' && typeof wasiImports[name] !== 'function') {
      wasiImports[name] = () => ENOSYS;
    }
  }
}
