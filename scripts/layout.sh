#!/usr/bin/env bash
# make layout TOP=<module>: RTL -> GDS with Debian's qflow on OSU 0.18 um.
#   1. Yosys 0.23 reads the SystemVerilog, elaborates TOP (optionally with
#      PARAMS="-set P V ..."), flattens it and writes plain Verilog
#      (qflow's own Yosys script reads Verilog-2005 only).
#   2. qflow: synthesize (Yosys + ABC to the OSU cells, fanout buffering),
#      place (graywolf), route (qrouter, writes SPEF), migrate (magic),
#      drc (magic), lvs (netgen), gdsii (magic).
#   3. OpenSTA on the routed netlist with the extracted parasitics (SPEF,
#      repaired by scripts/layout_spef.py): post-route worst setup path -> fmax_mhz.
#   4. layout.json (area_um2, core/cell area, utilisation, fmax_mhz,
#      drc_errors, lvs_clean, ...) and a PNG rendered from the GDS with
#      KLayout in batch mode (scripts/layout_png.py).
# Outputs: build/reports/layout/<module>/{<module>.gds,<module>.png,layout.json}
# Work folder: build/layout/<module>/ (qflow project, logs under log/;
# SQUISH_LAYOUT_WORK moves it). Exit 0 only when routed, DRC 0, LVS clean and
# the GDS, PNG and layout.json were written; 1 usage/tools, 3 a check failed.
#
#   scripts/layout.sh MODULE [REPORTS_DIR]
#   PARAMS="-set Depth 16"   parameters for TOP (chparam syntax)
#   SQUISH_LAYOUT_DENSITY    graywolf initial density (default qflow's)
#   SQUISH_LAYOUT_TIMEOUT    seconds for the qflow run (default 3600)
#   SQUISH_LAYOUT_STA_ONLY=1 reuse the routed work folder: only STA, PNG, JSON
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/rtl-files.sh"
m=${1:?usage: layout.sh MODULE [REPORTS_DIR]}
reports=${2:-build/reports}
TECH=/usr/share/qflow/tech/osu018
LIB=$TECH/osu018_stdcells.lib
PERIOD_NS=${SQUISH_CLOCK_NS:-10}
f=$(rtl_file_of "$m"); [ -n "$f" ] || { echo "layout: no module '$m'" >&2; exit 1; }
for t in qflow yosys sta magic netgen-lvs qrouter graywolf klayout; do
  command -v "$t" >/dev/null || { echo "layout: $t missing (scripts/setup-deps.sh installs qflow)" >&2; exit 1; }
done
workroot=${SQUISH_LAYOUT_WORK:-build/layout}
work=$(mkdir -p "$workroot/$m" && cd "$workroot/$m" && pwd)
out=$(mkdir -p "$reports/layout/$m" && cd "$reports/layout/$m" && pwd)
t0=$(date +%s)
if [ -z "${SQUISH_LAYOUT_STA_ONLY:-}" ]; then
rm -rf "$work"/{source,synthesis,layout,log}; mkdir -p "$work"/{source,synthesis,layout,log}

# --- 1. elaborate and flatten to plain Verilog --------------------------------
{ echo "read_verilog -sv -D SYNTHESIS" $rtl_pkgs
  echo "read_verilog -sv -D SYNTHESIS -defer" $rtl_modules
  [ -n "${PARAMS:-}" ] && echo "chparam ${PARAMS} $m"
  echo "hierarchy -check -top $m"
  echo "proc; flatten; opt_clean"
  echo "rename -top $m"
  echo "write_verilog -noattr $work/source/$m.v"; } > "$work/log/elaborate.ys"
if ! yosys -q -l "$work/log/elaborate.log" -s "$work/log/elaborate.ys" >/dev/null 2>&1; then
  echo "layout $m: elaboration failed (see $work/log/elaborate.log)" >&2; exit 1
fi

# --- 2. qflow --------------------------------------------------------------------
if [ -n "${SQUISH_LAYOUT_DENSITY:-}" ]; then
  # project_vars.sh is read by every qflow script after the tech defaults.
  echo "set initial_density = ${SQUISH_LAYOUT_DENSITY}" > "$work/project_vars.sh"
fi
( cd "$work" && timeout "${SQUISH_LAYOUT_TIMEOUT:-3600}" \
    qflow -T osu018 synthesize place route backanno migrate drc lvs gdsii "$m" ) > "$work/log/qflow.log" 2>&1
