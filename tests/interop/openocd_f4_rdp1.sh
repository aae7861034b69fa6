#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 against an STM32F407 twin at RDP level 1 with the hardware
# watchdog selected (WDG_SW=0): what users' logs of real locked F4 parts show (issue #20).
# - `reset halt`: the vector fetch is refused (RM0090 §3.7.3 Table 18), the core reports
#   xPSR 0x01000000, PC 0xFFFFFFFE, MSP 0xFFFFFFFC (was: zeros).
# - `flash probe`: the flash-size register 0x1FFF7A22 is refused to the debugger, OpenOCD says
#   "flash size failed, probe inaccurate" (was: readable); flashkey still identifies the part
#   over the same kind of port and says the size is assumed.
# - `stm32f2x unlock` with the core halted: OpenOCD's examine-end sets DBGMCU_APB1_FZ
#   DBG_IWDG_STOP, so the IWDG stops while the core is halted (RM0090 §38.16.4, §21.3.3) and the
#   regression completes (was: aborted by the watchdog); with the core running the watchdog
#   still aborts it (RDP stays 1, as the BMP note in stm32.md §3.1 has it).
# Sources: RM0090 Rev 21 §3.7.3, §21.3.3, §38.16.4; OpenOCD tcl/target/stm32f4x.cfg
# (examine-end), src/flash/nor/stm32f2x.c (stm32x_probe).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/openocd.inc"
OCD_TIMEOUT=60
python3 -c 'import sys; sys.stdout.buffer.write(b"\x5a" * 0x8000)' >img.bin
mk() { expect_exit 0 "$T" new stm32f407 "$1" --flash img.bin --rdp 1 --option wdg_sw=0; }

# reset halt and flash probe at level 1
mk a.twin
start_server a.twin
ocd "init; reset halt; flash probe 0; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "reset halt/probe: openocd exit $rc"; }
need "xPSR: 0x01000000 pc: 0xfffffffe msp: 0xfffffffc"
need "STM32 flash size failed, probe inaccurate"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
# flashkey over the twin's SWD port: identified, size assumed and said so
expect_exit 4 "$FK_BIN" -c twin-swd:a.twin status
grep -qi "stm32f40.*1024 KB flash (size register unreadable: family size assumed)" "$OUT" ||
	{ cat "$OUT" "$ERR" >&2; fail "flashkey: size not said to be assumed"; }
grep -q "0x1FFF7A22 unreadable over the debug path" "$ERR" || fail "flashkey: no warning"

# regression with the core halted: the frozen IWDG lets it complete
mk b.twin
start_server b.twin
ocd "init; reset halt; stm32f2x unlock 0; reset halt; echo \"L0: [mdw 0x08000000]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "unlock (halted): openocd exit $rc"; }
need "L0: 0x08000000: ffffffff"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show b.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 0 ] || fail "halted: RDP level not 0"
[ "$(json_get "$OUT" 'all(s["blank"] for s in d["sectors"])')" = True ] || fail "halted: flash not erased"

# the same with the core running: the watchdog runs and aborts the regression
mk c.twin
start_server c.twin
ocd "init; reset halt; resume; stm32f2x unlock 0; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "unlock (running): openocd exit $rc"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show c.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "running: the watchdog did not abort"
pass
