#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# STM32F0/F1/F3 over the ROM bootloader (AN3155, twin-uart:): pages that already read erased
# are not erased again (PM0075 §2.3.3: the FPEC programs a half-word only when it reads
# 0xFFFF; the driver proves a page erased by the CRC-32 the chip computes, lib/boot/stm32_stub.c)
# and every write still ends verified and reads back as the image:
#  - a blank F103: all 8 pages of an 8 KiB image found erased, none erased, verified;
#  - partly programmed pages (4 bytes in the middle of page 9, the last half-word of page 12)
#    and the 8 pages written before are erased when a 16 KiB image covers them; the 6 blank
#    ones are not; verified, and read back equal;
#  - a chip programmed all over (another 16 KiB image over the same pages): every page erased,
#    verified, read back equal; `verify` agrees;
#  - the F030 (bootloader v3.1, Extended Erase): the same over a partly programmed page.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
F="$FK_BIN -c twin-uart:b.twin"
# random bytes behind a 0x00 (a random first byte could read as ':' or 'S' and the file as HEX
# or S-records)
rnd() { python3 -c "import os, sys; sys.stdout.buffer.write(b'\\0' + os.urandom($1 - 1))" >"$2"; }
spared() { # spared N M: the driver said N of M pages were found erased
	grep -q "$1 of $2 page(s) already erased" "$ERR" ||
		fail "expected $1 of $2 pages found erased: $(cat "$ERR")"
}

expect_exit 0 "$T" new stm32f103c8 b.twin
rnd 8192 a.bin
expect_exit 0 $F -v write a.bin --base 0x08000000
spared 8 8
grep -q "0 sectors erased (+8 found already erased)" "$OUT" ||
	fail "blank chip: summary: $(cat "$OUT")"
grep -q "verified" "$OUT" || fail "blank chip: not verified: $(cat "$OUT")"

rnd 4 p4.bin
rnd 2 p2.bin
expect_exit 0 $F write p4.bin --base 0x08002402
expect_exit 0 $F write p2.bin --base 0x080033FE
expect_exit 0 $F read pages.bin 0x08002400:4096
python3 - <<'PY' || fail "partly programmed pages not as written"
d = open("pages.bin", "rb").read()
p4, p2 = open("p4.bin", "rb").read(), open("p2.bin", "rb").read()
assert d[2:6] == p4 and d[0xFFE:0x1000] == p2, "image bytes"
rest = d[:2] + d[6:0xFFE]
assert rest == b"\xff" * len(rest), "the rest of pages 9-12 is not blank"
PY

rnd 16384 b.bin
expect_exit 0 $F -v write b.bin --base 0x08000000
spared 6 16
grep -q "10 sectors erased (+6 found already erased)" "$OUT" ||
	fail "partly programmed: summary: $(cat "$OUT")"
grep -q "verified" "$OUT" || fail "over partly programmed pages: not verified: $(cat "$OUT")"
expect_exit 0 $F read back.bin 0x08000000:16384
cmp -s b.bin back.bin || fail "partly programmed pages: read back differs"

rnd 16384 c.bin
expect_exit 0 $F -v --json write c.bin --base 0x08000000
spared 0 16
[ "$(json_get "$OUT" '(d["sectors_erased"], d["sectors_blank"], d["verified"])')" = \
  "(16, 0, 'crc32')" ] || fail "over a programmed chip: $(cat "$OUT")"
expect_exit 0 $F verify c.bin --base 0x08000000
expect_exit 0 $F read back2.bin 0x08000000:16384
cmp -s c.bin back2.bin || fail "programmed chip: read back differs"

# F0: bootloader v3.1, Extended Erase (0x44)
G="$FK_BIN -c twin-uart:c.twin"
expect_exit 0 "$T" new stm32f030c8 c.twin
expect_exit 0 $G write p4.bin --base 0x08000802
expect_exit 0 $G -v write b.bin --base 0x08000000
spared 15 16
expect_exit 0 $G read back0.bin 0x08000000:16384
cmp -s b.bin back0.bin || fail "F030: read back differs"
pass
