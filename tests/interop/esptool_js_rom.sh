#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# esptool-js 0.7.0 in ROM mode (no flasher stub: FK_EJS_ROM=1 in esptool_js.mjs, as esptool.py
# --no-stub drives the ROM) against the served ESP32 and ESP32-C3 twins: the ROM's own write
# path, which flashkey uses and which esptool-js's default session (stub) never reaches. Checked:
# no stub uploaded, SPI_ATTACH, CHANGE_BAUDRATE with a zero old rate (ROM form), FLASH_BEGIN /
# FLASH_DATA in 0x400-byte blocks (each read back by the ROM), SPI_FLASH_MD5 by the ROM (as 32
# ASCII hex characters, which esptool-js 0.7's own check misreads: esptool_js.mjs); then
# flashkey verifies esptool-js's image on the same twin and esptool-js's MD5 of an image flashkey
# wrote agrees.
. "$(dirname "$0")/esptool_js.inc"
: "${FK_BIN:?FK_BIN not set}"
head -c 20000 /dev/urandom >"$TMP/img.bin"
head -c 9000 /dev/urandom >"$TMP/fk.bin"
IMG_MD5=$(md5sum "$TMP/img.bin" | cut -d' ' -f1)
FK_MD5=$(md5sum "$TMP/fk.bin" | cut -d' ' -f1)
export FK_EJS_ROM=1

for chip in esp32 esp32c3; do
	new_twin "$chip"
	"$FK_BIN" -c "twin-esp:$TWIN" write "$TMP/fk.bin" --base 0x30000 >"$TMP/fk.log" 2>&1 ||
		{ cat "$TMP/fk.log"; fail "$chip: flashkey write"; }
	start_server
	ejs_ok "$TMP/img.bin" 0x10000 460800 "$((0x30000)):9000"
	stop_server
	verify 'not r["is_stub"]' "$chip: no stub (ROM mode)" \
		'r["block_size"] == 0x400' "$chip: the ROM's 0x400-byte FLASH_DATA blocks" \
		"r['flash_md5'] == '$IMG_MD5'" "$chip: the ROM's SPI_FLASH_MD5 of esptool-js's image" \
		'r["write_verified"]' "$chip: the ROM's digest matches the image" \
		'"read_md5" not in r' "$chip: no READ_FLASH (a stub command) in ROM mode" \
		"r['extra_md5'] == '$FK_MD5'" "$chip: the ROM's digest of the image flashkey wrote"
	expect_in "Changing baudrate to 460800" "$TMP/ejs.log"
	expect_in "CHANGE_BAUDRATE: 460800 baud" "$TMP/serve.log"
	if grep -q "OHAI\|stub" "$TMP/ejs.log"; then cat "$TMP/ejs.log"; fail "$chip: a stub was mentioned"; fi
	"$FK_BIN" -c "twin-esp:$TWIN" verify "$TMP/img.bin" --base 0x10000 >"$TMP/fk.log" 2>&1 ||
		{ cat "$TMP/fk.log"; fail "$chip: flashkey verify of esptool-js's ROM-mode image"; }
done
echo "PASS: esptool-js in ROM mode against the ESP32 and ESP32-C3 twins"
