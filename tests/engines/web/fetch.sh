#!/usr/bin/env bash
# Installs the JavaScript side of the web and runtime tests
# (tests/tests/browsers.rs, tests/tests/runtimes.rs), pinned, from npm:
# @bjorn3/browser_wasi_shim (the preview1 host of docs/web/), puppeteer-core
# (drives Debian's chromium and firefox-esr; it downloads no browser), and
# the deno and bun binaries. Idempotent: exits at once when these versions
# are in place. Prints one line: where they are.
#
#   DIR = ${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/web
#   DIR/node_modules/{@bjorn3/browser_wasi_shim,puppeteer-core,.bin/deno,.bin/bun}
#
# The browsers themselves are Debian packages (.ci/setup installs them).
set -euo pipefail

PACKAGES=(@bjorn3/browser_wasi_shim@0.4.2 puppeteer-core@25.16.0 deno@2.9.6 bun@1.4.5)
DIR="${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/web"
STAMP="${PACKAGES[*]}"

if [ "$(cat "$DIR/VERSION" 2>/dev/null)" = "$STAMP" ]; then
    echo "web: $DIR ($STAMP)"
    exit 0
fi
command -v npm >/dev/null || { echo "fetch.sh: npm is needed to install ${PACKAGES[*]}" >&2; exit 1; }

# Built beside its final place (same filesystem), then moved there whole.
parent="$(dirname "$DIR")"
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/.web.XXXXXX")"
log="$tmp.log"
trap 'rm -rf "$tmp" "$log"' EXIT

if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
    "${PACKAGES[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    echo "fetch.sh: npm install ${PACKAGES[*]} failed" >&2
    exit 1
fi
rm -f "$log"
for binary in deno bun; do
    # The packages' own postinstall links the platform binary; check it runs.
    if ! "$tmp/node_modules/.bin/$binary" --version >/dev/null 2>&1; then
        echo "fetch.sh: $binary from npm does not run here ($tmp/node_modules/.bin/$binary --version failed)" >&2
        exit 1
    fi
done
echo "$STAMP" >"$tmp/VERSION"

chmod 755 "$tmp" # mktemp's 0700
rm -rf "$DIR"
mv -T "$tmp" "$DIR"
echo "web: $DIR ($STAMP)"
