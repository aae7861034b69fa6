#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Choosing the chip driver (lib/chip/driver.h section 2): --chip narrows to a family or a part;
# a --chip the IDs contradict is refused naming the IDs read (exit 8) unless forced with
# --allow-wrong-memory-map, which then uses the named part's memory map and says so; the flag
# without --chip is a usage error; an unknown --chip name lists the supported families.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

expect_exit 0 fk --chip stm32f4 info
grep -q "DEV_ID    0x413" "$OUT" || fail "family name did not select the F4 driver"
expect_exit 8 fk --chip stm32f412 info
grep -q "target is stm32f40x" "$ERR" || fail "contradiction not explained"
grep -q "DBGMCU_IDCODE@0xE0042000=0x1007.413" "$ERR" || fail "the IDs read are not named"
grep -q -- "--allow-wrong-memory-map" "$ERR" || fail "the forcing flag is not named"
expect_exit 8 fk --chip nxp-lpc9999 info
grep -q "no driver knows this name" "$ERR" && grep -q "stm32f4" "$ERR" ||
	fail "unknown --chip does not list the families"
expect_exit 2 fk --allow-wrong-memory-map info
grep -q "needs --chip" "$ERR" || fail "flag without --chip not refused"
expect_exit 0 fk --chip stm32f412 --allow-wrong-memory-map --json info
[ "$(json_get "$OUT" 'd["chip"]["chip"]')" = stm32f412 ] || fail "forced part not used"
grep -q "allow-wrong-memory-map: using stm32f412 although the IDs say stm32f40x" "$ERR" ||
	fail "forcing is not reported"
pass
