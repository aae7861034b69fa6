#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Code Read Protection with lpc21isp 1.97 against a served LPC1768 twin (UM10360 §32.6, UM10800
# Table 311): an image carrying CRP1 (0x12345678 at 0x2FC) written by lpc21isp takes effect at
# the next reset; lpc21isp's next plain write then fails on "E 0 0" with
# CODE_READ_PROTECTION_ENABLED (CRP1 erases sector 0 only with all sectors); -wipe erases all
# sectors (allowed) but its copy to sector 0 is refused while CRP1 is latched; after the next
# reset the part is unprotected and a write goes through. Then flashkey on a part lpc21isp
# locked with CRP1: status, refused read, unlock (erase all), write.
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

# flashkey on the part lpc21isp locked: CRP1 reported, reads refused as on hardware, the unlock
# ladder erases it back (every sector, the only way from outside), and after the reset flashkey
# writes and verifies an image (everything but the boot ROM's window 0x00-0x3F, said)
: "${FK_BIN:?FK_BIN not set}"
start_server
lpc -bin -donotstart "$TMP/crp1.bin" || { cat "$TMP/out"; fail "writing the CRP1 image again exit $?"; }
stop_server
"$FK_TWIN_BIN" reset "$TWIN" >/dev/null
fk() { "$FK_BIN" -c "twin-lpc:$TWIN" "$@" >"$TMP/fk.out" 2>&1; }
rc=0; fk status || rc=$?
[ "$rc" = 4 ] || { cat "$TMP/fk.out"; fail "flashkey status under CRP1: exit $rc, expected 4"; }
expect_in "CRP1 in force" "$TMP/fk.out"
rc=0; fk read "$TMP/x.bin" 0x1000:16 || rc=$?
[ "$rc" = 4 ] || { cat "$TMP/fk.out"; fail "flashkey read under CRP1: exit $rc, expected 4"; }
fk unlock --allow-erase-all --no-backup || { cat "$TMP/fk.out"; fail "flashkey unlock"; }
[ "$(json_field crp_word)" = 0xFFFFFFFF ] || fail "flashkey unlock left the CRP word"
"$FK_TWIN_BIN" reset "$TWIN" >/dev/null
fk status || { cat "$TMP/fk.out"; fail "flashkey status after unlock + reset"; }
fk write "$TMP/plain.bin" --base 0 || { cat "$TMP/fk.out"; fail "flashkey write"; }
expect_in "not compared: 0x00000000-0x0000003F" "$TMP/fk.out"
twin_flash 64 4032 "$TMP/fkw.bin"
cmp <(tail -c +65 "$TMP/plain.bin") "$TMP/fkw.bin" || fail "flashkey write: flash differs"
"$FK_TWIN_BIN" show "$TWIN" | grep -q "user code: valid" || fail "flashkey write: no valid user code"
echo "lpc21isp CRP1: OK"
