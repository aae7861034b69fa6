#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 -R against the twin's F4 bootloader on a pty: stm32flash writes its own 24-byte
# reset stub to 0x20003000 and sends Go there (an3155.md §4.5); the twin's CPU runs it, the stub
# writes AIRCR.SYSRESETREQ, the chip resets and (BOOT0 still high) the bootloader starts again.
# Evidence: the serve log line of the Go outcome, and a second stm32flash run that finds a fresh
# bootloader (its first 0x7F ACKed at once, no 0.5 s retry). A run without -R is the control.
. "$(dirname "$0")/stm32flash.inc"
"$FK_TWIN_BIN" new stm32f407 "$TWIN" >/dev/null
start_server

# control: no -R, no Go
sf -r "$TMP/a.bin" -S 0x08000000:256 >"$TMP/a.txt" 2>&1 || { cat "$TMP/a.txt"; fail "read failed"; }
grep -q "Go 0x" "$TMP/serve.log" && fail "a Go without -R"
[ "$(stat -c %s "$TMP/a.bin")" = 256 ] || fail "read size"

# a second run now meets an already-synced bootloader: 0x7F is taken as a command byte, so the
# init needs stm32flash's retry after its 0.5 s timeout (an3155.md §1.4)
start=$(date +%s%N)
sf -R -r "$TMP/b.bin" -S 0x08000000:256 >"$TMP/b.txt" 2>&1 || { cat "$TMP/b.txt"; fail "read + reset failed"; }
slow_ms=$(( ($(date +%s%N) - start) / 1000000 ))
cmp "$TMP/a.bin" "$TMP/b.bin" || fail "reads differ"
expect_in "Go 0x20003000: code ran 3 instructions" "$TMP/serve.log"
expect_in "then AIRCR.SYSRESETREQ: system reset, bootloader restarts" "$TMP/serve.log"

# after the reset the bootloader is fresh: the first 0x7F is ACKed, no retry
start=$(date +%s%N)
sf >"$TMP/c.txt" 2>&1 || { cat "$TMP/c.txt"; fail "stm32flash after the reset failed"; }
fast_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -qE "Device ID +: 0x0413" "$TMP/c.txt" || { cat "$TMP/c.txt"; fail "no device ID after the reset"; }
[ "$fast_ms" -lt "$slow_ms" ] || fail "second run not faster ($fast_ms ms vs $slow_ms ms): no fresh bootloader?"
[ "$(grep -c 'Go 0x' "$TMP/serve.log")" = 1 ] || fail "expected exactly one Go"
grep "Go 0x" "$TMP/serve.log"
stop_server
echo "stm32flash -R: stub ran on the twin's CPU, system reset, bootloader restarted ($slow_ms ms -> $fast_ms ms): ok"
