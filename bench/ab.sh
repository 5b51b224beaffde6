#!/usr/bin/env bash
# A/B of two gateway builds on this machine: alternates `QUICK=1 bench/run.sh` (the gateway alone:
# req/s, CPU per request of the gateway and of Redis, script calls per request) between JAR_A and
# JAR_B, ROUNDS times each. Judge by CPU per request: on a shared machine req/s swings more.
# Usage: bench/ab.sh path/to/a.jar path/to/b.jar   (ROUNDS=3 WARMUP=15s DURATION=15s, ROUTE, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/ab.sh JAR_A JAR_B" >&2; exit 2; }
for i in $(seq "${ROUNDS:-3}"); do
  for jar in "$1" "$2"; do
    JAR=$jar QUICK=1 WARMUP=${WARMUP:-15s} DURATION=${DURATION:-15s} bench/run.sh 2>/dev/null | tail -1
  done
done
