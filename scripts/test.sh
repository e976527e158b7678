#!/usr/bin/env bash
# Installs the dependencies, builds Sluice with its tests, and runs every test (unit tests and
# the AWS conformance cases). Usage: ./scripts/test.sh   (BUILD_DIR=... to change the build dir)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
./scripts/setup-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} -DSLUICE_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS"
# The suites' own counts, for the record.
echo "== AWS conformance cases =="
./tests/sluice_conformance --cases "$ROOT"/../shared/conformance/cases \
  --known-failures "$ROOT"/tests/conformance/known_failures.txt | sed -n '/by category/,$p'
echo "== JSONata reference suite =="
./tests/sluice_unit_tests --gtest_filter=JsonataTest.OfficialTestSuiteFloor | grep -E 'passed, [0-9]+ failed'
