#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# On-chip CRC-32 verify over the ROM bootloader of the F0/F1/F3 and L4/G0 twins (the F4's is
# uart_crc_verify.sh): flashkey writes the ARMv6-M routine to the RAM the bootloader leaves free,
# relocated where the part needs it (STM32F030: 8 KiB SRAM, the ROM keeps 0x800 bytes, so at
# 0x20000800; STM32L476: the ROM keeps up to 0x200030FF, so at 0x20003100), starts it with Go;
# the twins run it on their cores (Cortex-M3 F103, Cortex-M0 F030, Cortex-M0+ G071, Cortex-M4
# L476) and restart the bootloader after its AIRCR.SYSRESETREQ (BOOT0 still high).
# Checked per part: a flipped bit is found and named by address; an image that matches is
# confirmed "by CRC-32 computed on the chip"; a write is verified by crc32 (JSON) and the flash
# reads back as the image; --read-back reads instead.
. "$(dirname "$0")/lib.sh"
head -c 12288 /dev/urandom >"$WORK/img.bin"
python3 - "$WORK/img.bin" "$WORK/bad.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x1123] ^= 0x10
open(sys.argv[2], 'wb').write(d)
PY
for chip in stm32f103c8 stm32f030c8 stm32g071rb stm32l476rg; do
	T=$WORK/$chip.twin
	C="twin-uart:$T"
	expect_exit 0 "$FK_TWIN_BIN" new "$chip" "$T" --flash "$WORK/bad.bin"
	expect_exit 6 "$FK_BIN" -c "$C" verify "$WORK/img.bin"
	grep -q "0x08001123: flash reads" "$ERR" || fail "$chip: verify does not name the differing byte"
	expect_exit 0 "$FK_BIN" -c "$C" verify "$WORK/bad.bin"
	grep -q "CRC-32 computed on the chip" "$OUT" || fail "$chip: verify did not compare on the chip"
	expect_exit 0 "$FK_BIN" -c "$C" verify --read-back "$WORK/bad.bin"
	grep -q "CRC-32" "$OUT" && fail "$chip: verify --read-back claims an on-chip CRC"
	expect_exit 0 "$FK_BIN" -c "$C" --yes --json write "$WORK/img.bin" --base 0x08000000
	[ "$(json_get "$OUT" 'd["verified"]')" = crc32 ] || fail "$chip: write was not verified on the chip"
	expect_exit 0 "$FK_BIN" -c "$C" read "$WORK/$chip.back" 0x08000000:12288
	cmp "$WORK/img.bin" "$WORK/$chip.back" || fail "$chip: flash differs from the image after the write"
done
pass
