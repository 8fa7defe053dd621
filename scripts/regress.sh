#!/usr/bin/env bash
# make regress: the long runs kept out of `make test`.
#   1. every test labelled "regress" (long vectors, big sweeps)
#   2. every RTL testbench again under SEEDS other seeds (SQUISH_SEED=1..SEEDS)
set -uo pipefail
build=${1:-build}; seeds=${SEEDS:-5}
fail=0
ctest --test-dir "$build" -j 2 -L regress --output-on-failure || fail=1
for s in $(seq 1 "$seeds"); do
  echo "=== RTL testbenches, SQUISH_SEED=$s"
  SQUISH_SEED=$s ctest --test-dir "$build" -j 2 -L rtl -LE regress --output-on-failure || fail=1
done
exit $fail
