#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey run` on the ESP32 / ESP32-C3 (issue 16 item 2) and the chip revision (ESP32 "v3",
# C3 "v0.4" from BLOCK1 WAFER_VERSION_*, as esptool prints it). run checks the image the ROM
# will boot (ESP32 at 0x1000, C3 at 0x0: magic 0xE9, 1-16 segments, entry point in IRAM/IROM),
# then pulses EN through RTS with IO0 released and reads the boot log: only "boot:0x13
# (SPI_FAST_FLASH_BOOT)" counts as started; a boot pin held low brings the ROM back in download
# mode and is reported as such, never as success.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN
esp_image() { # esp_image FILE ENTRY [MAGIC] [SEGMENTS]
	python3 -c 'import struct,sys
e=int(sys.argv[2],0); m=int(sys.argv[3],0); n=int(sys.argv[4],0)
open(sys.argv[1],"wb").write(bytes([m,n,2,0x20])+struct.pack("<I",e)+bytes(range(256))*8)' \
		"$1" "$2" "${3:-0xE9}" "${4:-3}"
}
esp_image boot32.bin 0x40080400
esp_image bootc3.bin 0x403CE000
esp_image badmagic.bin 0x40080400 0xEA
esp_image badentry.bin 0x3FFB0000
esp_image badsegs.bin 0x40080400 0xE9 0

# revision
expect_exit 0 "$T" new esp32 a.twin --option boot_pin=low
expect_exit 0 "$K" -c twin-esp:a.twin info
grep -q '^revision  v3$' "$OUT" || fail "ESP32 info: revision v3"
expect_exit 0 "$T" new esp32c3 c.twin --option boot_pin=low
expect_exit 0 "$K" -c twin-esp:c.twin status --json
[ "$(json_get "$OUT" 'd["inventory"]["revision"]')" = v0.4 ] || fail "C3 status: revision v0.4"

# refusals: erased, not an image, impossible entry point, another address -- nothing started
expect_exit 7 "$K" -c twin-esp:a.twin run
grep -q 'erased flash at 0x1000' "$ERR" || fail "erased: not named"
for bad in badmagic badentry badsegs; do
	expect_exit 0 "$K" -c twin-esp:a.twin write "$bad.bin" --base 0x1000
	expect_exit 7 "$K" -c twin-esp:a.twin run
	grep -q 'nothing was started' "$ERR" || fail "$bad: nothing started not said"
done
expect_exit 0 "$K" -c twin-esp:a.twin write badentry.bin --base 0x1000
expect_exit 7 "$K" -c twin-esp:a.twin run
grep -q 'entry point 0x3FFB0000, outside instruction RAM and flash' "$ERR" || fail "bad entry not named"
expect_exit 0 "$K" -c twin-esp:a.twin write badmagic.bin --base 0x1000
expect_exit 7 "$K" -c twin-esp:a.twin run
grep -q 'first byte is 0xEA, not the image magic 0xE9' "$ERR" || fail "bad magic not named"

# the boot pin held low: the ROM comes back in download mode -> reported, exit 3
expect_exit 0 "$K" -c twin-esp:a.twin write boot32.bin --base 0x1000
expect_exit 9 "$K" -c twin-esp:a.twin run 0x2000
grep -q 'always boots the image at 0x1000' "$ERR" || fail "other address: not refused"
expect_exit 0 "$K" -c twin-esp:a.twin run --dry-run
grep -q 'would start the application at 0x00001000: image header 0x200203E9, entry point 0x40080400' "$OUT" \
	|| fail "dry run line"
expect_exit 3 "$K" -c twin-esp:a.twin run
grep -q 'came back in download mode (boot:0x03' "$ERR" || fail "held boot pin: not reported"
expect_exit 0 "$T" show a.twin
grep -q 'running: *ROM download mode' "$OUT" || fail "a.twin should still be in download mode: $(cat "$OUT")"

# the boot pin released: the application starts, proven by the boot log
expect_exit 0 "$T" set a.twin --option boot_pin=high
expect_exit 0 "$K" -c twin-esp:a.twin run --json
[ "$(json_get "$OUT" 'd["started"]')" = True ] || fail "run --json: started"
[ "$(json_get "$OUT" 'd["bootloader_gone"]')" = True ] || fail "run --json: the loader is gone"
expect_exit 0 "$T" show a.twin
grep -q 'running: *application (SPI boot) (boot:0x13)' "$OUT" || fail "a.twin: the application does not run"

# ESP32-C3: the image at 0x0
expect_exit 0 "$T" set c.twin --option boot_pin=high
expect_exit 0 "$K" -c twin-esp:c.twin write bootc3.bin --base 0
expect_exit 0 "$K" -c twin-esp:c.twin run
grep -q 'started the application at 0x00000000: image header 0x200203E9, entry point 0x403CE000' "$OUT" \
	|| fail "C3 run line"
grep -q 'the ROM booted from flash (boot:0x' "$OUT" || fail "C3: boot log not quoted"
pass
