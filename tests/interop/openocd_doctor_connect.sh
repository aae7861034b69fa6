#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what stock OpenOCD 0.12 prints before any flash operation, confirmed live on
# STM32F407 twins (issue 19 item 4); helpers in openocd_doctor.inc. With no power (fault
# injection: nothing answers) and with the SWD/JTAG pins repurposed by the firmware (the twin's
# swd=repurposed, RM0090 §3.7.3 note in twin/stm32f4/model.c) OpenOCD's scan reads garbage; doctor
# gives the no-debug-port class (no-target, low-voltage, debug-disabled among them) and names the
# check that decides (status with --connect under-reset): that check connects to the repurposed
# part and still finds nothing on the unpowered one.
. "$(dirname "$0")/openocd_doctor.inc"
run_ocd off.twin off --option power=off
lists off no-target low-voltage debug-disabled
live off.twin off 'To decide debug-disabled: flashkey -c CONN --connect under-reset status'
if "$FK_BIN" -c twin-swd:off.twin --connect under-reset status >off.st 2>&1; then
	cat off.st >&2; fail "off: connected under reset to an unpowered chip"
fi

run_ocd rep.twin rep --option swd=repurposed
lists rep no-target debug-disabled
live rep.twin rep 'To decide debug-disabled: flashkey -c CONN --connect under-reset status'
"$FK_BIN" -c twin-swd:rep.twin --connect under-reset status >rep.st 2>&1 ||
	{ cat rep.st >&2; fail "rep: no connection under reset (the check doctor names)"; }
grep -q '^RDP' rep.st || { cat rep.st >&2; fail "rep: status under reset read nothing"; }
pass
