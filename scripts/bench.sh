#!/usr/bin/env bash
# make bench: runs every benchmark program (<build>/bench/bench_*) with
# SQUISH_REPORTS=<build>/reports; each writes reports/bench/<section>.{json,md}.
# This script merges them into reports/bench.json ({"<section>": {...}}) and
# reports/bench.md. Fetches the real models first (scripts/fetch-models.sh).
set -uo pipefail
build=${1:-build}
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
reports="$build/reports"; mkdir -p "$reports/bench"
export SQUISH_REPORTS="$reports" SQUISH_ROOT="$root" SQUISH_OUT="$build"
"$root/scripts/fetch-models.sh" || echo "bench: could not fetch models; benches fall back to what they have"
shopt -s nullglob
fail=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b")"
  if ! "$b"; then echo "bench: $(basename "$b") FAILED"; fail=1; fi
done
# End-to-end network measurements: reports/bench/e2e.{json,md} (issue 10 §6).
if [ -x "$build/bin/squish" ]; then
  echo "=== bench-e2e"
  "$root/scripts/bench-e2e.sh" "$build" || { echo "bench: bench-e2e FAILED"; fail=1; }
fi
python3 - "$reports" <<'PY'
import json, os, sys
rep = sys.argv[1]; d = os.path.join(rep, "bench")
merged, md = {}, ["# squish benchmarks (make bench)\n"]
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    if f.endswith(".json"):
        try:
            merged[f[:-5]] = json.load(open(p))
        except ValueError as e:
            print(f"bench: {f} is not valid JSON: {e}"); merged[f[:-5]] = {"error": str(e)}
    elif f.endswith(".md"):
        md.append(open(p).read().rstrip() + "\n")
json.dump(merged, open(os.path.join(rep, "bench.json"), "w"), indent=2)
open(os.path.join(rep, "bench.md"), "w").write("\n".join(md))
print(f"bench: wrote {rep}/bench.json ({', '.join(merged) or 'no sections'}) and bench.md")
PY
exit $fail
