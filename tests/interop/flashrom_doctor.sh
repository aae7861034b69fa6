#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on flashrom's protection messages, confirmed live (issue 15 item 5): flashrom
# 1.3 writes to SPI NOR twins whose status register is hardware protected (SRP=1, /WP low) and
# prints "Block protection could not be disabled!" (W25Q64JV), "Unsetting lock bit(s) failed."
# (GD25Q64C) and, for --wp-disable, the WP# pin note; `flashkey doctor -` on each whole log names
# the message and spi-block-protect as the first cause. The same write to an unprotected twin
# prints none of them (the messages come from the protection, not from the link).
# Every write goes through a layout (-l/-i) naming the first 64 KiB only: flashrom still takes a
# whole-chip image but reads, erases and writes only that region, which keeps the test short.
. "$(dirname "$0")/flashrom.inc"
: "${FK_BIN:?FK_BIN not set}"

doctor_names() { # LOG MESSAGE: doctor picks MESSAGE as the best match and spi-block-protect first
	"$FK_BIN" doctor - <"$1" >"$TMP/doc.txt" 2>&1 || { cat "$TMP/doc.txt"; fail "doctor exit $?"; }
	expect_in "flashrom: \"$2\"" "$TMP/doc.txt"
	expect_in "1. spi-block-protect:" "$TMP/doc.txt"
}

printf '00000000:0000ffff first64k\n' >"$TMP/layout.txt"
lay=(-l "$TMP/layout.txt" -i first64k)
head -c $((4 << 20)) /dev/zero | tr '\0' '\132' >"$TMP/img4.bin"
head -c $((8 << 20)) /dev/zero | tr '\0' '\132' >"$TMP/img8.bin"

# unprotected control: the write succeeds and none of the messages appear
new_twin w25q32jv
start_server
fr_ok "${lay[@]}" -w "$TMP/img4.bin"
for m in "Block protection could not be disabled" "Unsetting lock bit" "WP# pin"; do
	if grep -qF "$m" "$TMP/fr.log"; then cat "$TMP/fr.log"; fail "\"$m\" without protection"; fi
done
stop_server

new_twin w25q64jv --option bp=6 --option tb=1 --option srp=1 --option wp=low
start_server
fr_fails -c "W25Q64JV-.Q" "${lay[@]}" -w "$TMP/img8.bin"
expect_in "Block protection could not be disabled!" "$TMP/fr.log"
cp "$TMP/fr.log" "$TMP/bp.log"
doctor_names "$TMP/bp.log" "Block protection could not be disabled!"
fr_fails -c "W25Q64JV-.Q" --wp-disable --wp-range=0,0
expect_in "WP# pin must be set to an inactive voltage level" "$TMP/fr.log"
cp "$TMP/fr.log" "$TMP/wp.log"
"$FK_BIN" doctor "$(grep -F 'WP# pin' "$TMP/wp.log")" >"$TMP/doc.txt" 2>&1 || fail "WP# note not recognised"
expect_in "1. spi-block-protect:" "$TMP/doc.txt"
stop_server

new_twin gd25q64c --option bp=7 --option srp=1 --option wp=low
start_server
fr_fails "${lay[@]}" -w "$TMP/img8.bin"
expect_in "Unsetting lock bit(s) failed." "$TMP/fr.log"
cp "$TMP/fr.log" "$TMP/gd.log"
doctor_names "$TMP/gd.log" "Unsetting lock bit(s) failed."
stop_server
echo "flashrom_doctor: ok"
