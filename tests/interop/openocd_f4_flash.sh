#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 (remote_bitbang JTAG, target/stm32f4x.cfg, no working area) against
# the STM32F407 twin served by `flashkey-twin serve --jtag-bitbang`: examine (both TAP IDCODEs,
# Cortex-M4), reset halt, flash probe (DBGMCU 0x413, 1024 KiB), write_image erase fw.elf,
# verify_image, options_read. Afterwards flashkey agrees: the image verifies through twin: and
# through the twin's SWD port (twin-swd:).
# Sources: ../shared/reference/openocd-remote-bitbang.md, probes.md §5.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/openocd.inc"
FW="$FK_SRC/tests/fixtures/fw.elf"
[ -f "$FW" ] || fail "fixture $FW missing"
cp "$FW" fw.elf

expect_exit 0 "$T" new stm32f407 f4.twin
start_server f4.twin
ocd "init; reset halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.elf]\";
     echo \"CHECKED: [verify_image fw.elf]\"; stm32f2x options_read 0; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "stm32f4x.cpu tap/device found: 0x4ba00477"
need "stm32f4x.bs tap/device found: 0x06413041"
need "Cortex-M4 r0p1 processor detected"
need "target has 6 breakpoints, 4 watchpoints"
need "halted due to debug-request"
need "xPSR: 0x01000000 pc: 0xfffffffe msp: 0xfffffffc" # blank chip, as silicon
need "device id = 0x10070413"
need "flash size = 1024 KiB"
need "wrote 49152 bytes from file fw.elf" # 37152 bytes padded to the end of sector 2
need "verified 37152 bytes"
grep -q "IR capture error\|STICKY ERROR\|timed out" ocd.log && { cat ocd.log >&2; fail "OpenOCD saw errors"; }

stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show f4.twin --json
[ "$(json_get "$OUT" 'd["intrusion"]')" = True ] || fail "debugger connection not latched"
expect_exit 0 "$FK_BIN" -c twin:f4.twin verify fw.elf
expect_exit 0 "$FK_BIN" -c twin-swd:f4.twin verify fw.elf
pass
