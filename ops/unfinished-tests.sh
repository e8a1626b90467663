#!/usr/bin/env bash
# Prints the swift-testing tests a log shows started and never passed nor failed: after a run
# stopped by its time limit, the hung one is among them.
set -euo pipefail
grep -a -E '^(◇|✔|✘) Test "' "$1" | awk '
  { match($0, /Test "[^"]*"/); name = substr($0, RSTART, RLENGTH) }
  /^◇/ && / started\.$/ { open[name] = 1; next }
  / (passed|failed) after / { delete open[name] }
  END { for (n in open) print n }'
