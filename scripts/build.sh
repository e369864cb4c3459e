#!/usr/bin/env bash
# Builds dist/hangar, one self-contained executable for this machine (bun build --compile).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bun="$(bash scripts/ensure-bun.sh)"
# The build needs only the runtime dependencies; the devDependencies (Inspector, test servers,
# conformance suite, tsc, Biome) come with `npm test`.
[ -d node_modules ] || "$bun" install --frozen-lockfile --production >&2
mkdir -p dist
# --splitting: each lazily imported part (a command's work, the SDK, the HTTP front) is its own chunk inside
# the binary, so a start loads only the bytecode of what it runs (`--version` and the demo provider ~6 ms
# less CPU each, issue 11). --no-compile-autoload-*: a compiled Bun program reads the .env and bunfig.toml
# of the folder it runs in by default (a bunfig preload runs code); hangar reads only its own config.
"$bun" build --compile --no-compile-autoload-dotenv --no-compile-autoload-bunfig --splitting --bytecode --format=esm --minify-syntax --minify-whitespace src/main.ts --outfile dist/hangar >&2
echo "Built dist/hangar" >&2
