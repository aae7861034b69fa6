#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed firmware fixtures (tests/fixtures/fw.{elf,bin,hex,srec}) must be exactly what
# their sources build to: rebuild them into a scratch directory with arm-none-eabi-gcc and
# compare byte for byte. Skipped (77) where the cross toolchain is not installed.
source "$FK_SRC/tests/scenario/lib.sh"
command -v arm-none-eabi-gcc >/dev/null && command -v arm-none-eabi-objcopy >/dev/null || {
	echo "SKIP: arm-none-eabi-gcc not installed"; exit 77; }
make -s -C "$FK_SRC/tests/fixtures" OUT="$WORK" >"$OUT" 2>"$ERR" || fail "fixture build failed"
for f in fw.elf fw.bin fw.hex fw.srec; do
	cmp "$WORK/$f" "$FK_SRC/tests/fixtures/$f" >/dev/null ||
		fail "$f: committed fixture differs from a rebuild (run \`make fixtures\` and commit)"
done
pass
