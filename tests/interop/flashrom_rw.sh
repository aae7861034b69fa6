#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashrom 1.3 reads, writes and verifies a 4 MiB image on the W25Q32JV twin through serprog,
# then writes a second image that changes data already written (so flashrom must erase: the
# twin's 4 KiB/32 KiB/64 KiB erases and 256-byte page programs, W64 §8.2), and cross-checks the
# chip's contents with `flashkey-twin`'s state file. The images are 4 MiB but mostly 0xFF, so
# flashrom (which writes only what differs from the chip) keeps the test short; -r and -v move
# the whole 4 MiB. Also a read of the Macronix and GigaDevice twins.
. "$(dirname "$0")/flashrom.inc"

mkimg() { # OUT SEED: 4 MiB, 0xFF except 96 KiB of pseudo-random data in three places
	python3 - "$1" "$2" <<'PY'
import random, sys
r = random.Random(int(sys.argv[2]))
d = bytearray(b"\xff" * (4 << 20))
for off in (0x000000, 0x1F8000, 0x3F0000):
    d[off:off + 0x8000] = bytes(r.getrandbits(8) for _ in range(0x8000))
open(sys.argv[1], "wb").write(d)
PY
}
mkimg "$TMP/a.bin" 1
mkimg "$TMP/b.bin" 2

new_twin w25q32jv
start_server
fr_ok -w "$TMP/a.bin"
expect_in "VERIFIED" "$TMP/fr.log"
fr_ok -r "$TMP/back.bin"
cmp "$TMP/a.bin" "$TMP/back.bin" || fail "read back differs from the image written"
fr_ok -w "$TMP/b.bin"
expect_in "Erase/write done" "$TMP/fr.log"
fr_ok -v "$TMP/b.bin"
expect_in "VERIFIED" "$TMP/fr.log"
fr_fails -v "$TMP/a.bin"
stop_server
# the twin's own view of the array (its state file) matches what flashrom wrote
python3 - "$TWIN" "$TMP/b.bin" <<'PY'
import sys
st = open(sys.argv[1], "rb").read()
img = open(sys.argv[2], "rb").read()
# header 40 bytes, then the array (twin/spinor/state.c)
assert st[:8] == b"FKTWSPI\n", "not a SPI NOR state"
assert st[40:40 + len(img)] == img, "twin array differs from the image flashrom wrote"
PY

new_twin gd25q64c --flash "$TMP/a.bin"
start_server
fr_ok -r "$TMP/gd.bin"
stop_server
head -c $((4 << 20)) "$TMP/gd.bin" | cmp - "$TMP/a.bin" || fail "GD25Q64C read differs"
echo "flashrom_rw: ok"
