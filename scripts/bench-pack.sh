#!/usr/bin/env bash
# Benchmarks `strata pack` against `tar -cf` (not a test; see docs/benchmarks.md).
#
#   scripts/bench-pack.sh            # 7 interleaved runs per tree
#   RUNS=11 scripts/bench-pack.sh
#
# Trees: 10,000 small files (0-8 KiB, varied), one 256 MiB file, and a real
# source tree (the Rust toolchain's library sources if installed, else the
# cargo registry's sources, else this repository). Inputs and outputs live
# under /dev/shm when it exists, and nothing is dropped from the page cache:
# both tools run warm. Prints a Markdown table: median seconds, sizes, and
# the ratios pack/tar.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
cargo build --release -p strata >&2
STRATA=${CARGO_TARGET_DIR:-$PWD/target}/release/strata

base=/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
WORK=$(mktemp -d "$base/strata-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "generating trees in $WORK" >&2
# 10k small files in 100 directories, sizes 0..8192 bytes, seeded content.
perl -e '
    my $root = shift;
    srand(42);
    my $pool = join "", map { chr(int(rand(256))) } 1 .. 65536;
    mkdir $root or die;
    for my $d (0 .. 99) {
        my $dir = sprintf "%s/dir%02d", $root, $d;
        mkdir $dir or die;
        for my $f (0 .. 99) {
            my $size = int(rand(8193));
            open my $fh, ">", sprintf("%s/file%03d.dat", $dir, $f) or die;
            binmode $fh;
            print $fh substr($pool, int(rand(65536 - $size)), $size);
            close $fh;
        }
    }
' "$WORK/small"
mkdir "$WORK/large"
head -c $((256 << 20)) /dev/urandom > "$WORK/large/big.bin"

source_tree=""
for candidate in "$(rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" "$HOME/.cargo/registry/src" "$PWD"; do
    if [ -d "$candidate" ]; then source_tree=$candidate; break; fi
done

# nanoseconds since the epoch
now() { date +%s%N; }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench NAME DIR: RUNS interleaved runs of each tool; one table row.
bench() {
    local name=$1 dir=$2 pack_times="" tar_times="" start
    local image="$WORK/out.img" archive="$WORK/out.tar"
    local parent name_in_parent
    parent=$(dirname "$dir")
    name_in_parent=$(basename "$dir")
    # One unmeasured run each: both start warm.
    "$STRATA" pack --dir "$dir::/data" -o "$image" 2>/dev/null
    tar -cf "$archive" -C "$parent" "$name_in_parent"
    for _ in $(seq "$RUNS"); do
        rm -f "$image" "$archive"
        start=$(now)
        "$STRATA" pack --dir "$dir::/data" -o "$image" 2>/dev/null
        pack_times+="$(($(now) - start))"$'\n'
        start=$(now)
        tar -cf "$archive" -C "$parent" "$name_in_parent"
        tar_times+="$(($(now) - start))"$'\n'
    done
    local pack_s tar_s image_size tar_size files bytes
    pack_s=$(printf '%s' "$pack_times" | median)
    tar_s=$(printf '%s' "$tar_times" | median)
    image_size=$(stat -c %s "$image")
    tar_size=$(stat -c %s "$archive")
    files=$(find "$dir" -type f | wc -l)
    bytes=$(find "$dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    awk -v name="$name" -v files="$files" -v bytes="$bytes" -v pack_ns="$pack_s" -v tar_ns="$tar_s" \
        -v image="$image_size" -v tar="$tar_size" 'BEGIN {
        mib = 1048576
        printf "| %s | %d | %.1f MiB | %.3f | %.3f | %.2f | %.2f MiB | %.2f MiB | %.3f |\n",
            name, files, bytes / mib, pack_ns / 1e9, tar_ns / 1e9, pack_ns / tar_ns, image / mib, tar / mib, image / tar
    }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)"
echo "versions: $("$STRATA" --version), $(tar --version | head -1), $(rustc --version)"
echo "runs: $RUNS interleaved per tree, medians; files under $base"
echo
echo '| tree | files | data | pack s | tar s | pack/tar | image | tar | image/tar |'
echo '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
bench "10k small files" "$WORK/small"
bench "one 256 MiB file" "$WORK/large"
bench "source: ${source_tree/#$HOME/\~}" "$source_tree"
