#!/usr/bin/env bash
# make fuzz: builds every sw/fuzz/fuzz_<name>.cpp as a libFuzzer target with
# clang + ASan/UBSan (in <dir>, default build-fuzz) and runs each for SECONDS,
# starting from a copy of sw/fuzz/corpus/<name>/. Crashes land in <dir>/crashes/.
set -uo pipefail
dir=${1:-build-fuzz}; secs=${2:-60}
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (scripts/setup-deps.sh)"; exit 1; }
CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSQUISH_FUZZ=ON \
  -DSQUISH_BUILD_RTL=OFF >/dev/null || exit 1
targets=$(cd "$root/sw/fuzz" && ls fuzz_*.cpp 2>/dev/null | sed 's/\.cpp$//')
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 1; }
cmake --build "$dir" -j 2 --target $targets || exit 1
mkdir -p "$dir/crashes"; fail=0
for t in $targets; do
  name=${t#fuzz_}; corpus="$dir/corpus/$name"; mkdir -p "$corpus"
  cp -n "$root/sw/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null || true
  echo "=== $t for ${secs}s"
  "$dir/bin/$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" "$corpus" \
    2>&1 | grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|crash-' || true
  ls "$dir/crashes/$t-"* >/dev/null 2>&1 && { echo "fuzz: $t found a crash"; fail=1; }
done
exit $fail
