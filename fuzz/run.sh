#!/usr/bin/env bash
# fuzz/run.sh SECONDS: builds every fuzz target and runs each for SECONDS,
# one after another (one libFuzzer worker: the machine is shared), then
# prints one line per target: runs executed, seconds, crashes. Exits
# non-zero if any target found a crash (or did not run). Needs
# fuzz/setup.sh first; docs/fuzzing.md says what each target checks.
#
# Built with debug assertions and overflow checks (-a) and without ASan
# (-s none): strata-vfs's only unsafe is one function-pointer cast, the
# adapter's heap is an arena ASan can not see, and ASan's stack-switching
# support makes adapter_abi 17 times slower. Crashes land in fuzz/artifacts/TARGET/, logs in
# fuzz/target/run-logs/.
set -uo pipefail

seconds=${1:?usage: fuzz/run.sh SECONDS}
targets=(image_open vfs_ops adapter_abi)
flags=(-a -s none)

cd "$(dirname "$0")/.."
mkdir -p fuzz/target/run-logs
# The hand-made seeds join each corpus (never overwriting what is there).
for seed in fuzz/seeds/*/*; do
    corpus="fuzz/corpus/$(basename "$(dirname "$seed")")"
    mkdir -p "$corpus"
    [ -e "$corpus/$(basename "$seed")" ] || cp "$seed" "$corpus/"
done

cargo +nightly fuzz build "${flags[@]}" || exit 1

artifacts() { ls "fuzz/artifacts/$1" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' | sort; }

status=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    log="fuzz/target/run-logs/$target.log"
    before=$(artifacts "$target")
    start=$SECONDS
    cargo +nightly fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1
    code=$?
    elapsed=$((SECONDS - start))
    found=$(comm -13 <(echo "$before") <(artifacts "$target") | grep -c .)
    runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
    # A crash stops libFuzzer before its final stats: its last status line.
    runs=${runs:-$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')}
    line="$target: ${runs:-0} runs in ${elapsed} s, $found crash(es)"
    if [ "$found" -gt 0 ]; then
        line+=" (fuzz/artifacts/$target/, log $log)"
        status=1
    elif [ "$code" -ne 0 ]; then
        line+=", but it exited with status $code (log $log)"
        status=1
    fi
    summary+=("$line")
    echo "$line"
done

echo "----"
printf '%s\n' "${summary[@]}"
exit $status
