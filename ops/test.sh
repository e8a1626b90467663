#!/usr/bin/env bash
# Runs every Volta test on this machine, after installing what they need: unit tests, the
# transport conformance suite over the in-memory hub and ZeroMQ, the multi-process kill tests,
# supervision, the Python interop test (pyzmq) and the QuantLib oracle for the pricer.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
swift build --build-tests
# One test at a time: on a 2-core machine, parallel multi-process tests starve each other.
swift test --skip-build --no-parallel
for test in Tests/Interop/test_*.py; do python3 "$test" "$(swift build --show-bin-path)"; done
