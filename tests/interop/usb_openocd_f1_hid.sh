#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: the usb_openocd_f1.sh sequence (examine, flash probe, write_image erase + verify_image,
# options_read, stm32f1x lock 0, stm32f1x unlock 0 with the mass erase visible; flashkey-twin show
# and flashkey status compared after each) through the emulated CMSIS-DAP v1 (HID, 64-byte
# reports, one per millisecond: the slowest probe, so on its own) with interface/cmsis-dap.cfg and
# `cmsis_dap_backend hid` (issue 18 item 4).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
. "$(dirname "$0")/usb_f1.inc"
f1_case cmsis-dap-v1 "-f interface/cmsis-dap.cfg -c 'cmsis_dap_backend hid'" "CMSIS-DAP: FW Version = 1.3.0"
pass
