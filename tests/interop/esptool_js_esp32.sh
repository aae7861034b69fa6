#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# esptool-js 0.7.0 (Node) against the served ESP32 twin (issue 16, Peer): connect and detect the
# chip by its magic word (GET_SECURITY_INFO is not in the ESP32 ROM), chip description, MAC,
# upload of the flasher stub (recognised by its digest, "OHAI"), flash ID, the status register
# read the way write_flash_status does (runSpiflashCommand 05h/35h), a 40 KiB write (FLASH_BEGIN/
# DATA/END, compress off) verified by SPI_FLASH_MD5, and a read back (stub READ_FLASH).
# Then the seed's case: block protection locked by SRP0 with /WP low: the stub's SPIUnlock cannot
# clear BP, the flash ignores the writes and esptool-js reports "MD5 of file does not match data
# in flash!". Download mode disabled by eFuse: esptool-js cannot connect.
. "$(dirname "$0")/esptool_js.inc"
head -c 40000 /dev/urandom >"$TMP/img.bin"
IMG_MD5=$(md5sum "$TMP/img.bin" | cut -d' ' -f1)

new_twin esp32
start_server
ejs_ok "$TMP/img.bin" 0x10000
stop_server
SR_TWIN='int(t["spi_flash"]["sr"][0], 16) | int(t["spi_flash"]["sr"][1], 16) << 8'
verify 'r["chip_name"] == "ESP32"' "chip name" \
	'r["chip_description"] == "ESP32-D0WD-V3 (revision 3)"' "chip description" \
	'r["is_stub"]' "the stub runs" \
	'r["mac"] == t["mac"]' "MAC as in the twin's eFuses" \
	'r["flash_id"] == 0x1640EF' "flash ID EF 40 16 as W0 = byte0 | byte1 << 8 | byte2 << 16" \
	"r['status'] == $SR_TWIN" "status register as in the twin" \
	"r['flash_md5'] == '$IMG_MD5'" "SPI_FLASH_MD5" \
	"r['read_md5'] == '$IMG_MD5'" "READ_FLASH"
expect_in "Hash of data verified." "$TMP/ejs.log"
expect_in "recognised by its digest" "$TMP/serve.log"

# the seed: BP locked by SRP0 + /WP low (hardware protection); the stub does not verify
new_twin esp32 --option flash.bp=7 --option flash.srp=1 --option flash.wp=low
start_server
ejs_fails "$TMP/img.bin" 0x10000
stop_server
expect_in "MD5 of file does not match data in flash!" "$TMP/ejs.log"
verify 'r["status"] & 0xFF == 0x9C' "status SRP0 + BP2..0 before the write" \
	't["spi_flash"]["bits"]["bp2"] == 1' "BP left set"

# download mode disabled (UART_DOWNLOAD_DIS): the ROM stays silent
new_twin esp32 --efuse UART_DOWNLOAD_DIS=1
start_server
ejs_fails "$TMP/img.bin" 0x10000
stop_server
expect_in "Failed to connect with the device" "$TMP/ejs.log"
echo "PASS: esptool-js against the ESP32 twin"
