#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashrom 1.3's write-protect model setting protection on the W25Q64JV twin (-c W25Q64JV-.Q):
# --wp-range + --wp-enable set what the twin then reports (range and SRP);
# --wp-disable clears it; with SRP=1 and /WP low (hardware protected) flashrom's write is
# refused by the chip and flashrom names the WP# pin; a write into a protected range fails in
# flashrom's verify while the protected data stays, as on hardware.
. "$(dirname "$0")/flashrom.inc"

# set, then read back through the twin (state saved when the server stops)
new_twin w25q64jv
start_server
fr_ok -c "W25Q64JV-.Q" --wp-range=0,0x400000 --wp-enable
expect_in "Enabled hardware protection" "$TMP/fr.log"
fr_ok -c "W25Q64JV-.Q" --wp-status
expect_in "Protection mode: hardware" "$TMP/fr.log"
stop_server
[ "$(twin_range)" = "0x00000000 0x00400000" ] || fail "twin range $(twin_range) after --wp-range"
[ "$(twin_field '["bits"]["srp"]')" = 1 ] || fail "SRP not set by --wp-enable"

# /WP high: hardware mode is "unprotected", so flashrom can clear it
start_server
fr_ok -c "W25Q64JV-.Q" --wp-disable --wp-range=0,0
expect_in "Disabled hardware protection" "$TMP/fr.log"
stop_server
[ "$(twin_range)" = "0x00000000 0x00000000" ] || fail "twin range $(twin_range) after --wp-disable"
[ "$(twin_field '["sr_protection"]')" = software ] || fail "mode not software after --wp-disable"

# hardware protected (SRP=1, /WP low): the chip ignores the status write; flashrom reads back,
# sees the old value and says the WP# pin must be inactive
new_twin w25q64jv --option bp=6 --option tb=1 --option srp=1 --option wp=low
start_server
fr_fails -c "W25Q64JV-.Q" --wp-disable --wp-range=0,0
expect_in "WP# pin must be set to an inactive voltage level" "$TMP/fr.log"
# a write into the protected lower half: the chip ignores erase and program silently, flashrom's
# verify finds the old data
head -c 4096 /dev/urandom >"$TMP/page.bin"
python3 - "$TMP/page.bin" "$TMP/img.bin" <<'PY'
import sys
d = bytearray(b"\xff" * (8 << 20))
d[0:4096] = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d)
PY
fr_fails -c "W25Q64JV-.Q" -w "$TMP/img.bin"
expect_in "FAILED" "$TMP/fr.log"
stop_server
[ "$(twin_range)" = "0x00000000 0x00400000" ] || fail "protection changed: $(twin_range)"
[ "$(twin_field '["ignored_protected"]')" -gt 0 ] || fail "the twin refused no program/erase"
[ "$(twin_field '["ignored_srp"]')" -gt 0 ] || fail "the twin refused no status write"
echo "flashrom_wp_set: ok"
