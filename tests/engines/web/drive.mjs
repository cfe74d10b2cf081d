// Runs wrapped modules in a headless browser, each in the example page of
// docs/web/ (index.html, strata-web.js, browser_wasi_shim given stdio
// only), driven by puppeteer-core: Chromium over the DevTools protocol,
// Firefox over WebDriver BiDi (tests/src/browser.rs runs this):
//
//   node drive.mjs --browser chromium|firefox --executable PATH
//        --node-modules DIR --jobs JOBS.json --out DIR
//
// JOBS.json is an array of { "module": "/path/x.wasm", "args": [argv...],
// "env": ["NAME=VALUE", ...] }. The page and the modules are served from
// 127.0.0.1 on a port of the system's choosing, by this process; the
// browser gets nothing else. For job N, OUT/N.stdout and OUT/N.stderr get
// the guest's bytes and OUT/N.status one line: `exit CODE`, `trap MESSAGE`
// or `error MESSAGE` (as tests/engines/node/run.mjs). OUT/version names the
// browser. This process exits 0 when every job gave a status, 1 otherwise.

import { createServer } from "node:http";
import { readFileSync, writeFileSync, createReadStream, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE = join(HERE, "../../../docs/web");
/** How long one job may take in the page. */
const JOB_TIMEOUT_MS = 240_000;

const options = {};
for (let at = 2; at < process.argv.length; at += 2) {
  const [flag, value] = [process.argv[at], process.argv[at + 1]];
  if (!flag.startsWith("--") || value === undefined) usage();
  options[flag.slice(2)] = value;
}
for (const name of ["browser", "executable", "node-modules", "jobs", "out"]) if (!options[name]) usage();
if (!["chromium", "firefox"].includes(options.browser)) usage();

function usage() {
  process.stderr.write(
    "usage: drive.mjs --browser chromium|firefox --executable PATH --node-modules DIR --jobs JOBS.json --out DIR\n",
  );
  process.exit(2);
}

const jobs = JSON.parse(readFileSync(options.jobs, "utf8"));
const shimDir = join(options["node-modules"], "@bjorn3/browser_wasi_shim/dist");
const require = createRequire(join(options["node-modules"], "drive.cjs"));
const puppeteer = require("puppeteer-core");

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** The file a request names: the page's folder, the shim, or a job's module. */
function resolve(pathname) {
  const module = /^\/modules\/(\d+)\.wasm$/.exec(pathname);
  if (module) return jobs[Number(module[1])]?.module;
  const path = normalize(decodeURIComponent(pathname));
  if (path.startsWith("/browser_wasi_shim/")) return join(shimDir, path.slice("/browser_wasi_shim/".length));
  if (path === "/index.html" || path === "/strata-web.js") return join(PAGE, path);
  return undefined;
}

const server = createServer((request, response) => {
  const file = resolve(new URL(request.url, "http://127.0.0.1").pathname);
  let size;
  try {
    size = file && statSync(file).isFile() ? statSync(file).size : undefined;
  } catch {
    size = undefined;
  }
  if (size === undefined) {
    response.writeHead(404).end();
    return;
  }
  const type = TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
  response.writeHead(200, { "content-type": type, "content-length": size, "cache-control": "no-store" });
  createReadStream(file).pipe(response);
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({
  browser: options.browser === "firefox" ? "firefox" : "chrome",
  executablePath: options.executable,
  headless: true,
  // As root in a sandboxed machine with no network: no sandbox of its
  // own, and none of the background connections it would try to make.
  args:
    options.browser === "chromium"
      ? [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ]
      : [],
});
let failed = false;
try {
  writeFileSync(join(options.out, "version"), `${await browser.version()}\n`);
  const page = await browser.newPage();
  for (const [index, job] of jobs.entries()) {
    const query = new URLSearchParams({ module: `/modules/${index}.wasm` });
    for (const arg of job.args) query.append("arg", arg);
    for (const variable of job.env ?? []) query.append("env", variable);
    let result;
    try {
      await page.goto(`${origin}/index.html?${query}`);
      await page.waitForFunction(() => window.strataRun !== undefined, { timeout: JOB_TIMEOUT_MS, polling: 50 });
      result = await page.evaluate(() => window.strataRun);
    } catch (error) {
      failed = true;
      result = { stdout: "", stderr: "", status: `error the page did not finish: ${String(error.message).split("\n")[0]}` };
    }
    writeFileSync(join(options.out, `${index}.stdout`), Buffer.from(result.stdout, "base64"));
    writeFileSync(join(options.out, `${index}.stderr`), Buffer.from(result.stderr, "base64"));
    writeFileSync(join(options.out, `${index}.status`), `${result.status}\n`);
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
