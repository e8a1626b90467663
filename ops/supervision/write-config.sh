#!/usr/bin/env bash
# Writes a supervisord config for the Volta stack.
#   write-config.sh BIN_DIR RUN_DIR [EXTRA_PROGRAM...]
# Every Volta executable found in BIN_DIR becomes a program (bus first), plus the watchdog that
# restarts hung processes. EXTRA_PROGRAM is "name=command line" (tests add a probe this way).
# Environment: VOLTA_BUS (default tcp://127.0.0.1), VOLTA_CONFIG (a config file for all),
# VOLTA_WATCHDOG_ARGS (extra watchdog flags), VOLTA_KEYS_FILE (a volta-keys file: lock the bus
# with CURVE; each program gets its own secret, the bus its allowlist), VOLTA_DEPLOYMENT=node
# (marketdata, pricer, risk, execution and strategy as one volta-node program, instance "node").
set -euo pipefail
bin=$(cd "$1" && pwd); run=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
bus="${VOLTA_BUS:-tcp://127.0.0.1}"
mkdir -p "$run/logs"
conf="$run/supervisord.conf"
# The config holds secrets when the bus is locked: readable by this user alone.
umask 077
if [ -n "${VOLTA_KEYS_FILE:-}" ]; then
  # shellcheck disable=SC1090
  . "$VOLTA_KEYS_FILE"
fi
env_line() {
  local instance=$1 key=$2
  local e="VOLTA_BUS=\"$bus\",VOLTA_INSTANCE=\"$instance\""
  [ -n "${VOLTA_CONFIG:-}" ] && e="$e,VOLTA_CONFIG=\"$VOLTA_CONFIG\""
  if [ -n "${VOLTA_KEYS_FILE:-}" ]; then
    local var="CURVE_$(echo "$key" | tr 'a-z-' 'A-Z_')_SECRET"
    [ -n "${!var:-}" ] || { echo "write-config.sh: $VOLTA_KEYS_FILE has no $var (volta-keys add $key)" >&2; exit 2; }
    e="$e,VOLTA_BUS_CURVE_SECRET_KEY=\"${!var}\""
    if [ "$key" = bus ]; then e="$e,VOLTA_BUS_CURVE_ALLOW=\"$CURVE_ALLOW\""; else e="$e,VOLTA_BUS_CURVE_SERVER_KEY=\"$CURVE_BUS_PUBLIC\""; fi
  fi
  echo "$e"
}
program() {  # name priority command [key name, default: name]
  local env
  env=$(env_line "$1" "${4:-$1}")
  cat <<EOT

[program:$1]
command=$3
environment=$env
priority=$2
autostart=true
autorestart=true
; A process that dies within startsecs is retried with a growing delay (1 s, 2 s, ...),
; startretries times; one that ran longer is restarted at once.
startsecs=2
startretries=20
stopsignal=TERM
stopwaitsecs=${VOLTA_STOPWAIT_SECS:-15}
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$run/logs/$1.log
stdout_logfile_maxbytes=20MB
stdout_logfile_backups=3
EOT
}
{
  cat <<EOT
[supervisord]
nodaemon=true
logfile=$run/supervisord.log
pidfile=$run/supervisord.pid
childlogdir=$run/logs

[unix_http_server]
file=$run/supervisor.sock

[supervisorctl]
serverurl=unix://$run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
EOT
  program bus 10 "$bin/bus"
  priority=20
  services="gateway marketdata pricer risk execution recorder strategy dashboard"
  if [ "${VOLTA_DEPLOYMENT:-separate}" = node ]; then
    services="gateway recorder dashboard"
    program node "$priority" "$bin/volta-node"
    priority=$((priority + 1))
  fi
  for svc in $services; do
    args=""
    # The record lives with the run: the database and its backups under RUN_DIR.
    [ "$svc" = recorder ] && args=" --set recorder.path=$run/volta.sqlite --set recorder.backup_dir=$run/backups"
    if [ -x "$bin/$svc" ]; then program "$svc" "$priority" "$bin/$svc$args"; priority=$((priority + 1)); fi
  done
  for extra in "$@"; do program "${extra%%=*}" 50 "${extra#*=}" "${extra%%=*}"; done
  program watchdog 90 "$bin/tap watchdog --restart-command \"supervisorctl -c $conf restart {instance}\" ${VOLTA_WATCHDOG_ARGS:-}" tap
} > "$conf"
echo "$conf"
