// Runs one WASI preview1 command module under Node's `node:wasi` (uvwasi),
// the second engine of the end-to-end tests (tests/src/node.rs):
//
//   node --disable-warning=ExperimentalWarning run.mjs [--status FILE] MODULE.wasm ARGV0 [ARG ...]
//
// The guest gets exactly the given arguments (ARGV0 included), an empty
// environment, no preopens, and this process's fds 0, 1 and 2 as its
// stdin, stdout and stderr. Nothing else is written to stdout or stderr,
// so the guest's output stays byte-exact.
//
// How the run ended goes to FILE as one line:
//
//   exit CODE      proc_exit(CODE), or 0 when `_start` returned
//   trap MESSAGE   a WebAssembly.RuntimeError (or the call stack ran out)
//   error MESSAGE  the module could not be run: not compiled, not linked,
//                  no `_start`, a WASI call throwing (not the guest's doing)
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
if (argv[0] === '--status') {
  statusFile = argv[1];
  argv = argv.slice(2);
}
if (argv.length < 2 || statusFile === undefined) {
  process.stderr.write('usage: run.mjs [--status FILE] MODULE.wasm ARGV0 [ARG ...]\n');
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

/** A trap of the guest: V8's RuntimeError, or wasm code running out of stack. */
function isTrap(error) {
  return (
    error instanceof WebAssembly.RuntimeError ||
    (error instanceof RangeError && /call stack size/i.test(error.message))
  );
}

let module;
try {
  module = new WebAssembly.Module(readFileSync(modulePath));
} catch (error) {
  report('error', `cannot compile ${modulePath}: ${firstLine(error)}`, ERROR_EXIT);
  process.exit();
}

const wasi = new WASI({
  version: 'preview1',
  args,
  env: {},
  preopens: {},
  returnOnExit: true,
  stdin: 0,
  stdout: 1,
  stderr: 2,
});

let instance;
try {
  instance = new WebAssembly.Instance(module, wasi.getImportObject());
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
  const code = wasi.start(instance);
  report('exit', String(code), code & 0xff);
} catch (error) {
  if (isTrap(error)) {
    report('trap', firstLine(error), TRAP_EXIT);
  } else {
    report('error', `${error && error.name ? error.name : 'error'}: ${firstLine(error)}`, ERROR_EXIT);
  }
}
