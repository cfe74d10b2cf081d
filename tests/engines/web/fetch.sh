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
source "$(dirname "$0")/../npm-install.sh"

PACKAGES=(@bjorn3/browser_wasi_shim@0.4.2 puppeteer-core@25.16.0 deno@2.9.6 bun@1.4.5)
DIR="${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/web"
STAMP="${PACKAGES[*]}"

check() {
    local binary
    for binary in deno bun; do
        # The packages' own postinstall links the platform binary.
        if ! "$1/node_modules/.bin/$binary" --version >/dev/null 2>&1; then
            echo "fetch.sh: $binary from npm does not run here ($1/node_modules/.bin/$binary --version failed)" >&2
            return 1
        fi
    done
    echo "$STAMP" >"$1/VERSION"
}

if [ "$(cat "$DIR/VERSION" 2>/dev/null)" != "$STAMP" ]; then
    npm_install_at "$DIR" check "${PACKAGES[@]}"
fi
echo "web: $DIR ($STAMP)"
