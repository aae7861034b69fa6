#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey and esptool-js 0.7.0 check each other on the same ESP32 twin (issue 16 item 3): the
# seed's board (SPI flash BP bits set) is unlocked by flashkey (volatile, then non-volatile) and
# written through the ROM (twin-esp:); esptool-js then reads the status register as
# write_flash_status does (BP cleared) and reads back what flashkey wrote (its MD5); esptool-js
# writes an image of its own, which flashkey verifies. The same on the ESP32-C3.
. "$(dirname "$0")/esptool_js.inc"
: "${FK_BIN:?FK_BIN not set}"
head -c 12000 /dev/urandom >"$TMP/fk.bin"
head -c 8000 /dev/urandom >"$TMP/ejs.bin"
FK_MD5=$(md5sum "$TMP/fk.bin" | cut -d' ' -f1)

for chip in esp32 esp32c3; do
	new_twin "$chip" --option flash.bp=2
	"$FK_BIN" -c "twin-esp:$TWIN" unlock >"$TMP/fk.log" 2>&1 || { cat "$TMP/fk.log"; fail "$chip: flashkey unlock"; }
	# 0x3E0000.. was inside the BP range (upper 1/32 of 4 MiB)
	"$FK_BIN" -c "twin-esp:$TWIN" write "$TMP/fk.bin" --base 0x3E0000 >"$TMP/fk.log" 2>&1 ||
		{ cat "$TMP/fk.log"; fail "$chip: flashkey write"; }
	start_server
	ejs_ok "$TMP/ejs.bin" 0x10000 115200 "$((0x3E0000)):12000"
	stop_server
	verify 'r["status"] & 0x1C == 0' "$chip: esptool-js reads BP2..0 = 0 after flashkey's unlock" \
		"r['extra_md5'] == '$FK_MD5'" "$chip: esptool-js reads back what flashkey wrote"
	"$FK_BIN" -c "twin-esp:$TWIN" verify "$TMP/ejs.bin" --base 0x10000 >"$TMP/fk.log" 2>&1 ||
		{ cat "$TMP/fk.log"; fail "$chip: flashkey verify of esptool-js's image"; }
	"$FK_BIN" -c "twin-esp:$TWIN" verify "$TMP/fk.bin" --base 0x3E0000 >"$TMP/fk.log" 2>&1 ||
		{ cat "$TMP/fk.log"; fail "$chip: flashkey's image after esptool-js's session"; }
done
echo "PASS: flashkey and esptool-js agree on the ESP32 and ESP32-C3 twins"
