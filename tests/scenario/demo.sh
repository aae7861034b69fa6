#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo` must run: the main job on a locked F407 twin, with this build's binaries.
source "$FK_SRC/tests/scenario/lib.sh"
bash "$FK_SRC/scripts/demo.sh" "$FK_BUILD" >"$OUT" 2>"$ERR" </dev/null || fail "scripts/demo.sh failed"
grep -q '== done' "$OUT" || fail "demo did not reach its end"
pass
