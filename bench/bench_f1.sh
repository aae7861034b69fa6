#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_f1: the STM32F103 rows of issue 21 "Speed", on the twin's virtual clock.
#   1. Debug path (twin-swd:, the SW-DP at the default 4 MHz): flashkey writes a 32 KiB image
#      into a blank STM32F103C8 (erase 32 pages + program + read-back verify); `--json write`
#      reports the twin's virtual time. Ceiling: the flash physics alone, 32 page erases x
#      20 ms + 16384 half-words x 52.5 us (DS5319 Table 28, typical tERASE and tPROG, the values
#      the twin charges); target >= 95 % of it... for erase + program; verify and the wire come on
#      top, so both figures are printed.
#   2. Bootloader path (AN3155 on a pty, 115200 8N1, `flashkey-twin serve`, which prints the
#      virtual time when it stops): flashkey `write` (erase of the pages an on-chip blank check
#      does not prove erased + write + on-chip CRC verify) against
#      stm32flash 0.7 `-w -v` (erase + write + read-back verify) on the same served twin; target:
#      flashkey <= 0.6 x stm32flash.
. "$(dirname "$0")/stm32_bench.inc"
head -c 32768 /dev/urandom >"$W/img.bin"
echo "1. debug path (twin-swd:), 32 KiB into a blank STM32F103C8"
debug_row stm32f103c8 "$W/img.bin" "$(python3 -c "print(32*0.020 + 16384*52.5e-6)")" \
	"32 page erases + 16384 half-words" || exit 1
echo "2. bootloader path (AN3155, 115200 8N1), 32 KiB, erase + write + verify"
boot_row stm32f103c8 "$W/img.bin" || exit 1
