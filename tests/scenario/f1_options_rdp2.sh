#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey options` on the STM32F0/F3 twins (RM0091 §3.3.1, §3.5.5; RM0316 §4.3.1):
#  - options show names the F0's extra USER bits (nboot1, vdda_monitor, ram_parity);
#  - options set with semantic keys (data0, wdg_sw) is programmed, read back and loaded
#    through OBL_LAUNCH, the other option bytes kept;
#  - rdp=2 is refused without --allow-irreversible=PERMANENT (exit 5), the refusal and the
#    dry run say what it does, nothing is written; with PERMANENT it is programmed and waits
#    for the power-on (the session does not cut its own debug port), after which the debug
#    port is gone (exit 4, level 2 named);
#  - a twin already at level 2 (F303): status and unlock fail closed naming level 2;
#  - the F1 has no level 2: rdp=2 is refused as unsupported (exit 9).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
F0="$FK_BIN -c twin:f0.twin"
f0_state() {
	"$T" show f0.twin --json >"$WORK/show.json" || fail "twin show"
	json_get "$WORK/show.json" "(d['option_bytes'][0][-2:], d['option_bytes'][1][-2:], d['option_bytes'][2][-2:])"
}

expect_exit 0 "$T" new stm32f030c8 f0.twin
expect_exit 0 $F0 options show --json
[ "$(json_get "$OUT" 'sorted(d["options"])')" = \
  "['data0', 'data1', 'nboot1', 'nrst_stdby', 'nrst_stop', 'ram_parity', 'rdp', 'vdda_monitor', 'wdg_sw', 'wrp']" ] ||
	fail "F0 option keys"
[ "$(json_get "$OUT" 'd["options"]["rdp"]["text"]')" = "level 0 (0xAA)" ] || fail "F0 level 0 byte"

expect_exit 0 $F0 options set data0=0x11 wdg_sw=0
grep -q "option bytes programmed and read back" "$OUT" || fail "set: not read back"
[ "$(f0_state)" = "('AA', 'FE', '11')" ] || fail "set: stored $(f0_state)"
expect_exit 0 $F0 options show --json
[ "$(json_get "$OUT" '(d["options"]["data0"]["value"], d["options"]["wdg_sw"]["text"])')" = \
  "(17, 'hardware')" ] || fail "set: not loaded (OBL_LAUNCH)"

# level 2: refused without the named consequence, explained, nothing written
expect_exit 5 $F0 options set rdp=2
grep -q "irreversible (PERMANENT: level 2 disables the debug port and the bootloader for good" "$ERR" ||
	fail "rdp=2 refusal does not say what it does"
grep -q "nothing was changed" "$ERR" || fail "rdp=2 refusal: nothing changed not said"
grep -q -- "--allow-irreversible=PERMANENT" "$ERR" || fail "rdp=2 refusal: flag not named"
expect_exit 5 $F0 --dry-run options set rdp=2
grep -q "irreversible (PERMANENT" "$ERR" || fail "dry run refusal"
expect_exit 5 $F0 --yes options set rdp=2
expect_exit 5 $F0 --allow-irreversible=yes options set rdp=2
expect_exit 0 $F0 --dry-run --allow-irreversible=PERMANENT options set rdp=2
grep -q "dry run: would program the option bytes at 0x1FFFF800 (FLASH_OBR): rdp=2" "$OUT" ||
	fail "dry run does not name the write"
[ "$(f0_state)" = "('AA', 'FE', '11')" ] || fail "refusals or dry run wrote: $(f0_state)"

expect_exit 0 $F0 --allow-irreversible=PERMANENT options set rdp=2
grep -q "power-on reset is required" "$OUT" || fail "rdp=2: pending power-on not said"
[ "$(f0_state)" = "('CC', 'FE', '11')" ] || fail "rdp=2: stored $(f0_state)"
expect_exit 0 "$T" power-cycle f0.twin
expect_exit 4 $F0 status
grep -q "level 2" "$ERR" || fail "level 2 not named after the power-on"

expect_exit 0 "$T" new stm32f303cc f3.twin --rdp 2
expect_exit 4 "$FK_BIN" -c twin:f3.twin status
grep -q "RM0316 §4.3.1" "$ERR" || fail "F3 level 2: manual section"
expect_exit 4 "$FK_BIN" -c twin:f3.twin --allow-erase-all unlock
grep -q "permanent" "$ERR" || fail "F3 level 2 unlock: permanence not said"

expect_exit 0 "$T" new stm32f103c8 f1.twin
expect_exit 9 "$FK_BIN" -c twin:f1.twin --allow-irreversible=PERMANENT options set rdp=2
grep -q "no read protection level 2" "$ERR" || fail "F1 rdp=2 not refused"
pass
