#!/usr/bin/env bash
# Installs hangar, the MCP gateway, as one executable.
#
#   curl -fsSL https://github.com/mapyr/mcp-hangar/releases/latest/download/install.sh | bash
#   ./install.sh                    # in a checkout: builds from source (Bun, or npm to fetch it)
#
# Settings, all optional (environment variables):
#   HANGAR_INSTALL_DIR   where `hangar` goes. Default: $HOME/.hangar/bin
#   HANGAR_VERSION       the release to download, e.g. 0.1.0 (or v0.1.0). Default: latest
#   HANGAR_DOWNLOAD_URL  where the release files are. Unset, it is https://github.com/mapyr/mcp-hangar/releases,
#                        read the way GitHub lays releases out:
#                          latest -> <base>/latest/download/<file>
#                          0.1.0  -> <base>/download/v0.1.0/<file>
#                        Set, it is a plain folder (a mirror, a local server) holding the files itself:
#                          latest -> <url>/<file>
#                          0.1.0  -> <url>/v0.1.0/<file>
#   HANGAR_INSTALL_FROM  source | release. Default: source when this script sits in a checkout (beside
#                        src/main.ts and package.json), release otherwise (e.g. piped from curl).
#
# A release install downloads hangar-<os>-<arch> (os: linux, darwin, windows; arch: x64, arm64; Windows
# adds .exe) and SHA256SUMS, and installs the binary only when its SHA-256 matches its line there.
# Running it again replaces the installed binary; nothing else is changed (no shell profile is edited).
set -euo pipefail

GITHUB_RELEASES="https://github.com/mapyr/mcp-hangar/releases"
REPO_URL="https://github.com/mapyr/mcp-hangar"

say() { printf '%s\n' "$*"; }
die() {
  printf 'Error: %s\n' "$*" >&2
  exit 1
}

# Prints the checkout this script was run from, or fails when it was piped in or stands alone.
checkout_dir() {
  local src="${BASH_SOURCE[0]:-}" dir
  [ -n "$src" ] && [ -f "$src" ] || return 1
  dir="$(cd "$(dirname "$src")" && pwd)" || return 1
  [ -f "$dir/src/main.ts" ] && [ -f "$dir/package.json" ] || return 1
  printf '%s\n' "$dir"
}

# Sets os and arch to this machine's release target.
detect_target() {
  local kernel machine
  kernel="$(uname -s)"
  machine="$(uname -m)"
  case "$kernel" in
    Linux*) os=linux ;;
    Darwin*) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "No prebuilt hangar for $kernel. Build it from source: git clone $REPO_URL && cd hangar && ./install.sh" ;;
  esac
  case "$machine" in
    x86_64 | amd64 | x64) arch=x64 ;;
    aarch64 | arm64 | armv8*) arch=arm64 ;;
    *) die "No prebuilt hangar for the $machine CPU. Build it from source: git clone $REPO_URL && cd hangar && ./install.sh" ;;
  esac
  # An x64 shell under Rosetta on Apple silicon: the native build is the better one.
  if [ "$os-$arch" = darwin-x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    arch=arm64
  fi
  # Windows on ARM runs x64 programs; there is no native build.
  if [ "$os-$arch" = windows-arm64 ]; then arch=x64; fi
}

# Downloads URL $1 to file $2.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" </dev/null
  else
    wget -q -O "$2" "$1" </dev/null
  fi
}

# Prints the SHA-256 of file $1 in lowercase hex.
sha256_of() {
  local line
  if command -v sha256sum >/dev/null 2>&1; then line="$(sha256sum "$1")"; else line="$(shasum -a 256 "$1")"; fi
  printf '%s\n' "${line%% *}" | tr 'A-F' 'a-f'
}

# Builds dist/hangar in checkout $1 unless it is newer than everything it is built from; sets `binary`.
build_from_source() {
  local root="$1"
  binary="$root/dist/hangar"
  [ -f "$binary" ] || [ ! -f "$binary.exe" ] || binary="$binary.exe"
  if [ -f "$binary" ] && [ -z "$(cd "$root" && find src package.json bun.lock scripts/build.sh -newer "$binary" 2>/dev/null | head -n 1)" ]; then
    say "Using $binary (up to date with src/)"
    return
  fi
  say "Building hangar from source in $root ..."
  bash "$root/scripts/build.sh" </dev/null ||
    die "The build failed (see above). Fix the error, or install a release instead: HANGAR_INSTALL_FROM=release ./install.sh"
  binary="$root/dist/hangar"
  [ -f "$binary" ] || binary="$binary.exe"
  [ -f "$binary" ] || die "The build finished but $root/dist/hangar is missing; run bash scripts/build.sh and check its output."
}

