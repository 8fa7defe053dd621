#!/usr/bin/env bash
# One formal proof with Yosys 0.23 + yosys-smtbmc + z3 (CTest label "formal").
#   formal/run.sh NAME HARNESS DEPTH [memory=arrays] [PARAM=VALUE ...]
# Reads every rtl/ file (-defer: only what the harness instantiates is
# elaborated) and formal/HARNESS.sv, sets the harness parameters, maps the
# asynchronous resets to synchronous ones for the solver (async2sync), and runs
#   1. a bounded model check from reset over DEPTH cycles (must pass), then
#   2. with FORMAL_INDUCTION=1, k-induction of depth DEPTH (reported: "proved"
#      makes the result hold for any trace length; "bounded only" otherwise).
# z3 4.8.12 (Debian 12) stalls in smtbmc's incremental mode on these models;
# --unroll (one unrolled formula per step) finishes them.
# Memories become flip-flops (memory_map), unless memory=arrays is given: then
# they stay SMT arrays (memory -nomap -nordff), which z3 solves far faster for the
# 256-entry tables of the entropy decoders.
# Prints the wall time of each step. Work files go to $FORMAL_OUT (default
# build/formal/NAME).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../scripts/rtl-files.sh"
name=${1:?usage: run.sh NAME HARNESS DEPTH [PARAM=VALUE...]}; harness=${2:?}; depth=${3:?}; shift 3
out=${FORMAL_OUT:-$here/../build/formal}/$name; mkdir -p "$out"
chp=""; mem="memory_map"
for kv in "$@"; do
  if [ "$kv" = memory=arrays ]; then mem="memory -nomap -nordff"; else chp+=" -set ${kv%%=*} ${kv#*=}"; fi
done
pk=$(echo $rtl_pkgs); md=$(echo $rtl_modules)
{ echo "read_verilog -sv -formal -DSYNTHESIS $pk"
  echo "read_verilog -sv -formal -DSYNTHESIS -defer -I $here $md"
  echo "read_verilog -sv -formal -DSYNTHESIS -defer -I $here $here/$harness.sv"
  [ -n "$chp" ] && echo "chparam$chp $harness"
  echo "hierarchy -check -top $harness"
  echo "proc; flatten; opt_clean; $mem; opt -fast; async2sync; opt -fast; dffunmap"
  echo "write_smt2 -wires $out/model.smt2"; } > "$out/model.ys"
t0=$(date +%s.%N)
if ! yosys -q -l "$out/yosys.log" -s "$out/model.ys" >/dev/null 2>&1; then
  echo "formal $name: yosys FAILED"; grep -iE "error" "$out/yosys.log" | head; exit 1
fi
t1=$(date +%s.%N)
if ! yosys-smtbmc -s z3 --unroll -t "$depth" --dump-vcd "$out/bmc_fail.vcd" "$out/model.smt2" > "$out/bmc.log" 2>&1; then
  echo "formal $name: BMC FAILED (trace $out/bmc_fail.vcd)"; grep -E "Assert failed|failed|Error" "$out/bmc.log" | head; exit 1
fi
t2=$(date +%s.%N)
ind="induction not run (FORMAL_INDUCTION=1 tries it)"
if [ "${FORMAL_INDUCTION:-0}" = 1 ]; then
  if timeout 600 yosys-smtbmc -s z3 --unroll -i -t "$depth" "$out/model.smt2" > "$out/ind.log" 2>&1; then ind="proved by ${depth}-induction (any length)"
  else ind="bounded only (induction does not close at depth $depth)"; fi
fi
t3=$(date +%s.%N)
printf 'formal %s: PASS  BMC %s cycles from reset (%.1f s), %s (%.1f s), model %.1f s\n' "$name" "$depth" \
  "$(echo "$t2 - $t1" | bc)" "$ind" "$(echo "$t3 - $t2" | bc)" "$(echo "$t1 - $t0" | bc)" | tee "$out/result.txt"
