#!/usr/bin/env bash
# Two builds of strata side by side: fsbench wrapped by each, and native on
# tmpfs, every workload interleaved in the same rounds (the first one
# rotating), medians. For "did this change make the wrapped module
# faster": the baseline is measured in the same run as the change.
#
#   scripts/bench-compare.sh OLD_STRATA NEW_STRATA      # e.g. a build of main in a worktree
#   ROUNDS=5 WORKLOADS="stat deep-stat" scripts/bench-compare.sh old/strata target/release/strata
#
# Knobs: ROUNDS (5), WORKLOADS (every read-write workload of fsbench),
# SIZES (fsbench options, default full sizes), OUT (also write the report).
# Prints a Markdown table of ns per op: old, new, native, and the ratios
# old/new (above 1: the new build is faster) and native/new (a/c of
# docs/benchmarks.md). Needs the wasmtime CLI and the wasm32-wasip1 target.
set -euo pipefail
# wasmtime records a backtrace for every failing host call when this is set
# (about 80 µs each): it would slow the host-directory runs, not ours.
unset RUST_BACKTRACE
cd "$(dirname "$0")/.."

[ $# -eq 2 ] || { echo "usage: scripts/bench-compare.sh OLD_STRATA NEW_STRATA" >&2; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")
for strata in "$OLD" "$NEW"; do
    [ -x "$strata" ] || { echo "bench-compare: $strata is not an executable strata" >&2; exit 2; }
done
ROUNDS=${ROUNDS:-5}
WORKLOADS=(${WORKLOADS:-create stat stat-small stat-few readdir open-read-close seq-write seq-read pread append deep-stat rename-unlink})
SIZES=(${SIZES:-})

TARGET=${CARGO_TARGET_DIR:-target}/bench-guest
for target in wasm32-wasip1 ""; do
    cargo build --quiet --release --manifest-path fixtures/bench/Cargo.toml --target-dir "$TARGET" ${target:+--target $target}
done
GUEST=$TARGET/wasm32-wasip1/release/fsbench.wasm
NATIVE=$TARGET/release/fsbench

# Scratch on tmpfs, as scripts/bench.sh: native runs there, and neither
# wrapped module touches the host's files.
log() { echo "bench-compare: $*" >&2; }
# shellcheck source=lib/scratch.sh
source scripts/lib/scratch.sh
make_scratch strata-compare 4g
mkdir "$WORK/empty" "$WORK/results"
for side in old new; do
    strata=$OLD
    [ "$side" = new ] && strata=$NEW
    "$strata" wrap "$GUEST" --dir "$WORK/empty::/bench" -o "$WORK/$side.wasm" >/dev/null 2>&1
    wasmtime compile "$WORK/$side.wasm" -o "$WORK/$side.cwasm"
done

# One run: the ns of its report line, appended to results/WORKLOAD.SIDE.
run() {
    local side=$1 workload=$2 line
    case $side in
        native)
            rm -rf "$WORK/native" && mkdir "$WORK/native"
            line=$("$NATIVE" "$workload" "$WORK/native" "${SIZES[@]}")
            ;;
        *) line=$(wasmtime run --allow-precompiled "$WORK/$side.cwasm" "$workload" /bench "${SIZES[@]}") ;;
    esac
    echo "$line" | sed -n 's/.* ops=\([0-9]*\) .* ns=\([0-9]*\)$/\1 \2/p' >>"$WORK/results/$workload.$side"
}

SIDES=(old new native)
for round in $(seq "$ROUNDS"); do
    first=$(((round - 1) % ${#SIDES[@]}))
    order=("${SIDES[@]:first}" "${SIDES[@]:0:first}")
    echo "round $round/$ROUNDS (order ${order[*]})" >&2
    for workload in "${WORKLOADS[@]}"; do
        for side in "${order[@]}"; do run "$side" "$workload"; done
    done
done

# Median ns per op of one results file.
per_op() {
    sort -n -k2 "$1" | awk '{ ops[NR] = $1; ns[NR] = $2 } END { m = int((NR + 1) / 2); printf "%.1f", ns[m] / ops[m] }'
}

report() {
    echo "| workload | old ns/op | new ns/op | native ns/op | old/new (above 1: new faster) | native/new (a/c) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for workload in "${WORKLOADS[@]}"; do
        old=$(per_op "$WORK/results/$workload.old")
        new=$(per_op "$WORK/results/$workload.new")
        native=$(per_op "$WORK/results/$workload.native")
        awk -v w="$workload" -v o="$old" -v n="$new" -v c="$native" \
            'BEGIN { printf "| %s | %s | %s | %s | %.2f | %.2f |\n", w, o, n, c, o / n, c / n }'
    done
}
report | tee ${OUT:+"$OUT"}
