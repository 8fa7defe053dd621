#!/usr/bin/env bash
# make power: dynamic and leakage power from real switching activity.
#   1. the gate-level netlist of `make synth` (OSU 0.18 um cells; synthesized on
#      demand through scripts/synth-module.sh and its cache)
#   2. Icarus Verilog simulates it with the cells' Verilog models
#      (qflow-tech-osu018) under a testbench in scripts/power/ that applies a
#      workload and prints its measuring window and operation count
#   3. scripts/power_activity.py: per-net transitions per clock and duty
#      from the VCD
#   4. scripts/power_engine.py: the Liberty power model on those activities
#      (OpenSTA 2.0.17 ignores per-pin activities; docs/silicon.md) at the
#      block's Fmax (its make synth row) and at 100 MHz: internal, switching,
#      leakage -> pJ per operation. OpenSTA supplies the calibration's
#      independent net capacitances.
# Cases (scripts/power/tb_<case>.v):
#   calib_counter   8-bit counter, hand-checked activity 2^-i and switching power
#   mac_pe_array    the datapath's 16-lane multiplier array + adder tree on real
#                   SSD-MobileNet weights, INT8 / INT4 / INT2 (pJ per MAC)
# Writes <reports>/bench/energy.json (+ energy.md), work files in <reports>/power/.
#
#   scripts/power.sh [REPORTS_DIR] [CASE...]
# Exit: 0 ok, 1 usage/tools, 3 the calibration check failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
reports=${1:-build/reports}; shift || true
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(calib_counter mac_pe_array)
TECH=/usr/share/qflow/tech/osu018
LIB=$TECH/osu018_stdcells.lib; CELLS=$TECH/osu018_stdcells.v
SRAM_LIB="$here/synth-sram.lib"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
for t in iverilog vvp yosys sta; do
  command -v "$t" >/dev/null || { echo "power: $t missing (scripts/setup-deps.sh)" >&2; exit 1; }
done
mkdir -p "$reports/power" "$reports/bench"
reports=$(cd "$reports" && pwd)

netlist_of() {  # module -> flattened mapped netlist of make synth (cached)
  local m=$1 d="$reports/power/netlists"
  if [ ! -s "$reports/synth/$m/osu018.v" ]; then
    "$here/synth-module.sh" "$reports" "$m" shipped "" >&2
  fi
  mkdir -p "$d"
  if [ ! -s "$d/$m.v" ] || [ "$reports/synth/$m/osu018.v" -nt "$d/$m.v" ]; then
    yosys -q -p "read_liberty -lib $LIB; read_liberty -lib $SRAM_LIB; read_verilog $reports/synth/$m/osu018.v; hierarchy -top $m; flatten; opt_clean; rename -top $m; write_verilog -noattr -noexpr $d/$m.v" >&2 \
      || { echo "power: flattening $m failed" >&2; return 1; }
  fi
  echo "$d/$m.v"
}
fmax_of() {  # module -> Fmax (MHz) of its make synth row
  [ -f "$reports/synth/$1/row.txt" ] && cut -d'|' -f6 "$reports/synth/$1/row.txt"
}

