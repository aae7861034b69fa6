#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 driver (lib/chip/stm32l4_*, issue 14 item 3) with the real flashkey binary
# against the twin, over twin: (in process, memory path; stm32l4_driver_swd.sh runs the same
# through twin-swd:, the SW-DP wire model and lib/debug): identify (info, status --json), write /
# verify / read / erase by double words and 2 KiB pages in both L476 banks, a WRP area over the
# application (G431) refused with the area named then removed by `unlock --upto wrp` (no data
# lost), the G071 RDP 1 -> 0 regression refused without --allow-erase-all then run (mass erase
# and TAMP backup registers visible in the twin). PCROP, level 2 and ECC: stm32l4_protect.sh.
. "$(dirname "$0")/lib.sh"
conn=twin
. "$(dirname "$0")/stm32l4_driver.inc"
pass
