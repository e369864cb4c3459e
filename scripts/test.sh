#!/usr/bin/env bash
# The whole test suite: install dependencies, type-check, lint, build dist/hangar, run every test.
# Ends with the line "N passed, N failed". Extra arguments go to `bun test` (e.g. a file filter).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bun="$(bash scripts/ensure-bun.sh)" || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$(dirname "$bun"):$PATH"

"$bun" install --frozen-lockfile >&2 || { echo "bun install failed"; echo "0 passed, 1 failed"; exit 1; }
echo "Type-checking ..." >&2
"$bun" x tsc --noEmit || { echo "Type check failed"; echo "0 passed, 1 failed"; exit 1; }
echo "Linting (biome check) ..." >&2
"$bun" x biome check . >&2 || { echo "Lint failed: run 'npm run lint:fix' to format and fix"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/build.sh || { echo "Build failed"; echo "0 passed, 1 failed"; exit 1; }

log="$(mktemp)"
"$bun" test --timeout 30000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
