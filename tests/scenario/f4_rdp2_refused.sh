#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RDP level 2 is permanent: refused without --allow-irreversible=PERMANENT (--yes and other words
# grant nothing); the chip is left untouched.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
expect_exit 5 fk options set rdp=2
grep -q "PERMANENT" "$ERR" || fail "refusal does not name PERMANENT"
expect_exit 5 fk options set rdp=2 --yes
expect_exit 5 fk options set rdp=2 --allow-irreversible=yes --allow-erase-all
expect_exit 0 fk options set rdp=2 --allow-irreversible=PERMANENT --dry-run
expect_exit 0 fk --json status
[ "$(json_get "$OUT" "d['inventory']['rdp_raw']")" = 0xAA ] || fail "RDP changed"
# a reversible change still works and reports its pending reset
expect_exit 0 fk options set bor=2
grep -q "reset is required" "$OUT" || fail "pending reset not reported"
expect_exit 0 fk --json options show
[ "$(json_get "$OUT" "d['options']['bor']['value']")" = 1 ] || fail "BOR not read back"
pass
