#!/usr/bin/env bash
# Builds Volta's image from binaries built on this host (release) on the local Debian base from
# base-image.sh: for machines that cannot pull images. Machines with a registry can use
# ops/docker/Dockerfile instead; both give the same image.
#   ops/docker/build-image.sh [TAG]   (default volta:local)
#   VOLTA_BASE_IMAGE   the base (default volta-base:bookworm-2, made when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:-volta:local}
base=${VOLTA_BASE_IMAGE:-volta-base:bookworm-2}
ops/docker/base-image.sh "$base"
swift build -c release
context=$(mktemp -d /tmp/volta-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
ops/docker/collect-runtime.sh "$(swift build -c release --show-bin-path)" "$context"
cp -r ops/scenarios "$context/scenarios"
sed "s|^FROM runtime-base|FROM $base|" ops/docker/Runtime.Dockerfile > "$context/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$context" > /dev/null
echo "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}'))"
