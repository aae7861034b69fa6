#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 against the stm32l476rg twin bootloader: see stm32flash_l4.inc.
CHIP=stm32l476rg DEV_ID=0x0415
. "$(dirname "$0")/stm32flash_l4.inc"
