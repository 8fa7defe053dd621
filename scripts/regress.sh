#!/usr/bin/env bash
# make regress: the long runs kept out of `make test`.
#
#   scripts/regress.sh [build]          (make regress BUILD=... SEEDS=N SHARD=i/N JUNIT_DIR=DIR)
#
#   1. every test labelled "regress" (a GoogleTest name containing "Regress":
#      long vectors, big sweeps)
#   2. every RTL testbench again under SEEDS other seeds (SQUISH_SEED=1..SEEDS;
#      each seed also randomizes the reset values of every flop, randReset(2))
#
#   SEEDS=N        extra seeds (default 5)
#   SEED_FROM=K    start at seed K (default 1): seeds K..N, to resume or split
#                  a long seed sweep (seeds 1..29 on one day, 30..100 later)
#   SHARD=i/N      run only the i-th of N shards (1-based): ctest's own test
#                  index striding (-I i,,N), so every shard takes every N-th test
#                  of the same list and N machines together run each test once
#   JUNIT_DIR=DIR  each ctest run writes DIR/<shard>-<step>.xml (ctest
#                  --output-junit); scripts/regress.sh --merge DIR OUT joins
#                  every XML there into one report (OUT, default DIR/merged.xml)
#                  and prints the totals; its exit code is 1 on any failure
#   CTEST_J=J      parallel tests per machine (default 2)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = "--merge" ]; then
  dir=${2:?usage: regress.sh --merge DIR [OUT]}; out=${3:-$dir/merged.xml}
  exec python3 "$root/scripts/junit_merge.py" "$out" "$dir"
fi

build=${1:-build}; seeds=${SEEDS:-5}; [ -n "$seeds" ] || seeds=5; shard=${SHARD:-}; junit=${JUNIT_DIR:-}; jobs=${CTEST_J:-2}
from=${SEED_FROM:-1}; [ -n "$from" ] || from=1
[[ "$from" =~ ^[0-9]+$ && "$from" -ge 1 ]] || { echo "regress: SEED_FROM must be a positive integer (got '$from')" >&2; exit 1; }
shard_args=(); tag=all
if [ -n "$shard" ]; then
  i=${shard%/*}; n=${shard#*/}
  if ! [[ "$i" =~ ^[0-9]+$ && "$n" =~ ^[0-9]+$ ]] || [ "$i" -lt 1 ] || [ "$i" -gt "$n" ]; then
    echo "regress: SHARD must be i/N with 1 <= i <= N (got '$shard')" >&2; exit 1
  fi
  shard_args=(-I "$i,,$n"); tag="shard$i-of-$n"
fi
[ -n "$junit" ] && mkdir -p "$junit"
junit_args() { [ -n "$junit" ] && echo "--output-junit $(cd "$junit" && pwd)/$tag-$1.xml"; }

fail=0
echo "=== regress: long tests (label regress) [$tag]"
# shellcheck disable=SC2046
ctest --test-dir "$build" -j "$jobs" -L regress "${shard_args[@]}" --output-on-failure --no-tests=ignore \
  $(junit_args regress) || fail=1
for s in $(seq "$from" "$seeds"); do
  echo "=== regress: RTL testbenches, SQUISH_SEED=$s [$tag]"
  # shellcheck disable=SC2046
  SQUISH_SEED=$s ctest --test-dir "$build" -j "$jobs" -L rtl -LE regress "${shard_args[@]}" --output-on-failure \
    $(junit_args "seed$s") || fail=1
done
if [ -n "$junit" ]; then python3 "$root/scripts/junit_merge.py" "$junit/$tag-merged.xml" "$junit" --only "$tag-" || fail=1; fi
[ $fail = 0 ] && echo "regress: PASS [$tag]" || echo "regress: FAIL [$tag]"
exit $fail
