#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Option bytes torn by a power loss (OPTCR 0x0FFFFFEC, RDP byte 0xFF = level 1): status names the
# likely cause; the regression restores level 0 and the chip is usable again.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin --corrupt-options >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
expect_exit 4 fk --json status
[ "$(json_get "$OUT" "[l['kind'] for l in d['inventory']['locks']]")" != "" ] || fail "no locks"
json_get "$OUT" "[l['state'] for l in d['inventory']['locks'] if l['kind']=='options-torn'][0]" \
	| grep -q "power loss" || fail "torn options not recognised"
expect_exit 0 fk options show
grep -q "0xFF" "$OUT" || fail "options show lacks the raw RDP byte"
expect_exit 0 fk unlock --allow-erase-all --no-backup
expect_exit 0 fk status
expect_exit 0 fk write "$FK_SRC/tests/fixtures/fw.hex"
expect_exit 0 fk verify "$FK_SRC/tests/fixtures/fw.hex"
pass
