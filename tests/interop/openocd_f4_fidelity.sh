#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: what OpenOCD 0.12 sees of the STM32F4 twin's option-byte rules (issue #20).
# 1. PCROP (RM0090 §3.7.5) stays in force when an option write that would lift it is cancelled:
#    `stm32f2x options_write 0 0x0ec` (SPRMOD=0 at level 0) fails with "device protected", and
#    the following `mdw` of the PCROP sector still gets no data (was: the sector's content).
# 2. The RDP level in force is the level loaded by the last completed option write (RM0090
#    §3.7.3): after `stm32f2x lock 0` the flash is closed to the debugger at once, and the
#    `unlock 0` that follows without a reset is a real 1 -> 0 regression that erases it (was:
#    readable after lock, yet erased by unlock).
# Sources: RM0090 Rev 21 §3.7.3, §3.7.5; OpenOCD src/flash/nor/stm32f2x.c (options_write,
# lock/unlock, "stm32x device protected").
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/openocd.inc"
OCD_TIMEOUT=60
# a 32 KiB image: sector 0 and sector 1 (0x08004000) with a known word
python3 -c 'import sys; b=bytearray(b"\x5a"*0x8000); b[0x4000:0x4004]=bytes.fromhex("78563412"); sys.stdout.buffer.write(b)' >img.bin

# 1: PCROP on sector 1 of an F429 (SPRMOD=1, nWRP1=1), level 0
expect_exit 0 "$T" new stm32f429 p.twin --flash img.bin --pcrop 1
start_server p.twin
ocd "init; reset halt; stm32f2x options_write 0 0x0ec;
     echo \"S1: [mdw 0x08004000]\"; echo \"S0: [mdw 0x08000000]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "options_write/mdw: openocd exit $rc"; }
need "stm32x device protected"
need "S1: 0x08004000: 00000000"
need "S0: 0x08000000: 5a5a5a5a"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show p.twin --json
[ "$(json_get "$OUT" '[s["pcrop"] for s in d["sectors"]][:3]')" = "[False, True, False]" ] ||
	fail "PCROP not in force on sector 1 only: $(json_get "$OUT" '[s["pcrop"] for s in d["sectors"]][:3]')"

# 2: lock, then unlock without a reset, on an F407 with firmware
expect_exit 0 "$T" new stm32f407 f4.twin --flash img.bin
start_server f4.twin
ocd "init; reset halt; stm32f2x lock 0; echo \"L1: [expr {[catch {mdw 0x08000000}] != 0}]\";
     stm32f2x unlock 0; echo \"L0: [mdw 0x08000000]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "lock/unlock: openocd exit $rc"; }
need "L1: 1" # level 1 is in force right after lock: the read is refused
need "Failed to read memory at 0x08000000"
need "L0: 0x08000000: ffffffff" # the regression erased the flash
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f4.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 0 ] || fail "twin: RDP level not 0"
[ "$(json_get "$OUT" 'all(s["blank"] for s in d["sectors"])')" = True ] || fail "twin: flash not erased"
pass
