#!/usr/bin/env bash
# Checks that fanout buffering (scripts/synth_fanout.py) did not change logic:
# Yosys equiv_* between a row's netlist before buffering (osu018.unbuf.v) and
# the buffered one that is counted and timed (osu018.v), both with the OSU cell
# functions from the liberty. Every net keeps its name, so each $equiv point is
# proved from its neighbours (equiv_simple) and the flops by induction
# (equiv_induct; async2sync models the asynchronous set/reset flops). Meant for small rows (a few thousand cells: minutes);
# run a row with a low limit to exercise deep trees, e.g.
#   SQUISH_SYNTH_MAXFANOUT=3 SQUISH_SYNTH_NOCACHE=1 scripts/synth.sh /tmp/r fifo_sync
#   scripts/synth-fanout-check.sh /tmp/r/synth/fifo_sync
set -uo pipefail
d=${1:?usage: synth-fanout-check.sh REPORTS/synth/ROW}
LIB=${SQUISH_LIBERTY:-/usr/share/qflow/tech/osu018/osu018_stdcells.lib}
here="$(cd "$(dirname "$0")" && pwd)"
m=$(cut -d'|' -f17 "$d/row.txt")
[ -n "$m" ] || m=$(basename "$d")
cat > "$d/fanout-check.ys" <<YS
read_liberty -ignore_miss_func $LIB
read_liberty -lib $here/synth-sram.lib
read_verilog $d/osu018.unbuf.v
rename $m gold
read_verilog $d/osu018.v
rename $m gate
flatten gold gate
async2sync
equiv_make gold gate eq
hierarchy -top eq
equiv_simple
equiv_induct
equiv_status -assert
YS
if yosys -q -l "$d/fanout-check.log" -s "$d/fanout-check.ys" >/dev/null 2>&1; then
  echo "fanout-check $m: equivalent ($(grep -m1 -o 'Of those cells [0-9]* are proven' "$d/fanout-check.log" || grep -m1 'Found' "$d/fanout-check.log"))"
else
  echo "fanout-check $m: NOT proven (see $d/fanout-check.log)"; exit 1
fi
