#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with interface/cmsis-dap.cfg (SWD) finds an emulated CMSIS-DAP v2
# (bulk, found by the "CMSIS-DAP" interface string, probes.md §1.4) through the USB bridge and
# drives the STM32F407 twin: examine, flash probe, write_image erase + verify_image of a 1 KiB
# image, stm32f2x lock 0 / options_read 0, then unlock 0. `flashkey-twin show` and
# `flashkey status` agree after each step.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
head -c 1024 /dev/urandom >img.bin
expect_exit 0 "$T" new stm32f407 f4.twin

ocd cmsis-dap-v2 interface/cmsis-dap.cfg init "reset halt" "flash probe 0" \
	"flash write_image erase img.bin 0x08000000" "verify_image img.bin 0x08000000" \
	"stm32f2x lock 0" "reset halt" "stm32f2x options_read 0" ||
	fail "openocd failed: $(cat usb.log)"
need "CMSIS-DAP: SWD supported"
need "CMSIS-DAP: FW Version = 2.1.0"
need "SWD DPIDR 0x2ba01477"
need "Cortex-M4 r0p1 processor detected"
need "device id = 0x10070413"
need "flash size = 1024 KiB"
need "wrote 16384 bytes from file img.bin"
need "verified 1024 bytes"
need "stm32f2x locked"
need "Device Security Bit Set"
[ "$(twin_rdp)" = 1 ] || fail "twin not at RDP level 1 after stm32f2x lock"
[ "$(fk_rdp)" = 1 ] || fail "flashkey status does not read RDP level 1"

ocd cmsis-dap-v2 interface/cmsis-dap.cfg init "reset halt" "stm32f2x unlock 0" "reset halt" \
	"stm32f2x options_read 0" || fail "openocd unlock failed: $(cat usb.log)"
need "stm32f2x unlocked"
[ "$(twin_rdp)" = 0 ] || fail "twin not back at RDP level 0 after stm32f2x unlock"
[ "$(fk_rdp)" = 0 ] || fail "flashkey status does not read RDP level 0"
pass
