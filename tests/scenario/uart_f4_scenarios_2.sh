#!/usr/bin/env bash
# Part 2 of 2 of the STM32F4 scenarios over the ROM bootloader (see uart_f4.inc).
UART_PART=2
. "$FK_SRC/tests/scenario/uart_f4.inc"
