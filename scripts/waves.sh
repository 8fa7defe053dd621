#!/usr/bin/env bash
# make waves TEST=<ctest test name>: reruns one RTL test with an FST trace into
# <build>/waves/ and opens it in GTKWave with the committed view of its suite.
#   e.g. make waves TEST=Bp/FifoD4.InOrderNoLossNoDup/heavy
# Views: sim/<block>/views/<Suite>.gtkw (Suite = GoogleTest suite name without
# the Bp/ prefix), else sim/<block>/views/default.gtkw of the block whose
# testbench defines the suite. Without a display it prints the gtkwave command.
set -uo pipefail
build=${1:-build}; test=${2:-}
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$test" ]; then
  echo "usage: make waves TEST=<test>; RTL tests are:"; ctest --test-dir "$build" -N -L rtl | sed -n 's/^ *Test *#[0-9]*: /  /p' | head -40
  exit 1
fi
waves="$root/$build/waves"; [ "${build:0:1}" = / ] && waves="$build/waves"
mkdir -p "$waves"
regex=$(printf '%s' "$test" | sed 's/[][\.*^$+?(){}|]/\\&/g')
SQUISH_TRACE=1 SQUISH_WAVES_DIR="$waves" ctest --test-dir "$build" -R "^${regex}\$" --output-on-failure
rc=$?
fst="$waves/$(printf '%s' "$test" | tr '/' '_').fst"
[ -f "$fst" ] || { echo "waves: no trace at $fst (is '$test' an RTL test? 'make waves' lists them)"; exit 1; }
suite=${test%%.*}; suite=${suite#*/}
view=$(ls "$root"/sim/*/views/"$suite".gtkw 2>/dev/null | head -1)
if [ -z "$view" ]; then
  blk=$(grep -lE "TEST(_P|_F)?\(\s*$suite\s*," "$root"/sim/*/*.cpp 2>/dev/null | head -1)
  [ -n "$blk" ] && view=$(ls "$(dirname "$blk")"/views/default.gtkw 2>/dev/null | head -1)
fi
echo "waves: trace $fst${view:+ (view $view)}; test exit code $rc"
cmd=(gtkwave "$fst"); [ -n "$view" ] && cmd+=("$view")
if [ -n "${DISPLAY:-}" ]; then "${cmd[@]}" >/dev/null 2>&1 & else echo "no display; run: ${cmd[*]}"; fi
