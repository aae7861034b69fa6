#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 (remote_bitbang JTAG, target/stm32f3x.cfg, whose flash driver is
# stm32f1x; WORKAREASIZE 0: the half-word path) against the STM32F303xC twin served with
# --realtime: examine (0x4BA00477 + boundary scan 0x06422041, Cortex-M4), flash probe (DEV_ID
# 0x422, 256 KiB), write_image erase + verify_image, options_read, `stm32f1x lock 0` — which on
# an F3 takes effect only when the options load: `stm32f1x options_load 0` (OBL_LAUNCH, RM0316
# §4.5.5; a system reset does not load them, §4.4) — then a faulting read, `stm32f1x unlock 0` +
# options_load with the regression's erase visible. See openocd_f1_f103.sh for --realtime and
# the 200 ms wait.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32f3x
. "$(dirname "$0")/openocd.inc"
head -c 8192 /dev/urandom >fw.bin

expect_exit 0 "$T" new stm32f303cc f3.twin
start_server f3.twin --realtime
ocd "init; reset halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.bin 0x08000000]\";
     echo \"CHECKED: [verify_image fw.bin 0x08000000]\"; echo \"OPT: [stm32f1x options_read 0]\";
     stm32f1x lock 0; reset halt; echo \"STILL: [mdw 0x08000000 1]\";
     catch {stm32f1x options_load 0}; sleep 50; reset halt;
     echo \"LOCKED: [catch {mdw 0x08000000 4} e] \$e\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "stm32f3x.cpu tap/device found: 0x4ba00477"
need "stm32f3x.bs tap/device found: 0x06422041"
need "Cortex-M4 r0p1 processor detected"
need "device id = 0x10010422"
need "flash size = 256 KiB"
need "wrote 8192 bytes from file fw.bin"
need "verified 8192 bytes"
need "read protection: off"
grep -q "STILL: 0x08000000: ffffffff" ocd.log && fail "lock took effect before the options loaded"
need "STILL: 0x08000000: "
need "Failed to read memory at 0x08000000"
need "LOCKED: -107"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f3.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "not at RDP level 1 after lock + options_load"

start_server f3.twin --realtime
ocd "init; reset halt; catch {stm32f1x unlock 0}; sleep 200; catch {stm32f1x options_load 0};
     sleep 50; reset halt; echo \"BLANK: [mdw 0x08000000 4]\"; shutdown"
need "BLANK: 0x08000000: ffffffff ffffffff ffffffff ffffffff"
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f3.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 0 ] || fail "not at RDP level 0 after unlock"
[ "$(json_get "$OUT" 'd["rdp"]')" = 0xAA ] || fail "RDP byte after unlock"
pass
