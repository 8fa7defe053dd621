#!/usr/bin/env bash
# verilator --lint-only -Wall with each module as its own top.
#   scripts/lint.sh            every module
#   scripts/lint.sh MODULE...  just these
#   scripts/lint.sh MODULE@-GName=V,-GName2=V2   one module at other parameters
#                              (the shipped configurations: scripts/lint-configs.txt)
# Waivers live in rtl/lint.vlt, each scoped to a file and explained there.
set -uo pipefail
. "$(dirname "$0")/rtl-files.sh"
mods=("$@")
[ ${#mods[@]} -eq 0 ] && mapfile -t mods < <(rtl_all_modules)
ydirs=(); for d in $rtl_dirs; do ydirs+=(-y "$d"); done
fail=0
for spec in "${mods[@]}"; do
  m=${spec%%@*}; gargs=()
  [ "$spec" != "$m" ] && IFS=, read -r -a gargs <<< "${spec#*@}"
  f=$(rtl_file_of "$m")
  if [ -z "$f" ]; then echo "lint: no module file for '$m'" >&2; fail=1; continue; fi
  if out=$(verilator --lint-only -Wall -DSQUISH_ASSERT -I"$RTL_ROOT/common" "$RTL_ROOT/lint.vlt" $rtl_pkgs "${ydirs[@]}" \
           "${gargs[@]}" --top-module "$m" "$f" 2>&1); then
    echo "lint  $spec: clean"
  else
    echo "lint  $spec: FAILED"; echo "$out"; fail=1
  fi
  # A module with simulation checks also lints without them (no -D, no -I): the
  # file stands alone for a user's own `verilator --lint-only -Wall`.
  if grep -q 'include "squish_assert.svh"' "$f"; then
    if ! out=$(verilator --lint-only -Wall "$RTL_ROOT/lint.vlt" $rtl_pkgs "${ydirs[@]}" \
               "${gargs[@]}" --top-module "$m" "$f" 2>&1); then
      echo "lint  $spec (without SQUISH_ASSERT): FAILED"; echo "$out"; fail=1
    fi
  fi
done
exit $fail
