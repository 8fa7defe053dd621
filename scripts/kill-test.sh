#!/usr/bin/env bash
# Kill test for safe output: runs `squish compress` of a large model N times
# (default 50), kills it with SIGTERM (or SIGKILL with --kill9) at a random
# moment of its run, and checks each time that the previous .sqz is still byte
# for byte what it was (or, when the kill came after the final rename, exactly
# the complete new file) and that no temporary file is left beside it.
#
#   scripts/kill-test.sh [N] [BUILD]        (defaults: 50, build)
#   scripts/kill-test.sh 50 build --kill9   SIGKILL: no cleanup can run, so only
#                                           the old-file check applies
# Model: the face-api SSD MobileNet v1 if scripts/fetch-models.sh fetched it,
# else a generated 2048x2048 float32 .npy (numpy). Prints "N passed, M failed".
set -uo pipefail
n=${1:-50}; build=${2:-build}; sig=TERM
[ "${3:-}" = --kill9 ] && sig=KILL
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/$build/bin/squish"
[ -x "$bin" ] || { echo "kill-test: $bin missing (build the squish target)"; exit 1; }
work=$(mktemp -d /tmp/squish-kill.XXXXXX); trap 'rm -rf "$work"' EXIT
model="$root/$build/models/face-api/model/ssd_mobilenetv1_model-weights_manifest.json"
if [ ! -f "$model" ]; then
  model="$work/big.npy"
  /usr/bin/python3 -c "import numpy as np; np.save('$model', np.random.RandomState(1).randn(2048, 2048).astype(np.float32))" \
    || { echo "kill-test: numpy needed to make a model"; exit 1; }
fi
out="$work/out.sqz"
"$bin" compress "$model" -o "$out" --quiet --bits 8 || exit 1
cp "$out" "$work/old.sqz"
new_args=(compress "$model" -o "$out" --quiet --bits 4 --per-channel --coder rans --prune-unstructured 0.5)
t0=$(date +%s%N); "$bin" "${new_args[@]}" || exit 1; t1=$(date +%s%N)
cp "$out" "$work/new.sqz"; cp "$work/old.sqz" "$out"
ms=$(( (t1 - t0) / 1000000 ))
echo "kill-test: one run takes ${ms} ms; $n runs killed with SIG$sig at random moments"
pass=0; fail=0; before_rename=0
for i in $(seq 1 "$n"); do
  "$bin" "${new_args[@]}" & pid=$!
  at=$(( RANDOM * ms / 32768 ))
  sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
  kill -s "$sig" "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  ok=1
  if cmp -s "$out" "$work/old.sqz"; then before_rename=$((before_rename + 1))
  elif ! cmp -s "$out" "$work/new.sqz"; then echo "run $i (kill at ${at} ms): output is neither the old nor the new file"; ok=0; fi
  if [ "$sig" = TERM ] && ls -A "$work" | grep -q squish-tmp; then echo "run $i (kill at ${at} ms): temporary left"; ok=0; fi
  rm -rf "$work"/.out.sqz.squish-tmp-* 2>/dev/null
  cp "$work/old.sqz" "$out"
  if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "kill-test: $before_rename of $n kills landed before the rename (old file intact), the rest after it (new file complete)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
