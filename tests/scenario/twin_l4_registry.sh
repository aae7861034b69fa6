#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 twin (twin/stm32l4, issue 14 item 1) on the twin registry: list, new with
# options, show (text and JSON: option words as loaded, as in the register and as programmed),
# set, power-cycle and reset through the generic commands; bad keys and foreign options refused.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
for p in 'stm32l476rg .*DEV_ID 0x415 .*1024 KiB' 'stm32l433rc .*DEV_ID 0x435' \
	 'stm32g071rb .*DEV_ID 0x460 .*128 KiB' 'stm32g431rb .*DEV_ID 0x468'; do
	grep -q "^$p" "$OUT" || fail "list lacks $p"
done

# L476: WRP1A pages 1-3 of bank 1 (RM0351 §3.5.3), PCROP_RDP set, an image at 0x08000000
printf 'L4-IMAGE' > img.bin
expect_exit 0 "$T" new STM32L476RG a.twin --option wrp1ar=0x00030001 --option pcrop_rdp=1 --flash img.bin
grep -q 'created a.twin: stm32l476rg, RDP 0xAA (level 0)' "$OUT" || fail "created line"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["dev_id"]')" = 0x415 ] || fail "dev_id"
[ "$(json_get "$OUT" '(d["wrp"][0]["bank"], d["wrp"][0]["first_page"], d["wrp"][0]["last_page"])')" = "(1, 1, 3)" ] || fail "wrp area"
[ "$(json_get "$OUT" 'd["pcrop_rdp"]')" = True ] || fail "pcrop_rdp"
[ "$(json_get "$OUT" 'd["options"]["OPTR"]["loaded"]')" = 0xFFEFF8AA ] || fail "factory OPTR"
expect_exit 0 "$T" show a.twin
grep -q '^write protection: WRP1A bank 1 pages 1-3' "$OUT" || fail "text wrp"
grep -q 'SWD and JTAG' "$OUT" || fail "text ports"

# G071: level 1, SWD only; a field key; power-cycle and reset words
expect_exit 0 "$T" new stm32g071rb g.twin --rdp 1
grep -q 'RDP 0xBB (level 1)' "$OUT" || fail "g0 rdp"
expect_exit 0 "$T" set g.twin --option nboot0=0 --option borr_lev=2
expect_exit 0 "$T" show g.twin --json
[ "$(json_get "$OUT" 'd["options"]["OPTR"]["loaded"]')" = 0xFBFFFCBB ] || fail "g0 OPTR fields"
expect_exit 0 "$T" show g.twin
grep -q 'SWD only' "$OUT" || fail "g0 SWD only"
expect_exit 0 "$T" power-cycle g.twin
grep -q '^power-on reset: option bytes loaded (RDP level 1)' "$OUT" || fail "power-cycle words"
expect_exit 0 "$T" reset g.twin
grep -q 'option bytes NOT reloaded' "$OUT" || fail "reset words"

# G431: RDP 2 as raw byte
expect_exit 0 "$T" new stm32g431rb x.twin --option rdp=0xCC
expect_exit 0 "$T" show x.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 2 ] || fail "g4 level 2"

# bad input: unknown key, a field the part lacks, a foreign option
expect_exit 2 "$T" new stm32g431rb y.twin --option bogus=1
grep -q 'unknown key for this part' "$ERR" || fail "unknown key"
expect_exit 2 "$T" new stm32l433rc y.twin --option bfb2=1
grep -q 'unknown key for this part' "$ERR" || fail "bfb2 on a single-bank part"
expect_exit 2 "$T" new stm32l433rc y.twin --wrp 1
[ ! -e y.twin ] || fail "refused twin was written"
exit 0
