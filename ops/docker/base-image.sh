#!/usr/bin/env bash
# Makes the Debian base of Volta's image without a registry: debootstrap a minimal bookworm with
# the runtime libraries only (libzmq5, libsqlite3-0, libcurl4 for Foundation's URLSession in the
# dashboard's alert webhook, tzdata, ca-certificates), add the non-root
# user, trim what a runtime never reads, and `docker import` it. Does nothing when the image exists.
#   base-image.sh [TAG]   (default volta-base:bookworm-2; the -2 since libcurl4 joined the list,
#   so a machine holding the older base makes the new one)
# Needs root (debootstrap) and a Debian mirror (DEBIAN_MIRROR, default deb.debian.org).
set -euo pipefail
tag=${1:-volta-base:bookworm-2}
if docker image inspect "$tag" > /dev/null 2>&1; then exit 0; fi
root=$(mktemp -d /tmp/volta-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=libzmq5,libsqlite3-0,libcurl4,tzdata,ca-certificates \
  bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; exit 1; }
chroot "$root" useradd --no-create-home --uid 10001 --home-dir /data --shell /usr/sbin/nologin volta
mkdir -p "$root/data"
chroot "$root" chown volta:volta /data
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man \
  "$root"/usr/share/info "$root"/usr/share/locale "$root"/var/log/*
tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag" > /dev/null
rm -f "$root.log"
echo "made $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}'))"
