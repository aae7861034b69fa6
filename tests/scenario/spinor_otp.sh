#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey otp show|write|lock` on SPI NOR twins over twin-spi:PATH (issue 15): the W25Q64JV's
# three 256-byte security registers (48h read, 42h program, LB1-3 in SR2 lock, W64 §7.1/§8.2)
# as OTP blocks 0-2; writes and locks are PERMANENT-gated, read back, and refused (nothing
# planned) into a locked register or for a bit that would go 0 -> 1; the Macronix secured OTP
# area (ENSO/EXSO, WRSCUR LDSO) as one block; the GD25Q64C's UNCONFIRMED layout is refused.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

expect_exit 0 "$T" new w25q64jv a.twin
expect_exit 0 "$K" -c twin-spi:a.twin otp show
grep -q '^ 0 unlocked (LB1=0), 0 of 256 bytes written' "$OUT" || fail "otp show: block 0"
grep -q '^ 2 unlocked (LB3=0), 0 of 256 bytes written' "$OUT" || fail "otp show: block 2"
# a write is PERMANENT-gated: refused without it, nothing written
expect_exit 5 "$K" -c twin-spi:a.twin otp write 0 DEADBEEF
grep -q 'irreversible' "$ERR" || fail "write without PERMANENT"
expect_exit 0 "$T" show a.twin
grep -q 'security register 1: 256 bytes, 0 programmed' "$OUT" || fail "refused write wrote"
expect_exit 0 "$K" -c twin-spi:a.twin --dry-run --allow-irreversible=PERMANENT otp write 0 DEADBEEF
grep -q 'dry run: would write OTP block 0 bytes 0-3' "$OUT" || fail "dry run text"
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 0 DEADBEEF
grep -q 'OTP block 0 written and read back (4 bytes changed)' "$OUT" || fail "write"
# an offset past the first 32 bytes, in the last register
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 2 0102 \
	--offset 0xFE
grep -q 'bytes that change: \[254\]=0x01 \[255\]=0x02' "$OUT" || fail "changes at 254"
expect_exit 0 "$K" -c twin-spi:a.twin --json otp show
[ "$(json_get "$OUT" 'd["blocks"][0]["data"][:10]')" = DEADBEEFFF ] || fail "read back block 0"
[ "$(json_get "$OUT" 'd["blocks"][2]["data"][-6:]')" = FF0102 ] || fail "read back block 2"
[ "$(json_get "$OUT" '(d["blocks"][1]["lock_bit"], d["blocks"][1]["locked"])')" = \
	"('LB2', False)" ] || fail "json lock_bit"
# 0 -> 1 is refused before anything is planned; past the register too
expect_exit 4 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 0 FF --offset 1
grep -q '0xAD -> 0xFF needs bits 0x52 to go 0 -> 1' "$ERR" || fail "0 -> 1"
expect_exit 2 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 3 00
expect_exit 2 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 0 0000 --offset 255
# lock: PERMANENT-gated as the F4's lock byte
expect_exit 5 "$K" -c twin-spi:a.twin otp lock 0
grep -q 'step otp-lock is irreversible' "$ERR" || fail "lock without PERMANENT"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["bits"]["lb1"]')" = 0 ] || fail "refused lock set LB1"
expect_exit 0 "$K" -c twin-spi:a.twin --dry-run --allow-irreversible=PERMANENT otp lock 0
grep -q 'dry run: would lock OTP block 0 (LB1 := 1, PERMANENT); nothing written' "$OUT" \
	|| fail "lock dry run"
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp lock 0
grep -q 'OTP block 0 is locked (LB1 read back 1)' "$OUT" || fail "lock"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" '(d["bits"]["lb1"], d["bits"]["lb2"], d["bits"]["lb3"])')" = "(1, 0, 0)" ] \
	|| fail "twin: only LB1 set"
