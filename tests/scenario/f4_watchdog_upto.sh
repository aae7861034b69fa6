#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RDP level 1 with the hardware watchdog selected (WDG_SW=0): the regression is refused with the
# way out (the IWDG would reset the chip mid-erase); --upto wrp still removes WRP alone; after
# `options set wdg=sw` and a reset the ladder completes.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin --rdp 1 --wrp 3 --option wdg_sw=0 >/dev/null || fail "new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
expect_exit 4 fk unlock --allow-erase-all
grep -q "WDG_SW=0" "$ERR" || fail "refusal does not name WDG_SW"
grep -q "options set wdg=sw" "$ERR" || fail "no way out given"
expect_exit 0 fk unlock --upto wrp
grep -q "rdp" "$OUT" && fail "--upto wrp ran past wrp"
grep -q "wrp: done" "$OUT" || fail "wrp step not run"
expect_exit 0 fk options set wdg=sw
grep -q "reset is required" "$OUT" || fail "pending reset not reported"
expect_exit 0 fk reset
expect_exit 0 fk unlock --allow-erase-all --no-backup
expect_exit 0 fk status
pass
