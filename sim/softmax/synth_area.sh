#!/usr/bin/env bash
# Area of softmax_unit in the OSU 0.18 um cells (Yosys + ABC) and its LUT count
# for a 6-input-LUT FPGA (synth_xilinx), for one Lanes value. The hierarchy is
# kept (each distinct module mapped once, e.g. the 16 identical exp2 units), so
# this takes minutes rather than hours; totals are the hierarchy's sums. Used by
# bench_softmax to report area per lane; prints "area_um2 <a>" and "lut6 <n>".
#   sim/softmax/synth_area.sh LANES [OUTDIR]
set -euo pipefail
lanes=${1:?usage: synth_area.sh LANES [OUTDIR]}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$(mktemp -d)}
mkdir -p "$out"
lib=/usr/share/qflow/tech/osu018/osu018_stdcells.lib
src="$root/rtl/common/fifo_sync.sv $(ls "$root"/rtl/softmax/*.sv | tr "\n" " ")"
cat > "$out/asic_$lanes.ys" <<YS
read_verilog -sv $src
chparam -set Lanes $lanes softmax_unit
hierarchy -check -top softmax_unit
synth -top softmax_unit -noabc
dfflibmap -liberty $lib
abc -liberty $lib
opt_clean
stat -liberty $lib -top softmax_unit
YS
cat > "$out/fpga_$lanes.ys" <<YS
read_verilog -sv $src
chparam -set Lanes $lanes softmax_unit
hierarchy -check -top softmax_unit
synth_xilinx -top softmax_unit -family xc7
stat -top softmax_unit
YS
yosys -q -l "$out/asic_$lanes.log" -s "$out/asic_$lanes.ys" >/dev/null
yosys -q -l "$out/fpga_$lanes.log" -s "$out/fpga_$lanes.ys" >/dev/null
area=$(grep -E 'Chip area' "$out/asic_$lanes.log" | tail -1 | awk '{print $NF}')
# Count cells in the last "design hierarchy" block (the whole-design totals).
hier() {
  awk -v pat="$1" '/=== design hierarchy ===/ {h=1; s=0; next}
                   h && /Estimated number of LCs|^[0-9]+\./ {h=0}
                   h && $1 ~ pat {s+=$2}
                   END {print s+0}' "$out/fpga_$lanes.log"
}
luts=$(hier '^LUT[1-6]$')
dsp=$(hier '^DSP48E1$')
ff=$(hier '^FD[A-Z]*$')
echo "area_um2 $area"
echo "lut6 $luts"
echo "dsp48 $dsp"
echo "ff $ff"