[ "$(json_get "$OUT" 'd["sr"][1]')" = 0x0A ] || fail "twin SR2: LB1 and QE only"
expect_exit 0 "$T" show a.twin
grep -q 'security register 1: 256 bytes, 4 programmed, LOCKED' "$OUT" || fail "twin show"
# after the lock: writes refused, nothing planned; the lock again is nothing to do
expect_exit 4 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 0 00 --offset 8
grep -q 'OTP block 0 is locked (LB1 = 1, one-time)' "$ERR" || fail "write after lock"
expect_exit 0 "$K" -c twin-spi:a.twin --json otp show
[ "$(json_get "$OUT" 'd["blocks"][0]["data"][16:18]')" = FF ] || fail "locked register changed"
[ "$(json_get "$OUT" 'd["blocks"][0]["locked"]')" = True ] || fail "json locked"
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp lock 0
# the other registers stay writable (one lock bit each)
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp write 1 A5
expect_exit 0 "$K" -c twin-spi:a.twin status
grep -q "security register 1  locked for good (LB1=1), holds data" "$OUT" \
	|| fail "status names the locked register"
# LB is written non-volatile: it survives a power cycle
expect_exit 0 "$T" power-cycle a.twin
expect_exit 0 "$K" -c twin-spi:a.twin otp show
grep -q '^ 0 locked (LB1=1)' "$OUT" || fail "LB1 after power cycle"
# the lock is a status write: refused while the status register is locked (SRP=1, /WP low)
expect_exit 0 "$T" set a.twin --option srp=1 --option wp=low
expect_exit 4 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp lock 1
grep -q 'SRP=1 with /WP low' "$ERR" || fail "lock with /WP low"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["bits"]["lb2"]')" = 0 ] || fail "LB2 set although refused"

# Macronix: one 512-byte secured OTP area (ENSO B1h / EXSO C1h), locked by LDSO (WRSCUR 2Fh)
expect_exit 0 "$T" new mx25l6433f m.twin
expect_exit 0 "$K" -c twin-spi:m.twin otp show
grep -q '^ 0 unlocked (LDSO=0), 0 of 512 bytes written' "$OUT" || fail "MX otp show"
expect_exit 0 "$K" -c twin-spi:m.twin --allow-irreversible=PERMANENT otp write 0 1234 --offset 300
expect_exit 0 "$K" -c twin-spi:m.twin --json otp show
[ "$(json_get "$OUT" 'd["blocks"][0]["data"][600:608]')" = 1234FFFF ] || fail "MX read back"
expect_exit 5 "$K" -c twin-spi:m.twin otp lock 0
expect_exit 0 "$K" -c twin-spi:m.twin --allow-irreversible=PERMANENT otp lock 0
grep -q 'OTP block 0 is locked (LDSO read back 1)' "$OUT" || fail "MX lock"
expect_exit 4 "$K" -c twin-spi:m.twin --allow-irreversible=PERMANENT otp write 0 00
grep -q 'LDSO = 1' "$ERR" || fail "MX write after lock"
# the array is untouched by the secured OTP program (ENSO/EXSO)
expect_exit 0 "$K" -c twin-spi:m.twin read arr.bin 0:0x200
[ "$(od -An -tx1 -N2 -j300 arr.bin | tr -d ' ')" = ffff ] || fail "MX OTP program hit the array"

# GigaDevice: the layout is UNCONFIRMED in lib/devices/spinor.c: shown, never written
expect_exit 0 "$T" new gd25q64c g.twin
expect_exit 0 "$K" -c twin-spi:g.twin otp show
expect_exit 9 "$K" -c twin-spi:g.twin --allow-irreversible=PERMANENT otp lock 0
grep -q 'UNCONFIRMED' "$ERR" || fail "GD lock refused"
expect_exit 0 "$T" show g.twin --json
[ "$(json_get "$OUT" 'd["bits"]["lb1"]')" = 0 ] || fail "GD LB1 set"
pass
