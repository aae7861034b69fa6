#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The on-chip CRC and blank-check code is committed as bytes (lib/boot/stub/stm32_stub_crc32.inc,
# stm32_stub_blank.inc) so that the build needs no cross assembler; this checks that they are
# what lib/boot/stub/crc32_armv6m.S and blank_armv6m.S assemble to, and that the entry point
# sits where the sources say.
. "$(dirname "$0")/lib.sh"
command -v arm-none-eabi-as >/dev/null && command -v arm-none-eabi-ld >/dev/null &&
	command -v arm-none-eabi-objcopy >/dev/null || { echo "SKIP: arm-none-eabi binutils not installed"; exit 77; }
"$FK_SRC/scripts/gen-stub.sh" >"$WORK/stub.inc" || fail "scripts/gen-stub.sh failed"
diff -u "$FK_SRC/lib/boot/stub/stm32_stub_crc32.inc" "$WORK/stub.inc" >"$OUT" ||
	fail "lib/boot/stub/stm32_stub_crc32.inc is stale: run scripts/gen-stub.sh > lib/boot/stub/stm32_stub_crc32.inc"
# vector: MSP 0x20003400, entry 0x20003009 (Thumb bit set)
head -3 "$WORK/stub.inc" | tail -1 | grep -q '^0x00, 0x34, 0x00, 0x20, 0x09, 0x30, 0x00, 0x20,' ||
	fail "the stub's vector is not MSP 0x20003400 / entry 0x20003009"
# the blank-check code (lib/boot/stub/stm32_stub_blank.inc), the same vector
"$FK_SRC/scripts/gen-stub.sh" blank >"$WORK/blank.inc" || fail "scripts/gen-stub.sh blank failed"
diff -u "$FK_SRC/lib/boot/stub/stm32_stub_blank.inc" "$WORK/blank.inc" >"$OUT" ||
	fail "lib/boot/stub/stm32_stub_blank.inc is stale: run" \
		"scripts/gen-stub.sh blank > lib/boot/stub/stm32_stub_blank.inc"
head -3 "$WORK/blank.inc" | tail -1 | grep -q '^0x00, 0x34, 0x00, 0x20, 0x09, 0x30, 0x00, 0x20,' ||
	fail "the blank check's vector is not MSP 0x20003400 / entry 0x20003009"
pass
