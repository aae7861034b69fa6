#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13, class 2: numbers mean what the user typed, in every numeric argument and option of
# flashkey and flashkey-twin. Leading zeros are decimal (never octal), 0x is hex, nothing is cut
# to fit, anything else or out of range is refused (exit 2) with the value quoted; the dry run of
# an irreversible command names the exact block, sector or address it would touch.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

# OTP lock 012 is block 12 (octal would be 10): the dry run names block and lock-byte address
expect_exit 0 fk --dry-run otp lock 012 --allow-irreversible=PERMANENT
grep -q "block 12 (LOCKB12 at 0x1FFF7A0C" "$OUT" || fail "otp lock 012 dry run does not name block 12"
expect_exit 0 fk --dry-run --json otp lock 012 --allow-irreversible=PERMANENT
[ "$(json_get "$OUT" "(d['block'], d['address'])")" = "(12, '0x1FFF7A0C')" ] \
	|| fail "JSON dry run does not name block 12 at 0x1FFF7A0C"
expect_exit 0 fk otp lock 012 --allow-irreversible=PERMANENT
expect_exit 0 fk --json otp show
[ "$(json_get "$OUT" "[b['block'] for b in d['blocks'] if b['lock_byte'] == '0x00']")" = "[12]" ] \
	|| fail "otp lock 012 locked another block than 12"
expect_exit 0 fk --dry-run otp write 0x3 00 --offset 010 --allow-irreversible=PERMANENT
grep -q "block 3 bytes 10-10 at 0x1FFF786A" "$OUT" || fail "otp write dry run does not name the address"

# erase: 16 digits are not cut to 15 (which read as sector 0); leading zeros are decimal
expect_exit 0 fk --dry-run erase 0000000000000005
grep -q "sector 5 (0x08020000" "$OUT" || fail "erase 0000000000000005 is not sector 5"
expect_exit 0 fk --dry-run erase 09 0x0a-011
grep -q "sectors 9 (0x080A0000, 128 KB), 10 (0x080C0000, 128 KB), 11 (0x080E0000, 128 KB)" "$OUT" \
	|| fail "erase 09 0x0a-011 is not sectors 9-11"
expect_exit 0 fk --dry-run erase --range 0x08004000:016384
grep -q "sector 1 (0x08004000, 16 KB)$" "$OUT" || fail "--range LEN 016384 is not decimal"

# refused, value quoted: octal/binary prefixes, exponents, signs, spaces, overflow
for bad in 0o7 0b1 1e3 -1 +1 " 1" 1f 0x 4294967296 99999999999999999999999; do
	expect_exit 2 fk --dry-run erase -- "$bad"
	grep -qF "\"$bad\"" "$ERR" || fail "erase '$bad': value not quoted"
done
expect_exit 2 fk --dry-run otp write 3 00 --offset 4294967295
grep -qF '"4294967295"' "$ERR" || fail "--offset out of range not quoted"
expect_exit 2 fk --dry-run otp write 3 00 --offset 32
expect_exit 2 fk --dry-run otp lock 16
grep -qF '"16"' "$ERR" || fail "otp block 16 not quoted"
expect_exit 2 fk --dry-run otp lock 0o12
expect_exit 2 fk --dry-run otp write 3 0xZZ
grep -qF '"ZZ"' "$ERR" || fail "bad OTP data not quoted"
expect_exit 2 fk --dry-run run 0o8000000
grep -qF '0o8000000' "$ERR" || fail "run ADDR not quoted"
expect_exit 2 fk --dry-run erase --range 08000000:1e3
grep -qF '08000000:1e3' "$ERR" || fail "--range not quoted"
expect_exit 2 "$FK_BIN" -c uart:/dev/null --baud 0o115200 info
grep -qF '0o115200' "$ERR" || fail "--baud not quoted"
expect_exit 2 "$FK_BIN" -c twin:b.twin --speed 4k info
grep -qF '4k' "$ERR" || fail "--speed not quoted"
printf '\x01\x02' > one.bin
expect_exit 2 fk --dry-run write one.bin --base 0o10
grep -qF '0o10' "$ERR" || fail "write --base not quoted"
expect_exit 2 "$FK_BIN" image info one.bin --fill 0400
grep -qF '0400' "$ERR" || fail "--fill out of range not quoted"
expect_exit 0 "$FK_BIN" --json image info one.bin --base 0134217728
[ "$(json_get "$OUT" "d['segments'][0]['start']")" = "0x08000000" ] \
	|| fail "image --base 0134217728 is not decimal 0x08000000"

# flashkey-twin: lists, levels, KEY=VALUE, OTP blocks, --max-ms
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 w.twin --wrp 010,0x3
"$FK_BIN" -c twin:w.twin --json status >"$OUT" 2>"$ERR"
[ "$(json_get "$OUT" "[s['number'] for s in d['inventory']['sectors'] if s['wrp']]")" = "[3, 10]" ] \
	|| fail "--wrp 010,0x3 did not protect sectors 3 and 10"
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 o.twin --otp 010=AB --otp-locked 011
expect_exit 0 "$FK_BIN" -c twin:o.twin --json otp show
[ "$(json_get "$OUT" "[b['block'] for b in d['blocks'] if b['data'].startswith('AB')]")" = "[10]" ] \
	|| fail "twin --otp 010=AB did not write block 10"
[ "$(json_get "$OUT" "[b['block'] for b in d['blocks'] if b['locked']]")" = "[11]" ] \
	|| fail "twin --otp-locked 011 did not lock block 11"
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 r.twin --rdp 01
grep -q "level 1" "$OUT" || fail "twin --rdp 01 is not level 1"
expect_exit 2 "$FK_TWIN_BIN" new stm32f407 bad.twin --wrp 0o1
grep -qF '"0o1"' "$ERR" || fail "twin --wrp not quoted"
expect_exit 2 "$FK_TWIN_BIN" new stm32f407 bad.twin --rdp 3
grep -qF -- '--rdp 3' "$ERR" || fail "twin --rdp not quoted"
expect_exit 2 "$FK_TWIN_BIN" new stm32f407 bad.twin --option nwrp=0o7
grep -qF 'nwrp=0o7' "$ERR" || fail "twin --option not quoted"
expect_exit 2 "$FK_TWIN_BIN" new stm32f407 bad.twin --otp 0000000000000000016=AB
grep -qF '0000000000000000016' "$ERR" || fail "twin --otp block not quoted"
expect_exit 2 "$FK_TWIN_BIN" serve b.twin --max-ms 1e3
grep -qF '1e3' "$ERR" || fail "serve --max-ms not quoted"
[ ! -e bad.twin ] || fail "a refused twin was created"
pass
