#!/usr/bin/env bash
# Regenerates Shared/Messages/Generated from Shared/Messages/proto with protoc and the
# protoc-gen-swift of the swift-protobuf version this package resolves.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v protoc >/dev/null || { sudo_if() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }; sudo_if apt-get install -y protobuf-compiler; }
plugin="${PROTOC_GEN_SWIFT:-}"
if [ -z "$plugin" ]; then
  swift build -c release --product protoc-gen-swift >&2
  plugin="$(swift build -c release --show-bin-path)/protoc-gen-swift"
fi
out=Shared/Messages/Generated
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=DropPath \
  -I Shared/Messages/proto --swift_out="$out" Shared/Messages/proto/*.proto
echo "regenerated: $(ls "$out"/*.pb.swift | wc -l) files in $out" >&2