# run_case NAME TOP NETLIST TB PERIOD_NS FMAX_MHZ [iverilog -D...]
# Prints the result as JSON on stdout (one line).
run_case() {
  local name=$1 top=$2 net=$3 tb=$4 period=$5 fmax=$6; shift 6
  local d="$reports/power/$name"; mkdir -p "$d"
  iverilog -g2012 -o "$d/sim" -DVCD="\"$d/act.vcd\"" -DROOT="\"$root\"" "$@" \
    "$tb" "$net" "$CELLS" > "$d/iverilog.log" 2>&1 || { echo "power $name: iverilog failed ($d/iverilog.log)" >&2; return 1; }
  (cd "$d" && vvp -n ./sim > "$d/sim.log" 2>&1) || { echo "power $name: simulation failed ($d/sim.log)" >&2; return 1; }
  local win ops
  win=$(sed -n 's/^WINDOW //p' "$d/sim.log" | tail -1)
  ops=$(sed -n 's/^OPS //p' "$d/sim.log" | tail -1)
  [ -n "$win" ] || { echo "power $name: no WINDOW line ($d/sim.log)" >&2; return 1; }
  grep -q '^MISMATCH' "$d/sim.log" && { echo "power $name: netlist output mismatch ($d/sim.log)" >&2; return 1; }
  grep -q '^FINISHED_OK\|^CHECKED [0-9]* beats, 0 errors\|^WINDOW' "$d/sim.log" || { echo "power $name: testbench did not finish ($d/sim.log)" >&2; return 1; }
  # shellcheck disable=SC2086
  $PY "$here/power_activity.py" "$d/act.vcd" tb.dut $win "$period" "$d/act.tcl" "$d/act.json" > "$d/activity.log" || return 1
  rm -f "$d/act.vcd"
  $PY "$here/power_engine.py" "$net" "$top" "$d/act.json" "$d/power.json" "$fmax,100" "$LIB" "$SRAM_LIB" \
    > "$d/power.log" || { echo "power $name: power engine failed ($d/power.log)" >&2; return 1; }
  if [ "$name" = calib_counter ]; then
    # Independent capacitances for the hand check: OpenSTA's view of each count net.
    { echo "read_liberty $LIB"; echo "read_verilog $net"; echo "link_design $top"
      echo "set_load 0.02 [all_outputs]"
      echo 'foreach n [get_nets *] { set nm [get_full_name $n]; if {[string match {count_o*} $nm]} { puts "CAP $nm [$n capacitance rise [sta::cmd_corner] max]" } }'
      echo exit; } > "$d/caps.tcl"
    sta -no_splash -exit "$d/caps.tcl" > "$d/caps.log" 2>&1
  fi
  $PY - "$name" "$d" "$fmax" "$period" "${ops:-}" <<'PY'
import json, re, sys
name, d, fmax, period, ops = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
act = json.load(open(f"{d}/act.json"))
pw = json.load(open(f"{d}/power.json"))
out = {"case": name, "window_cycles": act["cycles"], "tb_period_ns": period,
       "instances": pw["instances"], "unknown_cells": pw["unknown_cells"],
       "at_fmax": pw["at"][f"{fmax:g}"], "at_100mhz": pw["at"]["100"],
       "switching_pj_per_cycle": pw["switching_pj_per_cycle"],
       "internal_pj_per_cycle": pw["internal_pj_per_cycle"],
       "top_cells_pj_per_cycle": pw["energy_by_cell_pj_per_cycle"]}
for kv in ops.split():
    if "=" in kv:
        k, v = kv.split("=")
        out.setdefault("ops_per_cycle", {})[k] = float(v)
if name == "calib_counter":
    # Hand check: bit i of the counter makes exactly 2^-i transitions per cycle,
    # and its switching energy is 0.5 C V^2 2^-i with C from OpenSTA.
    caps = dict((m.group(1), float(m.group(2)) * 1e12)
                for m in re.finditer(r"^CAP (\S+) (\S+)", open(f"{d}/caps.log").read(), re.M))
    rows, ok, hand = [], True, 0.0
    for i in range(8):
        n = f"count_o[{i}]"
        a = act["nets"][n]["activity"]
        want = 2.0 ** -i
        e_hand = 0.5 * caps[n] * 1.8 ** 2 * want
        hand += e_hand
        e_eng = pw["outputs"][n]["switching_pj_per_cycle"]
        # Activity exact; energy within 1 % (OpenSTA's net capacitance uses the
        # pins' rise_capacitance, the engine the Liberty `capacitance`).
        good = abs(a - want) < 1e-12 and abs(e_eng - e_hand) <= 0.01 * e_hand
        ok &= good
        rows.append({"net": n, "activity": a, "expected_activity": want, "cap_pf_opensta": caps[n],
                     "switching_pj_hand": e_hand, "switching_pj_engine": e_eng, "ok": good})
    out["calibration"] = {"ok": ok, "nets": rows, "count_switching_pj_per_cycle_hand": hand}
    if not ok:
        print(json.dumps(out))
        sys.exit(3)
print(json.dumps(out))
PY
}

results=()
for c in "${cases[@]}"; do
  tb="$here/power/tb_$c.v"
  [ -f "$tb" ] || { echo "power: no testbench $tb" >&2; exit 1; }
  case $c in
    calib_counter)
      d="$reports/power/calib_counter"; mkdir -p "$d"
      yosys -q -l "$d/synth.log" -p "read_verilog $here/power/calib_counter.v; hierarchy -top power_calib_counter; synth -top power_calib_counter -flatten; dfflibmap -liberty $LIB; abc -liberty $LIB; opt_clean -purge; write_verilog -noattr -noexpr $d/osu018.v" >/dev/null 2>&1 \
        || { echo "power: calibration synthesis failed" >&2; exit 1; }
      r=$(run_case calib_counter power_calib_counter "$d/osu018.v" "$tb" 10 100) || { echo "power: calibration FAILED: $r" >&2; exit 3; }
      results+=("$r") ;;
    mac_pe_array)
      net=$(netlist_of mac_pe_array) || exit 1
      fmax=$(fmax_of mac_pe_array); [ -n "$fmax" ] || { echo "power: no Fmax for mac_pe_array in ppa.json (make synth)" >&2; exit 1; }
      w="$root/golden/entropy/ssd_mobilenetv1_model__MobilenetV1_Conv2d_5_pointwise_weights.u8"
      for prec in int8 int4 int2; do
        d="$reports/power/mac_pe_array_$prec"; mkdir -p "$d"
        $PY "$here/power/mac_stimulus.py" "$w" "$prec" 2001 1 "$d/stim.hex" || exit 1
        r=$(run_case "mac_pe_array_$prec" mac_pe_array "$net" "$tb" 10 "$fmax" -DBEATS=2001 -DSTIM="\"$d/stim.hex\"") || exit 1
        results+=("$r")
      done ;;
  esac
done
printf '%s\n' "${results[@]}" | $PY "$here/power_report.py" "$reports"
