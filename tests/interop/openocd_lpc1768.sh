#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 (remote_bitbang JTAG, stock target/lpc17xx.cfg: flash bank lpc2000
# "auto" with calc_checksum, work area at 0x10000000) against the LPC1768 twin served by
# `flashkey-twin serve --jtag-bitbang`. OpenOCD's lpc2000 driver programs through the boot ROM's
# IAP: it writes "BX r12; BKPT" to the work area, R0/R1 at its command and result tables, R12 =
# 0x1FFF1FF1, LR at the BKPT, and resumes the core. The twin runs that stub on its Thumb
# interpreter and performs the IAP command when the core reaches the ROM entry (docs/TWIN.md
# "IAP on the debug path"). Checked: examine (one TAP 0x4BA00477, Cortex-M3 r2p0), flash probe
# (auto: IAP 54 Read Part ID 0x26013F37 -> LPC1768, 512 KiB), write_image erase (IAP 50/52/51),
# verify_image, erase_check (IAP 53), then an image with CRP1 at 0x2FC: after the reset the
# twin latches CRP1 and the debug port goes silent (UM10360 §32.6), OpenOCD finds no TAP, and
# flashkey over the ISP (twin-lpc:) reports CRP1 in force.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=lpc17xx
OCD_WORKAREA=0x2000 # target/lpc17xx.cfg default, which openocd.inc overrides
. "$(dirname "$0")/openocd.inc"

# fw.bin: 12 KiB with words 0-7 summing to zero (the valid-user-code test, UM10360 §32.3.1.1),
# so that OpenOCD's calc_checksum leaves the image as it is and verify_image compares equal
python3 - <<'EOF'
import os, struct
d = bytearray(os.urandom(12288))
struct.pack_into('<I', d, 0x2FC, 0xFFFFFFFF)  # no CRP
w = struct.unpack_from('<7I', d, 0)
struct.pack_into('<I', d, 28, (-sum(w)) & 0xFFFFFFFF)
open('fw.bin', 'wb').write(d)
struct.pack_into('<I', d, 0x2FC, 0x12345678)  # CRP1
open('crp1.bin', 'wb').write(d)
EOF

expect_exit 0 "$T" new lpc1768 l.twin
start_server l.twin
ocd "init; halt; flash probe 0; echo \"WROTE: [flash write_image erase fw.bin 0]\";
     echo \"CHECKED: [verify_image fw.bin 0]\"; echo \"EC: [flash erase_check 0]\";
     echo \"PID: [lpc2000 part_id 0]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc"; }
need "lpc17xx.cpu tap/device found: 0x4ba00477"
need "Cortex-M3 r2p0 processor detected"
need "wrote 12288 bytes from file fw.bin"
need "verified 12288 bytes"
need "PID: lpc2000 part id: 0x26013f37"
grep -q "#  0: 0x00000000 (0x1000 4kB) not erased" ocd.log \
	|| { cat ocd.log >&2; fail "sector 0 blank"; }
grep -q "#  3: 0x00003000" ocd.log && { cat ocd.log >&2; fail "sector 3 not blank"; }
grep -q "auto0.tap\|Error" ocd.log && { cat ocd.log >&2; fail "OpenOCD saw errors"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$FK_BIN" -c twin-swd:l.twin read rb.bin 0:12288
cmp -s rb.bin fw.bin || fail "flash differs from the image OpenOCD wrote"

# CRP1 written by OpenOCD: the next reset latches it and the debug port falls silent
start_server l.twin
ocd "init; halt; flash write_image erase crp1.bin 0; reset run; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "openocd exit $rc (CRP1 image)"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$T" show l.twin --json
[ "$(json_get "$OUT" 'd["crp_latched"]')" = CRP1 ] || fail "CRP1 not latched: $OUT"
start_server l.twin
ocd "init; shutdown"
[ $? -ne 0 ] || { cat ocd.log >&2; fail "OpenOCD connected to a part at CRP1"; }
grep -q "tap/device found: 0x4ba00477" ocd.log && { cat ocd.log >&2; fail "TAP answered at CRP1"; }
stop_server
expect_exit 4 "$FK_BIN" -c twin-lpc:l.twin status
grep -q "CRP1 in force" "$OUT" || fail "status over the ISP does not say CRP1 in force"
pass
