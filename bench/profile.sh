#!/usr/bin/env bash
# Profiles the hot paths of the benchmark scenarios and prints, for each, the top functions by
# self time and by inclusive time (what docs/performance.md summarises).
#
#   bench/profile.sh            # a (Pass chain, in memory) and c (1,000 concurrent, durable FULL)
#   bench/profile.sh a b c d e  # any of: a b c d e
#   TOP=40 bench/profile.sh c
#   JOBS=4 bench/profile.sh      # parallel build jobs (default 1)
#
# Uses perf (user-space sampling, --call-graph dwarf: the Release build has no frame pointers;
# needs kernel.perf_event_paranoid <= 2) on the binaries bench/run.sh builds in build-bench/.
# Without perf, falls back to valgrind --tool=callgrind on a reduced scenario (slower, counts
# instructions instead of time). Template arguments are elided (<>) to keep lines readable.
set -euo pipefail  # (the report pipelines end in `|| true`: head closes them early)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
TOP=${TOP:-25}
TMP=${BENCH_TMPDIR:-$BUILD/bench-tmp}
OUT=$BUILD/profiles
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(a c)

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then  # BENCH_SKIP_BUILD=1: use the binaries already built
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCH=ON >/dev/null
  nice cmake --build "$BUILD" -j "${JOBS:-1}" --target sluice sluice_bench >/dev/null
fi
BENCH=$BUILD/bench/sluice_bench
mkdir -p "$OUT" "$TMP"

# The command each scenario profiles (one repetition, sized to sample a second or two).
command_for() {
  case $1 in
    a) echo "$BENCH pass-chain --db :memory: --runs 1 --min-seconds 2" ;;
    b) echo "$BENCH map --db :memory: --runs 1 --min-seconds 2" ;;
    c) echo "$BENCH concurrent --executions 1000 --db file --durability full --runs 1 --tmpdir $TMP" ;;
    d) echo "$BENCH process-run --db :memory: --runs 40 --sluice $BUILD/sluice --tmpdir $TMP" ;;
    e) echo "$BENCH resume --executions 3000 --runs 1 --tmpdir $TMP" ;;
    *) echo "unknown scenario '$1' (a b c d e)" >&2; exit 2 ;;
  esac
}

elide() { perl -pe 's/(<(?:[^<>]++|(?1))*>)/<>/g; s/json_abi_v3_11_2:://g; s/\[abi:cxx11\]//g;
                     s/[ \t]+-[ \t]+-[ \t]*$//; s/[ \t]+$//'; }

with_perf() {
  local id=$1 data=$OUT/$1.perf.data
  # shellcheck disable=SC2046
  perf record -q -F 2000 --call-graph dwarf,32768 -o "$data" -- $(command_for "$id") >/dev/null
  echo "## $id: top $TOP by self time ($(command_for "$id" | sed "s|$BUILD/||g"))"
  perf report -i "$data" --no-children --stdio --sort dso,symbol -g none 2>/dev/null |
    grep '%' | head -n "$TOP" | elide || true
  echo
  echo "## $id: top $TOP by inclusive time"
  perf report -i "$data" --children --stdio --sort symbol -g none 2>/dev/null |
    grep '%' | elide |
    grep -v -E '_start|__libc_start|\] main$|RunIsolated|RunChild|_M_invoke|operator\(\)' |
    head -n "$TOP" || true
  echo
}

with_callgrind() {
  local id=$1 data=$OUT/$1.callgrind.out
  # shellcheck disable=SC2046
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$data.%p" \
    $(command_for "$id" | sed 's/--min-seconds 2/--min-seconds 0.2/; s/--runs 40/--runs 3/') \
    >/dev/null 2>&1
  echo "## $id: top $TOP by inclusive instructions (callgrind)"
  for f in "$data".*; do
    callgrind_annotate --inclusive=yes "$f" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -n "$TOP" |
      elide || true
  done
  echo
}

for id in "${SCENARIOS[@]}"; do
  if command -v perf >/dev/null && perf record -q -o /dev/null -- true 2>/dev/null; then
    with_perf "$id"
  else
    with_callgrind "$id"
  fi
done
