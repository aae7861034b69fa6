#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 target/stm32l4x.cfg against the STM32L476xG twin (DEV_ID 0x415,
# 1 MiB dual bank; boundary scan 0x06415041, RM0351 §48.6.2): see openocd_l4.inc.
CHIP=stm32l476rg
OCD_TARGET=stm32l4x
BS_ID=0x06415041
IDCODE_LINE="device idcode = 0x10070415 (STM32L47/L48xx - Rev 4 : 0x1007)"
FSIZE_KIB=1024
. "$(dirname "$0")/openocd_l4.inc"
