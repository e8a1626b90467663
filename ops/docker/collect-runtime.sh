#!/usr/bin/env bash
# Gathers what Volta's image runs: the executables listed in ops/docker/binaries from BIN_DIR,
# stripped, into OUT/bin, and the Swift runtime libraries they load (found by ldd), once, into
# OUT/lib. Debian's libraries (libzmq5, libsqlite3-0, libcurl4) come from the base image instead.
#   collect-runtime.sh BIN_DIR OUT
# Why not --static-swift-stdlib: each executable then carries its own Foundation and ICU data,
# 67 MB stripped, 800 MB for the twelve; shared, the runtime is about 80 MB once.
set -euo pipefail
bin=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/bin" "$out/lib"
for name in $(cat "$here/binaries"); do
  cp "$bin/$name" "$out/bin/"
  strip "$out/bin/$name"
  ldd "$bin/$name" | awk '$3 ~ /\/swift\// { print $3 }' | while read -r lib; do
    [ -e "$out/lib/$(basename "$lib")" ] || cp -L "$lib" "$out/lib/"
  done
done
strip --strip-unneeded "$out"/lib/*.so* 2> /dev/null || true
cp "$here/volta-entrypoint" "$out/bin/"
