#!/usr/bin/env bash
# Installs what the fuzz targets need: a nightly toolchain (libFuzzer's
# sanitizer-coverage flags are nightly-only) and cargo-fuzz. Idempotent:
# each step is skipped when what it installs is already there.
set -euo pipefail

if rustup toolchain list | grep -q '^nightly'; then
    echo "setup: nightly toolchain present ($(rustc +nightly --version))"
else
    rustup toolchain install nightly --profile minimal
fi

if cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "setup: cargo-fuzz present ($(cargo +nightly fuzz --version))"
else
    cargo +nightly install cargo-fuzz --locked
fi