# Downloads and verifies this machine's release into the temp dir; sets `binary`.
download_release() {
  local version base url_dir file expected actual
  command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 ||
    die "Neither curl nor wget is installed; install one of them and run this again."
  command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 ||
    die "Neither sha256sum nor shasum is installed, so the download cannot be verified; install coreutils and run this again."

  detect_target
  file="hangar-$os-$arch"
  [ "$os" = windows ] && file="$file.exe"
  version="${HANGAR_VERSION:-latest}"
  version="${version#v}"
  if [ -n "${HANGAR_DOWNLOAD_URL:-}" ]; then
    base="${HANGAR_DOWNLOAD_URL%/}"
    if [ "$version" = latest ]; then url_dir="$base"; else url_dir="$base/v$version"; fi
  else
    base="$GITHUB_RELEASES"
    if [ "$version" = latest ]; then url_dir="$base/latest/download"; else url_dir="$base/download/v$version"; fi
  fi

  say "Downloading $file ($version) from $url_dir ..."
  if ! fetch "$url_dir/$file" "$tmp/$file"; then
    if [ "$version" = latest ]; then
      die "Cannot download $url_dir/$file. Check the network connection (or proxy) and run this again."
    fi
    die "Cannot download $url_dir/$file. Check that release v$version exists (HANGAR_VERSION) and that this machine can reach it, then run this again."
  fi
  fetch "$url_dir/SHA256SUMS" "$tmp/SHA256SUMS" ||
    die "Cannot download $url_dir/SHA256SUMS, so $file cannot be verified; nothing was installed. Run this again, or pick another release with HANGAR_VERSION."

  expected="$(tr -d '\r' <"$tmp/SHA256SUMS" | awk -v f="$file" '$2 == f || $2 == "*" f { print tolower($1); exit }')"
  [ -n "$expected" ] ||
    die "SHA256SUMS has no entry for $file, so it cannot be verified; nothing was installed. Pick another release with HANGAR_VERSION, or report it at $REPO_URL/issues."
  actual="$(sha256_of "$tmp/$file")"
  [ "$actual" = "$expected" ] ||
    die "Checksum did not match for $file (expected $expected, got $actual); nothing was installed. The download is corrupt or was tampered with: run this again, and if it keeps failing report it at $REPO_URL/issues."
  say "Checksum OK ($actual)"
  binary="$tmp/$file"
}

# Copies `binary` into install dir $1 as hangar, replacing any earlier one only once the new one runs.
install_binary() {
  local dir="$1" name=hangar staged out
  case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) name=hangar.exe ;; esac
  mkdir -p "$dir" 2>/dev/null || die "Cannot create $dir; choose another folder with HANGAR_INSTALL_DIR=/some/bin and run this again."
  staged="$dir/.hangar-new-$$"
  [ "$name" = hangar.exe ] && staged="$staged.exe"
  cleanup_files+=("$staged")
  if ! cp "$binary" "$staged" 2>/dev/null || ! chmod +x "$staged"; then
    die "Cannot write to $dir; choose another folder with HANGAR_INSTALL_DIR=/some/bin and run this again."
  fi
  out="$("$staged" --version </dev/null 2>&1)" ||
    die "The new hangar does not run here (hangar --version said: ${out:-nothing}); nothing was installed. If $dir is on a noexec mount, pick another HANGAR_INSTALL_DIR; on musl Linux (Alpine), build from source."
  mv -f "$staged" "$dir/$name" || die "Cannot replace $dir/$name; close any running hangar and run this again."
  installed="$dir/$name"
  version_line="$(printf '%s\n' "$out" | head -n 1)"
  case "$version_line" in [0-9]* | v[0-9]*) version_line="hangar $version_line" ;; esac
}

# Says how to put install dir $1 on PATH when it is not there yet.
path_hint() {
  local dir="$1" shown="$1" found
  case ":$PATH:" in
    *":$dir:"*)
      found="$(command -v hangar 2>/dev/null || true)"
      if [ -n "$found" ] && [ "$found" != "$installed" ]; then
        say "Note: $found comes first on your PATH; remove it or put $dir before it."
      fi
      return
      ;;
  esac
  if [ -n "${HOME:-}" ]; then
    case "$dir" in "$HOME"/*) shown="\$HOME/${dir#"$HOME"/}" ;; esac
  fi
  say ""
  say "$dir is not on your PATH. Add this line to ~/.bashrc or ~/.zshrc, then open a new terminal:"
  say "  export PATH=\"$shown:\$PATH\""
}

main() {
  local from="${HANGAR_INSTALL_FROM:-}" root="" dir
  root="$(checkout_dir || true)"
  if [ -z "$from" ]; then
    if [ -n "$root" ]; then from=source; else from=release; fi
  fi
  if [ -n "${HANGAR_INSTALL_DIR:-}" ]; then
    dir="$HANGAR_INSTALL_DIR"
  else
    [ -n "${HOME:-}" ] || die "HOME is not set; say where to install with HANGAR_INSTALL_DIR=/some/bin."
    dir="$HOME/.hangar/bin"
  fi

  tmp="$(mktemp -d 2>/dev/null || mktemp -d -t hangar)" || die "Cannot create a temporary folder; set TMPDIR to a writable folder."
  cleanup_files=("$tmp")
  trap 'rm -rf "${cleanup_files[@]}"' EXIT

  case "$from" in
    source)
      [ -n "$root" ] || die "HANGAR_INSTALL_FROM=source needs a checkout: git clone $REPO_URL && cd hangar && ./install.sh"
      build_from_source "$root"
      ;;
    release) download_release ;;
    *) die "HANGAR_INSTALL_FROM must be source or release, not \"$from\"." ;;
  esac

  install_binary "$dir"
  say "Installed ${version_line:-hangar} to $installed"
  path_hint "$dir"
  say "Run \`hangar help\` to get started. To use it from Claude Code:"
  say "  claude mcp add --scope user hangar -- $installed serve"
}

# Everything runs from here, once bash has read the whole script (safe when piped from curl).
main "$@"
