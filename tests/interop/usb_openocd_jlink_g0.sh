#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: an SWD-only part checked by a peer. Stock OpenOCD 0.12 with interface/jlink.cfg
# (`transport select swd`) and target/stm32g0x.cfg drives the STM32G071RB twin (twin/stm32l4,
# RM0444) through the USB bridge and the emulated J-Link V9: examine, flash probe, write_image
# erase + verify_image of a 1 KiB image, option_read of FLASH_OPTR, stm32l4x lock 0 +
# option_load 0 (OBL_LAUNCH, RM0444 §3.4.2), then unlock 0 + option_load 0 (the RDP regression
# erases the flash, RM0444 §3.5.1). `flashkey-twin show` agrees after each run. OpenOCD 0.12's
# remote_bitbang speaks JTAG only, so this path (USB bridge + J-Link SWD) is the peer's only way
# to a G0 twin.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
head -c 1024 /dev/urandom >img.bin
expect_exit 0 "$T" new stm32g071rb g0.twin

# jocd COMMAND...: OpenOCD with the J-Link over SWD against the G0 twin, then shutdown.
jocd() {
	local c args=()
	for c in "$@"; do args+=(-c "$c"); done
	timeout "${USB_TIMEOUT:-120}" "$T" with-usb g0.twin --probe jlink -- openocd \
		-c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
		-f interface/jlink.cfg -c "transport select swd" -c "set WORKAREASIZE 0" \
		-f target/stm32g0x.cfg "${args[@]}" -c shutdown >usb.log 2>&1 </dev/null
}
g0_show() { "$T" show g0.twin --json >"$OUT" 2>"$ERR" && json_get "$OUT" "d[\"$1\"]"; }

jocd init "reset halt" "flash probe 0" "flash write_image erase img.bin 0x08000000" \
	"verify_image img.bin 0x08000000" "stm32l4x option_read 0 0x20" ||
	fail "openocd failed: $(cat usb.log)"
need "J-Link V9 compiled"
need "SWD DPIDR 0x0bc11477"                     # Cortex-M0+ SW-DP
need "Cortex-M0+ r0p1 processor detected"
need "device idcode = 0x20000460 (STM32G07/G08xx"
need "RDP level 0 (0xAA)"
need "flash size = 128 KiB"
need "wrote 1024 bytes from file img.bin"
need "verified 1024 bytes"
need "Option Register: <0x40022020> = 0xfffffeaa"
[ "$(g0_show rdp_level)" = 0 ] || fail "twin not at RDP level 0"

jocd init "reset halt" "stm32l4x lock 0" "stm32l4x option_load 0" "stm32l4x option_read 0 0x20" ||
	fail "openocd lock failed: $(cat usb.log)"
need "RDP level 1 (0x00)" # probed again after the option load reset the chip
need "Option Register: <0x40022020> = 0xfffffe00"
[ "$(g0_show rdp_level)" = 1 ] || fail "twin not at RDP level 1 after stm32l4x lock + option_load"

jocd init "reset halt" "stm32l4x unlock 0" "stm32l4x option_load 0" "reset halt" \
	"mdw 0x08000000 4" || fail "openocd unlock failed: $(cat usb.log)"
need "RDP level 0 (0xAA)"
need "0x08000000: ffffffff ffffffff ffffffff ffffffff" # the regression erased the flash
[ "$(g0_show rdp_level)" = 0 ] || fail "twin not back at RDP level 0 after stm32l4x unlock"
pass
