#!/usr/bin/env bash
# Runs the newest MCP conformance suite (devDependency alias conformance-next) in server mode against
# the compiled `dist/hangar serve --http`, with tests/fixtures/conformance-server.ts, mrtr-server.ts (the
# multi-round-trip tools) and tasks-server.ts (the tasks scenarios' tools) behind it under their own names
# (`prefix: false`), as tests/http-conformance.test.ts does (which gates npm test on it).
# Arguments go to the suite, e.g. `--requirements 2026-07-28` or `--suite all`.
# Prints the suite's output, then "N passed, N failed" over scenarios and the failing scenario names.
# Build first (bash scripts/build.sh). Exits 0 whatever the suite found: it measures, it does not gate.
# $CONFORMANCE_RESULTS (default: a temp dir removed at the end) keeps the suite's per-scenario checks.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bun="$(bash "$root/scripts/ensure-bun.sh")" || exit 1
[ -x "$root/dist/hangar" ] || { echo "dist/hangar is missing: run bash scripts/build.sh first" >&2; exit 1; }

box="$(mktemp -d "${TMPDIR:-/tmp}/hangar-conformance-XXXXXX")"
mkdir -p "$box/home" "$box/cwd"
hangar_pid=""
cleanup() {
  [ -n "$hangar_pid" ] && kill "$hangar_pid" 2>/dev/null && wait "$hangar_pid" 2>/dev/null
  rm -rf "$box"
}
trap cleanup EXIT

printf 'providers:\n  - {"id":"conformance","command":["%s","%s"],"prefix":false}\n  - {"id":"mrtr","command":["%s","%s"],"prefix":false}\n  - {"id":"tasks","command":["%s","%s"],"prefix":false}\n' \
  "$bun" "$root/tests/fixtures/conformance-server.ts" "$bun" "$root/tests/fixtures/mrtr-server.ts" "$bun" "$root/tests/fixtures/tasks-server.ts" >"$box/cwd/hangar.yaml"
(cd "$box/cwd" && HOME="$box/home" NO_COLOR=1 exec "$root/dist/hangar" serve --http --port 0) 2>"$box/stderr" &
hangar_pid=$!

url=""
for _ in $(seq 1 100); do
  url="$(grep -Eo 'http://[^ ]+/mcp' "$box/stderr" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$hangar_pid" 2>/dev/null || { cat "$box/stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "hangar did not listen within 10 s" >&2; cat "$box/stderr" >&2; exit 1; }
# Scenarios call tools and prompts by name: open one 2025 session and wait until it lists the fixture's
# prompt (initialized starts the providers).
post() { curl -s -D "$box/headers" -X POST "$url" -H 'content-type: application/json' \
  -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-11-25' "$@"; }
post -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"warm","version":"1"}}}' >/dev/null
session="$(grep -i '^mcp-session-id:' "$box/headers" | tr -d '\r' | awk '{print $2}')"
post -H "mcp-session-id: $session" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
for _ in $(seq 1 150); do
  post -H "mcp-session-id: $session" -d '{"jsonrpc":"2.0","id":2,"method":"prompts/list"}' |
    grep -q test_prompt_with_arguments && break
  sleep 0.1
done

out="$box/out"
(cd "$box/cwd" && HOME="$box/home" "$bun" "$root/node_modules/conformance-next/dist/index.js" \
  server --url "$url" -o "${CONFORMANCE_RESULTS:-$box/results}" "$@") >"$out" 2>&1
cat "$out"
echo "---"
passed=$(grep -cE '^✓ \S+: [0-9]+ passed, [0-9]+ failed' "$out")
failed=$(grep -cE '^✗ \S+: [0-9]+ passed, [0-9]+ failed' "$out")
echo "$passed passed, $failed failed"
grep -E '^✗ \S+: [0-9]+ passed, [0-9]+ failed' "$out" | sed -E 's/^✗ (\S+):.*/failing: \1/'
exit 0
