#!/bin/sh
# Runs each fuzz target for at least MIN_SECS seconds AND at least MIN_RUNS
# executions (whichever comes later), one target at a time, at the lowest
# priority, and prints one README table row per target:
#   | target | executions | time | cov | ft | crashes |
# New inputs go to a scratch directory ($SCRATCH/<target>), never into the
# curated seed corpus. Crash inputs land in fuzz/artifacts/<target>/, which
# tests/fuzz_corpus.rs replays.
#
#   cd fuzz && ./campaign.sh                      # every target, 10 min / 10 M each
#   MIN_SECS=30 MIN_RUNS=100000 ./campaign.sh json_call_decode
set -u
MIN_SECS=${MIN_SECS:-600}
MIN_RUNS=${MIN_RUNS:-10000000}
SCRATCH=${SCRATCH:-/tmp/mesos-http-fuzz}
LOGS=${LOGS:-$SCRATCH/logs}
cd "$(dirname "$0")"
TARGETS=${*:-"recordio_decode json_event_decode protobuf_event_decode json_call_decode protobuf_call_decode executor_event_decode event_pipeline operator_master_event_decode operator_master_response_decode operator_agent_response_decode"}
mkdir -p "$LOGS"
cargo fuzz build -s none >/dev/null 2>&1 || { echo "cargo fuzz build failed" >&2; exit 1; }
for t in $TARGETS; do
  mkdir -p "$SCRATCH/$t"
  runs=0; secs=0; crashes=0; pass=0; last=""
  # First pass: the time budget; later passes: the missing executions.
  while [ "$secs" -lt "$MIN_SECS" ] || [ "$runs" -lt "$MIN_RUNS" ]; do
    pass=$((pass + 1))
    log="$LOGS/$t.$pass.log"
    if [ "$secs" -lt "$MIN_SECS" ]; then
      limit="-max_total_time=$((MIN_SECS - secs))"
    else
      limit="-runs=$((MIN_RUNS - runs))"
    fi
    start=$(date +%s)
    nice -n 19 cargo fuzz run -s none "$t" "$SCRATCH/$t" "corpus/$t" -- \
      $limit -print_final_stats=1 >"$log" 2>&1
    status=$?
    end=$(date +%s)
    secs=$((secs + end - start))
    done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
    if [ -z "$done_runs" ]; then
      # A crash stops libFuzzer: count what it ran and go on fuzzing.
      done_runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
      crashes=$((crashes + 1))
      echo "$t: crash (exit $status), see $log" >&2
      [ "$crashes" -ge 5 ] && break
    fi
    runs=$((runs + ${done_runs:-0}))
    cov_line=$(grep -E '(DONE|NEW|REDUCE|pulse|INITED) +cov:' "$log" | tail -1)
    [ -n "$cov_line" ] && last=$cov_line
  done
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  echo "| \`$t\` | $runs | $((secs / 60)) min $((secs % 60)) s | $cov | $ft | $crashes |"
done
