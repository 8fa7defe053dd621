#!/usr/bin/env bash
# One module's PPA run for scripts/synth.sh (run in parallel by it):
#   scripts/synth-module.sh REPORTS_DIR MODULE [VARIANT CHPARAM...]
# VARIANT "shipped" (the module's default parameters) or "reduced" (the
# parameters of its `// squish-synth: chparam ...` line). Writes
# REPORTS_DIR/synth/<row>/{osu018.*,sta.*,xilinx.*,row.txt}, where <row> is the
# module name (shipped) or <module>@reduced. row.txt is one pipe-separated row
# for ppa_report.py (format in that file).
#
# Cache: the row and its logs are stored under $SQUISH_SYNTH_CACHE/<key>, key =
# sha256 of this script, scripts/synth_fanout.py, the SRAM model, the liberty,
# the clock, the fanout limit, the parameters and the contents of every RTL file
# the module depends on (packages + the files of every module reachable from it
# by name). A hit copies them back in ~0 s.
#
# After ABC, scripts/synth_fanout.py buffers every net with more than
# SQUISH_SYNTH_MAXFANOUT (default 16) loads with a BUFX4 tree (flip-flop
# outputs and module inputs included, which ABC's buffering never sees); the
# clock and the asynchronous reset stay ideal (unbuffered), and STA treats
# rst_ni as a false path. osu018.unbuf.v keeps the netlist before buffering.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/rtl-files.sh"
reports=${1:?usage: synth-module.sh REPORTS MODULE [VARIANT CHPARAM]}; m=${2:?module}
variant=${3:-shipped}; chparam=${4:-}
LIB=${SQUISH_LIBERTY:-/usr/share/qflow/tech/osu018/osu018_stdcells.lib}
SRAM_LIB="$here/synth-sram.lib"; SRAM_RULES="$here/synth-sram.rules"
PERIOD_NS=${SQUISH_CLOCK_NS:-10}
MAXFANOUT=${SQUISH_SYNTH_MAXFANOUT:-16}
ASIC_ONLY=${SQUISH_SYNTH_ASIC_ONLY:-}   # 1: skip the Xilinx run (its columns stay empty)
FANOUT_PY="$here/synth_fanout.py"
TIMEOUT=${SQUISH_SYNTH_TIMEOUT:-3600}
CACHE=${SQUISH_SYNTH_CACHE:-$reports/../synth-cache}
# Modules synthesized hierarchically (each distinct submodule mapped once; a
# flat run of their replicated lanes/banks is what took tens of minutes).
HIER=" ${SQUISH_SYNTH_HIER:-mac_datapath mac_sparse_datapath mac_pe_array nms_unit softmax_unit rans_decoder} "

row=$m; [ "$variant" = shipped ] || row="$m@$variant"
d="$reports/synth/$row"; mkdir -p "$d" "$CACHE"

