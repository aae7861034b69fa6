#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey image` (docs/IMAGES.md) with the real binary: info on the four fixture formats gives
# the same segments and CRC, --json, convert round trips (ELF -> ihex/srec/bin -> info), --fill,
# and bad input -> exit 7 with file:line and what was expected.
source "$FK_SRC/tests/scenario/lib.sh"
FX="$FK_SRC/tests/fixtures"

crcs=""
for f in fw.elf fw.hex fw.srec fw.bin; do
	expect_exit 0 "$FK_BIN" --json image info "$FX/$f"
	cp "$OUT" "info-$f.json"
	crcs="$crcs $(json_get "info-$f.json" 'd["crc32"] + "/" + str(d["size"]) + "/" + ",".join(s["start"] + ":" + str(s["length"]) + ":" + s["crc32"] for s in d["segments"])')"
done
[ "$(echo $crcs | tr ' ' '\n' | sort -u | wc -l)" -eq 1 ] || fail "formats disagree:$crcs"
[ "$(json_get info-fw.elf.json 'd["format"]')" = elf ] || fail "ELF not detected"
[ "$(json_get info-fw.srec.json 'd["format"]')" = srec ] || fail "S-record not detected"
[ "$(json_get info-fw.elf.json 'd["entry"]')" = "$(json_get info-fw.hex.json 'd["entry"]')" ] ||
	fail "entry points differ"
[ "$(json_get info-fw.bin.json 'd["entry"]')" = None ] || fail "a raw binary has no entry point"
[ "$(json_get info-fw.elf.json 'd["start"]')" = 0x08000000 ] || fail "ELF not at flash"

# human-readable form
expect_exit 0 "$FK_BIN" image info "$FX/fw.elf"
grep -q '^  entry point  0x080' "$OUT" || fail "no entry point line"
grep -q "CRC-32       $(json_get info-fw.elf.json 'd["crc32"]') (span, gaps 0xFF)" "$OUT" || fail "no span CRC"

# convert round trips: each output reloads to the same CRC; the bin needs --base
for fmt in ihex srec bin; do
	expect_exit 0 "$FK_BIN" image convert "$FX/fw.elf" "out.$fmt" --format "$fmt"
	grep -q "wrote out.$fmt: $fmt" "$ERR" || fail "no summary for $fmt"
	expect_exit 0 "$FK_BIN" --json image info "out.$fmt" --base 0x08000000
	[ "$(json_get "$OUT" 'd["crc32"]')" = "$(json_get info-fw.elf.json 'd["crc32"]')" ] ||
		fail "round trip through $fmt changed the image"
done
cmp out.bin "$FX/fw.bin" || fail "bin output differs from objcopy's"
# format from the output name; a raw binary at another base
expect_exit 0 "$FK_BIN" image convert "$FX/fw.bin" moved.hex --base 0x08004000
expect_exit 0 "$FK_BIN" --json image info moved.hex
[ "$(json_get "$OUT" 'd["start"]')" = 0x08004000 ] || fail "--base ignored"

# --fill: two blocks with a gap become one block
printf ':020000001122CB\n:02001000334477\n:00000001FF\n' >gap.hex
expect_exit 0 "$FK_BIN" image convert gap.hex filled.hex --fill 0x00 --format ihex
expect_exit 0 "$FK_BIN" --json image info filled.hex
[ "$(json_get "$OUT" 'len(d["segments"])')" = 1 ] || fail "--fill did not join the gap"
[ "$(json_get "$OUT" 'd["segments"][0]["length"]')" = 18 ] || fail "filled length"

