#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with interface/jlink.cfg (libjaylink 0.3, `transport select swd`)
# drives the STM32F407 twin through the USB bridge and the emulated J-Link V9 (1366:0101,
# twin/probe/jlink_emu.c): examine, reset halt, flash probe, write_image erase + verify_image of a
# 1 KiB image, stm32f2x lock 0 / options_read 0 / unlock 0. After each run `flashkey-twin show`
# and `flashkey status` agree with what OpenOCD did. Sources: docs/PROBES.md (J-Link).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
head -c 1024 /dev/urandom >img.bin
expect_exit 0 "$T" new stm32f407 f4.twin

# jocd COMMAND...: OpenOCD with the J-Link over SWD against the F4 twin, then shutdown.
jocd() {
	local c args=()
	for c in "$@"; do args+=(-c "$c"); done
	usb jlink -- openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
		-f interface/jlink.cfg -c "transport select swd" -c "set WORKAREASIZE 0" \
		-f target/stm32f4x.cfg "${args[@]}" -c shutdown
}

jocd init "reset halt" "flash probe 0" "flash write_image erase img.bin 0x08000000" \
	"verify_image img.bin 0x08000000" "stm32f2x lock 0" "reset halt" "stm32f2x options_read 0" ||
	fail "openocd failed: $(cat usb.log)"
need "J-Link V9 compiled"
need "Hardware version: 9.60"
need "VTarget = 3.300 V"
need "SWD DPIDR 0x2ba01477"
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

jocd init "reset halt" "stm32f2x unlock 0" "reset halt" "stm32f2x options_read 0" ||
	fail "openocd unlock failed: $(cat usb.log)"
need "stm32f2x unlocked"
[ "$(twin_rdp)" = 0 ] || fail "twin not back at RDP level 0 after stm32f2x unlock"
[ "$(fk_rdp)" = 0 ] || fail "flashkey status does not read RDP level 0"
# regression from level 1 mass-erases (RM0090 §3.7.3): the image is gone
"$FK_BIN" -c twin:f4.twin read back.bin 0x08000000:1024 >"$OUT" 2>"$ERR" ||
	fail "flashkey read after unlock"
head -c 1024 /dev/zero | tr '\0' '\377' >ff.bin
cmp -s back.bin ff.bin || fail "flash not erased by the regression"
pass
