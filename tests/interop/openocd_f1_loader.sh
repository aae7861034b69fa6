#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with a working area (target/stm32f1x.cfg, WORKAREASIZE 0x1000)
# against the STM32F103x8 twin: OpenOCD loads its stm32f1x asynchronous flash loader into SRAM and
# feeds it through a FIFO while the twin's core runs it (twin/debug/cm4_exec.c, Cortex-M3
# decoding from the part's CPUID), then verify_image runs its CRC routine there. The half-word
# path OpenOCD takes without a working area is openocd_f1_f103.sh. Checked: the write and the
# verification succeed without OpenOCD falling back to the half-word path, the core never locks
# up, and flashkey reads the same flash back from the twin.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32f1x
OCD_WORKAREA=0x1000
. "$(dirname "$0")/openocd.inc"
head -c 12288 /dev/urandom >fw.bin

expect_exit 0 "$T" new stm32f103c8 f1.twin
start_server f1.twin
ocd "init; reset halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.bin 0x08000000]\";
     echo \"CHECKED: [verify_image fw.bin 0x08000000]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "wrote 12288 bytes from file fw.bin"
need "verified 12288 bytes"
if grep -qi "falling back\|no working area" ocd.log; then
	cat ocd.log >&2
	fail "OpenOCD did not use its loader"
fi
if grep -q "locked up" serve.err; then
	cat serve.err >&2
	fail "the twin's core locked up running OpenOCD's code"
fi
stop_server || fail "serve exit status"
expect_exit 0 "$FK_BIN" -c twin:f1.twin verify fw.bin --base 0x08000000
pass
