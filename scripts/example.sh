#!/usr/bin/env bash
# The README's example: build a small guest, wrap it with ./docs packed
# inside, and run it under wasmtime with no host directories.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --target wasm32-wasip1 --manifest-path fixtures/example/Cargo.toml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
strata wrap fixtures/example/target/wasm32-wasip1/release/tour.wasm --dir ./docs::/docs -o "$out/tour.strata.wasm"
wasmtime run "$out/tour.strata.wasm" /docs
