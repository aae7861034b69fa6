#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stlink-tools 1.7 `st-flash write` against the STM32F407 twin through the USB bridge and
# an emulated ST-LINK/V2-1. st-flash erases the sectors, loads its F4 flash loader into SRAM, sets
# the core's registers (APIV2_WRITEREG), writes the data buffer after the loader in one
# WRITEMEM_32BIT of up to 0x8000 bytes, resumes the core through DHCSR and polls C_HALT until the
# loader's BKPT; then it checks R2 (APIV2_READREG) and verifies by reading flash. The twin runs
# the loader on its core (twin/debug/cm4_exec.c); the emulator's register commands and write
# size are docs/PROBES.md disagreements 2 and 8. flashkey then verifies the same image and st-flash
# reads it back.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v st-flash >/dev/null || { echo "SKIP: stlink-tools not installed"; exit 77; }
expect_exit 0 "$T" new stm32f407 f4.twin

head -c 20000 /dev/urandom >img.bin # more than 6144 bytes: one WRITEMEM_32BIT of 20000
usb stlink-v21 -- st-flash write img.bin 0x08000000 || fail "st-flash write: $(cat usb.log)"
need "Successfully loaded flash loader in sram"
need "Flash written and verified! jolly good!"
# the loader must have run to its BKPT; a lockup after st-flash verified is the core resumed at
# exit (st-flash leaves debug mode: DHCSR without C_DEBUGEN) into what follows the BKPT with
# erased vectors, as on a blank chip, and its line may or may not come before the twin stops
sed '/Flash written and verified! jolly good!/q' usb.log | grep -q "locked up\|Flash loader run error" &&
	{ cat usb.log >&2; fail "the loader did not run"; }
expect_exit 0 "$FK_BIN" -c twin:f4.twin verify img.bin --base 0x08000000

usb stlink-v21 -- st-flash read back.bin 0x08000000 20000 || fail "st-flash read: $(cat usb.log)"
cmp -s back.bin img.bin || fail "st-flash read differs from what st-flash wrote"
pass
