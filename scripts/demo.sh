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

# The pipeline safety controller: apply the daily batch example, report its upstream sensor,
# and run its lifecycle for today on the virtual clock (docs/pipelines.md, "Running a pipeline").
echo
echo "== Pipeline daily-orders (examples/pipelines/daily-orders.yaml)"
"$BUILD_DIR"/sluice pipeline apply examples/pipelines/daily-orders.yaml
"$BUILD_DIR"/sluice sensor put daily-orders upstream \
  "{\"status\": \"SUCCEEDED\", \"rowCount\": 125000, \"updatedAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
# --force: running the demo again the same day reruns today's run instead of refusing it.
RUN_LOG=$(mktemp)
trap 'rm -f "$RUN_LOG"' EXIT
"$BUILD_DIR"/sluice pipeline run daily-orders --clock virtual --force --json | tee "$RUN_LOG"
ARN=$(sed -n 's/^Execution //p' "$RUN_LOG")
echo
echo "Lifecycle history of $ARN:"
"$BUILD_DIR"/sluice history "$ARN"
