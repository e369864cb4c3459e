#!/usr/bin/env bash
# Runs Bun with the given arguments: the one on PATH, or the pinned one scripts/ensure-bun.sh installs.
# npm scripts call Bun through this, so `npm run …` works on a machine with only Node.js and npm.
set -euo pipefail
bun="$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-bun.sh")"
export PATH="$(dirname "$bun"):$PATH"
exec "$bun" "$@"
