#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the whole suite: ctest in the sanitizer build, then short fuzz runs; ends with the
# summary line "N passed, M failed".
set -uo pipefail
tst=${1:?usage: run-tests.sh TEST_BUILD FUZZ_BUILD}
fuz=${2:-}
log="$tst/ctest.log"
( cd "$tst" && ctest -j"${JOBS:-2}" --output-on-failure --timeout 600 ) 2>&1 | tee "$log"
total=$(grep -oE 'tests failed out of [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
failed=$(grep -oE '[0-9]+ tests failed out of' "$log" | grep -oE '^[0-9]+' | tail -1)
skipped=$(grep -cE '\*\*\*Skipped|Not Run' "$log" || true)
total=${total:-0}; failed=${failed:-1}
passed=$((total - failed - skipped))
fz_pass=0; fz_fail=0
if [ -n "$fuz" ] && [ -d "$fuz/tests/fuzz" ]; then
  flog="$fuz/fuzz.log"
  FK_FUZZ_SECONDS=${FK_FUZZ_SECONDS:-10} "$(dirname "$0")/run-fuzz.sh" "$fuz" 2>&1 | tee "$flog"
  fz_pass=$(grep -oE '^fuzz: [0-9]+ passed' "$flog" | grep -oE '[0-9]+' || echo 0)
  fz_fail=$(grep -oE '[0-9]+ failed$' "$flog" | tail -1 | grep -oE '^[0-9]+' || echo 0)
fi
echo
echo "summary: ctest $passed passed, $failed failed, $skipped skipped; fuzz $fz_pass passed, $fz_fail failed"
echo "$((passed + fz_pass)) passed, $((failed + fz_fail)) failed"
[ "$failed" -eq 0 ] && [ "$fz_fail" -eq 0 ]
