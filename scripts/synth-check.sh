#!/usr/bin/env bash
# Quick Yosys 0.23 read + generic synthesis of one module, as `make test` runs it:
# catches RTL that Verilator accepts but Yosys rejects or mis-builds.
#   scripts/synth-check.sh MODULE
set -uo pipefail
. "$(dirname "$0")/rtl-files.sh"
m=${1:?usage: synth-check.sh MODULE}
f=$(rtl_file_of "$m"); [ -n "$f" ] || { echo "synth-check: no module '$m'" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Read every file so submodules resolve; `hierarchy -top` drops the unused ones.
{ [ -n "$rtl_pkgs" ] && echo "read_verilog -sv" $rtl_pkgs
  echo "read_verilog -sv -defer" $rtl_modules; } > "$tmp/s.ys"
cat >> "$tmp/s.ys" <<YS
hierarchy -check -top $m
synth -top $m -run begin:fine
opt_clean
check -assert
stat
YS
if yosys -q -e 'is implicitly declared' -l "$tmp/log" -s "$tmp/s.ys" >/dev/null 2>&1; then
  cells=$(grep -E '^\s+Number of cells:' "$tmp/log" | tail -1 | awk '{print $4}')
  echo "synth $m: ok (${cells:-?} generic cells)"
else
  echo "synth $m: FAILED"; grep -E 'ERROR|Error|error|Warning' "$tmp/log" | head -20; exit 1
fi
