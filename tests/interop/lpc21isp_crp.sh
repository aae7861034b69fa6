#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Code Read Protection with lpc21isp 1.97 against a served LPC1768 twin (UM10360 §32.6, UM10800
# Table 311): an image carrying CRP1 (0x12345678 at 0x2FC) written by lpc21isp takes effect at
# the next reset; lpc21isp's next plain write then fails on "E 0 0" with
# CODE_READ_PROTECTION_ENABLED (CRP1 erases sector 0 only with all sectors); -wipe erases all
# sectors (allowed) but its copy to sector 0 is refused while CRP1 is latched; after the next
# reset the part is unprotected and a write goes through.
. "$(dirname "$0")/lpc21isp.inc"
head -c 8192 /dev/urandom >"$TMP/crp1.bin"
printf '\x78\x56\x34\x12' | dd of="$TMP/crp1.bin" bs=1 seek=$((0x2FC)) conv=notrunc status=none
new_twin lpc1768 "$TWIN"
start_server
lpc -bin -donotstart "$TMP/crp1.bin" || { cat "$TMP/out"; fail "writing the CRP1 image exit $?"; }
stop_server
[ "$(json_field crp_word)" = 0x12345678 ] || fail "CRP1 word not in flash"
"$FK_TWIN_BIN" reset "$TWIN" >/dev/null
[ "$(json_field crp_latched)" = CRP1 ] || fail "CRP1 not latched at reset"

start_server
lpc -detectonly || fail "J/K are allowed at CRP1, exit $?"
expect_in "(0x26013F37)" "$TMP/out"
if lpc -bin -donotstart "$TMP/crp1.bin"; then fail "write over CRP1 succeeded"; fi
expect_in "Wrong answer on Erase-Command" "$TMP/out"
expect_in "CODE READ PROTECTION ENABLED" "$TMP/out"
head -c 4096 /dev/urandom >"$TMP/plain.bin"
if lpc -bin -wipe -donotstart "$TMP/plain.bin"; then fail "copy to sector 0 under CRP1 succeeded"; fi
expect_in "Wiping Device. OK" "$TMP/out"
expect_in "CODE READ PROTECTION ENABLED" "$TMP/out"
# the next session starts with a reset: the erased word no longer protects
lpc -bin -donotstart "$TMP/plain.bin" || { cat "$TMP/out"; fail "write after the wipe exit $?"; }
stop_server
[ "$(json_field crp_latched)" = none ] || fail "CRP still latched after erase + reset"
echo "lpc21isp CRP1: OK"