# --- dependencies and cache key ---------------------------------------------
# (cheap on purpose: a warm run is one key per row, a few processes each)
declare -A file_of
for f in $rtl_modules; do b=${f##*/}; file_of[${b%.sv}]=$f; done
modlist=$(mktemp); trap 'rm -f "$modlist"' EXIT
printf '%s\n' "${!file_of[@]}" > "$modlist"
deps() {  # transitive module files reachable from $1 by name
  local seen=" " todo=("$1") cur f w
  while [ ${#todo[@]} -gt 0 ]; do
    cur=${todo[0]}; todo=("${todo[@]:1}")
    case "$seen" in *" $cur "*) continue ;; esac
    seen="$seen$cur "
    f=${file_of[$cur]:-}; [ -n "$f" ] || continue
    echo "$f"
    for w in $(sed 's|//.*||' "$f" | grep -owFf "$modlist" | sort -u); do
      [ "$w" = "$cur" ] || todo+=("$w")
    done
  done
}
files=$(deps "$m" | LC_ALL=C sort -u)
key=$( { cat "$0" "$FANOUT_PY" "$SRAM_LIB" "$SRAM_RULES"; echo "$LIB $PERIOD_NS $MAXFANOUT ${ASIC_ONLY:+asic-only} $m $variant $chparam $HIER"
         for f in $rtl_pkgs $files; do echo "== ${f#$RTL_ROOT/}"; cat "$f"; done; } | sha256sum | cut -c1-24)
if [ -n "${SQUISH_SYNTH_PRINT_KEY:-}" ]; then echo "$key"; exit 0; fi
if [ -z "${SQUISH_SYNTH_NOCACHE:-}" ] && [ -f "$CACHE/$key/row.txt" ]; then
  cp "$CACHE/$key"/* "$d/" 2>/dev/null
  echo "synth $row: cached ($(cut -d'|' -f14 "$d/row.txt") s when measured)"
  exit 0
fi

read_rtl() {  # only the files this module needs
  local mods="" f
  for f in $files; do mods="$mods $f"; done
  [ -n "$rtl_pkgs" ] && echo "read_verilog -sv -D SYNTHESIS" $rtl_pkgs
  echo "read_verilog -sv -D SYNTHESIS -defer$mods"
  [ -n "$chparam" ] && echo "$chparam $m"
  echo "hierarchy -check -top $m"
}
flat="-flatten"; case "$HIER" in *" $m "*) flat="" ;; esac

# --- OSU 0.18um: memories -> SRAM macros (black boxes), logic -> std cells ----
{ read_rtl
  cat <<YS
synth -top $m $flat -run begin:fine
memory_bram -rules $SRAM_RULES
chtype -map \$__SQUISH_SRAM squish_sram_1kx32
read_liberty -lib $SRAM_LIB
synth -top $m $flat -run fine:
dfflibmap -liberty $LIB
abc -liberty $LIB -D $((PERIOD_NS * 1000)) -script +strash;dc2;strash;&get,-n;&dch,-f;&nf,{D};&put;buffer,-p;upsize,{D};dnsize,{D}
opt_clean -purge
rename -enumerate
stat -top $m -liberty $LIB -liberty $SRAM_LIB
write_verilog -noattr -noexpr $d/osu018.unbuf.v
read_liberty -lib $LIB
write_json $d/osu018.unbuf.json
YS
} > "$d/osu018.ys"
# fanout buffering (synth_fanout.py) -> the netlist that is counted and timed
cat > "$d/osu018.buf.ys" <<YS
read_liberty -lib $LIB
read_liberty -lib $SRAM_LIB
read_json $d/osu018.buf.json
hierarchy -check -top $m
stat -top $m -liberty $LIB -liberty $SRAM_LIB
write_verilog -noattr -noexpr $d/osu018.v
YS
t0=$(date +%s)
cpu0=$(awk '{print $16 + $17}' /proc/$$/stat)
st=ok
if ! timeout "$TIMEOUT" yosys -q -e 'is implicitly declared' -l "$d/osu018.log" -s "$d/osu018.ys" >/dev/null 2>&1; then
  rc=$?; st=fail; [ $rc -eq 124 ] && st=timeout
  echo "synth $row: OSU synthesis $st (see $d/osu018.log)"
  echo "$row|$st|||||||||$chparam||$(( $(date +%s) - t0 ))|||$m|$variant" > "$d/row.txt"
  exit 0   # a failure is not cached
fi
if ! python3 "$FANOUT_PY" "$d/osu018.unbuf.json" "$d/osu018.buf.json" "$m" --max-fanout "$MAXFANOUT" \
       --ideal clk_i,rst_ni --report "$d/fanout.json" > "$d/fanout.log" 2>&1 ||
   ! timeout "$TIMEOUT" yosys -q -l "$d/osu018.buf.log" -s "$d/osu018.buf.ys" >/dev/null 2>&1; then
  echo "synth $row: fanout buffering failed (see $d/fanout.log, $d/osu018.buf.log)"
  echo "$row|fail|||||||||$chparam||$(( $(date +%s) - t0 ))|||$m|$variant" > "$d/row.txt"
  exit 0
fi
rm -f "$d/osu018.unbuf.json" "$d/osu018.buf.json"
sed "s|^|synth $row: |" "$d/fanout.log"
area=$(grep -E 'Chip area for (top )?module' "$d/osu018.buf.log" | tail -1 | awk '{print $NF}')
cells=$(awk '/Number of cells:/{n=$NF} END{print n}' "$d/osu018.buf.log")
srams=$(awk '/Number of cells:/{n=0} $1=="squish_sram_1kx32"{n=$2} END{print n+0}' "$d/osu018.buf.log")

# --- OpenSTA ------------------------------------------------------------------
has_clk=$(grep -c 'input clk_i' "$d/osu018.v" || true)
{ echo "read_liberty $LIB"; echo "read_liberty $SRAM_LIB"
  echo "read_verilog $d/osu018.v"; echo "link_design $m"
  if [ "$has_clk" -gt 0 ]; then
    echo "create_clock -name clk -period $PERIOD_NS [get_ports clk_i]"
    echo "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]"
    # asynchronous reset: ideal net, not timed here (fanout.log lists what it
    # drives: asynchronous set/reset pins only); its tree is a layout matter
    grep -q 'input rst_ni' "$d/osu018.v" && echo "set_false_path -from [get_ports rst_ni]"
  else
    echo "create_clock -name clk -period $PERIOD_NS"
    echo "set_input_delay 0 -clock clk [all_inputs]"
  fi
  echo "set_output_delay 0 -clock clk [all_outputs]"
  echo "set_load 0.02 [all_outputs]"
  echo "report_checks -path_delay max -digits 3"
  echo 'puts "WORST_SLACK [sta::worst_slack -max]"'
  echo "exit"; } > "$d/sta.tcl"
timeout 900 sta -no_splash -exit "$d/sta.tcl" > "$d/sta.log" 2>&1
slack=$(sed -n 's/^WORST_SLACK //p' "$d/sta.log" | tail -1)
fmax=""; crit=""
if [ -n "$slack" ]; then
  crit=$(awk -v p="$PERIOD_NS" -v s="$slack" 'BEGIN{printf "%.3f", p - s}')
  fmax=$(awk -v c="$crit" 'BEGIN{ if (c > 0) printf "%.1f", 1000 / c; else print "" }')
fi

# --- Xilinx 7-series (memories -> BRAM / LUT-RAM by synth_xilinx) -------------
{ read_rtl; echo "synth_xilinx -top $m $flat"; echo "stat -top $m"; } > "$d/xilinx.ys"
lut=""; ff=""; carry=""; bram=""; dsp=""; lutram=""
last_stat() { awk '/Number of cells/{buf=""} {buf = buf $0 "\n"} END{printf "%s", buf}' "$1"; }
if [ -n "$ASIC_ONLY" ]; then
  echo "skipped: SQUISH_SYNTH_ASIC_ONLY" > "$d/xilinx.log"
elif timeout "$TIMEOUT" yosys -q -l "$d/xilinx.log" -s "$d/xilinx.ys" >/dev/null 2>&1; then
  read -r lut ff carry bram dsp lutram < <(awk '
    $1 ~ /^LUT[1-6]$/ {l += $2}
    $1 ~ /^FD[CPRS]E(_1)?$/ {f += $2}
    $1 == "CARRY4" {c += $2}
    $1 ~ /^RAMB18/ {b += $2 / 2}
    $1 ~ /^RAMB36/ {b += $2}
    $1 ~ /^DSP48/ {d += $2}
    $1 ~ /^RAM(16|32|64|128|256)/ {r += $2}
    END {printf "%d %d %d %g %d %d\n", l, f, c, b, d, r}' <(last_stat "$d/xilinx.log"))
fi
t1=$(date +%s)
# user+sys of this script's finished children (yosys, abc, sta), in seconds
cpu=$(awk -v c0="$cpu0" -v hz="$(getconf CLK_TCK)" '{printf "%d", ($16 + $17 - c0) / hz}' /proc/$$/stat)
echo "synth $row: ${cells} cells (${srams} SRAM macros), ${area} um2, crit ${crit:-?} ns (Fmax ${fmax:-?} MHz), LUT ${lut:-?} (+${lutram:-0} LUT-RAM) FF ${ff:-?} BRAM36 ${bram:-?} DSP ${dsp:-?} ($((t1 - t0)) s wall, $cpu s CPU)"
echo "$row|ok|$cells|$area|$crit|$fmax|$lut|$ff|$carry|$bram|$dsp|$chparam|$lutram|$((t1 - t0))|$srams|$cpu|$m|$variant" > "$d/row.txt"
mkdir -p "$CACHE/$key" && cp "$d"/* "$CACHE/$key/" 2>/dev/null
exit 0
