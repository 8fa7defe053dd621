#!/usr/bin/env bash
# make sim: run every showcase program (build/showcase/showcase_*) and print
# the SHOWCASE lines they emit as one summary table, then one real BlazeFace
# image through the RTL top (scripts/showcase-net.sh). Exit 1 if any failed.
set -uo pipefail
build=${1:-build}
root="$(cd "$(dirname "$0")/.." && pwd)"
export SQUISH_OUT="$build" SQUISH_ROOT="$root"
shopt -s nullglob
progs=("$build"/showcase/showcase_*)
[ ${#progs[@]} -gt 0 ] || { echo "sim: no showcase programs under $build/showcase"; exit 1; }
lines=(); fail=0
for p in "${progs[@]}"; do
  out=$("$p" 2>&1); rc=$?
  while IFS= read -r l; do lines+=("$l"); done < <(printf '%s\n' "$out" | grep '^SHOWCASE ')
  if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q '| FAIL |'; then
    fail=1; echo "--- $(basename "$p") (exit $rc) ---"; printf '%s\n' "$out" | tail -20
  fi
done
# One real network image through the RTL top (fetches the model on first use).
out=$("$root/scripts/showcase-net.sh" "$build" 2>&1); rc=$?
while IFS= read -r l; do lines+=("$l"); done < <(printf '%s\n' "$out" | grep '^SHOWCASE ')
if [ $rc -ne 0 ]; then fail=1; echo "--- showcase-net.sh (exit $rc) ---"; printf '%s\n' "$out" | tail -20; fi
printf '\nsquish make sim — showcase summary\n'
printf '%-34s %10s %12s  %-6s %s\n' block vectors cycles result detail
printf '%s\n' "-----------------------------------------------------------------------------------------------"
for l in "${lines[@]}"; do
  IFS='|' read -r blk vec cyc res det <<<"${l#SHOWCASE }"
  printf '%-34s %10s %12s  %-6s %s\n' "$(echo $blk)" "${vec//[^0-9]/}" "${cyc//[^0-9]/}" "$(echo $res)" "$(echo $det)"
done
npass=$(printf '%s\n' "${lines[@]}" | grep -c '| PASS |'); nfail=$(printf '%s\n' "${lines[@]}" | grep -c '| FAIL |')
echo "$npass passed, $nfail failed"
[ $fail -eq 0 ] && [ "$nfail" -eq 0 ]
