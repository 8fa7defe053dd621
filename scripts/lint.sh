#!/usr/bin/env bash
# verilator --lint-only -Wall with each module as its own top.
#   scripts/lint.sh            every module
#   scripts/lint.sh MODULE...  just these
# Waivers live in rtl/lint.vlt, each scoped to a file and explained there.
set -uo pipefail
. "$(dirname "$0")/rtl-files.sh"
mods=("$@")
[ ${#mods[@]} -eq 0 ] && mapfile -t mods < <(rtl_all_modules)
ydirs=(); for d in $rtl_dirs; do ydirs+=(-y "$d"); done
fail=0
for m in "${mods[@]}"; do
  f=$(rtl_file_of "$m")
  if [ -z "$f" ]; then echo "lint: no module file for '$m'" >&2; fail=1; continue; fi
  if out=$(verilator --lint-only -Wall "$RTL_ROOT/lint.vlt" $rtl_pkgs "${ydirs[@]}" \
           --top-module "$m" "$f" 2>&1); then
    echo "lint  $m: clean"
  else
    echo "lint  $m: FAILED"; echo "$out"; fail=1
  fi
done
exit $fail
