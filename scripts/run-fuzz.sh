#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every libFuzzer harness in BUILD for FK_FUZZ_SECONDS (default 10) each, starting from the
# committed seed corpus (tests/fuzz/corpus/NAME), with new inputs kept in BUILD/corpus/NAME.
# Prints one line per harness and "fuzz: N passed, M failed".
set -uo pipefail
build=${1:?usage: run-fuzz.sh BUILD_DIR}
secs=${FK_FUZZ_SECONDS:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0
for f in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work="$build/corpus/$name"; mkdir -p "$work"
  seeds="$src/tests/fuzz/corpus/$name"; [ -d "$seeds" ] || seeds=""
  log="$build/$name.log"
  if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 "$work" $seeds >"$log" 2>&1; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    echo "fuzz $name: ok, $runs executions in ${secs}s"
    pass=$((pass+1))
  else
    echo "fuzz $name: FAILED (see $log)"; tail -30 "$log"
    fail=$((fail+1))
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
