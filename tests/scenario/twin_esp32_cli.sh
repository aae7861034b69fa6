#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ESP32 / ESP32-C3 twin on the registry (twin/esp32, issue 16 item 3): list, new with eFuses
# (--efuse NAME=V), the attached SPI flash (--spi-flash, --flash, --option flash.KEY=V), the board
# (--option autoreset=0, boot_pin=low), show text/JSON, set, reset, power-cycle; bad eFuse names
# and values refused naming the field; a server for a port the model lacks refused.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
grep -q '^esp32 .*chip-detect magic 0x00F01D83' "$OUT" || fail "list lacks esp32 with its magic"
grep -q '^esp32c3 .*chip ID 0x05' "$OUT" || fail "list lacks esp32c3 with its chip id"

# factory ESP32: boot pin released, so a reset boots the application
printf 'ESP-APP-IMAGE' > app.bin
expect_exit 0 "$T" new esp32 a.twin --flash app.bin
grep -q 'created a.twin: esp32, application (SPI boot), 4096 KiB w25q32jv, flash unprotected, flash encryption off' "$OUT" || fail "created line"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["variant"]')" = esp32 ] || fail "variant"
[ "$(json_get "$OUT" 'd["mac"]')" = 24:0a:c4:12:34:56 ] || fail "mac"
[ "$(json_get "$OUT" 'd["efuse"]["FLASH_CRYPT_CNT"]')" = 0 ] || fail "crypt cnt"
[ "$(json_get "$OUT" 'd["autoreset"]')" = True ] || fail "autoreset"

# eFuses and a protected flash: FLASH_CRYPT_CNT=1 (odd: encryption on), BP=7
expect_exit 0 "$T" new esp32 b.twin --efuse FLASH_CRYPT_CNT=1 --efuse JTAG_DISABLE=1 --spi-flash w25q128jv --option flash.bp=7 --option boot_pin=low
grep -q 'created b.twin: esp32, ROM download mode, 16384 KiB w25q128jv, flash protected' "$OUT" || fail "created b"
grep -q 'flash encryption on' "$OUT" || fail "encryption on"
expect_exit 0 "$T" show b.twin
grep -q 'flash encryption: on (crypt count 0x1)' "$OUT" || fail "show encryption"
grep -q 'JTAG:             disabled (JTAG_DISABLE)' "$OUT" || fail "show jtag"
grep -q 'boot pin held low (download)' "$OUT" || fail "show boot pin"
expect_exit 0 "$T" set b.twin --option efuse.FLASH_CRYPT_CNT=3 --option boot_pin=high
expect_exit 0 "$T" reset b.twin
grep -q '^reset (EN): application (SPI boot)' "$OUT" || fail "reset report"
expect_exit 0 "$T" show b.twin --json
[ "$(json_get "$OUT" 'd["flash_encryption"]')" = False ] || fail "even count: encryption off"

# C3: download disabled; a power cycle keeps the ROM silent
expect_exit 0 "$T" new esp32c3 c.twin --efuse DIS_DOWNLOAD_MODE=1 --option boot_pin=low --option autoreset=0
grep -q 'created c.twin: esp32c3, download mode disabled by eFuse (silent)' "$OUT" || fail "created c"
expect_exit 0 "$T" power-cycle c.twin
grep -q 'download mode disabled by eFuse' "$OUT" || fail "power-cycle report"
expect_exit 0 "$T" show c.twin --json
[ "$(json_get "$OUT" 'd["autoreset"]')" = False ] || fail "no auto-reset circuit"
[ "$(json_get "$OUT" 'd["download_disabled"]')" = True ] || fail "download disabled"

# bad input
expect_exit 2 "$T" new esp32 x.twin --efuse SPI_BOOT_CRYPT_CNT=1
grep -q 'esp32 has no eFuse field SPI_BOOT_CRYPT_CNT' "$ERR" || fail "C3 field on an ESP32"
[ ! -e x.twin ] || fail "refused twin was written"
expect_exit 2 "$T" new esp32 y.twin --efuse UART_DOWNLOAD_DIS=2
grep -q 'UART_DOWNLOAD_DIS is 1 bits wide' "$ERR" || fail "value too wide"
expect_exit 2 "$T" new esp32 z.twin --rdp 1
grep -q 'not an option of esp32 twins (model esp32)' "$ERR" || fail "foreign option named"
expect_exit 2 "$T" new esp32 w.twin --spi-flash nope
grep -q 'not a SPI NOR part the twin models' "$ERR" || fail "bad flash part"
expect_exit 9 "$T" serve a.twin --jtag-bitbang 127.0.0.1:0 --max-ms 100
grep -q 'offers: byte stream "esp-rom"' "$ERR" || fail "debug server on an ESP twin"
pass
