#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what lpc21isp 1.97 really prints against an LPC1768 twin latched at CRP1
# (UM10360 §32.6: sector 0 cannot be erased alone, the ISP answers CODE_READ_PROTECTION_ENABLED):
# the whole output goes to `flashkey doctor -`, which must list lpc-crp first. The same write to
# an unprotected twin succeeds and its output matches no message. (No live check: the doctor's
# live facts do not cover LPC CRP yet.)
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
echo "lpc21isp_doctor: ok"
