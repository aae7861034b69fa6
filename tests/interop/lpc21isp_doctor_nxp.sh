#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what lpc21isp 1.97 really prints in two more lock states of the LPC twins
# (issue 17 part 6; lpc21isp_doctor.sh covers CRP1 on the LPC1768):
#  - LPC812 at CRP2 (UM10800 Table 311: only an erase of all sectors is allowed, W is refused
#    with 19): `-wipe` erases, then "Wrong answer on Write-Command" / "CODE READ PROTECTION
#    ENABLED"; `flashkey doctor -` ranks lpc-crp first and the live doctor over twin-lpc:
#    confirms CRP2 and names the unlock;
#  - LPC1768 at CRP3 with valid user code (UM10360 §32.6: the ISP pin is not sampled): lpc21isp
#    never synchronises ("no answer on '?'"); doctor names the ISP not being entered first and
#    keeps lpc-crp among the causes (CRP3 is one way to get there), and the live doctor cannot
#    read the chip, so it decides nothing rather than guessing.
. "$(dirname "$0")/lpc21isp.inc"
: "${FK_BIN:?FK_BIN not set}"
head -c 4096 /dev/urandom >"$TMP/plain.bin"

# --- LPC812, CRP2
new_twin lpc812 "$TWIN" --crp 2
start_server
if lpc -bin -wipe -donotstart "$TMP/plain.bin"; then fail "write under CRP2 succeeded"; fi
stop_server
expect_in "Wiping Device. OK" "$TMP/out"
expect_in "Wrong answer on Write-Command" "$TMP/out"
expect_in "CODE READ PROTECTION ENABLED" "$TMP/out"
"$FK_BIN" doctor - <"$TMP/out" >"$TMP/crp2.doc" 2>&1 ||
	{ cat "$TMP/out" "$TMP/crp2.doc"; fail "doctor exit $?"; }
expect_in "1. lpc-crp:" "$TMP/crp2.doc"
expect_in 'lpc21isp: "Wrong answer on' "$TMP/crp2.doc"
timeout 60 "$FK_BIN" -c "twin-lpc:$TWIN" doctor - <"$TMP/out" >"$TMP/crp2.live" 2>&1 || true
grep -qE "^  1\. lpc-crp +confirmed +lpc-crp: CRP: CRP2 in force" "$TMP/crp2.live" ||
	{ cat "$TMP/crp2.live"; fail "live doctor: CRP2 not confirmed first"; }
grep -q "^Fix: flashkey -c twin-lpc:$TWIN unlock --upto rdp --allow-erase-all" "$TMP/crp2.live" ||
	{ cat "$TMP/crp2.live"; fail "live doctor: no fix"; }

# --- LPC1768, CRP3 with valid user code: written by lpc21isp itself, latched at the next reset
head -c 4096 /dev/urandom >"$TMP/crp3.bin"
printf '\x65\x87\x21\x43' | dd of="$TMP/crp3.bin" bs=1 seek=$((0x2FC)) conv=notrunc status=none
new_twin lpc1768 "$TWIN"
start_server
lpc -bin -donotstart "$TMP/crp3.bin" || { cat "$TMP/out"; fail "writing the CRP3 image exit $?"; }
stop_server
"$FK_TWIN_BIN" reset "$TWIN" >/dev/null
[ "$(json_field crp_latched)" = CRP3 ] || fail "CRP3 not latched at reset"
start_server
if lpc -try5 -detectonly; then fail "lpc21isp synchronised with a CRP3 part"; fi
stop_server
expect_in "no answer on '?'" "$TMP/out"
"$FK_BIN" doctor - <"$TMP/out" >"$TMP/crp3.doc" 2>&1 ||
	{ cat "$TMP/out" "$TMP/crp3.doc"; fail "doctor exit $?"; }
expect_in "1. lpc-isp-not-entered:" "$TMP/crp3.doc"
grep -qE "^  [0-9]+\. lpc-crp:" "$TMP/crp3.doc" ||
	{ cat "$TMP/crp3.doc"; fail "lpc-crp not listed"; }
rc=0
timeout 60 "$FK_BIN" -c "twin-lpc:$TWIN" doctor - <"$TMP/out" >"$TMP/crp3.live" 2>&1 || rc=$?
[ "$rc" != 0 ] || { cat "$TMP/crp3.live"; fail "live doctor on an unreachable ISP exited 0"; }
expect_in "None of these causes is confirmed on this chip." "$TMP/crp3.live"
if grep -qE "^  [0-9]+\. [a-z0-9-]+ +confirmed" "$TMP/crp3.live"; then
	cat "$TMP/crp3.live"; fail "live doctor confirmed a cause it could not read"
fi
echo "lpc21isp_doctor_nxp: ok"
