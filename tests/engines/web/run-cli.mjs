// Runs one wrapped command module with docs/web/strata-web.js (the
// browsers' preview1 host, @bjorn3/browser_wasi_shim, given stdio only)
// under a JavaScript runtime that is not a browser: Deno, Bun, or Node
// (tests/src/js.rs runs this):
//
//   deno run --allow-read --allow-write run-cli.mjs ARGS
//   bun run-cli.mjs ARGS
//
//   ARGS = --shim DIR [--status FILE] [--env NAME=VALUE]... MODULE.wasm ARGV0 [ARG ...]
//
// DIR is the shim's dist/ folder. The guest gets exactly the given
// arguments and environment, an empty stdin, and this process's stdout and
// stderr for its own (nothing else is written there). How the run ended
// goes to FILE as one line, as tests/engines/node/run.mjs writes it:
// `exit CODE`, `trap MESSAGE` or `error MESSAGE`; without --status, to
// stderr. Exits with CODE's low 8 bits, 134 after a trap, 70 after an error.

import { readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";

const TRAP_EXIT = 134;
const ERROR_EXIT = 70;

let argv = process.argv.slice(2);
let statusFile = null;
let shimDir = null;
const env = [];
while (argv.length >= 2 && ["--status", "--shim", "--env"].includes(argv[0])) {
  if (argv[0] === "--status") statusFile = argv[1];
  else if (argv[0] === "--shim") shimDir = argv[1];
  else env.push(argv[1]);
  argv = argv.slice(2);
}
if (shimDir === null || argv.length < 2 || argv[0].startsWith("--")) {
  process.stderr.write(
    "usage: run-cli.mjs --shim DIR [--status FILE] [--env NAME=VALUE]... MODULE.wasm ARGV0 [ARG ...]\n",
  );
  process.exit(2);
}
const [modulePath, ...args] = argv;

function report(kind, detail, code) {
  const line = `${kind} ${detail}\n`;
  if (statusFile === null) process.stderr.write(line);
  else writeFileSync(statusFile, line);
  process.exit(code);
}

/** Writes all of `bytes` to `fd`, retrying short writes. */
function writeAll(fd, bytes) {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

const firstLine = (error) => String(error && error.message !== undefined ? error.message : error).split("\n")[0];

const shim = await import(pathToFileURL(join(shimDir, "index.js")).href);
const { runWrapped } = await import(new URL("../../../docs/web/strata-web.js", import.meta.url).href);
let result;
try {
  result = await runWrapped(shim, readFileSync(modulePath), {
    args,
    env,
    stdout: (bytes) => writeAll(1, bytes),
    stderr: (bytes) => writeAll(2, bytes),
  });
} catch (error) {
  report("error", `${error && error.name ? error.name : "error"}: ${firstLine(error)}`, ERROR_EXIT);
}
if ("exit" in result) report("exit", String(result.exit >>> 0), result.exit & 0xff);
report("trap", result.trap, TRAP_EXIT);
