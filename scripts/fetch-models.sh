#!/usr/bin/env bash
# Fetches npm packages that ship pretrained weights into build/models/ (never
# committed). Layout:  build/models/<package-name-without-scope>/<package files>
#   e.g. build/models/face-api/model/ssd_mobilenetv1_model-weights_manifest.json
#
#   scripts/fetch-models.sh [PKG[@VERSION] ...]    default: @vladmandic/face-api@1.7.15
# Idempotent: a package already unpacked at the same version is not fetched again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SQUISH_MODELS:-$root/build/models}"
mkdir -p "$cache"
pkgs=("$@"); [ ${#pkgs[@]} -gt 0 ] || pkgs=("@vladmandic/face-api@1.7.15")
command -v npm >/dev/null || { echo "fetch-models: npm is missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }
for spec in "${pkgs[@]}"; do
  name=$(printf '%s' "$spec" | sed -E 's/^(@?[^@]+)@.*/\1/')   # drop "@version"
  short=${name##*/}
  dest="$cache/$short"
  if [ -f "$dest/.spec" ] && [ "$(cat "$dest/.spec")" = "$spec" ]; then
    echo "fetch-models: $spec already in $dest"; continue
  fi
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  echo "fetch-models: npm pack $spec"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  rm -rf "$dest"; mkdir -p "$dest"
  tar -xzf "$tmp"/*.tgz -C "$dest" --strip-components=1
  echo "$spec" > "$dest/.spec"
  echo "fetch-models: $spec -> $dest"
done
