#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Images whose segments reach the option bytes or OTP (as some toolchains emit in HEX files):
# refused by default; applied only with --with-options / --with-otp and then through the same
# gates as `options set` and `otp write/lock` -- an image never sets RDP 2 or locks OTP by accident.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
FW="$FK_SRC/tests/fixtures/fw.bin"

# option bytes asking for RDP level 2 (USER 0xED, RDP 0xCC) next to firmware
mkhex rdp2.hex 08000000 0011223344556677 1FFFC000 EDCC
expect_exit 5 fk write rdp2.hex
grep -q -- "--with-options" "$ERR" || fail "refusal does not say how to ask for options"
expect_exit 5 fk write rdp2.hex --with-options
grep -q "PERMANENT" "$ERR" || fail "RDP 2 from an image not gated by PERMANENT"
fk --json status >st.json 2>/dev/null
[ "$(json_get st.json "d['inventory']['rdp_raw']")" = 0xAA ] || fail "RDP changed"
# a harmless option change from an image: WRP on sector 3 (nWRP byte 0xF7, high byte 0x0F)
mkhex wrp.hex 1FFFC000 EDAA 1FFFC008 F70F
expect_exit 0 fk write wrp.hex --with-options
fk --json status >st.json 2>/dev/null
[ "$(json_get st.json "[l['sectors'] for l in d['inventory']['locks'] if l['kind']=='wrp'][0]")" = "[3]" ] \
	|| fail "WRP from the image not applied"
grep -q "option bytes from the image programmed and read back: FLASH_OPTCR 0x0FFFAAE[CD] -> 0x0FF7AAE" "$OUT" ||
	fail "the option change is not reported: $(cat "$OUT")"

# issue 13 class 10: an image that regresses RDP 1 -> 0 (a mass erase) reports the mass erase, its
# backup and the pending reset, in text and JSON (it said "0 sectors erased, nothing to write")
# (debug path only: over the bootloader, uart_f4.inc runs this file with -c twin-uart:, RDP 1
# refuses Write Memory to the option bytes; the regression is `unlock`'s Readout Unprotect there)
VIA="-c twin:x"
if [ "${VIA#-c twin-uart:}" = "$VIA" ]; then
	"$FK_TWIN_BIN" new stm32f407 r1.twin --rdp 1 >/dev/null || fail "flashkey-twin new --rdp 1"
	mkhex rdp0.hex 1FFFC000 EDAA
	expect_exit 5 "$FK_BIN" -c twin:r1.twin write rdp0.hex --with-options
	expect_exit 0 "$FK_BIN" -c twin:r1.twin write rdp0.hex --with-options --allow-erase-all --backup-dir bk
	grep -q "applied rdp0.hex: 2 bytes, none in main flash" "$OUT" || fail "main flash line: $(cat "$OUT")"
	! grep -q "nothing to write" "$OUT" || fail "an RDP regression reported as nothing to write: $(cat "$OUT")"
	grep -q "FLASH_OPTCR 0x0FFF55E[CD] -> 0x0FFFAAE" "$OUT" || fail "RDP change not reported: $(cat "$OUT")"
	grep -q "the RDP regression erased ALL of flash (mass erase); what could be read was backed up first to bk/" "$OUT" ||
		fail "mass erase / backup not reported: $(cat "$OUT")"
	grep -q "a reset is required" "$OUT" || fail "pending reset not reported: $(cat "$OUT")"
	"$FK_TWIN_BIN" new stm32f407 r1.twin --rdp 1 --force >/dev/null || fail "flashkey-twin new --rdp 1"
	"$FK_BIN" -c twin:r1.twin --json write rdp0.hex --with-options --allow-erase-all --backup-dir bk >w.json 2>/dev/null ||
		fail "JSON RDP regression write failed"
	[ "$(json_get w.json "(d['main_flash_segments'], d['options']['changed'], d['options']['mass_erased'], d['options']['backup_dir'].startswith('bk/'), d['options']['pending'], d['options']['before'][:9])")" = \
	  "(0, True, True, True, 'reset', '0x0FFF55E')" ] || fail "JSON report of the regression: $(cat w.json)"
fi

# OTP block 1 data and its lock byte
mkhex otp.hex 1FFF7820 CAFE 1FFF7A01 00
expect_exit 5 fk write otp.hex
expect_exit 5 fk write otp.hex --with-otp
grep -q "PERMANENT" "$ERR" || fail "OTP from an image not gated by PERMANENT"
expect_exit 0 fk write otp.hex --with-otp --allow-irreversible=PERMANENT
fk --json otp show >otp.json 2>/dev/null
json_get otp.json "d['blocks'][1]['data']" | grep -q "^CAFEFF" || fail "OTP data not written"
[ "$(json_get otp.json "[b['lock_byte'] for b in d['blocks']][:3]")" = "['0xFF', '0x00', '0xFF']" ] \
	|| fail "only LOCKB1 may be programmed"
mkhex badlock.hex 1FFF7A02 5A
expect_exit 7 fk write badlock.hex --with-otp --allow-irreversible=PERMANENT
grep -q "only hold 0x00 or 0xFF" "$ERR" || fail "invalid lock byte not refused"
pass
