#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey-twin serve --realtime`: the wire is paced in wall time (11 bits per character at
# 115200) and the bootloader's start-up after a reset (AN2606 Table 227: 84.59 ms) is kept, as
# a peer on a real line would see it. stm32flash reads 8 KiB: it cannot finish faster than the
# wire allows; flashkey's on-chip CRC (code run by Go, then a system reset) and its reset
# through the bootloader must cope with the start-up; stm32flash started after the start-up
# meets a fresh bootloader. Only lower bounds on time are checked (a loaded machine is slower).
. "$(dirname "$0")/stm32flash.inc"
FW=$FK_SRC/tests/fixtures/fw.bin
"$FK_TWIN_BIN" new stm32f407 "$TWIN" --flash "$FW" >/dev/null
start_server --realtime

start=$(date +%s%N)
sf -r "$TMP/a.bin" -S 0x08000000:8192 >"$TMP/a.txt" 2>&1 || { cat "$TMP/a.txt"; fail "read failed"; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# 32 Read Memory exchanges of 256 bytes: at least 32 x 265 characters x 11 bits / 115200 = 809 ms
[ "$ms" -ge 800 ] || fail "8 KiB read in $ms ms: faster than the paced wire (>= 809 ms)"
cmp "$TMP/a.bin" <(head -c 8192 "$FW") || fail "stm32flash read differs from fw.bin"

timeout 60 "$FK_BIN" -c "uart:$LINK" --8n1 verify "$FW" >"$TMP/v.txt" 2>&1 ||
	{ cat "$TMP/v.txt"; fail "flashkey verify over the paced line failed"; }
expect_in "CRC-32 computed on the chip" "$TMP/v.txt"
timeout 60 "$FK_BIN" -c "uart:$LINK" --8n1 reset >"$TMP/r.txt" 2>&1 ||
	{ cat "$TMP/r.txt"; fail "flashkey reset over the paced line failed"; }
expect_in "system reset done" "$TMP/r.txt"
expect_in "then AIRCR.SYSRESETREQ: system reset, bootloader restarts" "$TMP/serve.log"
sleep 0.2 # past the start-up
sf >"$TMP/c.txt" 2>&1 || { cat "$TMP/c.txt"; fail "stm32flash after the reset failed"; }
grep -qE "Device ID +: 0x0413" "$TMP/c.txt" || { cat "$TMP/c.txt"; fail "no device ID after the reset"; }
stop_server
echo "PASS: stm32flash_realtime ($ms ms for 8 KiB)"