qrc=$?
gds="$work/layout/$m.gds"; def="$work/layout/$m.def"
if [ ! -s "$gds" ] || [ ! -s "$def" ]; then
  echo "layout $m: qflow did not produce a routed GDS (rc $qrc; see $work/log/)" >&2
  grep -hiE 'error|failed' "$work"/log/*.log | grep -v '^Nets' | head -5 >&2
  exit 1
fi
fi  # SQUISH_LAYOUT_STA_ONLY: redo steps 3-4 on an existing work folder
gds="$work/layout/$m.gds"; def="$work/layout/$m.def"
cp "$gds" "$out/$m.gds"

# --- 3. post-route STA with the extracted parasitics ------------------------------
net="$work/synthesis/$m.rtlnopwr.v"
python3 "$here/layout_spef.py" "$work/synthesis/$m.spef" "$work/synthesis/$m.fixed.spef" "$net" > "$work/log/spef_fix.log"
has_clk=$(grep -c 'input clk_i' "$net" || true)
{ echo "read_liberty $LIB"; echo "read_verilog $net"; echo "link_design $m"
  echo "read_spef $work/synthesis/$m.fixed.spef"
  if [ "$has_clk" -gt 0 ]; then
    echo "create_clock -name clk -period $PERIOD_NS [get_ports clk_i]"
    echo "set_propagated_clock [all_clocks]"
    echo "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]"
  else
    echo "create_clock -name clk -period $PERIOD_NS"
    echo "set_input_delay 0 -clock clk [all_inputs]"
  fi
  echo "set_output_delay 0 -clock clk [all_outputs]"
  echo "set_load 0.02 [all_outputs]"
  echo "report_checks -path_delay max -digits 3"
  echo "report_checks -path_delay min -digits 3"
  echo 'puts "WORST_SLACK [sta::worst_slack -max]"'
  echo 'puts "WORST_HOLD [sta::worst_slack -min]"'
  echo "exit"; } > "$work/log/post_route_sta.tcl"
sta -no_splash -exit "$work/log/post_route_sta.tcl" > "$work/log/post_route_sta.log" 2>&1

# --- 4. figures, PNG ---------------------------------------------------------------
png_tool=none
if command -v klayout >/dev/null; then
  if QT_QPA_PLATFORM=offscreen timeout 300 klayout -z -nc -rx -rd gds="$gds" -rd png="$out/$m.png" \
       -r "$here/layout_png.py" > "$work/log/png.log" 2>&1 && [ -s "$out/$m.png" ]; then
    png_tool=klayout
  fi
fi
[ "$png_tool" = none ] && echo "layout $m: no PNG (klayout missing or failed; see $work/log/png.log)" >&2
python3 - "$m" "$work" "$out" "$TECH/osu018_stdcells.lef" "$PERIOD_NS" "$(( $(date +%s) - t0 ))" "$png_tool" "${PARAMS:-}" <<'PY'
import json, re, sys
m, work, out, lef, period, wall, png_tool, params = sys.argv[1:9]
period = float(period)
sizes, cur = {}, None
for line in open(lef):
    t = line.split()
    if len(t) >= 2 and t[0] == "MACRO": cur = t[1]
    elif cur and len(t) >= 4 and t[0] == "SIZE": sizes[cur] = float(t[1]) * float(t[3])
defn = open(f"{work}/layout/{m}.def").read()
units = float(re.search(r"UNITS DISTANCE MICRONS (\d+)", defn).group(1))
x0, y0, x1, y1 = map(float, re.search(r"DIEAREA \( (-?\d+) (-?\d+) \) \( (-?\d+) (-?\d+) \)", defn).groups())
die = (x1 - x0) * (y1 - y0) / units ** 2
comps = re.findall(r"^\s*- \S+ (\S+) \+ (?:PLACED|FIXED)", defn, re.M)
cell_area = sum(sizes.get(c, 0.0) for c in comps if not c.startswith("FILL"))
fill_area = sum(sizes.get(c, 0.0) for c in comps if c.startswith("FILL"))
# Core = the placed rows (cells + fill), the die adds the pin ring.
core = cell_area + fill_area
sta = open(f"{work}/log/post_route_sta.log").read()
ws = re.search(r"WORST_SLACK (\S+)", sta); wh = re.search(r"WORST_HOLD (\S+)", sta)
slack = float(ws.group(1)) if ws else None
crit = period - slack if slack is not None else None
spef_warn = len(re.findall(r"fixed\.spef, line \d+ .*not found", sta))
drc = open(f"{work}/log/drc.log").read() if __import__("os").path.exists(f"{work}/log/drc.log") else ""
md = re.findall(r"^drc = (\d+)", drc, re.M)
lvs = open(f"{work}/log/lvs.log").read() if __import__("os").path.exists(f"{work}/log/lvs.log") else ""
te = re.findall(r"Total errors = (\d+)", lvs)
route = open(f"{work}/log/route.log").read() if __import__("os").path.exists(f"{work}/log/route.log") else ""
res = {
    "module": m, "params": params, "tech": "OSU 0.18 um (qflow-tech-osu018)",
    "flow": "qflow 1.3 (yosys, graywolf, qrouter, magic, netgen) + OpenSTA with SPEF",
    "area_um2": round(die, 1), "core_area_um2": round(core, 1), "cell_area_um2": round(cell_area, 1),
    "utilisation": round(cell_area / core, 4) if core else None,
    "cells": sum(1 for c in comps if not c.startswith("FILL")),
    "critical_path_ns": round(crit, 3) if crit is not None else None,
    "fmax_mhz": round(1000.0 / crit, 1) if crit else None,
    "hold_slack_ns": round(float(wh.group(1)), 3) if wh else None,
    "spef_unmatched": spef_warn,
    "routed": "Final: No failed routes!" in route,
    "drc_errors": int(md[-1]) if md else None,
    "lvs_clean": bool(te) and int(te[-1]) == 0 and "Circuits match uniquely" in lvs,
    "gds": f"{m}.gds", "png": f"{m}.png" if png_tool != "none" else None, "png_tool": png_tool,
    "wall_s": int(wall),
    "note": "standard cells are LEF abstracts in the GDS (Debian's qflow-tech-osu018 ships no cell GDS); "
            "DRC covers the routing and cell abstracts, LVS is cell-level connectivity",
}
json.dump(res, open(f"{out}/layout.json", "w"), indent=2)
print(f"layout {m}: die {res['area_um2']} um2, cells {res['cells']} ({res['cell_area_um2']} um2, "
      f"utilisation {res['utilisation']}), post-route crit {res['critical_path_ns']} ns "
      f"(Fmax {res['fmax_mhz']} MHz), DRC {res['drc_errors']}, LVS {'clean' if res['lvs_clean'] else 'NOT clean'}, "
      f"{res['wall_s']} s")
ok = res["routed"] and res["lvs_clean"] and res["drc_errors"] == 0 and res["png"] and res["fmax_mhz"]
sys.exit(0 if ok else 3)
PY
