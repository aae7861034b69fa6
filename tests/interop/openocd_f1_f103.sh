#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 (remote_bitbang JTAG, target/stm32f1x.cfg, no working area, so
# OpenOCD takes its half-word path; its SRAM loader is openocd_loaders.sh) against the
# STM32F103x8 twin served by `flashkey-twin serve --jtag-bitbang --realtime`: examine (both TAP
# IDCODEs, Cortex-M3), flash probe (DBGMCU 0x20030410, 64 KiB), write_image erase +
# verify_image, `stm32f1x lock 0` then a flash read faults after the reset, `stm32f1x unlock 0`
# (the mass erase of the regression is visible), options_read, `options_write 0 SWWDG NORSTSTOP NORSTSTNDBY`, `flash protect 0 0 3 on`
# (WRP groups 0-3 = pages 0-15, shown by flashkey-twin). --realtime: the virtual clock follows
# the wall clock, so a flash operation ends while OpenOCD sleeps between polls. OpenOCD waits for
# each option half-word 10 polls 1 ms apart (FLASH_WRITE_TIMEOUT, stm32-fpec.md §9), shorter than
# the mass erase (tME 20-40 ms, DS5319 Table 28) that programming RDP = 0xA5 at level 1 starts
# first (PM0075 §2.4.1): `stm32f1x unlock` may then print "timed out waiting for flash" although
# the chip goes on and completes the regression; the test waits 200 ms before the reset that
# loads the options (a reset earlier would tear the regression, as on silicon).
# Sources: PM0075 §2.4-2.5, stm32-fpec.md §4-§6, ../shared/reference/openocd-remote-bitbang.md.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32f1x
. "$(dirname "$0")/openocd.inc"
head -c 12288 /dev/urandom >fw.bin

expect_exit 0 "$T" new stm32f103c8 f1.twin
start_server f1.twin --realtime
ocd "init; reset halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.bin 0x08000000]\";
     echo \"CHECKED: [verify_image fw.bin 0x08000000]\"; echo \"OPT: [stm32f1x options_read 0]\";
     stm32f1x lock 0; reset halt; echo \"LOCKED: [catch {mdw 0x08000000 4} e] \$e\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "stm32f1x.cpu tap/device found: 0x3ba00477"
need "stm32f1x.bs tap/device found: 0x06410041"
need "Cortex-M3 r1p1 processor detected"
need "device id = 0x20030410"
need "flash size = 64 KiB"
need "wrote 12288 bytes from file fw.bin"
need "verified 12288 bytes"
need "read protection: off"
need "Failed to read memory at 0x08000000"
need "LOCKED: -107"
grep -q "IR capture error\|timed out" ocd.log && { cat ocd.log >&2; fail "OpenOCD saw errors"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f1.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "not at RDP level 1 after stm32f1x lock"
[ "$(json_get "$OUT" 'd["rdp"]')" = 0x00 ] || fail "RDP byte after lock: $(json_get "$OUT" 'd["rdp"]')"

start_server f1.twin --realtime
ocd "init; reset halt; catch {stm32f1x unlock 0}; sleep 200; reset halt; echo \"BLANK: [mdw 0x08000000 4]\";
     stm32f1x options_write 0 SWWDG NORSTSTOP NORSTSTNDBY; reset halt;
     echo \"OPT: [stm32f1x options_read 0]\"; flash protect 0 0 3 on; reset halt;
     echo \"INFO: [flash info 0]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "BLANK: 0x08000000: ffffffff ffffffff ffffffff ffffffff"
need "read protection: off"
need "watchdog: software"
need "stop mode: no reset generated upon entry"
need "standby mode: no reset generated upon entry"
need "#  3: 0x00003000 (0x1000 4kB) protected"
need "#  4: 0x00004000 (0x1000 4kB) not protected"
grep -q "STICKY ERROR" ocd.log && { cat ocd.log >&2; fail "OpenOCD saw errors"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f1.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 0 ] || fail "not at RDP level 0 after unlock"
[ "$(json_get "$OUT" 'd["wrpr"]')" = 0xFFFFFFF0 ] || fail "WRPR after flash protect: $(json_get "$OUT" 'd["wrpr"]')"
[ "$(json_get "$OUT" '[(r["first_page"], r["last_page"]) for r in d["write_protected"]]')" = \
  "[(0, 15)]" ] || fail "protected pages"
[ "$(json_get "$OUT" 'd["opterr"]')" = False ] || fail "OPTERR after OpenOCD's option writes"
pass
