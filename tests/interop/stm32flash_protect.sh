#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 protection commands against the twin's F4 bootloader: Readout Protect (-j) makes
# reads NACK (AN3155 Table 2, F40x double NACK), Readout Unprotect (-k) mass-erases (visible in
# `flashkey-twin show`), Write Unprotect (-u) clears nWRP. Facts: an3155.md §2.2, §3.1, §6.
. "$(dirname "$0")/stm32flash.inc"
head -c 4096 /dev/urandom >"$TMP/img.bin"
"$FK_TWIN_BIN" new stm32f407 "$TWIN" --wrp 1 >/dev/null
start_server

# write protection: a sector-1 erase is refused, -u lifts it
if sf -o -S 0x08004000:0x4000 >"$TMP/e1.txt" 2>&1; then fail "erase of a write-protected sector succeeded"; fi
sf -u >"$TMP/u.txt" 2>&1 || { cat "$TMP/u.txt"; fail "write unprotect failed"; }
sf -o -S 0x08004000:0x4000 >"$TMP/e2.txt" 2>&1 || { cat "$TMP/e2.txt"; fail "erase after -u failed"; }

sf -w "$TMP/img.bin" >/dev/null 2>&1 || fail "write failed"
sf -j >"$TMP/j.txt" 2>&1 || { cat "$TMP/j.txt"; fail "readout protect failed"; }
if sf -r "$TMP/x.bin" -S 0x08000000:256 >"$TMP/r1.txt" 2>&1; then fail "read succeeded under RDP"; fi
expect_in "Got NACK from device on command 0x11" "$TMP/r1.txt"
stop_server
"$FK_TWIN_BIN" show "$TWIN" >"$TMP/show1.txt"
expect_in "RDP: level 1" "$TMP/show1.txt"
grep -qE '^  0 +0x08000000 .*programmed' "$TMP/show1.txt" || fail "image not in sector 0 before -k"

start_server
sf -k >"$TMP/k.txt" 2>&1 || { cat "$TMP/k.txt"; fail "readout unprotect failed"; }
stop_server
"$FK_TWIN_BIN" show "$TWIN" >"$TMP/show2.txt"
expect_in "RDP: level 0" "$TMP/show2.txt"
grep -qE '^  0 +0x08000000 .*blank' "$TMP/show2.txt" || { cat "$TMP/show2.txt"; fail "no mass erase after -k"; }
expect_in "write-protected sectors: none" "$TMP/show2.txt"

start_server
sf -r "$TMP/y.bin" -S 0x08000000:256 >/dev/null 2>&1 || fail "read after -k failed"
cmp <(head -c 256 /dev/zero | tr '\0' '\377') "$TMP/y.bin" || fail "flash not erased after -k"
echo "stm32flash: -u, -j (reads NACKed), -k (mass erase, RDP 0): ok"
