#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with interface/stlink.cfg (hla_swd) drives the STM32F407 twin through
# the USB bridge and an emulated ST-LINK/V2 (0483:3748): examine, reset halt, flash probe,
# write_image erase + verify_image of a 1 KiB image, stm32f2x lock 0 / options_read 0 /
# unlock 0. After each run `flashkey-twin show` and `flashkey status` agree with what OpenOCD
# did. The V2-1 and V3 identities are examined too. Sources: probes.md §2, docs/PROBES.md.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
head -c 1024 /dev/urandom >img.bin
expect_exit 0 "$T" new stm32f407 f4.twin

ocd stlink-v2 interface/stlink.cfg init "reset halt" "flash probe 0" \
	"flash write_image erase img.bin 0x08000000" "verify_image img.bin 0x08000000" \
	"stm32f2x lock 0" "reset halt" "stm32f2x options_read 0" || fail "openocd failed: $(cat usb.log)"
need "STLINK V2J37S7 (API v2) VID:PID 0483:3748"
need "Cortex-M4 r0p1 processor detected"
need "device id = 0x10070413"
need "flash size = 1024 KiB"
need "wrote 16384 bytes from file img.bin" # one 16 KiB sector erased and written
need "verified 1024 bytes"
need "stm32f2x locked"
need "stm32f2x user_options 0xEC"
need "Device Security Bit Set" # the new RDP byte is loaded by the reset (RM0090 §3.6.2)
[ "$(twin_rdp)" = 1 ] || fail "twin not at RDP level 1 after stm32f2x lock"
[ "$(fk_rdp)" = 1 ] || fail "flashkey status does not read RDP level 1"

ocd stlink-v2 interface/stlink.cfg init "reset halt" "stm32f2x unlock 0" "reset halt" \
	"stm32f2x options_read 0" || fail "openocd unlock failed: $(cat usb.log)"
need "stm32f2x unlocked"
[ "$(twin_rdp)" = 0 ] || fail "twin not back at RDP level 0 after stm32f2x unlock"
[ "$(fk_rdp)" = 0 ] || fail "flashkey status does not read RDP level 0"
# regression from level 1 mass-erases (RM0090 §3.7.3): the image is gone
"$FK_BIN" -c twin:f4.twin read back.bin 0x08000000:1024 >"$OUT" 2>"$ERR" ||
	fail "flashkey read after unlock"
head -c 1024 /dev/zero | tr '\0' '\377' >ff.bin
cmp -s back.bin ff.bin || fail "flash not erased by the regression"

for kind in stlink-v21:0483:374B stlink-v3:0483:374F; do
	ocd "${kind%%:*}" interface/stlink.cfg init "flash probe 0" ||
		fail "openocd with ${kind%%:*}: $(cat usb.log)"
	need "VID:PID ${kind#*:}"
	need "flash size = 1024 KiB"
done
pass
