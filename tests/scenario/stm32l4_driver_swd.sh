#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 driver scenarios of stm32l4_driver.inc through twin-swd: (every access
# through the twin's SW-DP wire model and lib/debug's ADIv5 layer): L476 write/verify/read/
# erase in both banks, WRP1A refused and removed, the G071 (SW-DP only) RDP 1 -> 0 regression.
. "$(dirname "$0")/lib.sh"
conn=twin-swd
. "$(dirname "$0")/stm32l4_driver.inc"
pass
