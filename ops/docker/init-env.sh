#!/usr/bin/env bash
# Writes compose/.env from compose/env.example with a new dashboard write token.
#   ops/docker/init-env.sh [--locked] [--force] [--env FILE] [KEY=VALUE...]
#   --locked   add CURVE keys for every service (volta-keys, run from the image): a locked bus
#   --force    replace an existing file (its token and keys are lost)
#   --env      the file to write (default compose/.env)
#   KEY=VALUE  settings that replace the example's
# The file is created readable by its owner only.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=compose/.env locked=0 force=0 overrides=()
while [ $# -gt 0 ]; do
  case $1 in
    --locked) locked=1 ;;
    --force) force=1 ;;
    --env) out=$2; shift ;;
    *=*) overrides+=("$1") ;;
    *) echo "init-env.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -e "$out" ] && [ $force = 0 ]; then echo "init-env.sh: $out exists (--force replaces it)" >&2; exit 1; fi
umask 077
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
{
  for pair in "${overrides[@]}"; do echo "$pair"; done
  keys=" $(printf '%s\n' "${overrides[@]}" | cut -d= -f1 | tr '\n' ' ')"
  grep -v '^#' compose/env.example | grep '=' | while IFS= read -r line; do
    case "$keys" in *" ${line%%=*} "*) continue ;; esac
    if [ "${line%%=*}" = VOLTA_DASHBOARD_TOKEN ]; then echo "VOLTA_DASHBOARD_TOKEN=$token"; else echo "$line"; fi
  done
} > "$out.tmp"
if [ $locked = 1 ]; then
  image=$(grep '^VOLTA_IMAGE=' "$out.tmp" | cut -d= -f2-)
  keys_dir=$(mktemp -d)
  trap 'rm -rf "$keys_dir"' EXIT
  docker run --rm --user "$(id -u)" -v "$keys_dir:/keys" --entrypoint volta-keys "$image" generate --out /keys/keys.env > /dev/null
  grep -v '^#' "$keys_dir/keys.env" >> "$out.tmp"
fi
mv "$out.tmp" "$out"
echo "wrote $out$([ $locked = 1 ] && echo ' with CURVE keys'); the dashboard token is in it"
