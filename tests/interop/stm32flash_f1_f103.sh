#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 against the STM32F103x8 twin's bootloader (V2.2, standard Erase 0x43): see
# stm32flash_f1.inc.
CHIP=stm32f103c8 DEV_ID=0x0410 VERSION=0x22 F1_FAMILY=f1
. "$(dirname "$0")/stm32flash_f1.inc"
