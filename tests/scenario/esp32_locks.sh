#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ESP32 / ESP32-C3 drivers' eFuse locks and connection failures (lib/chip/esp32.c,
# lib/boot/esp_loader.c; issue 16 items 1, 2 and 5) with the real flashkey binary against ESP
# twins over twin-esp:PATH: flash encryption on (writes refused naming the eFuse, shown
# impossible with what still works, nothing burnt); a board without the auto-reset circuit and
# download mode disabled by eFuse (what the silence means); Secure Download Mode (writes only);
# esptool's --before/--after words.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

head -c 64 /dev/urandom > app.bin
# flash encryption on: a plaintext write would boot as garbage; refused, eFuse named, shown
# impossible with what still works; flashkey burns nothing
expect_exit 0 "$T" new esp32 fe.twin --efuse FLASH_CRYPT_CNT=1 --efuse JTAG_DISABLE=1
expect_exit 4 "$K" -c twin-esp:fe.twin write app.bin --base 0x10000
grep -q 'FLASH_CRYPT_CNT' "$ERR" || fail "FE write: the eFuse named"
grep -q -- '--encrypt' "$ERR" || fail "FE write: what still works"
expect_exit 4 "$K" -c twin-esp:fe.twin status
grep -q 'FLASH_CRYPT_CNT .*flash encryption on' "$OUT" || fail "FE status"
grep -q 'JTAG_DISABLE .*JTAG disabled by eFuse' "$OUT" || fail "JTAG status"
grep -A1 'FLASH_CRYPT_CNT' "$OUT" | grep -q 'impossible' || fail "FE: impossible"
expect_exit 0 "$K" -c twin-esp:fe.twin unlock
grep -q 'nothing' "$OUT" || fail "FE unlock: no step for eFuses"
expect_exit 0 "$T" show fe.twin --json
[ "$(json_get "$OUT" 'd["efuse"]["FLASH_CRYPT_CNT"]')" = 1 ] || fail "an eFuse changed"

# no auto-reset circuit: silence, and the message says to hold the boot pin and tap EN
expect_exit 0 "$T" new esp32 n.twin --option autoreset=0
expect_exit 3 "$K" -c twin-esp:n.twin status
grep -q 'no serial data received' "$ERR" || fail "no auto-reset: silence named"
grep -q 'hold the boot pin low (ESP32: GPIO0' "$ERR" || fail "no auto-reset: what to do"
grep -q -- '--before no_reset' "$ERR" || fail "no auto-reset: --before no_reset"
expect_exit 0 "$T" set n.twin --option boot_pin=low
expect_exit 0 "$K" -c twin-esp:n.twin --before no_reset info

# download mode disabled by eFuse (ESP32 v3 UART_DOWNLOAD_DIS): identified from what the ROM
# says, and said to be permanent
expect_exit 0 "$T" new esp32 d.twin --efuse UART_DOWNLOAD_DIS=1
expect_exit 3 "$K" -c twin-esp:d.twin status
grep -q 'download mode is disabled by eFuse' "$ERR" || fail "download disabled: named"
grep -q 'cannot be cleared' "$ERR" || fail "download disabled: permanent"

# Secure Download Mode (C3): flash writes only; reads refused naming the eFuse
expect_exit 0 "$T" new esp32c3 s.twin --efuse ENABLE_SECURITY_DOWNLOAD=1
expect_exit 0 "$K" -c twin-esp:s.twin status
grep -q 'ENABLE_SECURITY_DOWNLOAD .*Secure Download Mode' "$OUT" || fail "SDM: status"
expect_exit 4 "$K" -c twin-esp:s.twin read s.bin 0:64
grep -q 'Secure Download Mode' "$ERR" || fail "SDM: read refused"

# esptool's words for --before / --after; anything else is a usage error
expect_exit 0 "$T" new esp32 a.twin
expect_exit 2 "$K" -c twin-esp:a.twin --before sometimes info
grep -q 'default_reset, usb_reset, no_reset, no_reset_no_sync' "$ERR" || fail "--before words"
expect_exit 0 "$K" -c twin-esp:a.twin --before default_reset --after no_reset info
pass
