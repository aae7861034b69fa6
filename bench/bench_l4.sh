#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_l4: the FLASH_OPTR family rows of issue 14 "Speed", on the twins' virtual clock, for the
# STM32L476 (2 KiB pages) and the STM32G071:
#   1. Debug path (twin-swd:): flashkey writes a 32 KiB image into a blank part (16 page erases
#      + programming), against the issue's ceiling: 16 page erases + 4096 double words at the
#      datasheet's 64-bit programming time (L476: tERASE 22.02 ms, tPROG 81.69 us, DS10198
#      §6.3.10 Table 50; G071: 22 ms and 85 us, DS12232 Table 29: the values the twins charge,
#      twin/stm32l4/variants.c); target >= 95 %. flashkey uses fast programming on the rows its
#      erase left blank, so the same job is also set against the fast-programming ceiling (16
#      page erases + 128 rows of 2 ms, the twins' UNCONFIRMED row time).
#   2. Bootloader path (AN3155 v3.1 on a pty, 115200 8N1): flashkey `write` against stm32flash
#      0.7 `-w -v` on the same served twin; target flashkey <= 0.6 x stm32flash.
. "$(dirname "$0")/stm32_bench.inc"
head -c 32768 /dev/urandom >"$W/img.bin"
for chip in stm32l476rg:0.02202:0.00008169 stm32g071rb:0.022:0.000085; do
	IFS=: read -r name te tp <<<"$chip"
	echo "$name"
	echo "1. debug path (twin-swd:), 32 KiB into a blank part"
	debug_row "$name" "$W/img.bin" "$(python3 -c "print(16*$te + 4096*$tp)")" \
		"16 page erases + 4096 double words" \
		"$(python3 -c "print(16*$te + 128*0.002)")" "16 page erases + 128 fast-programming rows" ||
		continue
	echo "2. bootloader path (AN3155, 115200 8N1), 32 KiB, erase + write + verify"
	boot_row "$name" "$W/img.bin"
done
