#!/usr/bin/env bash
# Cross-compiles hangar for every released platform into dist/release/, copies install.sh there (the
# README's one-liner downloads it from the release) and writes SHA256SUMS covering all of them.
#
#   bash scripts/release.sh                              # all targets
#   bash scripts/release.sh --targets host               # only this machine's target
#   bash scripts/release.sh --targets linux-x64,darwin-arm64 --out /tmp/rel
#
# Files: hangar-linux-x64, hangar-linux-arm64, hangar-darwin-x64, hangar-darwin-arm64,
# hangar-windows-x64.exe, install.sh, and SHA256SUMS (`<hex>  <file>`, as sha256sum prints it) listing the
# files built and install.sh.
# Targets other than the host need Bun's runtime for that platform, which `bun build` fetches from the
# npm registry (@oven/bun-<os>-<arch>) on first use; offline, those targets fail and are named below.
set -euo pipefail

ALL_TARGETS="linux-x64 linux-arm64 darwin-x64 darwin-arm64 windows-x64"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  echo "Usage: bash scripts/release.sh [--targets LIST] [--out DIR]"
  echo "  --targets LIST  comma-separated, from: ${ALL_TARGETS// /, }, or host (default: all)"
  echo "  --out DIR       where the binaries and SHA256SUMS go (default: dist/release)"
}

fail_usage() {
  echo "release.sh: $1" >&2
  usage >&2
  exit 2
}

host_target() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) echo "release.sh: no release target for this OS ($(uname -s)); pass --targets explicitly." >&2; exit 2 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "release.sh: no release target for this CPU ($(uname -m)); pass --targets explicitly." >&2; exit 2 ;;
  esac
  echo "$os-$arch"
}

# Milliseconds since the epoch (whole seconds on bash < 5, which has no EPOCHREALTIME).
now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo "$(( 10#${t:0:${#t}-3} ))"
  else
    echo "$(( $(date +%s) * 1000 ))"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

targets="$ALL_TARGETS"
out="$root/dist/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) [ $# -ge 2 ] || fail_usage "--targets needs a list, e.g. --targets linux-x64,darwin-arm64"
      targets="${2//,/ }"; shift 2 ;;
    --targets=*) targets="${1#--targets=}"; targets="${targets//,/ }"; shift ;;
    --out) [ $# -ge 2 ] || fail_usage "--out needs a directory"; out="$2"; shift 2 ;;
    --out=*) out="${1#--out=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) fail_usage "unknown option \"$1\"" ;;
  esac
done

resolved=""
for t in $targets; do
  [ "$t" = host ] && t="$(host_target)"
  case " $ALL_TARGETS " in
    *" $t "*) ;;
    *) fail_usage "unknown target \"$t\"" ;;
  esac
  case " $resolved " in *" $t "*) ;; *) resolved="$resolved $t" ;; esac
done
[ -n "$resolved" ] || fail_usage "no targets given"

bun="$(bash "$root/scripts/ensure-bun.sh")"
cd "$root"
[ -d node_modules ] || "$bun" install --frozen-lockfile --production >&2
mkdir -p "$out"
out="$(cd "$out" && pwd)"

built=()
failed=()
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for t in $resolved; do
  file="hangar-$t"
  [ "${t%%-*}" = windows ] && file="$file.exe"
  rm -f "$out/$file"
  start="$(now_ms)"
  if "$bun" build --compile --no-compile-autoload-dotenv --no-compile-autoload-bunfig --splitting --bytecode --format=esm --target="bun-$t" --minify-syntax --minify-whitespace src/main.ts \
    --outfile "$out/$file" >"$log" 2>&1 && [ -f "$out/$file" ]; then
    echo "Built $file in $(( $(now_ms) - start )) ms" >&2
    built+=("$file")
  else
    echo "Cannot build $file (bun build --target=bun-$t):" >&2
    grep -Ev '^ *\[[0-9.]+m?s\] ' "$log" | tail -n 8 | sed 's/^/    /' >&2
    failed+=("$t")
  fi
done

if [ ${#built[@]} -gt 0 ]; then
  cp "$root/install.sh" "$out/install.sh"
  chmod +x "$out/install.sh"
  built+=(install.sh)
  (cd "$out" && sha256 "${built[@]}") >"$out/SHA256SUMS"
  echo "Wrote $out/install.sh and $out/SHA256SUMS (${#built[@]} file(s))" >&2
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "release.sh: ${#failed[@]} target(s) failed: ${failed[*]}." >&2
  echo "Each target needs Bun's runtime for that platform, which bun downloads from the npm registry once" \
    "(then caches in ~/.bun/install/cache); check the network or proxy and run again," \
    "or leave those out with --targets." >&2
  exit 1
fi
