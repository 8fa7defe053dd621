#!/usr/bin/env bash
# make synth: per module PPA with open tools.
#   1. Yosys 0.23 -> OSU 0.18um standard cells (dfflibmap + abc): cells, area (um^2).
#      ABC maps for delay, then buffers high-fanout nets and sizes gates
#      (buffer/upsize/dnsize); without buffering, a net driving hundreds of
#      unit-size gates shows up in STA as a 35 ns wire.
#   2. OpenSTA on that netlist: worst setup path at a 10 ns clock -> Fmax (MHz)
#   3. Yosys synth_xilinx (7-series): LUT, FF, CARRY4 counts
# Writes <reports>/ppa.json, <reports>/ppa.md and per-module logs/netlists under
# <reports>/synth/<module>/.
#
#   scripts/synth.sh [REPORTS_DIR] [MODULE...]
#
# Constants stay as netlist assigns (the OSU library has no tie cells).
# A module file may carry one line to adjust its synthesis:
#   // squish-synth: chparam -set NumBoxes 1024     (parameters for the PPA run)
#   // squish-synth: skip                            (e.g. a simulation-only wrapper)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/rtl-files.sh"
reports=${1:-build/reports}; shift || true
mods=("$@"); [ ${#mods[@]} -gt 0 ] || mapfile -t mods < <(rtl_all_modules)
LIB=${SQUISH_LIBERTY:-/usr/share/qflow/tech/osu018/osu018_stdcells.lib}
PERIOD_NS=${SQUISH_CLOCK_NS:-10}
TIMEOUT=${SQUISH_SYNTH_TIMEOUT:-900}
mkdir -p "$reports/synth"
[ -f "$LIB" ] || { echo "synth: liberty $LIB missing (scripts/setup-deps.sh installs qflow-tech-osu018)"; exit 1; }

read_rtl() {  # yosys commands that read every RTL file
  [ -n "$rtl_pkgs" ] && echo "read_verilog -sv -D SYNTHESIS" $rtl_pkgs
  echo "read_verilog -sv -D SYNTHESIS -defer" $rtl_modules
}

# The last statistics table of a Yosys log (synth_xilinx prints its own before ours).
last_stat() { awk '/Number of cells/{buf=""} {buf = buf $0 "\n"} END{printf "%s", buf}' "$1"; }

rows=()
for m in "${mods[@]}"; do
  f=$(rtl_file_of "$m"); [ -n "$f" ] || { echo "synth: no module $m"; continue; }
  cfg=$(sed -n 's|^\s*//\s*squish-synth:\s*||p' "$f" | head -1)
  d="$reports/synth/$m"; mkdir -p "$d"
  if [ "$cfg" = skip ]; then
    echo "synth $m: skipped (squish-synth: skip; measured inside its parent)"; rows+=("$m|skipped||||||||||skip"); continue
  fi
  chparam=""; [ -n "$cfg" ] && chparam="$cfg $m"
  # --- OSU 0.18um ---------------------------------------------------------
  { read_rtl
    [ -n "$chparam" ] && echo "$chparam"
    cat <<YS
hierarchy -check -top $m
synth -top $m -flatten
dfflibmap -liberty $LIB
abc -liberty $LIB -D $((PERIOD_NS * 1000)) -script +strash;dc2;strash;&get,-n;&dch,-f;&nf,{D};&put;buffer,-p;upsize,{D};dnsize,{D}
opt_clean -purge
stat -liberty $LIB
write_verilog -noattr -noexpr $d/osu018.v
YS
  } > "$d/osu018.ys"
  t0=$(date +%s)
  if ! timeout "$TIMEOUT" yosys -q -e 'is implicitly declared' -l "$d/osu018.log" -s "$d/osu018.ys" >/dev/null 2>&1; then
    echo "synth $m: OSU synthesis FAILED (see $d/osu018.log)"; rows+=("$m|fail|||||||"); continue
  fi
  area=$(grep -E 'Chip area for module' "$d/osu018.log" | tail -1 | awk '{print $NF}')
  cells=$(awk '/Number of cells:/{n=$NF} END{print n}' "$d/osu018.log")
  # --- OpenSTA --------------------------------------------------------------
  has_clk=$(grep -c 'input clk_i' "$d/osu018.v" || true)
  cat > "$d/sta.tcl" <<TCL
read_liberty $LIB
read_verilog $d/osu018.v
link_design $m
TCL
  if [ "$has_clk" -gt 0 ]; then
    cat >> "$d/sta.tcl" <<TCL
create_clock -name clk -period $PERIOD_NS [get_ports clk_i]
set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]
set_output_delay 0 -clock clk [all_outputs]
TCL
  else
    cat >> "$d/sta.tcl" <<TCL
create_clock -name vclk -period $PERIOD_NS
set_input_delay 0 -clock vclk [all_inputs]
set_output_delay 0 -clock vclk [all_outputs]
TCL
  fi
  cat >> "$d/sta.tcl" <<TCL
set_load 0.02 [all_outputs]
report_checks -path_delay max -digits 3
puts "WORST_SLACK [sta::worst_slack -max]"
exit
TCL
  timeout 600 sta -no_splash -exit "$d/sta.tcl" > "$d/sta.log" 2>&1
  slack=$(sed -n 's/^WORST_SLACK //p' "$d/sta.log" | tail -1)
  fmax=""; crit=""
  if [ -n "$slack" ]; then
    crit=$(awk -v p="$PERIOD_NS" -v s="$slack" 'BEGIN{printf "%.3f", p - s}')
    fmax=$(awk -v c="$crit" 'BEGIN{ if (c > 0) printf "%.1f", 1000 / c; else print "" }')
  fi
  # --- Xilinx 7-series LUT counts -----------------------------------------
  { read_rtl
    [ -n "$chparam" ] && echo "$chparam"
    echo "synth_xilinx -top $m -flatten"
    echo "stat"; } > "$d/xilinx.ys"
  lut=""; ff=""; carry=""; bram=""; dsp=""; lutram=""
  if timeout "$TIMEOUT" yosys -q -l "$d/xilinx.log" -s "$d/xilinx.ys" >/dev/null 2>&1; then
    read -r lut ff carry bram dsp lutram < <(awk '
      $1 ~ /^LUT[1-6]$/ {l += $2}
      $1 ~ /^FD[CPRS]E$/ || $1 ~ /^FD[CPRS]E_1$/ || $1 == "FDRE" {f += $2}
      $1 == "CARRY4" {c += $2}
      $1 ~ /^RAMB/ {b += $2}
      $1 ~ /^DSP48/ {d += $2}
      $1 ~ /^RAM(32|64|128|256)/ {r += $2}
      END {printf "%d %d %d %d %d %d\n", l, f, c, b, d, r}' <(last_stat "$d/xilinx.log"))
  fi
  t1=$(date +%s)
  echo "synth $m: ${cells} cells, ${area} um2, crit ${crit:-?} ns (Fmax ${fmax:-?} MHz), LUT ${lut:-?} (+${lutram:-0} LUT-RAM) FF ${ff:-?} CARRY4 ${carry:-?} ($((t1 - t0)) s)"
  rows+=("$m|ok|$cells|$area|$crit|$fmax|$lut|$ff|$carry|$bram|$dsp|$cfg|$lutram")
done

printf '%s\n' "${rows[@]}" | python3 "$here/ppa_report.py" "$reports" "$PERIOD_NS"
