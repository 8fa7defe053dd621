#!/usr/bin/env bash
# Installs what squish needs on Debian 12, and nothing that is already there.
#
#   scripts/setup-deps.sh           install what is missing (as root), or print the
#                                    exact apt command to run (as another user)
#   scripts/setup-deps.sh --check   only report; exit 1 if something is missing
#   scripts/setup-deps.sh --golden  also the python packages that regenerate golden/
#                                    vectors (scipy, torchvision); not needed for tests
#
# Idempotent: a package is installed only when dpkg does not list it as installed.
set -euo pipefail

# Tools and libraries that `make sim`, `make test`, `make synth`, `make waves`,
# `make coverage` and `make bench` need.
CORE_PKGS=(
  build-essential cmake g++ clang libclang-rt-14-dev make pkg-config
  verilator yosys opensta qflow-tech-osu018 gtkwave lcov z3
  qflow graywolf qrouter magic netgen-lvs klayout iverilog
  libgtest-dev libgmock-dev libbenchmark-dev
  libgemmlowp-dev libopencv-dev libflint-dev libgmp-dev
  zlib1g-dev nlohmann-json3-dev libcli11-dev
  python3 python3-numpy python3-matplotlib
  nodejs npm xxd
  python3-skimage nlohmann-json3-dev
)
# Only for regenerating golden vectors from independent references.
GOLDEN_PKGS=(python3-scipy python3-torch python3-torchvision python3-sklearn)

mode=install
want=("${CORE_PKGS[@]}")
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --golden) want+=("${GOLDEN_PKGS[@]}") ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup-deps.sh: unknown option '$arg'" >&2; exit 1 ;;
  esac
done

# A tool that is already on PATH from elsewhere (e.g. Node.js and npm from
# nodesource) counts as present: do not pull Debian's copy over it.
declare -A PROVIDES=([nodejs]=node [npm]=npm [cmake]=cmake [g++]=g++ [clang]=clang [make]=make)
missing=()
for p in "${want[@]}"; do
  if [ -n "${PROVIDES[$p]:-}" ] && command -v "${PROVIDES[$p]}" >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "setup-deps: missing: ${missing[*]}"
[ "$mode" = check ] && exit 1

cmd="apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-deps: not root; run:"
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive $cmd"
  exit 1
fi
# Refresh the package lists once if they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive $cmd
echo "setup-deps: installed ${missing[*]}"
