#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 target/stm32g4x.cfg against the STM32G431xB twin (DEV_ID 0x468,
# 128 KiB; boundary scan 0x06468041, RM0440 §47.6.2): see openocd_l4.inc.
CHIP=stm32g431rb
OCD_TARGET=stm32g4x
BS_ID=0x06468041
IDCODE_LINE="device idcode = 0x20010468 (STM32G43/G44xx - Rev Z : 0x2001)"
FSIZE_KIB=128
. "$(dirname "$0")/openocd_l4.inc"
