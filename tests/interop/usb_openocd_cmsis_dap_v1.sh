#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with interface/cmsis-dap.cfg (SWD) reaches an emulated CMSIS-DAP v1
# through hidapi-hidraw (the bridge's hid_* calls: 64-byte reports, report ID 0) and drives the
# STM32F407 twin: examine, flash probe, erase_sector + write_image + verify_image of a 256-byte
# image, options_read. `flashkey-twin show` and flashkey (twin:) agree with the result.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
head -c 256 /dev/urandom >img.bin
expect_exit 0 "$T" new stm32f407 f4.twin

ocd cmsis-dap-v1 interface/cmsis-dap.cfg "cmsis_dap_backend hid" init "reset halt" "flash probe 0" \
	"flash erase_sector 0 0 0" "flash write_image img.bin 0x08000000" \
	"verify_image img.bin 0x08000000" "stm32f2x options_read 0" ||
	fail "openocd failed: $(cat usb.log)"
need "CMSIS-DAP: Serial# = 464B5457494E000000000001"
need "CMSIS-DAP: FW Version = 1.3.0"
need "SWD DPIDR 0x2ba01477"
need "device id = 0x10070413"
need "flash size = 1024 KiB"
need "erased sectors 0 through 0 on flash bank 0"
need "wrote 256 bytes from file img.bin"
need "verified 256 bytes"
need "stm32f2x user_options 0xEC"
[ "$(twin_rdp)" = 0 ] || fail "twin RDP level changed"
expect_exit 0 "$FK_BIN" -c twin:f4.twin verify img.bin
pass
