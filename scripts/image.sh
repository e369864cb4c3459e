#!/usr/bin/env bash
# Builds Hangar's OCI image from local files only (no registry is needed, none is pulled from): a root
# filesystem holding dist/hangar, the shared libraries `ldd` lists for it, a non-root user (65532) and
# writable folders, turned into an image with `docker import` (FROM scratch, in effect).
#
#   bash scripts/image.sh [--tag NAME] [--binary PATH]      (npm run image)
#
# --tag defaults to hangar:<version from package.json>, also tagged hangar:latest; --binary defaults to
# dist/hangar (built first when missing). Prints the tag on stdout. The image:
#   ENTRYPOINT ["hangar"]  CMD ["serve", "--http", "--host", "0.0.0.0"]  USER 65532:65532  EXPOSE 8000
#   WORKDIR /etc/hangar    mount the config at /etc/hangar/hangar.yaml (found as ./hangar.yaml), or set
#                          HANGAR_CONFIG; none means the built-in demo providers
#   HANGAR_HOME=/var/lib/hangar (a VOLUME): everything hangar writes, so `--read-only` works
# A non-loopback bind needs a token: give HANGAR_TOKEN_FILE (a mounted secret) or HANGAR_TOKEN.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)"
tag=""
binary="dist/hangar"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    *) echo "usage: scripts/image.sh [--tag NAME] [--binary PATH]" >&2; exit 2 ;;
  esac
done
extra_tag=""
if [ -z "$tag" ]; then tag="hangar:$version"; extra_tag="hangar:latest"; fi

PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
command -v docker >/dev/null || { echo "scripts/image.sh needs the docker client (apt-get install docker.io)" >&2; exit 1; }
[ -x "$binary" ] || { [ "$binary" = dist/hangar ] && bash scripts/build.sh; }
[ -x "$binary" ] || { echo "No executable at $binary" >&2; exit 1; }

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/hangar-image-XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT

# The binary and, at the same paths, every library the dynamic loader will look for.
install -D -m 0755 "$binary" "$rootfs/usr/local/bin/hangar"
ldd "$binary" | grep -o '/[^ ]*' | while read -r lib; do
  install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
done
# Root certificates for https providers and OTLP endpoints, when this machine has them.
for certs in /etc/ssl/certs/ca-certificates.crt; do
  [ -f "$certs" ] && install -D -m 0644 "$certs" "$rootfs$certs"
done

# A user for the numeric uid (so `whoami`-style lookups resolve), and the folders hangar may write to:
# sticky and world-writable like /tmp, so any uid an orchestrator picks can use them.
mkdir -p "$rootfs/etc" "$rootfs/etc/hangar" "$rootfs/var/lib/hangar" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
printf 'root:x:0:0:root:/root:/sbin/nologin\nhangar:x:65532:65532:hangar:/var/lib/hangar:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nhangar:x:65532:\n' >"$rootfs/etc/group"
chmod 1777 "$rootfs/var/lib/hangar" "$rootfs/tmp"
chmod 0755 "$rootfs/etc/hangar"

tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf - . |
  docker import \
    --change 'ENTRYPOINT ["hangar"]' \
    --change 'CMD ["serve", "--http", "--host", "0.0.0.0"]' \
    --change 'USER 65532:65532' \
    --change 'WORKDIR /etc/hangar' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV HOME=/var/lib/hangar' \
    --change 'ENV HANGAR_HOME=/var/lib/hangar' \
    --change 'EXPOSE 8000' \
    --change 'VOLUME /var/lib/hangar' \
    --message "hangar $version from local files" \
    - "$tag" >&2
if [ -n "$extra_tag" ]; then docker tag "$tag" "$extra_tag"; fi
echo "$tag"
