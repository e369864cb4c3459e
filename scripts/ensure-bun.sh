#!/usr/bin/env bash
# Prints the path of a Bun executable, installing the version pinned below from the npm registry into
# .cache/bun when none is on PATH. Needs only Node.js and npm.
set -euo pipefail
BUN_VERSION="1.4.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v bun >/dev/null 2>&1; then
  command -v bun
  exit 0
fi
local_bun="$root/.cache/bun/node_modules/.bin/bun"
if [ ! -x "$local_bun" ] || ! "$local_bun" --version >/dev/null 2>&1; then
  echo "Installing Bun $BUN_VERSION from the npm registry into .cache/bun ..." >&2
  mkdir -p "$root/.cache/bun"
  npm install --prefix "$root/.cache/bun" --no-save --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION" >&2
fi
echo "$local_bun"
