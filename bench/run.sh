#!/usr/bin/env bash
# Builds Sluice's benchmarks (Release, in build-bench/) and runs every scenario of the performance
# issue, printing one Markdown table row per figure: the median of the repetitions, with min
# and max, the median figure computed from CPU time instead of wall time (on a shared machine,
# wall time includes waiting for a CPU; CPU time excludes that, and also excludes waiting for
# fsync), and the 1-minute load average when the row was measured. Baselines measured in the
# same run (the machine's own limits: a bare interpreter loop, plain SQLite commits, a trivial
# process) come first; at the end, each figure as a ratio of its baseline and against the
# issue's targets. The whole run takes about ten minutes; the table also goes to
# build-bench/bench-results.md.
#
#   bench/run.sh                 # everything, 5 repetitions per scenario
#   RUNS=7 bench/run.sh          # more repetitions
#   BENCH_BUILD_DIR=/path bench/run.sh
#   BENCH_TMPDIR=/path bench/run.sh   # where durable databases go (must be a real disk, not tmpfs)
#   JOBS=4 bench/run.sh          # parallel build jobs (default 1: the machine may be shared)
#   BENCH_SKIP_BUILD=1 bench/run.sh   # run the binaries already in the build directory
#
# Scenarios (docs/performance.md explains each):
#   a  1,000 chained Pass states (bare executor; Service with --db :memory:; durable FULL)
#   b  a Map over 10,000 items, each a Pass
#   c  1,000 and 10,000 concurrent executions of a 10-state machine (memory, FULL, NORMAL)
#   d  `sluice run` of a one-state machine as a whole process (--db :memory:, default file db)
#   e  resuming 10,000 executions parked in a Wait (Service::Open + Recover, then Run)
#   f  Google Benchmark micro-benchmarks (JSONPath, templates, intrinsics, Choice, JSONata)
#   g  peak RSS with 100,000 executions parked in a Wait
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
RUNS=${RUNS:-5}
TMP=${BENCH_TMPDIR:-$BUILD/bench-tmp}
JOBS=${JOBS:-1}

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then  # BENCH_SKIP_BUILD=1: use the binaries already built
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCH=ON >/dev/null
  nice cmake --build "$BUILD" -j "$JOBS" --target sluice sluice_bench sluice_microbench >/dev/null
fi

BENCH=$BUILD/bench/sluice_bench
MICRO=$BUILD/bench/sluice_microbench
RESULTS=$BUILD/bench-results.md
mkdir -p "$TMP"

machine() {
  echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
    "kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
  echo "Bench dir: $TMP ($(df -T "$TMP" | awk 'NR==2 {print $2}'))"
  echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $RUNS repetitions per scenario (d: 20 process runs)"
  echo
}

# Google Benchmark's console aggregates (NAME_median / _min / _max of the real time, and the
# median CPU time) as table rows.
micro_rows() {
  "$MICRO" --benchmark_repetitions="$RUNS" --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.2 2>/dev/null |
    awk -v runs="$RUNS" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
      $1 ~ /_(median|min|max)$/ {
        name = $1; sub(/_(median|min|max)$/, "", name); kind = substr($1, length(name) + 2)
        value[name, kind] = $2; unit[name] = $3; cpu[name, kind] = $4 " " $5
        if (!(name in seen)) { seen[name] = 1; order[++n] = name }
      }
      END {
        for (i = 1; i <= n; i++) {
          k = order[i]
          printf "| f | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, value[k, "median"],
            value[k, "min"], value[k, "max"], unit[k], runs, cpu[k, "median"], load
        }
      }'
}

declare -A MEDIAN  # key -> median of the row measured under that key

# `measure KEY COMMAND…`: runs a sluice_bench command, prints its rows and remembers the median
# of its first row under KEY.
measure() {
  local key=$1 out
  shift
  out=$("$@")
  echo "$out"
  MEDIAN[$key]=$(awk -F'|' 'NR == 1 {gsub(/[ ,]/, "", $4); print $4}' <<<"$out")
}

# `ratio TEXT A B [UNIT]`: one row, MEDIAN[A] / MEDIAN[B].
ratio() {
  awk -v text="$1" -v a="${MEDIAN[$2]:-0}" -v b="${MEDIAN[$3]:-0}" \
    'BEGIN { if (b == 0) exit; printf "| %s | %.3g |\n", text, a / b }'
}

# `target TEXT KEY OP LIMIT`: one row, whether MEDIAN[KEY] meets `OP LIMIT` (>= or <=) and by
# how much (the factor to go when missed).
target() {
  awk -v text="$1" -v x="${MEDIAN[$2]:-0}" -v op="$3" -v limit="$4" 'BEGIN {
    met = (op == ">=") ? x >= limit : x <= limit
    factor = (op == ">=") ? limit / x : x / limit
    printf "| %s | %s %s | %g | %s |\n", text, op, limit, x,
      met ? "met" : sprintf("missed, %.3gx to go", factor)
  }'
}

