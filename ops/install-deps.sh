#!/usr/bin/env bash
# Installs what building, running and testing Volta need on Debian: libzmq, SQLite, protoc,
# supervisord, tzdata (the pricer times expiries in New York time), Chromium (the dashboard's
# browser test drives it headless), the Python packages the tests use as oracles and clients, and
# with VOLTA_DOCKER=1 docker.io, docker-compose and debootstrap.
# Safe to run again.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
for pkg in libzmq3-dev libsqlite3-dev protobuf-compiler supervisor pkg-config python3-pip tzdata chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# The compose stack's test (VOLTA_DOCKER=1, as ops/test.sh sets): a docker engine, Compose, and
# debootstrap for the local Debian base image.
if [ "${VOLTA_DOCKER:-0}" = 1 ]; then
  for pkg in docker.io docker-compose debootstrap; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "Swift 6 is required (https://www.swift.org/install/linux/)" >&2; exit 1; }
if [ "${VOLTA_PYTHON_TESTS:-1}" = 1 ]; then
  # ib_async and the official ibapi (9.81, the last IB put on PyPI) are third-party clients of twsim.
  oracles=(pyzmq "protobuf>=4.21,<5" QuantLib mpmath exchange_calendars websocket-client ib_async==2.1.0 ibapi==9.81.1.post1
           empyrical-reloaded arch schemathesis==4.32.5)
  pip_install() { python3 -m pip install -q --disable-pip-version-check "$@" >/dev/null 2>&1; }
  # Debian 12's own python3 refuses pip installs (PEP 668, "externally managed"); on a CI machine
  # the test oracles may go into it anyway.
  pip_install "${oracles[@]}" || pip_install --break-system-packages "${oracles[@]}" || \
    echo "warning: pip could not install the test oracles (${oracles[*]}); the Python tests will fail" >&2
fi
