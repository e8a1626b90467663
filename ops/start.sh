#!/usr/bin/env bash
# Starts the Volta stack on this machine under supervisord, after installing what it needs and
# building in release mode. Ctrl-C stops everything gracefully.
#   VOLTA_BUS      where the bus listens (default tcp://127.0.0.1 → ports 7770-7772)
#   VOLTA_RUN_DIR  logs, sockets and the generated config (default ./run)
#   VOLTA_CONFIG   a JSON config file for every service (see README, "Configuration")
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
swift build -c release
conf=$(ops/supervision/write-config.sh "$(swift build -c release --show-bin-path)" "${VOLTA_RUN_DIR:-run}")
echo "stack config: $conf; logs in $(dirname "$conf")/logs; watch the bus with: $(swift build -c release --show-bin-path)/tap"
exec supervisord -c "$conf"
