#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Part 2 of 2 of the STM32F4 scenarios over the ROM bootloader (see uart_f4.inc).
UART_PART=2
. "$FK_SRC/tests/scenario/uart_f4.inc"
