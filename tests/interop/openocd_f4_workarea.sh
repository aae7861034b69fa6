#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with a working area (its default fast path) against the STM32F407
# twin: `flash write_image erase` runs the stm32f2x async flash loader on the twin's core (code in
# SRAM, fed through a FIFO while it runs, halting on BKPT) and `verify_image` runs OpenOCD's
# on-target CRC-32; both must have run on the core (OpenOCD's debug log shows the algorithm
# halting in SRAM, no fall-back to single memory accesses), and flashkey then verifies the
# image. Issue 20 "Also": the twin runs code a debugger resumes in SRAM (twin/debug/cm4_exec.c).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/openocd.inc"
FW="$FK_SRC/tests/fixtures/fw.elf"
[ -f "$FW" ] || fail "fixture $FW missing"
cp "$FW" fw.elf

expect_exit 0 "$T" new stm32f407 f4.twin
start_server f4.twin
OCD_WORKAREA=0x8000 ocd "debug_level 3; init; reset halt; flash probe 0;
     echo \"WROTE: [flash write_image erase fw.elf]\"; echo \"CHECKED: [verify_image fw.elf]\";
     shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "wrote 49152 bytes from file fw.elf"
need "verified 37152 bytes"
need "target_run_flash_async_algorithm(): offs 0x0 count 0x6000" # 24576 half-words
# the loader and the CRC routine each ended on their BKPT in the working area
[ "$(grep -c 'entered debug state in core mode: Thread at PC 0x200' ocd.log)" -ge 2 ] ||
	{ cat ocd.log >&2; fail "no algorithm halted in SRAM"; }
need "NVIC_DFSR 0x2" # DFSR.BKPT
grep -q "falling back\|timeout waiting for algorithm\|checksum mismatch\|failed algorithm" ocd.log &&
	{ cat ocd.log >&2; fail "OpenOCD did not use the algorithms"; }
grep -q "locked up" serve.err && { cat serve.err >&2; fail "the core locked up"; }

stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$FK_BIN" -c twin:f4.twin verify fw.elf
pass