# bad input: exit 7, file:line, what was expected; JSON error document
printf ':020000001122CB\n:02001000334400\n:00000001FF\n' >badsum.hex
expect_exit 7 "$FK_BIN" image info badsum.hex
grep -q 'badsum.hex:2: bad checksum 0x00: expected 0x77' "$ERR" || fail "checksum error not located"
grep -q '^hint: ' "$ERR" || fail "no hint"
head -c 20000 "$FX/fw.srec" >cut.srec
expect_exit 7 "$FK_BIN" image info cut.srec
grep -q 'cut.srec:[0-9]*: ' "$ERR" || fail "truncated S-record not located"
head -c 3000 "$FX/fw.elf" >cut.elf
expect_exit 7 "$FK_BIN" --json image info cut.elf
[ "$(json_get "$OUT" 'd["error"]["exit_code"]')" = 7 ] || fail "JSON error exit code"
json_get "$OUT" 'd["error"]["message"]' | grep -q 'cut.elf: program header 0: .*past the end of the file' ||
	fail "truncated ELF message"
head -c 512 /dev/urandom >junk.hex
expect_exit 7 "$FK_BIN" image info junk.hex
grep -q 'junk.hex' "$ERR" || fail "junk not named"
: >empty.bin
expect_exit 7 "$FK_BIN" image info empty.bin
grep -q 'empty.bin: empty file' "$ERR" || fail "empty file"

# info --format forces the input format: an ELF read as Intel HEX is bad input
expect_exit 7 "$FK_BIN" image info "$FX/fw.elf" --format ihex
grep -q 'fw.elf:1: column 1: expected .:. to start a record' "$ERR" || fail "--format ignored by info"
expect_exit 0 "$FK_BIN" --json image info "$FX/fw.elf" --format bin --base 0
[ "$(json_get "$OUT" 'd["format"]')" = bin ] || fail "--format bin not honoured"

# usage errors: exit 2
expect_exit 2 "$FK_BIN" image convert "$FX/fw.elf" out.xyz
grep -q 'expected bin, ihex or srec' "$ERR" || fail "missing --format not explained"
expect_exit 2 "$FK_BIN" image info "$FX/fw.elf" --fill 300
expect_exit 2 "$FK_BIN" image frobnicate
expect_exit 1 "$FK_BIN" image info does-not-exist.hex
grep -q 'cannot open does-not-exist.hex' "$ERR" || fail "missing file"
# issue 17 Deliver 4: the protection words an image carries, in `image info` and in a write's
# warnings: an NXP CRP3 word at 0x2FC (permanent on an LPC) written to an ESP32, which ignores
# it, is warned about with its address, and written as given
python3 -c "
import struct
d = bytearray(b'\x11' * 0x400); d[0x2FC:0x300] = struct.pack('<I', 0x43218765)
open('crp3.bin', 'wb').write(d)"
expect_exit 0 "$FK_BIN" image info crp3.bin --base 0
grep -q "protection   0x000002FC NXP LPC CRP3 (PERMANENT)" "$OUT" || fail "image info: no CRP3 line: $(cat "$OUT")"
expect_exit 0 "$FK_BIN" image info crp3.bin --base 0 --json
[ "$(json_get "$OUT" "[(p['kind'], p['address'], p['value'], p['permanent']) for p in d['protection']]")" = \
  "[('lpc-crp', '0x000002FC', '0x43218765', True)]" ] || fail "image info --json protection: $(cat "$OUT")"
expect_exit 0 "$FK_BIN" image info crp3.bin --base 0x08000000 --json
[ "$(json_get "$OUT" "d['protection']")" = "[]" ] || fail "a word away from 0x2FC taken for CRP: $(cat "$OUT")"
if [ -n "${FK_TWIN_BIN:-}" ]; then
	expect_exit 0 "$FK_TWIN_BIN" new esp32 e.twin
	expect_exit 0 "$FK_BIN" -c twin-esp:e.twin write crp3.bin --base 0
	grep -q "warning: the image's 0x000002FC holds 0x43218765, NXP LPC CRP3 (.*): esp32 ignores it, but the image may be meant for another part" "$ERR" ||
		fail "no CRP warning on an ESP32: $(cat "$ERR")"
	expect_exit 0 "$FK_BIN" -c twin-esp:e.twin verify crp3.bin --base 0
fi
pass
