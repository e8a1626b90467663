#!/usr/bin/env bash
# Starts the Volta stack on this machine under supervisord, after installing what it needs and
# building in release mode. Ctrl-C stops everything gracefully.
#   VOLTA_BUS      where the bus listens (default tcp://127.0.0.1 → ports 7770-7772)
#   VOLTA_RUN_DIR  logs, sockets and the generated config (default ./run)
#   VOLTA_CONFIG   a JSON config file for every service (see README, "Configuration"); default
#                  ops/profiles/simulated.json: the put seller and the stop manager on the
#                  simulated market, whose session is open around the clock (it trades at once)
#   VOLTA_DASHBOARD_TOKEN  the dashboard's write token (default: made once, kept in RUN_DIR)
#   VOLTA_KEYS_FILE  lock the bus with CURVE: a key file from `volta-keys generate` (docs/deployment.md)
#   VOLTA_DEPLOYMENT=node  the trading path (marketdata, pricer, strategy, risk, execution) as one
#                  volta-node process instead of five (docs/deployment.md, "One process")
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
swift build -c release
run_dir="${VOLTA_RUN_DIR:-run}"
mkdir -p "$run_dir"
export VOLTA_CONFIG="${VOLTA_CONFIG:-$(pwd)/ops/profiles/simulated.json}"
# The dashboard's write token (kill switch, manual trades): VOLTA_DASHBOARD_TOKEN, or one made
# once for this run directory and kept there, readable by this user alone.
if [ -z "${VOLTA_DASHBOARD_TOKEN:-}" ]; then
  [ -s "$run_dir/dashboard.token" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$run_dir/dashboard.token")
  VOLTA_DASHBOARD_TOKEN=$(cat "$run_dir/dashboard.token")
fi
export VOLTA_DASHBOARD_TOKEN
conf=$(ops/supervision/write-config.sh "$(swift build -c release --show-bin-path)" "$run_dir")
# The token is a secret: it is never printed, so that no captured output or log holds it.
echo "dashboard: http://127.0.0.1:${VOLTA_DASHBOARD_PORT:-8080}/ (to change things, open it with #token=\$(cat $run_dir/dashboard.token))"
echo "stack config: $conf; logs in $(dirname "$conf")/logs; watch the bus with: $(swift build -c release --show-bin-path)/tap"
exec supervisord -c "$conf"
