#!/usr/bin/env bash
# Makes sure a docker engine answers, starting Debian's dockerd when this user may. When it
# cannot, prints why on stdout and exits 1: the compose test then reports itself skipped with that
# reason.
#
# Every question to the engine has a time limit: a dockerd that had wedged (a loaded run's
# `compose down` left containers listed as up whose shims were gone, and `docker info` never
# returned) hung ops/test.sh here for good instead of skipping the one test that needs it.
set -uo pipefail
answers() { timeout 60 docker info > /dev/null 2>&1; }
command -v docker > /dev/null || { echo "no docker client (apt-get install docker.io)"; exit 1; }
answers && exit 0
if pgrep -x dockerd > /dev/null; then
  echo "dockerd is running but does not answer 'docker info' within 60 s (restart it: it may have wedged)"
  exit 1
fi
command -v dockerd > /dev/null || { echo "no docker engine: dockerd is not installed (apt-get install docker.io)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "dockerd is not running, and only root may start it"; exit 1; }
log=${TMPDIR:-/tmp}/volta-dockerd.log
nohup dockerd > "$log" 2>&1 &
for _ in $(seq 60); do timeout 10 docker info > /dev/null 2>&1 && exit 0; sleep 0.5; done
echo "dockerd did not answer within 30 s: $(tail -n 3 "$log" | tr '\n' ' ')"
exit 1
