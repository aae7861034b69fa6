#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 3: a small image does not destroy the rest of its sector. A 1-byte image at
# 0x08000001 keeps the other 16383 bytes of sector 0 (read, merge, write back: the default),
# and the plan (dry run, text and JSON) says how many bytes are kept; --erase-sectors opts into
# losing them and the plan names the byte count.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/s.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
fk() { "$FK_BIN" -c "twin:$T" "$@"; }
expect_exit 0 fk write "$FW"
expect_exit 0 fk read before.bin 0x08000000:0x4000
printf '\x5a' >one.bin
expect_exit 0 fk --dry-run write one.bin --base 0x08000001
grep -q "would keep 16383 bytes" "$OUT" || fail "the dry run does not say what it keeps"
expect_exit 0 fk --json write one.bin --base 0x08000001
[ "$(json_get "$OUT" "d['kept_bytes']")" = 16383 ] || fail "kept_bytes"
expect_exit 0 fk read after.bin 0x08000000:0x4000
python3 - before.bin after.bin <<'PY' || fail "the rest of sector 0 was not kept"
import sys
b = open(sys.argv[1], 'rb').read(); a = open(sys.argv[2], 'rb').read()
assert len(a) == len(b) == 0x4000
assert a[1] == 0x5A, hex(a[1])
assert a[0] == b[0] and a[2:] == b[2:]
PY
expect_exit 0 fk --dry-run write one.bin --base 0x08000001 --erase-sectors
grep -q "would erase 16383 bytes" "$OUT" || fail "the dry run does not count the bytes lost"
expect_exit 0 fk --json write one.bin --base 0x08000001 --erase-sectors
[ "$(json_get "$OUT" "d['discarded_bytes']")" = 16383 ] || fail "discarded_bytes"
expect_exit 0 fk read lost.bin 0x08000000:0x10
python3 -c 'import sys; d=open("lost.bin","rb").read(); sys.exit(0 if d[0]==0xFF and d[1]==0x5A and d[2]==0xFF else 1)' ||
	fail "--erase-sectors did not erase the sector whole"
pass
