#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13, class 14: offsets and lengths at the edges never wrap. `otp write 3 00 --offset
# 4294967295` segfaulted (off + len wrapped to 0), also under --dry-run; ranges that run past
# 0xFFFFFFFF are refused before anything is read, erased or compared. Unit: test_span_edges;
# fuzz: fuzz_span.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

for dry in --dry-run ""; do
	for off in 4294967295 0xFFFFFFFF 4294967264 32 31; do
		expect_exit 2 fk $dry otp write 3 0000 --offset $off --allow-irreversible=PERMANENT
		grep -q "offset\|past the block" "$ERR" || fail "otp --offset $off: no range error"
	done
done
expect_exit 0 fk --dry-run otp write 3 00 --offset 31 --allow-irreversible=PERMANENT
for r in 0xFFFFFFFF:2 0xFFFFFFF0:0x20 0x00000002:0xFFFFFFFF; do
	expect_exit 2 fk read o.bin "$r"
	grep -q "runs past 0xFFFFFFFF" "$ERR" || fail "read $r: no wrap refusal"
	expect_exit 2 fk --dry-run erase --range "$r"
done
[ ! -e o.bin ] || fail "a refused read wrote its file"
expect_exit 2 fk --dry-run erase --range 0x080FFFFF:2
expect_exit 0 fk --dry-run erase --range 0x080FFFFF:1
grep -q "sector 11 (0x080E0000" "$OUT" || fail "last byte of flash is not sector 11"
expect_exit 0 fk read last.bin 0x080FFFFF:1
[ "$(stat -c %s last.bin)" = 1 ] || fail "reading the last flash byte"
pass
