#!/usr/bin/env bash
# Installs the dependencies, builds Sluice with its tests, and runs every test (unit tests and
# the AWS conformance cases). Usage: ./scripts/test.sh   (BUILD_DIR=... to change the build dir)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} -DSLUICE_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS"
