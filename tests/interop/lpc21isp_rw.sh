#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lpc21isp 1.97 writes and verifies (-verify: M after every C) against served twins: a 20 KiB
# binary into an LPC1768 over UU-encoded W, an Intel HEX into an LPC812 over binary W; the
# twin's flash then holds the image (lpc21isp patches word 7, the vector checksum, so the
# boot ROM sees valid user code); -wipe erases every sector first (P/E 0..last).
. "$(dirname "$0")/lpc21isp.inc"
head -c 20000 /dev/urandom >"$TMP/img.bin"
new_twin lpc1768 "$TWIN"
start_server
lpc -bin -verify -donotstart "$TMP/img.bin" || { cat "$TMP/out"; fail "write exit $?"; }
expect_in "Download Finished and Verified correct" "$TMP/out"
stop_server
twin_flash 32 19968 "$TMP/back.bin"
tail -c +33 "$TMP/img.bin" | cmp - "$TMP/back.bin" || fail "LPC1768 flash differs from the image"
[ "$(json_field user_code_valid)" = true ] || fail "word 7 not patched: user code not valid"
[ "$(json_field sectors_not_blank)" = 5 ] || fail "expected sectors 0-4 written"

# -wipe and a smaller image: every other sector blank afterwards; G ends the session
head -c 3000 /dev/urandom >"$TMP/small.bin"
start_server
lpc -bin -wipe "$TMP/small.bin" || { cat "$TMP/out"; fail "wipe+write exit $?"; }
expect_in "Wiping Device. OK" "$TMP/out"
expect_in "Now launching the brand new code" "$TMP/out"
stop_server
[ "$(json_field sectors_not_blank)" = 1 ] || fail "-wipe left other sectors programmed"
[ "$(json_field mode)" = user ] || fail "G did not start the user code"

# LPC812: Intel HEX at 0 (objcopy), binary W with echo, XON/XOFF off
command -v objcopy >/dev/null || { echo "objcopy missing: skipping the HEX half"; exit 0; }
head -c 5000 /dev/urandom >"$TMP/img8.bin"
objcopy -I binary -O ihex "$TMP/img8.bin" "$TMP/img8.hex"
new_twin lpc812 "$TWIN"
start_server
lpc -hex -verify -donotstart "$TMP/img8.hex" || { cat "$TMP/out"; fail "LPC812 write exit $?"; }
expect_in "Download Finished and Verified correct" "$TMP/out"
stop_server
twin_flash 32 4968 "$TMP/back8.bin"
tail -c +33 "$TMP/img8.bin" | cmp - "$TMP/back8.bin" || fail "LPC812 flash differs from the image"
echo "lpc21isp read/write: OK"
