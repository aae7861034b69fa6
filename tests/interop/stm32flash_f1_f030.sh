#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 against the STM32F030x8 twin's bootloader (V3.1, Extended Erase 0x44; the ROM
# resets the chip through OBL_LAUNCH after option changes): see stm32flash_f1.inc.
CHIP=stm32f030c8 DEV_ID=0x0440 VERSION=0x31 F1_FAMILY=f0
. "$(dirname "$0")/stm32flash_f1.inc"
