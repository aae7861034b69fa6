#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 (-m 8n1) against the twin's F4 bootloader on a pty: identification, write +
# verify, read back, erase of a range (-S) and of everything (-o). Facts: an3155.md §4, §7.
. "$(dirname "$0")/stm32flash.inc"
IMG=$FK_SRC/tests/fixtures/fw.bin
[ -f "$IMG" ] || { head -c 70001 /dev/urandom >"$TMP/fw.bin"; IMG=$TMP/fw.bin; }
SIZE=$(stat -c %s "$IMG")
"$FK_TWIN_BIN" new stm32f407 "$TWIN" >/dev/null
start_server

sf >"$TMP/info.txt" 2>&1 || fail "stm32flash identification failed"
grep -qE "Device ID +: 0x0413" "$TMP/info.txt" || fail "no device ID 0x0413"
grep -qE "Version +: 0x31" "$TMP/info.txt" || fail "no bootloader version 0x31"

sf -w "$IMG" -v >"$TMP/w.txt" 2>&1 || { cat "$TMP/w.txt"; fail "write+verify failed"; }
expect_in "Wrote and verified address" "$TMP/w.txt"

sf -r "$TMP/back.bin" -S "0x08000000:$SIZE" >"$TMP/r.txt" 2>&1 || { cat "$TMP/r.txt"; fail "read failed"; }
cmp "$IMG" "$TMP/back.bin" || fail "read-back differs from the image"

# -S range erase: sector 1 (0x08004000, 16 KiB) only
sf -o -S 0x08004000:0x4000 >"$TMP/e.txt" 2>&1 || { cat "$TMP/e.txt"; fail "range erase failed"; }
sf -r "$TMP/s01.bin" -S 0x08000000:0x8000 >/dev/null 2>&1 || fail "read after range erase failed"
cmp -n 16384 "$IMG" "$TMP/s01.bin" || fail "sector 0 changed by a sector-1 erase"
cmp -n 16384 <(head -c 16384 /dev/zero | tr '\0' '\377') <(tail -c 16384 "$TMP/s01.bin") ||
	fail "sector 1 not erased"

sf -o >"$TMP/m.txt" 2>&1 || { cat "$TMP/m.txt"; fail "mass erase failed"; }
stop_server
"$FK_TWIN_BIN" show "$TWIN" >"$TMP/show.txt"
if grep -E '^  [0-9]+ +0x0800' "$TMP/show.txt" | grep -q programmed; then
	cat "$TMP/show.txt"; fail "flash not blank after stm32flash -o"
fi
echo "stm32flash: identify, write+verify, read, range erase, mass erase: ok"
