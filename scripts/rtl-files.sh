#!/usr/bin/env bash
# Shared by lint/synth scripts. Source it; it defines:
#   RTL_ROOT        the rtl/ folder
#   rtl_pkgs        every *_pkg.sv, sorted (packages must be read first)
#   rtl_modules     every module file (one module per file, named like the file)
#   rtl_dirs        every folder under rtl/ holding .sv files (for -y search)
#   rtl_file_of M   path of module M's file, or empty
#   rtl_all_modules names of every module
RTL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/rtl"
rtl_pkgs=$(find -L "$RTL_ROOT" -name '*_pkg.sv' | sort)
rtl_modules=$(find -L "$RTL_ROOT" -name '*.sv' ! -name '*_pkg.sv' | sort)
rtl_dirs=$(find -L "$RTL_ROOT" -name '*.sv' -printf '%h\n' | sort -u)
rtl_file_of() { find -L "$RTL_ROOT" -name "$1.sv" | head -1; }
rtl_all_modules() { for f in $rtl_modules; do basename "$f" .sv; done; }
