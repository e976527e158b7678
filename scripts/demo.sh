#!/usr/bin/env bash
# Installs the dependencies, builds the sluice binary and runs the shipped example state machine
# end to end, showing its output and its execution history.
# Usage: ./scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target sluice
EX=statemachines/examples
"$BUILD_DIR"/sluice run "$EX"/daily-ingest.asl.json \
  --functions "$EX"/daily-ingest.functions.yaml \
  --input-file "$EX"/daily-ingest.input.json \
  --clock virtual --history
# The run was recorded in the embedded SQLite database (./sluice.db by default):
echo
echo "Executions recorded in ${SLUICE_DB:-./sluice.db}:"
"$BUILD_DIR"/sluice list | head -5
