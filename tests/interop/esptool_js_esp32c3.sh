#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# esptool-js 0.7.0 (Node) against the served ESP32-C3 twin (issue 16, Peer): detection by
# GET_SECURITY_INFO (chip id 5), the C3's eFuse MAC, the stub, CHANGE_BAUDRATE to 921600, flash
# ID, status register, a 40 KiB write verified by MD5 and read back. With BP bits set and the
# status register not locked, the stub's SPIUnlock at FLASH_BEGIN clears them non-volatilely
# (stub_write_flash.c; esp_lpc.md A.10) and the write succeeds: the twin shows BP = 0 after.
# Secure Download Mode: esptool-js keeps the ROM (no stub) and cannot read registers.
. "$(dirname "$0")/esptool_js.inc"
head -c 40000 /dev/urandom >"$TMP/img.bin"
IMG_MD5=$(md5sum "$TMP/img.bin" | cut -d' ' -f1)

new_twin esp32c3 --option flash.bp=1
start_server
ejs_ok "$TMP/img.bin" 0x20000 921600
stop_server
verify 'r["chip_name"] == "ESP32-C3"' "chip name" \
	'r["chip_description"] == "ESP32-C3 (QFN32) (revision v0.4)"' "chip description" \
	'r["mac"] == t["mac"]' "MAC as in the twin's eFuses" \
	'r["flash_id"] == 0x1640EF' "flash ID" \
	'r["status"] == 0x204' "status BP0 and QE before the write" \
	"r['flash_md5'] == '$IMG_MD5'" "SPI_FLASH_MD5" \
	"r['read_md5'] == '$IMG_MD5'" "READ_FLASH" \
	't["spi_flash"]["bits"]["bp0"] == 0' "the stub's SPIUnlock cleared BP0"
expect_in "Changing baudrate to 921600" "$TMP/ejs.log"
expect_in "CHANGE_BAUDRATE: 921600 baud" "$TMP/serve.log"

new_twin esp32c3 --efuse ENABLE_SECURITY_DOWNLOAD=1
start_server
ejs_fails "$TMP/img.bin" 0x20000
stop_server
expect_in "Secure Download Mode" "$TMP/ejs.log"
verify 'not r["is_stub"]' "no stub in Secure Download Mode"
echo "PASS: esptool-js against the ESP32-C3 twin"
