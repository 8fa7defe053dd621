#!/usr/bin/env bash
# Area (Yosys + ABC on the OSU 0.18 um cells) and 6-input-LUT count (synth_xilinx,
# xc7) of the pieces of nms_unit, for bench_nms, which composes the evaluated
# build from them (a full flat synthesis of 1024 sorter cells and 8 banks takes
# too long for a benchmark run). The candidate RAM (nms_cand_ram) is a black
# box: it is reported in bits, as an SRAM macro or block RAM would be.
# Prints "<name>_area_um2 <a>", "<name>_lut6 <n>", "<name>_ff <n>", ... for
#   sorter   nms_sorter with Cap 64                     -> per sorter cell
#   bank4 / bank8   nms_kept_bank with 4 / 8 slots      -> per kept slot
#   iou      nms_iou_cmp (one exact IoU unit)
#   unitmin  nms_unit with Banks 1, SlotsPerBank 2, SortCap 2: control, ingest,
#            output FIFO, and one minimal bank
# The ASIC and FPGA runs of a piece go in parallel; ABC runs with -fast.
# Each result is cached in OUTDIR and redone only when its sources change.
#   sim/nms/synth_area.sh OUTDIR
set -uo pipefail
out=${1:?usage: synth_area.sh OUTDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=/usr/share/qflow/tech/osu018/osu018_stdcells.lib
mkdir -p "$out"
n=$root/rtl/nms

fresh() {  # log grep-pattern sources...
  local log=$1 pat=$2; shift 2
  grep -q "$pat" "$log" 2>/dev/null || return 1
  for f in "$@"; do [ "$f" -nt "$log" ] && return 1; done
  return 0
}

# Yosys 0.23: chparam before hierarchy, and synth without -top (the derived top
# is renamed; hierarchy -chparam trips an assertion on this design).
run() {  # name top "yosys commands before hierarchy" sources...
  local name=$1 top=$2 pre=$3; shift 3
  if ! fresh "$out/$name.asic.log" 'Chip area' "$@"; then
    printf 'read_verilog -sv %s\n%s\nhierarchy -check -top %s\nsynth -flatten\ndfflibmap -liberty %s\nabc -fast -liberty %s\nopt_clean\nstat -liberty %s\n' \
      "$*" "$pre" "$top" "$lib" "$lib" "$lib" > "$out/$name.asic.ys"
    yosys -q -l "$out/$name.asic.log" -s "$out/$name.asic.ys" >/dev/null 2>&1 &
  fi
  if ! fresh "$out/$name.fpga.log" 'Number of cells' "$@"; then
    printf 'read_verilog -sv %s\n%s\nhierarchy -check -top %s\nsynth_xilinx -flatten -family xc7\nstat\n' \
      "$*" "$pre" "$top" > "$out/$name.fpga.ys"
    yosys -q -l "$out/$name.fpga.log" -s "$out/$name.fpga.ys" >/dev/null 2>&1 &
  fi
  wait
  grep -q 'Chip area' "$out/$name.asic.log" 2>/dev/null || { echo "# $name asic failed"; return; }
  grep -q 'Number of cells' "$out/$name.fpga.log" 2>/dev/null || { echo "# $name fpga failed"; return; }
  echo "${name}_area_um2 $(grep -E 'Chip area' "$out/$name.asic.log" | tail -1 | awk '{print $NF}')"
  # stat prints the flattened top once per hierarchy listing; count the last table only.
  local last='/Number of cells/ {s = 0} $1 ~ PAT {s += $2} END {print s + 0}'
  echo "${name}_lut6 $(awk -v PAT='^LUT[1-6]$' "$last" "$out/$name.fpga.log")"
  echo "${name}_ff $(awk -v PAT='^FD[A-Z]*$' "$last" "$out/$name.fpga.log")"
  echo "${name}_dsp48 $(awk -v PAT='^DSP48E1$' "$last" "$out/$name.fpga.log")"
}

run sorter nms_sorter "chparam -set Cap 64 nms_sorter" $n/nms_sorter.sv
run bank4 nms_kept_bank "chparam -set Slots 4 nms_kept_bank" $n/nms_iou_cmp.sv $n/nms_kept_bank.sv
run bank8 nms_kept_bank "chparam -set Slots 8 nms_kept_bank" $n/nms_iou_cmp.sv $n/nms_kept_bank.sv
run iou nms_iou_cmp "" $n/nms_iou_cmp.sv
run unitmin nms_unit "blackbox nms_cand_ram
chparam -set Banks 1 -set SlotsPerBank 2 -set SortCap 2 nms_unit" \
  $root/rtl/common/fifo_sync.sv $n/nms_cand_ram.sv $n/nms_iou_cmp.sv $n/nms_kept_bank.sv $n/nms_sorter.sv $n/nms_unit.sv
