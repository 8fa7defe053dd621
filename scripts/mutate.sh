#!/usr/bin/env bash
# make mutate: mutation testing of the testbenches.
#   scripts/mutate.sh [build] [FILTER]     (make mutate BUILD=... MUTATE_FILTER=regex)
# For each line of scripts/mutations.txt (block | file | original | replacement)
# whose text matches FILTER (default: all): replace the original text (it
# must occur exactly once) in the RTL file, rebuild only that block's
# testbench (cmake/make rebuild just the models that read the file), run the
# block's tests (ctest -L block, stop at the first failure), restore the file.
# A mutation is KILLED when a test fails (or the mutant does not build: counted
# apart as "invalid"), SURVIVED when every test passes. Writes
# <build>/reports/mutate.md and mutate.json and prints the kill rate.
# The file is restored on exit or interrupt, and checked against git.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build=${1:-build}; filter=${2:-${MUTATE_FILTER:-.}}
list="$root/scripts/mutations.txt"
rep="$build/reports"; mkdir -p "$rep"
md="$rep/mutate.md"; js="$rep/mutate.json"
cur=""; backup=""
restore() { if [ -n "$cur" ] && [ -n "$backup" ]; then cp "$backup" "$cur"; rm -f "$backup"; cur=""; fi; }
trap 'restore; exit 130' INT TERM
trap restore EXIT
echo "| # | block | file | mutation | result | time |" > "$md"
echo "|---:|---|---|---|---|---:|" >> "$md"
echo "[" > "$js"
n=0; killed=0; survived=0; invalid=0; first=1; blocks=""
while IFS= read -r line; do
  [[ "$line" =~ ^[a-z] ]] || continue
  echo "$line" | grep -qE -- "$filter" || continue
  block=$(echo "$line" | awk -F' [|] ' '{print $1}' | xargs)
  file=$(echo "$line" | awk -F' [|] ' '{print $2}' | xargs)
  orig=$(echo "$line" | awk -F' [|] ' '{print $3}' | sed 's/^ *//;s/ *$//')
  repl=$(echo "$line" | awk -F' [|] ' '{print $4}' | sed 's/^ *//;s/ *$//')
  n=$((n + 1)); t0=$(date +%s)
  case " $blocks " in *" tb_$block "*) ;; *) blocks="$blocks tb_$block" ;; esac
  path="$root/$file"
  cnt=$(python3 -c 'import sys; print(open(sys.argv[1]).read().count(sys.argv[2]))' "$path" "$orig")
  if [ "$cnt" != 1 ]; then res="invalid (original found $cnt times)"; invalid=$((invalid + 1))
  else
    backup=$(mktemp); cp "$path" "$backup"; cur="$path"
    python3 -c 'import sys; p,o,r=sys.argv[1:]; s=open(p).read(); open(p,"w").write(s.replace(o,r,1))' "$path" "$orig" "$repl"
    # Build twice: a mutant can make Verilator name its DepSet files differently;
    # the first build still compiles the old list (stale files, a false "does not
    # build" or a binary that is not the mutant); CMake re-reads the models' file
    # lists on the next build, whose result decides.
    cmake --build "$build" -j 2 --target "tb_$block" > "$rep/mutate_build.log" 2>&1
    if ! cmake --build "$build" -j 2 --target "tb_$block" >> "$rep/mutate_build.log" 2>&1; then
      res="invalid (mutant does not build)"; invalid=$((invalid + 1))
    elif ctest --test-dir "$build" -L "^$block\$" -LE regress --stop-on-failure -j 2 > "$rep/mutate_test.log" 2>&1; then
      res="SURVIVED"; survived=$((survived + 1))
    else
      res="killed by $(grep -m1 -E 'Test +#[0-9]+: .*\*\*\*(Failed|Timeout|Exception)' "$rep/mutate_test.log" | sed -E 's/.*Test +#[0-9]+: ([^ ]+) .*/\1/')"
      killed=$((killed + 1))
    fi
    restore
  fi
  dt=$(( $(date +%s) - t0 ))
  printf '| %d | %s | %s | `%s` → `%s` | %s | %d s |\n' "$n" "$block" "$file" "${orig//|/\\|}" "${repl//|/\\|}" "$res" "$dt" >> "$md"
  [ $first = 1 ] || echo "," >> "$js"; first=0
  python3 -c 'import json,sys; print(json.dumps(dict(zip(["block","file","original","replacement","result","seconds"], sys.argv[1:7]))), end="")' \
    "$block" "$file" "$orig" "$repl" "$res" "$dt" >> "$js"
  echo "mutate $n [$block] $file: $res (${dt}s)"
done < "$list"
echo "]" >> "$js"
# Rebuild the testbenches that were mutated from the restored RTL.
[ -n "$blocks" ] && { cmake --build "$build" -j 2 --target $blocks > /dev/null 2>&1
  cmake --build "$build" -j 2 --target $blocks > /dev/null 2>&1 || echo "mutate: rebuilding$blocks from the restored RTL failed" >&2; }
valid=$((killed + survived))
rate=$( [ $valid -gt 0 ] && echo "scale=1; 100 * $killed / $valid" | bc || echo 0)
summary="mutate: $n mutations, $killed killed, $survived survived, $invalid invalid; kill rate $rate % of $valid valid"
echo "" >> "$md"; echo "$summary" >> "$md"
echo "$summary (table: $md)"
git -C "$root" diff --quiet -- rtl || { echo "mutate: rtl/ differs from git after the run!" >&2; exit 2; }
[ $survived -eq 0 ]
