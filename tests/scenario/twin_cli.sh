#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey-twin from the command line: list, new (every state option), show (text and JSON),
# power-cycle, reset; bad input gives clear errors listing what is valid (issue 3).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
grep -q '^stm32f407 ' "$OUT" || fail "list lacks stm32f407"
grep -q '^stm32f429 ' "$OUT" && grep -q '^stm32f446 ' "$OUT" || fail "list lacks chips"

# new + show: RDP 1, WRP on sectors 0-1, OTP block 2 written and locked, raw flash image
printf 'HELLO-FLASHKEY' > fw.bin
expect_exit 0 "$T" new STM32F407 a.twin --rdp 1 --wrp 0-1 --otp 2=DEADBEEF --otp-locked 2 \
	--flash fw.bin --option bor_lev=1
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "rdp level"
[ "$(json_get "$OUT" 'd["registers"]["FLASH_OPTCR"]["RDP"]')" = 85 ] || fail "RDP byte 0x55"
[ "$(json_get "$OUT" 'd["registers"]["FLASH_OPTCR"]["nWRP"]')" = 4092 ] || fail "nWRP 0xFFC"
[ "$(json_get "$OUT" 'd["registers"]["FLASH_OPTCR"]["BOR_LEV"]')" = 1 ] || fail "BOR_LEV"
[ "$(json_get "$OUT" 'd["registers"]["FLASH_CR"]["value"]')" = 0x80000000 ] || fail "CR reset"
[ "$(json_get "$OUT" '[s["write_protected"] for s in d["sectors"]][:3]')" = "[True, True, False]" ] || fail "wrp map"
[ "$(json_get "$OUT" 'd["sectors"][0]["blank"]')" = False ] || fail "flash image not loaded"
[ "$(json_get "$OUT" 'd["otp"][2]["locked"] and not d["otp"][2]["blank"]')" = True ] || fail "otp block 2"
[ "$(json_get "$OUT" 'len(d["sectors"])')" = 12 ] || fail "sector count"
expect_exit 0 "$T" show a.twin
grep -q 'RDP: level 1' "$OUT" || fail "text protection summary"
grep -q 'write-protected sectors: 0 1' "$OUT" || fail "text WRP summary"
grep -q 'FLASH_OPTCR   0x0FFC55E5' "$OUT" || fail "OPTCR decoded value"

# PCROP on a chip that has it; level 2; corrupted options; dual bank map
expect_exit 0 "$T" new stm32f429 p.twin --pcrop 1,13
expect_exit 0 "$T" show p.twin --json
[ "$(json_get "$OUT" '[s["number"] for s in d["sectors"] if s["pcrop"]]')" = "[1, 13]" ] || fail "pcrop map"
[ "$(json_get "$OUT" 'd["sectors"][12]["address"]')" = 0x08100000 ] || fail "bank 2 at 0x08100000"
expect_exit 0 "$T" new stm32f411 c.twin --corrupt-options
expect_exit 0 "$T" show c.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "torn options read as level 1"
expect_exit 0 "$T" new stm32f446 l2.twin --rdp 2
expect_exit 0 "$T" show l2.twin --json
[ "$(json_get "$OUT" 'd["debug_reachable"] or d["bootloader_available"]')" = False ] || fail "level 2"

# power-cycle and reset
expect_exit 0 "$T" power-cycle a.twin
grep -q 'RDP level 1' "$OUT" || fail "power-cycle message"
expect_exit 0 "$T" reset a.twin
grep -q 'system reset' "$OUT" || fail "reset message"
expect_exit 0 "$T" new stm32f407 off.twin --option power=off
expect_exit 3 "$T" reset off.twin
grep -q 'not powered' "$ERR" || fail "reset without power"
expect_exit 0 "$T" power-cycle off.twin
expect_exit 0 "$T" reset off.twin

# bad input
expect_exit 2 "$T" new stm32f999 x.twin
grep -q 'unknown chip "stm32f999"' "$ERR" && grep -q 'stm32f407' "$ERR" || fail "unknown chip lists valid chips"
expect_exit 2 "$T" new stm32f401xc x.twin --wrp 6
grep -q 'sector 6 does not exist' "$ERR" && grep -q 'sectors 0..5' "$ERR" || fail "out-of-range sector"
expect_exit 2 "$T" new stm32f407 x.twin --wrp 1-x
grep -q -- '--wrp' "$ERR" || fail "malformed list"
expect_exit 2 "$T" new stm32f407 x.twin --option rdp=0x100
grep -q 'rdp=0x100: value must be a number in 0..0xFF' "$ERR" || fail "option range"
expect_exit 2 "$T" new stm32f407 x.twin --option colour=blue
grep -q 'unknown key' "$ERR" && grep -q 'keys: rdp' "$ERR" || fail "unknown option key"
expect_exit 2 "$T" new stm32f407 x.twin --pcrop 1
grep -q 'no PCROP' "$ERR" || fail "pcrop on F407"
expect_exit 2 "$T" new stm32f407 x.twin --otp 16=00
expect_exit 2 "$T" new stm32f407 x.twin --otp 1=0G
grep -q 'not hex' "$ERR" || fail "otp hex"
expect_exit 2 "$T" new stm32f407 x.twin --rdp 3
[ ! -e x.twin ] || fail "a failed new left a file"
head -c 100 /dev/urandom > junk.twin
expect_exit 7 "$T" show junk.twin
grep -q 'not a valid twin state file: unknown magic' "$ERR" || fail "junk state file"
head -c 1000 a.twin > trunc.twin
expect_exit 7 "$T" show trunc.twin
expect_exit 1 "$T" show missing.twin
# --flash takes any image format (Intel HEX here); data outside flash/OTP is refused
printf ':020000040800F2\n:0400000001020304F2\n:00000001FF\n' > fw.hex
expect_exit 0 "$T" new stm32f401xc h.twin --flash fw.hex
expect_exit 0 "$T" show h.twin --json
[ "$(json_get "$OUT" 'd["sectors"][0]["blank"]')" = False ] || fail "hex image not loaded"
printf ':0400000001020304F2\n:00000001FF\n' > low.hex
expect_exit 2 "$T" new stm32f401xc h.twin --flash low.hex
grep -q 'outside flash' "$ERR" || fail "image outside flash"
expect_exit 2 "$T" frobnicate
pass
