#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every benchmark program built in BUILD/bench. Benchmarks print their own figures.
set -uo pipefail
build=${1:?usage: run-bench.sh BUILD_DIR}
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  FK_SRC="$(cd "$(dirname "$0")/.." && pwd)" FK_BUILD="$build" "$b" || echo "(benchmark failed)"
done
# scripted benchmarks (peers driven as processes): bench/*.sh
for b in "$(cd "$(dirname "$0")/.." && pwd)"/bench/bench_*.sh; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b" .sh)"
  FK_SRC="$(cd "$(dirname "$0")/.." && pwd)" FK_BUILD="$(cd "$build" && pwd)" "$b" || echo "(benchmark failed)"
done
