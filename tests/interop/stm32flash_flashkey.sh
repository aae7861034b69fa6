#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey and stm32flash on one served twin bootloader: flashkey (-c uart:LINK, the serial link
# on a pty, 8N1 because a pty drops parity) reads back what stm32flash wrote, and stm32flash
# reads back what flashkey wrote; flashkey's status sees RDP set by stm32flash -j.
. "$(dirname "$0")/stm32flash.inc"
head -c 40000 /dev/urandom >"$TMP/a.bin"
head -c 30000 /dev/urandom >"$TMP/b.bin"
"$FK_TWIN_BIN" new stm32f407 "$TWIN" >/dev/null
start_server
fk() { timeout 120 "$FK_BIN" -c "uart:$LINK@115200" --8n1 "$@"; }

sf -w "$TMP/a.bin" >"$TMP/w1.txt" 2>&1 || { cat "$TMP/w1.txt"; fail "stm32flash write failed"; }
fk read "$TMP/a.back" 0x08000000:40000 >"$TMP/r1.txt" 2>&1 || { cat "$TMP/r1.txt"; fail "flashkey read failed"; }
cmp "$TMP/a.bin" "$TMP/a.back" || fail "flashkey read back something else than stm32flash wrote"

fk --yes write "$TMP/b.bin" --base 0x08000000 >"$TMP/w2.txt" 2>&1 || { cat "$TMP/w2.txt"; fail "flashkey write failed"; }
sf -r "$TMP/b.back" -S 0x08000000:30000 >"$TMP/r2.txt" 2>&1 || { cat "$TMP/r2.txt"; fail "stm32flash read failed"; }
cmp "$TMP/b.bin" "$TMP/b.back" || fail "stm32flash read back something else than flashkey wrote"

sf -j >/dev/null 2>&1 || fail "stm32flash -j failed"
set +e
fk status >"$TMP/st.txt" 2>&1
rc=$?
set -e
grep -qi "level 1" "$TMP/st.txt" || { cat "$TMP/st.txt"; fail "flashkey status does not report RDP level 1 (rc $rc)"; }
set +e
fk read "$TMP/x.bin" 0x08000000:256 >"$TMP/r3.txt" 2>&1
rc=$?
set -e
[ "$rc" -eq 4 ] || { cat "$TMP/r3.txt"; fail "read under RDP: exit $rc, expected 4 (blocked by protection)"; }
grep -q "readout protection" "$TMP/r3.txt" || { cat "$TMP/r3.txt"; fail "read under RDP does not name the protection"; }
echo "flashkey <-> stm32flash on one twin: ok"
