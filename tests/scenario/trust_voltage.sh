#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 11: a measured supply wins over --voltage. At a measured 1.8 V, --voltage 3.3
# (x32, RM0090 §3.6.2 Table 13) is refused with both numbers, dry or not, and nothing is
# written; --psize 32 likewise; without them the write programs x8. Where nothing is measured
# (the ROM bootloader path), the stated supply is used.
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/lv.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --option voltage_mv=1800
for dry in "" --dry-run; do
	# shellcheck disable=SC2086
	expect_exit 2 "$FK_BIN" -c "twin:$T" $dry write "$FW" --voltage 3.3
	grep -q "3.30 V" "$ERR" && grep -q "1.80 V" "$ERR" || fail "refusal lacks both numbers ($dry)"
	# shellcheck disable=SC2086
	expect_exit 2 "$FK_BIN" -c "twin:$T" $dry write "$FW" --psize 32
	grep -q "1.80 V" "$ERR" || fail "--psize refusal lacks the measured supply ($dry)"
done
"$FK_TWIN_BIN" show "$T" | grep -qE '^  0 +0x08000000 .*blank' || fail "a refused write changed flash"
expect_exit 0 "$FK_BIN" -c "twin:$T" --json write "$FW"
[ "$(json_get "$OUT" "d['psize_bits']")" = 8 ] || fail "measured 1.8 V did not program x8"
expect_exit 0 "$FK_BIN" -c "twin:$T" --json write "$FW" --voltage 1.8
T2=$WORK/u.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T2"
expect_exit 0 "$FK_BIN" -c "twin-uart:$T2" --json write "$FW" --voltage 3.3
[ "$(json_get "$OUT" "d['psize_bits']")" = 32 ] || fail "bootloader path: the stated supply was not used"
pass
