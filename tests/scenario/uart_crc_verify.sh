#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Comparisons over the ROM bootloader path use a CRC-32 the chip computes: flashkey writes a
# 176-byte ARMv6-M routine to RAM, starts it with Go (AN3155 §3.5), the routine ends with a
# system reset (AIRCR.SYSRESETREQ) into the bootloader and the results are read from RAM. The
# twin executes that code on its CPU model, reading the flash through the chip model.
# Checked here: write/verify say how they compared; a single flipped bit in flash is found and
# named by address (the mismatching range is then read back); --skip-unchanged leaves alone the
# sectors whose on-chip CRC matches and erases only the changed one; --read-back reads instead;
# the outcome is the same bytes either way.
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/f407.twin
C="twin-uart:$T"
LEN=$(stat -c %s "$FW")

# flash holds fw.bin with one bit flipped in sector 1 (0x08004000 + 0x123)
python3 - "$FW" "$WORK/bad.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x4123] ^= 0x10
open(sys.argv[2], 'wb').write(d)
PY
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --flash "$WORK/bad.bin"

expect_exit 6 "$FK_BIN" -c "$C" verify "$FW"
grep -q "0x08004123: flash reads" "$ERR" || fail "verify does not name the differing byte"
expect_exit 6 "$FK_BIN" -c "$C" verify --read-back "$FW"
grep -q "0x08004123: flash reads" "$ERR" || fail "verify --read-back does not name the byte"
expect_exit 0 "$FK_BIN" -c "$C" verify "$WORK/bad.bin"
grep -q "CRC-32 computed on the chip" "$OUT" || fail "verify does not say it compared on the chip"
expect_exit 0 "$FK_BIN" -c "$C" verify --read-back "$WORK/bad.bin"
grep -q "CRC-32" "$OUT" && fail "verify --read-back claims an on-chip CRC"

# --skip-unchanged: fw.bin covers sectors 0-2; only sector 1 differs
expect_exit 0 "$FK_BIN" -c "$C" --yes --json write --skip-unchanged "$FW"
[ "$(json_get "$OUT" 'd["sectors_erased"]')" = 1 ] || fail "skip-unchanged erased more than sector 1"
[ "$(json_get "$OUT" 'd["compared"]')" = crc32 ] || fail "skip-unchanged did not compare on the chip"
[ "$(json_get "$OUT" 'd["verified"]')" = crc32 ] || fail "write was not verified on the chip"
expect_exit 0 "$FK_BIN" -c "$C" read "$WORK/back.bin" 0x08000000:$LEN
cmp "$FW" "$WORK/back.bin" || fail "flash differs from fw.bin after the write"
expect_exit 0 "$FK_BIN" -c "$C" --yes write --skip-unchanged "$FW"
grep -q "0 sectors erased" "$OUT" || fail "an identical re-flash erased something"

# --read-back: the same result without running code
expect_exit 0 "$FK_BIN" -c "$C" --yes --json write --read-back "$WORK/bad.bin"
[ "$(json_get "$OUT" 'd["verified"]')" = read ] || fail "--read-back did not read back"
expect_exit 0 "$FK_BIN" -c "$C" read "$WORK/back2.bin" 0x08000000:$LEN
cmp "$WORK/bad.bin" "$WORK/back2.bin" || fail "flash differs from bad.bin after --read-back write"

# the same code with no range resets the chip (the bootloader has no reset command): verified by
# the bootloader answering again; NRST and power are not wired to a UART and say so
expect_exit 0 "$FK_BIN" -c "$C" reset
grep -q "system reset done" "$OUT" || fail "reset over the bootloader not reported"
expect_exit 9 "$FK_BIN" -c "$C" reset hw
grep -q "no NRST line" "$ERR" || fail "reset hw over the bootloader does not say why not"
grep -q "debug probe" "$ERR" || fail "reset hw over the bootloader does not name the path that can"

# under RDP level 1 the bootloader refuses the code (Write Memory NACK): no hang, the usual error
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$WORK/rdp.twin" --rdp 1 --flash "$FW"
expect_exit 4 "$FK_BIN" -c "twin-uart:$WORK/rdp.twin" verify "$FW"
grep -q "RDP level 1" "$ERR" || fail "verify under RDP 1 does not name the protection"
pass
