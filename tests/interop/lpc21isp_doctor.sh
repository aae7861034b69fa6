#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what lpc21isp 1.97 really prints against an LPC1768 twin latched at CRP1
# (UM10360 §32.6: sector 0 cannot be erased alone, the ISP answers CODE_READ_PROTECTION_ENABLED):
# the whole output goes to `flashkey doctor -`, which must list lpc-crp first. The same write to
# an unprotected twin succeeds and its output matches no message. The live doctor over the same
# twin (twin-lpc:, the LPC driver) confirms lpc-crp from the CRP level it finds and names the fix
# (unlock: erase every sector through the ISP).
. "$(dirname "$0")/lpc21isp.inc"
: "${FK_BIN:?FK_BIN not set}"
head -c 4096 /dev/urandom >"$TMP/plain.bin"

new_twin lpc1768 "$TWIN"
start_server
lpc -bin -donotstart "$TMP/plain.bin" || { cat "$TMP/out"; fail "control: write exit $?"; }
stop_server
if "$FK_BIN" doctor - <"$TMP/out" >"$TMP/ok.doc" 2>&1; then cat "$TMP/out" "$TMP/ok.doc"; fail "control: doctor found a message"; fi

new_twin lpc1768 "$TWIN" --crp 1
start_server
if lpc -bin -donotstart "$TMP/plain.bin"; then fail "write under CRP1 succeeded"; fi
stop_server
expect_in "CODE READ PROTECTION ENABLED" "$TMP/out"
"$FK_BIN" doctor - <"$TMP/out" >"$TMP/crp.doc" 2>&1 || { cat "$TMP/out" "$TMP/crp.doc"; fail "doctor exit $?"; }
expect_in "1. lpc-crp:" "$TMP/crp.doc"
timeout 60 "$FK_BIN" -c "twin-lpc:$TWIN" doctor - <"$TMP/out" >"$TMP/crp.live" 2>&1
grep -qE "^  [0-9]+\. lpc-crp +confirmed +lpc-crp: CRP: CRP1 in force" "$TMP/crp.live" ||
	{ cat "$TMP/crp.live"; fail "live doctor: lpc-crp not confirmed"; }
grep -q "^Fix: flashkey -c twin-lpc:$TWIN unlock --upto rdp --allow-erase-all" "$TMP/crp.live" ||
	{ cat "$TMP/crp.live"; fail "live doctor: no fix"; }
echo "lpc21isp_doctor: ok"
