#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Part 2 of 3 of the STM32F4 scenarios over the twin's SW-DP (see swd_f4.inc).
SWD_PART=2
. "$FK_SRC/tests/scenario/swd_f4.inc"
