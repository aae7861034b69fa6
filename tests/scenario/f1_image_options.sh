#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Option bytes inside an image for an STM32F103 (0x1FFFF800, value/complement pairs, PM0075
# §2.5): refused without --with-options; with it, planned by the F1 driver
# (FK_CHANGE_OPTIONS_IMAGE) and run by the session's executor like `options set`: WRP0 = 0xFE
# protects pages 0-3 (PM0075 §2.4.2), RDP/USER/Data bytes the image leaves out are kept, and
# RDP level 2 from an image needs PERMANENT (issue 12: images reach option bytes on every
# family on the plug-in interface, not the F4 alone).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
F="$FK_BIN -c twin:f1.twin"
expect_exit 0 "$T" new stm32f103c8 f1.twin --option data0=0x42

# WRP0 = 0xFE (complement 0x01) next to firmware
mkhex wrp.hex 08000000 0011223344556677 1FFFF808 FE01
expect_exit 5 $F write wrp.hex
grep -q -- "--with-options" "$ERR" || fail "refusal does not say how to ask for options"
expect_exit 0 $F status --json
[ "$(json_get "$OUT" "[l['kind'] for l in d['inventory']['locks'] if l['kind'] == 'wrp']")" = "[]" ] ||
	fail "WRP set by a refused image"

expect_exit 0 $F write wrp.hex --with-options
grep -q "plan\|option bytes" "$OUT" || fail "the option change is not reported: $(cat "$OUT")"
expect_exit 0 $F reset
expect_exit 4 $F status --json
[ "$(json_get "$OUT" "[l['state'] for l in d['inventory']['locks'] if l['kind'] == 'wrp']")" = \
  "['pages 0-3']" ] || fail "WRP from the image not applied: $(cat "$OUT")"
[ "$(json_get "$OUT" "d['inventory']['options']['data0']['value']")" = 66 ] ||
	fail "Data0 the image left out was not kept"
[ "$(json_get "$OUT" "d['inventory']['rdp_level']")" = 0 ] || fail "RDP changed"

# RDP 0xCC from an image: on the F103 any byte but 0xA5 is level 1 (PM0075 §2.4.1 has no level
# 2), so it is an ordinary raise; on an F303 it is level 2 (RM0316 §4.3.1), gated by PERMANENT
mkhex rdp2.hex 1FFFF800 CC33
expect_exit 0 $F write rdp2.hex --with-options
grep -q "FLASH_OBR 0x00FF5AA5 -> 0x00FF33CC" "$OUT" || fail "the RDP byte change is not reported: $(cat "$OUT")"
expect_exit 0 "$T" new stm32f303cc f3.twin
expect_exit 5 "$FK_BIN" -c twin:f3.twin write rdp2.hex --with-options
grep -q "PERMANENT" "$ERR" || fail "RDP 2 from an image not gated by PERMANENT on the F303"
expect_exit 0 "$FK_BIN" -c twin:f3.twin status --json
[ "$(json_get "$OUT" "d['inventory']['rdp_level']")" = 0 ] || fail "RDP changed by a refused image"
pass
