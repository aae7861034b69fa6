#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with a working area (WORKAREASIZE 0x2000) against the STM32F103x8
# twin (target/stm32f1x.cfg) and the STM32L476 twin (target/stm32l4x.cfg): OpenOCD loads its
# asynchronous flash loader into SRAM and feeds it through a FIFO while the twin's core runs it
# (twin/debug/cm4_exec.c, Cortex-M3 / Cortex-M4 decoding from the part's CPUID); verify_image
# then runs its CRC routine there. The paths OpenOCD takes without a working area are
# openocd_f1_f103.sh and openocd_l4_l476.sh. Checked per part: the write and the verification
# succeed without OpenOCD falling back to single accesses, the core never locks up, and flashkey
# reads the same flash back from the twin.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_WORKAREA=0x2000
. "$(dirname "$0")/openocd.inc"
head -c 12288 /dev/urandom >fw.bin

for pair in stm32f103c8:stm32f1x stm32l476rg:stm32l4x; do
	chip=${pair%%:*}
	OCD_TARGET=${pair#*:}
	expect_exit 0 "$T" new "$chip" "$chip.twin"
	start_server "$chip.twin"
	ocd "init; reset halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.bin 0x08000000]\";
	     echo \"CHECKED: [verify_image fw.bin 0x08000000]\"; shutdown"
	rc=$?
	[ $rc -eq 0 ] || { cat ocd.log >&2; fail "$chip: openocd exit $rc"; }
	need "wrote 12288 bytes from file fw.bin"
	need "verified 12288 bytes"
	if grep -qi "falling back\|no working area" ocd.log; then
		cat ocd.log >&2
		fail "$chip: OpenOCD did not use its loader"
	fi
	if grep -q "locked up" serve.err; then
		cat serve.err >&2
		fail "$chip: the twin's core locked up running OpenOCD's code"
	fi
	stop_server || fail "$chip: serve exit status"
	expect_exit 0 "$FK_BIN" -c "twin:$chip.twin" verify fw.bin --base 0x08000000
done
pass
