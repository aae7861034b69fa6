#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with target/stm32f1x.cfg against the CKS32F103-style clone twin
# (JTAG-DP IDCODE 0x2BA01477, DEV_ID 0x410): OpenOCD refuses the chain with its classic
# "UNEXPECTED" idcode report, as users of such clones see it, then "uses the configured scan
# chain anyway" and finds a Cortex-M3 whose DBGMCU_IDCODE says STM32F103 medium density. The
# clone has no boundary-scan IDCODE in this model (UNCONFIRMED; the TAP answers BYPASS, IEEE
# 1149.1 §12.1.1). The twin's ID row is in twin/stm32f1/variants.c.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32f1x
. "$(dirname "$0")/openocd.inc"
expect_exit 0 "$T" new cks32f103c8 clone.twin
start_server clone.twin
ocd "init; reset halt; flash probe 0; shutdown"
need "UNEXPECTED: 0x2ba01477"
need "expected 1 of 1: 0x3ba00477"
need "Trying to use configured scan chain anyway"
need "Cortex-M3 r2p1 processor detected"
need "device id = 0x20030410"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
pass
