#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 16 (bad input): a bootloader image whose header contradicts the chip is written as given
# (the user may mean it) but flashkey says so first, in the chip's terms: the header's flash size
# (byte 3, high nibble: 0 = 1 MB ... 3 = 8 MB) above the attached flash's (the twin's W25Q32JV:
# 4 MB), a SPI mode byte no ROM knows (byte 2 above 5), a chip ID (bytes 12-13) of another chip
# (ESP_CHIP_ID_ESP32 = 0, ESP32C3 = 5). A header that matches says nothing. Header layout:
# ESP-IDF esp_image_header_t, at 0x1000 on the ESP32 and 0x0 on the ESP32-C3.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
# hdr FILE MODE SIZE_SPEED CHIP_ID: a 4 KiB bootloader image: header, then filler
hdr() {
	python3 - "$@" <<'PY'
import struct, sys
f, mode, ss, chip = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)
h = struct.pack('<BBBBI', 0xE9, 3, mode, ss, 0x40080000) + bytes([0xEE, 0, 0, 0]) + \
    struct.pack('<HB', chip, 0) + bytes(9)
open(f, 'wb').write(h + bytes((i * 13) & 0xFF for i in range(4096 - len(h))))
PY
}
expect_exit 0 "$FK_TWIN_BIN" new esp32 a.twin
expect_exit 0 "$FK_TWIN_BIN" new esp32c3 c.twin

hdr ok.bin 2 0x20 0 # DIO, 4 MB, 40 MHz, ESP32
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin write ok.bin --base 0x1000
! grep -q "bootloader header" "$ERR" || fail "a matching header was warned about: $(cat "$ERR")"

hdr big.bin 2 0x30 0 # 8 MB
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin write big.bin --base 0x1000
grep -q "warning: the bootloader header at 0x1000 says 8 MB of flash, but the chip has 4 MB" "$ERR" ||
	fail "an 8 MB header on 4 MB of flash was not warned about: $(cat "$ERR")"
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin read back.bin 0x1000:0x1000
cmp -s back.bin big.bin || fail "the header was not written as given"

hdr mode.bin 7 0x20 0
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin write mode.bin --base 0x1000
grep -q "names SPI mode 7, which no ESP ROM knows" "$ERR" || fail "mode 7 not warned about: $(cat "$ERR")"

hdr c3.bin 2 0x20 5 # an ESP32-C3 bootloader on an ESP32
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin write c3.bin --base 0x1000
grep -q "is built for chip ID 5 (ESP32-C3), not this ESP32 (chip ID 0)" "$ERR" ||
	fail "a C3 header on an ESP32 not warned about: $(cat "$ERR")"

# the C3 boots from 0x0: its header is read there, and an ESP32 header is the foreign one
hdr c3ok.bin 2 0x20 5
expect_exit 0 "$FK_BIN" -c twin-esp:c.twin write c3ok.bin --base 0x0
! grep -q "bootloader header" "$ERR" || fail "a matching C3 header was warned about: $(cat "$ERR")"
hdr e32.bin 2 0x20 0
expect_exit 0 "$FK_BIN" -c twin-esp:c.twin write e32.bin --base 0x0
grep -q "the bootloader header at 0x0 is built for chip ID 0 (ESP32), not this ESP32-C3 (chip ID 5)" "$ERR" ||
	fail "an ESP32 header on a C3 not warned about: $(cat "$ERR")"
pass
