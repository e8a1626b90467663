#!/usr/bin/env bash
# Runs every Volta test on this machine, after installing what they need: unit tests, the
# transport conformance suite over the in-memory hub and ZeroMQ, the multi-process kill tests,
# supervision, the compose stack on dockerd, the Python interop tests and the QuantLib oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
VOLTA_DOCKER=1 ops/install-deps.sh
swift build --build-tests
# The compose stack's test runs Volta's image on dockerd. Build it here, before `swift test`
# holds the build folder: the test reports itself skipped, with this reason, when it cannot run.
mkdir -p .build
if reason=$(ops/docker/ensure-dockerd.sh); then
  if ops/docker/build-image.sh volta:test > .build/docker-image.log 2>&1; then reason=""
  else reason="building the image failed (.build/docker-image.log): $(tail -n 3 .build/docker-image.log | tr '\n' ' ')"; fi
fi
printf '%s' "$reason" > .build/docker-skip-reason
# One test at a time: on a 2-core machine, parallel multi-process tests starve each other.
# A CI log may show only its tail: after a failure, the failing tests are printed again there.
# A hung test must fail the run naming itself, not run into CI's time limit silently: the
# whole `swift test` has VOLTA_TEST_LIMIT seconds (about three times a loaded run's).
log=.build/swift-test.log
if ! timeout --kill-after=30 "${VOLTA_TEST_LIMIT:-3000}" swift test --skip-build --no-parallel 2>&1 | tee "$log"; then
  echo "== failed tests (from $log):"
  grep -a -E '^✘ Test .* (recorded an issue|failed after)' "$log" | cut -c1-600 || true
  echo "== tests started that never ended (a hang, when the run was stopped):"
  ops/unfinished-tests.sh "$log" || true
  exit 1
fi
for test in Tests/Interop/test_*.py; do python3 "$test" "$(swift build --show-bin-path)"; done
