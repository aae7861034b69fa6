#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with target/stm32f1x.cfg drives the STM32F103x8 twin through the
# USB bridge (issue 18 item 4, issue 21 Peers) over each emulated probe kind: interface/stlink.cfg
# (hla, SWD, ST-LINK/V2), interface/cmsis-dap.cfg (v2 bulk, SWD; v1 HID in usb_openocd_f1_hid.sh) and interface/jlink.cfg (SWD):
# examine (SW-DP 0x1BA01477, Cortex-M3), flash probe (DBGMCU 0x20030410, 64 KiB), write_image
# erase + verify_image of a 3 KiB image, options_read, `stm32f1x lock 0` (RDP byte 0x00, loaded
# at the reset: PM0075 §2.4.1, OpenOCD then reads "read protection: on"), then `stm32f1x unlock
# 0` (the regression's mass erase: flash blank, PM0075 §2.4.1). After each run `flashkey-twin
# show` and `flashkey status` agree with what OpenOCD did. Without a working area (the twin runs
# no code) OpenOCD writes half-words itself. OpenOCD waits for each option half-word 10 polls
# 1 ms apart, shorter than the mass erase programming RDP = 0xA5 starts (tME 20-40 ms, DS5319):
# `stm32f1x unlock` may print "timed out waiting for flash" while the chip completes the
# regression (docs/STM32F0F1F3.md, the same finding as over remote_bitbang), so it is caught,
# the bridge runs --realtime and OpenOCD sleeps 200 ms before the reset (an earlier reset tears
# the regression, as on silicon), and the result is judged by what the twin holds.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
. "$(dirname "$0")/usb_f1.inc"
f1_case stlink-v2 "-f interface/stlink.cfg" "STLINK V2J37S7 (API v2) VID:PID 0483:3748"
f1_case cmsis-dap-v2 "-f interface/cmsis-dap.cfg" "CMSIS-DAP: FW Version = 2.1.0"
f1_case jlink "-f interface/jlink.cfg -c 'transport select swd'" "J-Link V9 compiled"
pass
