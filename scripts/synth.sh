#!/usr/bin/env bash
# make synth: per module PPA with open tools, in parallel and cached.
#   1. Yosys 0.23 -> OSU 0.18um standard cells (dfflibmap + abc, delay-driven
#      with ABC's buffering and gate sizing), then scripts/synth_fanout.py
#      (BUFX4 trees on every net above SQUISH_SYNTH_MAXFANOUT loads, flop
#      outputs included; clk_i/rst_ni ideal): cells, area (um^2). One-write
#      one-read memories of >= 4 kbit become 1024x32 SRAM macro black boxes
#      costed by the model in scripts/synth-sram.lib (docs/silicon.md).
#   2. OpenSTA on that netlist: worst setup path at a 10 ns clock -> Fmax (MHz);
#      rst_ni is a false path (its tree is a layout matter)
#   3. Yosys synth_xilinx (7-series): LUT, FF, CARRY4, BRAM, DSP counts
# Every module runs at its shipped (default) parameters. A module whose file has
#   // squish-synth: chparam -set P V ...     (a reduced configuration)
# gets a second row <module>@reduced with those parameters; a module with
#   // squish-synth: skip                     (simulation-only wrappers)
# is listed as skipped. Modules in SQUISH_SYNTH_HIER keep their hierarchy.
#
#   scripts/synth.sh [REPORTS_DIR] [MODULE...]
#   JOBS=n                 parallel module runs (default: nproc)
#   SQUISH_SYNTH_CACHE     cache folder (default REPORTS_DIR/../synth-cache)
#   SQUISH_SYNTH_NOCACHE=1 ignore the cache
#   SQUISH_SYNTH_TIMEOUT   seconds per Yosys run (default 3600)
#   SQUISH_SYNTH_MAXFANOUT nets with more loads get a buffer tree (default 16)
#   SQUISH_SYNTH_ASIC_ONLY=1  skip the Xilinx run (LUT/FF/... columns empty;
#                          cached under its own key)
#   SQUISH_SYNTH_REPORT_ONLY=1  synthesize nothing: rebuild ppa.json/md from the
#                          rows already under REPORTS_DIR/synth/ (e.g. while a
#                          long run is still going); modules without a row are
#                          listed as "not run"
# Writes <reports>/ppa.json, <reports>/ppa.md, per-row logs/netlists under
# <reports>/synth/<row>/ and the run's wall time in ppa.json (run.wall_s).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/rtl-files.sh"
reports=${1:-build/reports}; shift || true
mods=("$@"); [ ${#mods[@]} -gt 0 ] || mapfile -t mods < <(rtl_all_modules)
LIB=${SQUISH_LIBERTY:-/usr/share/qflow/tech/osu018/osu018_stdcells.lib}
PERIOD_NS=${SQUISH_CLOCK_NS:-10}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$reports/synth"
[ -f "$LIB" ] || { echo "synth: liberty $LIB missing (scripts/setup-deps.sh installs qflow-tech-osu018)"; exit 1; }

t0=$(date +%s)
jobs_file=$(mktemp); trap 'rm -f "$jobs_file"' EXIT
rows=()
for m in "${mods[@]}"; do
  f=$(rtl_file_of "$m"); [ -n "$f" ] || { echo "synth: no module $m"; continue; }
  cfg=$(sed -n 's|^\s*//\s*squish-synth:\s*||p' "$f" | head -1)
  if [ "$cfg" = skip ]; then
    echo "synth $m: skipped (squish-synth: skip)"; rows+=("$m|skipped||||||||||skip"); continue
  fi
  printf '%s\0%s\0%s\0' "$m" shipped "" >> "$jobs_file"
  case "$cfg" in chparam*) printf '%s\0%s\0%s\0' "$m" reduced "$cfg" >> "$jobs_file" ;; esac
done
if [ -n "${SQUISH_SYNTH_REPORT_ONLY:-}" ]; then
  touch -d '1970-01-02' "$jobs_file"
  while IFS= read -r -d '' m && IFS= read -r -d '' v && IFS= read -r -d '' p; do
    r="$m"; [ "$v" = shipped ] || r="$m@$v"
    [ -f "$reports/synth/$r/row.txt" ] || rows+=("$r|not run||||||||||$p")
  done < "$jobs_file"
else
  # Longest first would need the history; the cache makes reruns cheap anyway.
  xargs -0 -n 3 -P "$JOBS" "$here/synth-module.sh" "$reports" < "$jobs_file"
fi
for m in "${mods[@]}"; do
  for r in "$reports/synth/$m/row.txt" "$reports/synth/$m@reduced/row.txt"; do
    [ -f "$r" ] && [ "$r" -nt "$jobs_file" ] && rows+=("$(cat "$r")")
  done
done
t1=$(date +%s)
echo "synth: ${#rows[@]} rows in $((t1 - t0)) s wall (JOBS=$JOBS)"
if [ -n "${SQUISH_SYNTH_REPORT_ONLY:-}" ]; then
  printf '%s\n' "${rows[@]}" | python3 "$here/ppa_report.py" "$reports" "$PERIOD_NS"
else
  printf '%s\n' "${rows[@]}" | python3 "$here/ppa_report.py" "$reports" "$PERIOD_NS" "$((t1 - t0))" "$JOBS"
fi
