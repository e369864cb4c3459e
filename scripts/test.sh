#!/usr/bin/env bash
# The whole test suite: install dependencies, type-check, lint, build dist/hangar, run every test.
# Ends with the line "N passed, N failed". Extra arguments go to `bun test` (e.g. a file filter) and run
# in one `bun test` process, as they always did.
#
# Without arguments the files run in two groups at the same time, because most of the suite waits on
# processes it started (dist/hangar, providers, npm, HAProxy) rather than on the CPU:
# - "containers": the files that use the docker daemon, in one `bun test` process, one after the other
#   (tests/helpers/docker.ts starts dockerd when it is not running and stops it after the file: two files
#   at once would both start it, or one would stop it under the other);
# - "rest": every other file, in `bun test --parallel` workers (one per core, at least two), the slowest
#   files first as tests/timings.json measured them (`bash scripts/test.sh --update-timings` measures anew).
# Every test uses its own temp HOME and ports picked by the system, so files do not collide.
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

TIMEOUT_MS=30000
# The files that need the docker daemon (see above).
CONTAINER_FILES=(tests/e2e/docker.test.ts tests/e2e/image.test.ts)
TIMINGS=tests/timings.json

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# Counts from a `bun test` log: its last " N pass" / " N fail" lines.
count() { grep -Eo "^ *[0-9]+ $2\$" "$1" | tail -1 | grep -Eo '[0-9]+' || echo 0; }

if [ "$#" -gt 0 ] && [ "$*" != "--update-timings" ]; then
  "$bun" test --timeout "$TIMEOUT_MS" "$@" 2>&1 | tee "$logs/one"
  status=${PIPESTATUS[0]}
  passed=$(count "$logs/one" pass)
  failed=$(count "$logs/one" fail)
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "$passed passed, $failed failed"
  exit "$status"
fi

update=()
if [ "$*" = "--update-timings" ]; then update=(--update-timings); fi
workers=$(nproc 2>/dev/null || echo 2)
if [ "$workers" -lt 2 ]; then workers=2; fi
ignore=()
for file in "${CONTAINER_FILES[@]}"; do ignore+=("--path-ignore-patterns=$file"); done

echo "Running the tests in two groups at once: ${CONTAINER_FILES[*]} in one process; the rest in $workers workers" >&2
start=$(date +%s)
"$bun" test --timeout "$TIMEOUT_MS" "${CONTAINER_FILES[@]/#/./}" >"$logs/containers" 2>&1 &
containers=$!
"$bun" test --timeout "$TIMEOUT_MS" --parallel="$workers" --timings="$TIMINGS" "${update[@]}" "${ignore[@]}" \
  >"$logs/rest" 2>&1 &
rest=$!

status=0
passed=0
failed=0
for group in containers rest; do
  wait "${!group}"
  code=$?
  echo "=== group \"$group\" finished after $(($(date +%s) - start)) s (exit $code) ==="
  cat "$logs/$group"
  p=$(count "$logs/$group" pass)
  f=$(count "$logs/$group" fail)
  if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$code" -ne 0 ]; then status=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
done
echo "$passed passed, $failed failed"
exit "$status"
