#!/usr/bin/env bash
# Builds the npm package's library into dist/lib (run by `npm pack` through `prepack`):
# - index.js, ai-sdk.js, langchain.js: the library for Node >= 20, Bun and Deno (ESM, `bun build
#   --target=node`); the package's dependencies stay imports, installed beside it as any library's, and
#   the adapters' frameworks (`ai`, `@langchain/core`) are the user's own (optional peers);
# - demo-provider.js: the demo MCP server the library's demo providers run;
# - types/: the .d.ts of the public entries (tsc), with `.js` import paths.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bun="$(bash scripts/ensure-bun.sh)"
# tsc and the declarations' imports come from the devDependencies. A node_modules that scripts/build.sh
# installed (--production, as ./install.sh runs it) lacks them, and `bun x tsc` would then fetch a bare
# TypeScript that finds no @types/bun: install everything whenever one of them is missing.
for dep in typescript @types/bun ai @langchain/core; do
  if [ ! -f "node_modules/$dep/package.json" ]; then
    "$bun" install --frozen-lockfile >&2
    break
  fi
done
out=dist/lib
rm -rf "$out"
mkdir -p "$out"
"$bun" build --target=node --format=esm --splitting --packages=external --outdir "$out" \
  src/lib/index.ts src/lib/ai-sdk.ts src/lib/langchain.ts src/lib/demo-provider.ts >&2
# The library must not need Bun: any Bun-only API left in it would fail under Node.
if grep -nE '\bBun\.[a-z]|from "bun"|"bun:' "$out"/*.js >&2; then
  echo "build-lib: the Node bundle calls Bun directly (see above); go through src/runtime/" >&2
  exit 1
fi
"$bun" x tsc -p tsconfig.lib.json
# Only the public entries' declarations (and the errors they export) ship; their paths end in .js.
find "$out/types" -mindepth 1 -maxdepth 1 ! -name lib ! -name errors.d.ts -exec rm -rf {} +
find "$out/types" -name '*.d.ts' -exec sed -i -E 's#((from|import) "\.{1,2}/[^"]*)\.ts"#\1.js"#g' {} +
echo "Built $out" >&2
