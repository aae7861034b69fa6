#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what stock OpenOCD 0.12 really prints about protection, confirmed live on
# STM32F407 twins (issue 19: "confirmed live on the twins"); helpers in openocd_doctor.inc.
#   - RDP level 1 (RM0090 §3.7.3): reads of flash and of the size register fault, the write is
#     refused ("stm32x device protected"): doctor lists rdp1, the live check confirms it;
#   - nWRP0=0 (RM0090 §3.7.4): the write to sector 0 is refused: wrp listed and confirmed, rdp1
#     ruled out.
# A control: the same commands on an unprotected, powered twin succeed and doctor finds nothing.
. "$(dirname "$0")/openocd_doctor.inc"
# control: unprotected and powered, the same commands work and leave no known message
expect_exit 0 "$T" new stm32f407 ok.twin
start_server ok.twin
ocd "$prog" || { cat ocd.log >&2; fail "control: OpenOCD exit $?"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
if "$FK_BIN" doctor - <ocd.log >ok.doc 2>&1; then cat ocd.log ok.doc >&2; fail "control: doctor found a message"; fi

run_ocd rdp.twin rdp --rdp 1
need "stm32x device protected"
lists rdp rdp1
live rdp.twin rdp '^  [0-9]+\. rdp1 +confirmed' '^Cause: rdp1:'

run_ocd wrp.twin wrp --wrp 0
need "stm32x device protected"
lists wrp wrp
live wrp.twin wrp '^  [0-9]+\. wrp +confirmed' \
	'^  [0-9]+\. rdp1 +ruled-out'

pass