scenarios() {
  machine
  echo "| id | scenario | median | min | max | unit | runs | median by CPU time | load |"
  echo "|---|---|---:|---:|---:|---|---:|---:|---:|"
  local common=(--runs "$RUNS" --tmpdir "$TMP")
  measure loop "$BENCH" baseline-loop --id base "${common[@]}"
  measure sql1 "$BENCH" sqlite-commit --id base --durability full "${common[@]}"
  measure sql100 "$BENCH" sqlite-commit --id base --durability full --rows-per-commit 100 \
    "${common[@]}"
  measure true "$BENCH" process-time --id base --runs 20 --tmpdir "$TMP" --program /bin/true \
    --label "baseline: /bin/true, whole process"
  measure version "$BENCH" process-time --id base --runs 20 --tmpdir "$TMP" \
    --program "$BUILD/sluice" --args --version --label "baseline: \`sluice --version\`, whole process"
  measure fsync "$BENCH" fsync --id base --runs 200 --tmpdir "$TMP"
  measure a_exec "$BENCH" pass-chain-executor --id a "${common[@]}"
  measure a_mem "$BENCH" pass-chain --id a --db :memory: "${common[@]}"
  measure a_full "$BENCH" pass-chain --id a --db file --durability full "${common[@]}"
  measure b_mem "$BENCH" map --id b --db :memory: --min-seconds 1 "${common[@]}"
  measure b_full "$BENCH" map --id b --db file --durability full --min-seconds 1 "${common[@]}"
  for n in 1000 10000; do
    measure "c${n}_mem" "$BENCH" concurrent --id c --executions "$n" --db :memory: "${common[@]}"
    measure "c${n}_full" "$BENCH" concurrent --id c --executions "$n" --db file \
      --durability full "${common[@]}"
    measure "c${n}_normal" "$BENCH" concurrent --id c --executions "$n" --db file \
      --durability normal "${common[@]}"
  done
  measure d_mem "$BENCH" process-run --id d --db :memory: --runs 20 --sluice "$BUILD/sluice" \
    --tmpdir "$TMP"
  measure d_file "$BENCH" process-run --id d --db default --runs 20 --sluice "$BUILD/sluice" \
    --tmpdir "$TMP"
  measure e "$BENCH" resume --id e --executions 10000 "${common[@]}"
  micro_rows
  measure g "$BENCH" rss --id g --executions 100000 "${common[@]}"
  measure g_file "$BENCH" rss --id g --executions 100000 --db file --durability full "${common[@]}"

  echo
  echo "| ratio (medians of this run) | value |"
  echo "|---|---:|"
  ratio "a: bare Executor / baseline loop" a_exec loop
  ratio "a: Service --db :memory: / baseline loop" a_mem loop
  ratio "a: Service durable FULL / Service --db :memory:" a_full a_mem
  ratio "b: durable FULL / --db :memory:" b_full b_mem
  ratio "c: 1,000 concurrent, FULL: transitions per SQLite 1-row FULL commit" c1000_full sql1
  ratio "c: 1,000 concurrent, NORMAL / SQLite rows/s at 100 rows per commit" c1000_normal sql100
  ratio "d: \`sluice run --db :memory:\` / \`sluice --version\`" d_mem version
  ratio "d: \`sluice run --db :memory:\` / /bin/true" d_mem true
  echo
  echo "| target (issue 4) | limit | median | verdict |"
  echo "|---|---|---:|---|"
  target "a: Service --db :memory:, transitions/s" a_mem ">=" 1000000
  target "a: bare Executor, transitions/s" a_exec ">=" 1000000
  target "c: 1,000 concurrent, FULL, transitions/s" c1000_full ">=" 50000
  target "c: 1,000 concurrent, NORMAL, transitions/s" c1000_normal ">=" 100000
  target "d: \`sluice run\` (--db :memory:), ms" d_mem "<=" 5
  target "d: \`sluice run\` (default file db), ms" d_file "<=" 5
  target "e: resume 10,000 (Open + Recover), s" e "<=" 1
  target "g: peak RSS per waiting execution (--db :memory:), bytes" g "<=" 10240
  target "g: peak RSS per waiting execution (file db), bytes" g_file "<=" 10240
  echo
  echo "Peer targets (a ≥ 3x, b ≥ 10x, d) are checked by bench/compare-peer."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

scenarios | tee "$RESULTS"
echo
echo "Written to $RESULTS"
