#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An STM32F411 stuck in PCROP mode (SPRMOD=1 with every nWRP=1: all sectors PCROP, RDP 0).
# Clearing SPRMOD alone is refused (RM0090 §3.7.5); the ladder raises RDP to 1 and regresses to
# 0 with SPRMOD=0 in the same write; then the chip takes firmware.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f411 b.twin --option sprmod=1 --option nwrp=0xff >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

expect_exit 4 fk --json status
[ "$(json_get "$OUT" "[l['sectors'] for l in d['inventory']['locks'] if l['kind']=='pcrop'][0]")" = \
  "[0, 1, 2, 3, 4, 5, 6, 7]" ] || fail "PCROP sectors not all listed"
expect_exit 4 fk options set sprmod=0
grep -q "3.7.5" "$ERR" || fail "SPRMOD refusal does not cite the rule"
expect_exit 4 fk write "$FK_SRC/tests/fixtures/fw.elf"
grep -q "PCROP-protected (SPRMOD=1, nWRP0=1" "$ERR" || fail "write refusal does not name PCROP"
expect_exit 5 fk unlock --dry-run  # the code a real run gives without --allow-erase-all (issue 13 class 8)
grep -q "needs --allow-erase-all" "$ERR" || fail "dry run does not name the missing permission"
expect_exit 0 fk unlock --dry-run --allow-erase-all
grep -qE "^  [0-9]\. rdp-raise" "$OUT" || fail "plan lacks the raise to level 1"
grep -q "SPRMOD=0" "$OUT" || fail "plan does not clear SPRMOD with the regression"
expect_exit 5 fk unlock
expect_exit 0 fk unlock --allow-erase-all --no-backup
expect_exit 0 fk --json status
[ "$(json_get "$OUT" "d['inventory']['options']['sprmod']['value']")" = 0 ] || fail "SPRMOD still set"
expect_exit 0 fk write "$FK_SRC/tests/fixtures/fw.elf"
pass
