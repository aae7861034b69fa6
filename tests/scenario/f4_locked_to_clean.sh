#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job (issue 4): an STM32F407 at RDP level 1 with WRP on sectors 0-1.
# status -> unlock --dry-run -> unlock refused without permission (exit 5, nothing changed)
# -> unlock --allow-erase-all (backup noted; level 1 hides flash) -> write fw.elf -> verify
# -> status clean (exit 0).
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW="$FK_SRC/tests/fixtures/fw.elf"
"$FK_TWIN_BIN" new stm32f407 b.twin --rdp 1 --wrp 0,1 >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

expect_exit 4 fk status
grep -q "level 1 (RDP byte 0x55)" "$OUT" || fail "status does not show RDP level 1 with its byte"
grep -q "WRP .*sectors 0 1" "$OUT" || fail "status does not show WRP on sectors 0 1"
grep -q "unreadable" "$OUT" || fail "status does not say flash is unreadable"
expect_exit 4 fk --json status
[ "$(json_get "$OUT" "d['inventory']['rdp_level']")" = 1 ] || fail "json rdp_level"
[ "$(json_get "$OUT" "[l['sectors'] for l in d['inventory']['locks'] if l['kind']=='wrp'][0]")" = "[0, 1]" ] \
	|| fail "json WRP sectors"
[ "$(json_get "$OUT" "d['error']['exit_code']")" = 4 ] || fail "json error exit_code"

expect_exit 5 fk unlock --dry-run  # the code a real run gives without --allow-erase-all (issue 13 class 8)
grep -q "needs --allow-erase-all" "$ERR" || fail "dry run does not name the missing permission"
expect_exit 0 fk unlock --dry-run --allow-erase-all
for step in ctrl opt wrp rdp; do grep -qE "^  [0-9]\. $step " "$OUT" || fail "dry run lacks step $step"; done
grep -q "needs --allow-erase-all" "$OUT" || fail "dry run does not name the permission"
grep -q "nothing was written" "$OUT" || fail "dry run does not say nothing was written"
fk --json unlock --dry-run >plan.json 2>/dev/null
[ "$(json_get plan.json "[s['step'] for s in d['plan']]")" = "['ctrl', 'opt', 'wrp', 'rdp']" ] \
	|| fail "json plan differs from the printed plan"

expect_exit 5 fk unlock
grep -q -- "--allow-erase-all" "$ERR" || fail "refusal does not name --allow-erase-all"
expect_exit 5 fk unlock --yes
expect_exit 4 fk --json status
[ "$(json_get "$OUT" "d['inventory']['rdp_level']")" = 1 ] || fail "refused unlock changed RDP"
[ "$(json_get "$OUT" "len([l for l in d['inventory']['locks'] if l['kind']=='wrp'])")" = 1 ] \
	|| fail "refused unlock changed WRP"

expect_exit 0 fk unlock --allow-erase-all --backup-dir bk
grep -q "backup written and verified" "$OUT" || fail "unlock did not note the backup"
grep -q "nothing in flash or OTP is readable" "$OUT" || fail "unlock did not say level 1 hides flash"
grep -q "rdp: done" "$OUT" || fail "rdp step not reported"
ls bk/*/manifest.txt >/dev/null 2>&1 || fail "no backup manifest"
grep -q "^missing .*RDP level 1" bk/*/manifest.txt || fail "manifest does not say why flash is missing"
grep -q "^file options.bin" bk/*/manifest.txt || fail "manifest lacks the option bytes"

expect_exit 0 fk write "$FW"
grep -q "verified" "$OUT" || fail "write did not verify"
expect_exit 0 fk verify "$FW"
expect_exit 0 fk --json status
[ "$(json_get "$OUT" "d['inventory']['write_blocked']")" = False ] || fail "status not clean"
[ "$(json_get "$OUT" "d['inventory']['rdp_level']")" = 0 ] || fail "RDP not level 0"
[ "$(json_get "$OUT" "d['inventory']['sectors'][0]['content']")" = programmed ] || fail "sector 0 not programmed"
pass
