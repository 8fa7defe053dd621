#!/usr/bin/env bash
# Area (Yosys + ABC on the OSU 0.18 um cells) and 6-input-LUT count (synth_xilinx,
# xc7) of the pieces of nms_unit, for bench_nms. The candidate RAM
# (nms_cand_ram) is a black box: it is reported in bits, as an SRAM macro or
# block RAM would be. Prints "<name>_area_um2 <a>", "<name>_lut6 <n>", ... for
#   unit   nms_unit at its defaults (SortCap 64, Banks 8, SlotsPerBank 16)
#   sorter nms_sorter with Cap 64            -> per sorter cell
#   bank16 / bank8  nms_kept_bank with 16 / 8 slots -> per kept slot
# Results are cached in OUTDIR and redone only when rtl/nms or fifo_sync changes.
#   sim/nms/synth_area.sh OUTDIR
set -uo pipefail
out=${1:?usage: synth_area.sh OUTDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=/usr/share/qflow/tech/osu018/osu018_stdcells.lib
mkdir -p "$out"
src_all="$root/rtl/common/fifo_sync.sv $(ls $root/rtl/nms/*.sv | tr '\n' ' ')"

run() {  # name top "yosys command before hierarchy" files...
  local name=$1 top=$2 chp=$3; shift 3
  local src="$*"
  local fresh=1
  for f in $src; do [ "$f" -nt "$out/$name.asic.log" ] && fresh=0; done
  [ -f "$out/$name.fpga.log" ] || fresh=0
  [ -f "$out/$name.asic.log" ] || fresh=0
  grep -q 'Chip area' "$out/$name.asic.log" 2>/dev/null || fresh=0
  if [ $fresh = 0 ]; then
    cat > "$out/$name.asic.ys" <<YS
read_verilog -sv $src
$chp
hierarchy -check -top $top
synth -flatten
dfflibmap -liberty $lib
abc -liberty $lib
opt_clean
stat -liberty $lib
YS
    cat > "$out/$name.fpga.ys" <<YS
read_verilog -sv $src
$chp
hierarchy -check -top $top
synth_xilinx -flatten -family xc7
stat
YS
    yosys -q -l "$out/$name.asic.log" -s "$out/$name.asic.ys" >/dev/null 2>&1 || { echo "# $name asic failed"; return; }
    yosys -q -l "$out/$name.fpga.log" -s "$out/$name.fpga.ys" >/dev/null 2>&1 || { echo "# $name fpga failed"; return; }
  fi
  echo "${name}_area_um2 $(grep -E 'Chip area' "$out/$name.asic.log" | tail -1 | awk '{print $NF}')"
  echo "${name}_lut6 $(grep -E '^\s+LUT[1-6]\s' "$out/$name.fpga.log" | awk '{s+=$2} END {print s+0}')"
  echo "${name}_ff $(grep -E '^\s+FD[A-Z]*\s' "$out/$name.fpga.log" | awk '{s+=$2} END {print s+0}')"
  echo "${name}_dsp48 $(grep -E '^\s+DSP48E1\s' "$out/$name.fpga.log" | awk '{s+=$2} END {print s+0}')"
}

n=$root/rtl/nms
# (chparam, then synth without -top: Yosys 0.23 renames the derived top, and
#  hierarchy -chparam trips an assertion on this hierarchy)
run sorter nms_sorter "chparam -set Cap 64 nms_sorter" $n/nms_sorter.sv
run bank8 nms_kept_bank "chparam -set Slots 8 nms_kept_bank" $n/nms_iou_cmp.sv $n/nms_kept_bank.sv
run bank16 nms_kept_bank "chparam -set Slots 16 nms_kept_bank" $n/nms_iou_cmp.sv $n/nms_kept_bank.sv
run iou nms_iou_cmp "" $n/nms_iou_cmp.sv
run unit nms_unit "blackbox nms_cand_ram" $src_all
