#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 4: a raw binary loses its address. `image convert` to .bin warns and names
# where the data was (text and JSON); `write FILE.bin` says the address it uses in the plan
# (text and JSON); a binary whose vector table (initial SP, reset vector) the chip could not
# start at the default base (the flash base) is refused, exit 7, nothing written, unless --base
# names the address.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/b.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
fk() { "$FK_BIN" -c "twin:$T" "$@"; }

# an image that lives after a 16 KiB bootloader, converted to bin: the address goes, loudly
expect_exit 0 "$FK_BIN" image convert "$FW" app.hex --base 0x08004000
expect_exit 0 "$FK_BIN" image convert app.hex app.bin
grep -q "keeps no address" "$ERR" || fail "convert to bin does not warn: $(cat "$ERR")"
grep -q "0x08004000" "$ERR" || fail "the warning does not name where the data was"
expect_exit 0 "$FK_BIN" --json image convert app.hex app2.bin
[ "$(json_get "$OUT" "d['address_lost']")" = True ] || fail "JSON address_lost"
[ "$(json_get "$OUT" "d['start']")" = 0x08004000 ] || fail "JSON start"
expect_exit 0 "$FK_BIN" image convert app.hex app3.srec
grep -q "keeps no address" "$ERR" && fail "a conversion keeping addresses warned"
expect_exit 0 "$FK_BIN" --json image convert app.hex app4.srec
[ "$(json_get "$OUT" "d['address_lost']")" = False ] || fail "JSON address_lost on srec"

# the plan says where a bin goes
expect_exit 0 fk --dry-run write app.bin
grep -q "would place raw binary app.bin at 0x08000000" "$OUT" || fail "the plan does not print the address: $(cat "$OUT")"
expect_exit 0 fk --dry-run --json write app.bin --base 0x08004000
[ "$(json_get "$OUT" "d['start']")" = 0x08004000 ] || fail "JSON start with --base"
[ "$(json_get "$OUT" "d['raw_binary']")" = True ] || fail "JSON raw_binary"
expect_exit 0 fk --dry-run --json write app.hex
[ "$(json_get "$OUT" "d['raw_binary']")" = False ] || fail "JSON raw_binary for HEX"

# a vector table the chip could not start at the flash base: refused unless --base
expect_exit 0 fk write "$FW"
expect_exit 0 fk read before.bin 0x08000000:0x4000
python3 -c 'import struct,sys; open("bad.bin","wb").write(struct.pack("<II", 0x12345678, 0x9ABCDEF1) + bytes(range(256)) * 4)'
expect_exit 7 fk write bad.bin
grep -q "0x12345678" "$ERR" && grep -q "0x9ABCDEF1" "$ERR" || fail "the refusal does not name the vector words: $(cat "$ERR")"
grep -q -- "--base" "$ERR" || fail "the refusal does not name --base"
expect_exit 7 fk --dry-run write bad.bin
expect_exit 7 fk --json write bad.bin
[ "$(json_get "$OUT" "d['error']['exit_code']")" = 7 ] || fail "JSON exit_code"
expect_exit 0 fk read after.bin 0x08000000:0x4000
cmp -s before.bin after.bin || fail "a refused bin changed flash"
# an erased-looking start (0xFFFFFFFF words) is no vector table either
python3 -c 'open("ff.bin","wb").write(b"\xff" * 8 + b"\x00" * 8)'
expect_exit 7 fk write ff.bin
# --base names the address: the user's word is taken
expect_exit 0 fk write bad.bin --base 0x08000000
expect_exit 0 fk read vt.bin 0x08000000:0x8
[ "$(od -An -tx1 vt.bin | tr -d ' \n')" = 78563412f1debc9a ] || fail "write --base did not write"
pass
