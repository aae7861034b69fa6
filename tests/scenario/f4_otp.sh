#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# OTP write and lock of block 0 on an F407 (the CubeProgrammer lock-byte case, seed 003):
# consent is required, 0->1 bits and locked blocks are refused, the lock writes only LOCKB0.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

expect_exit 5 fk otp write 0 DEADBEEF
grep -q "PERMANENT" "$ERR" || fail "OTP write refusal does not name PERMANENT"
expect_exit 5 fk otp write 0 DEADBEEF --yes
expect_exit 5 fk otp write 0 DEADBEEF --allow-irreversible=yes
expect_exit 0 fk otp write 0 DEADBEEF --allow-irreversible=PERMANENT
grep -q "\[0\]=0xDE \[1\]=0xAD \[2\]=0xBE \[3\]=0xEF" "$OUT" || fail "changed bytes not shown"
expect_exit 0 fk --json otp show
json_get "$OUT" "d['blocks'][0]['data']" | grep -q "^DEADBEEFFF" || fail "OTP block 0 not written"
expect_exit 4 fk otp write 0 FFFFFFFF --allow-irreversible=PERMANENT
grep -q "0 -> 1" "$ERR" || fail "0->1 refusal missing"
expect_exit 0 fk otp write 0 DEADBEEF00 --allow-irreversible=PERMANENT
expect_exit 5 fk otp lock 0
expect_exit 0 fk otp lock 0 --allow-irreversible=PERMANENT
expect_exit 0 fk --json otp show
[ "$(json_get "$OUT" "[b['lock_byte'] for b in d['blocks']]")" = \
  "['0x00', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF']" ] \
	|| fail "lock bytes: only LOCKB0 may change"
expect_exit 4 fk otp write 0 00 --allow-irreversible=PERMANENT
grep -q "OTP block 0 is locked" "$ERR" || fail "locked block not refused"
expect_exit 0 fk otp write 1 0102 --allow-irreversible=PERMANENT
expect_exit 0 fk status
grep -q "OTP blocks: Lw" "$OUT" || fail "status OTP map wrong"
pass
