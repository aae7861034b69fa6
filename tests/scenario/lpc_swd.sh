#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The NXP LPC family over the debug port (lib/chip/lpc_dbg.c, twin/lpc/debug.c), issue 17 part 2,
# with the real flashkey binary over twin-swd: (and the emulated CMSIS-DAP and ST-LINK):
#  - status identifies the LPC1768 by the IAP's Read Part ID (no ID register on the bus) and the
#    LPC812 by DEVICE_ID (UM10601 §4.6.37), reads the CRP word at 0x2FC and blank-checks every
#    sector through the IAP (53); the RAM and registers the IAP calls used are put back;
#  - write erases and programs through the IAP (50/52/51) on the halted core, sets word 7 for the
#    boot ROM's valid-user-code test (UM10360 §32.3.1.1) and says so, reads every block back;
#    verify and read go through memory; the twin counts the IAP erases and programs;
#  - an image with CRP1 at 0x2FC: announced, written, reported as "not in force yet"; `run`
#    resets, the boot ROM latches CRP1, SWD goes silent (UM10360 §32.6) and run says so; status
#    over the wire then exits 3 naming the LPC's CRP among the causes and pointing to the ISP;
#    the in-process twin: says CRP1 for sure (exit 4); the ISP (twin-lpc:) erases it back, after
#    which the debug port answers again.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
tw_field() { "$T" show "$1" --json >tw.json || fail "twin show"; json_get tw.json "d['$2']"; }

# app.bin: a vector table (SP in RAM, Thumb reset handler) with word 7 wrong; appc.bin: the same
# with word 7 right; crp1.bin: appc.bin with CRP1 at 0x2FC (and word 7 right)
python3 - <<'PY'
import os, struct
def image(size, sp, crp, fix):
    d = bytearray(os.urandom(size))
    struct.pack_into('<8I', d, 0, sp, 0x101, 0x103, 0x105, 0x107, 0x109, 0x10B, 0)
    struct.pack_into('<I', d, 0x2FC, crp)
    d[0x400:0x410] = b'\xff' * 16  # no Kinetis flash configuration field by chance:
    d[0x40C] = 0xFE                 # FSEC unsecured
    if fix:
        struct.pack_into('<I', d, 28, (-sum(struct.unpack_from('<7I', d, 0))) & 0xFFFFFFFF)
    return d
a = image(12288, 0x10008000, 0xFFFFFFFF, False)
open('app.bin', 'wb').write(a)
c = bytearray(a)
struct.pack_into('<I', c, 28, (-sum(struct.unpack_from('<7I', c, 0))) & 0xFFFFFFFF)
open('appc.bin', 'wb').write(c)
struct.pack_into('<I', c, 0x2FC, 0x12345678)
open('crp1.bin', 'wb').write(c)
open('small.bin', 'wb').write(image(3072, 0x10001000, 0xFFFFFFFF, True))
PY

# ---- LPC1768: status, write, verify, read
expect_exit 0 "$T" new lpc1768 a.twin
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin --json status
[ "$(json_get "$OUT" 'd["inventory"]["chip"]')" = lpc1768 ] || fail "status: chip"
[ "$(json_get "$OUT" 'd["inventory"]["path"]')" = debug ] || fail "status: path"
[ "$(json_get "$OUT" 'd["inventory"]["options"]["crp"]["text"]')" = \
  "none (word 0xFFFFFFFF; SWD answers)" ] || fail "status: crp"
[ "$(json_get "$OUT" 'set(s["content"] for s in d["inventory"]["sectors"])')" = "{'blank'}" ] \
	|| fail "status: a fresh part is not blank everywhere"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin --yes write app.bin
grep -q "vector table word 7 set to" "$ERR" || fail "write: word 7 change not said"
grep -q "wrote app.bin: 12288 bytes, 3 sectors erased" "$OUT" || fail "write: summary"
[ "$(tw_field a.twin user_code_valid)" = True ] || fail "write: the boot ROM would not start it"
"$T" show a.twin | grep -q "1 erases, 3 programs" \
	|| fail "write: not one IAP erase of sectors 0-2 and three 4 KiB copies"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin verify appc.bin
expect_exit 6 "$FK_BIN" -c twin-swd:a.twin verify app.bin
grep -q "0x0000001C" "$ERR" || fail "verify: word 7 difference not named"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin read rb.bin 0:12288
cmp -s rb.bin appc.bin || fail "read: differs from the image with word 7 set"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin --json status
[ "$(json_get "$OUT" '[s["content"] for s in d["inventory"]["sectors"][:4]]')" = \
  "['programmed', 'programmed', 'programmed', 'blank']" ] \
	|| fail "status: blank check after the write"
# the emulated probes reach the same port
expect_exit 0 "$FK_BIN" -c twin-cmsis-dap:a.twin verify appc.bin
expect_exit 0 "$FK_BIN" -c twin-stlink:a.twin status

# ---- CRP1 written over SWD, latched by run: the port goes silent
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin --yes write crp1.bin
cat "$OUT" "$ERR" | grep -q "sets NXP LPC CRP1 at 0x000002FC" || fail "write: CRP1 not announced"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin status
grep -q "CRP1 written at 0x2FC, not in force yet: the next reset latches it and turns SWD off" \
	"$OUT" || fail "status: pending CRP1 not said"
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin run
grep -q "the boot ROM latches CRP1 from 0x2FC, which turns SWD off" "$OUT" \
	|| fail "run: CRP1 not said"
grep -q "UART ISP (-c lpc:PORT) still answers" "$OUT" || fail "run: the way back not said"
[ "$(tw_field a.twin crp_latched)" = CRP1 ] || fail "run: twin did not latch CRP1"
expect_exit 3 "$FK_BIN" -c twin-swd:a.twin status
grep -q "no answer from the SW-DP" "$ERR" || fail "silent: silence not named"
grep -q "or by LPC CRP1-3 (UM10360 §32.6); silence cannot tell these apart" "$ERR" \
	|| fail "silent: LPC CRP not named"
grep -q "^hint: .*an LPC's ISP (-c lpc:PORT) works at CRP1/2; .flashkey doctor.$" "$ERR" \
	|| fail "silent: hint lacks the ISP"
expect_exit 3 "$FK_BIN" -c twin-cmsis-dap:a.twin status
expect_exit 4 "$FK_BIN" -c twin:a.twin status
grep -q "debug port disabled: CRP1 (word 0x12345678 at 0x2FC)" "$ERR" || fail "twin: not CRP1"
# back through the ISP: erase every sector, reset, the debug port answers
expect_exit 4 "$FK_BIN" -c twin-lpc:a.twin status
grep -q "CRP1 in force" "$OUT" || fail "ISP: CRP1 not in force"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --allow-erase-all --yes --no-backup unlock
expect_exit 0 "$T" reset a.twin
expect_exit 0 "$FK_BIN" -c twin-swd:a.twin --json status
[ "$(json_get "$OUT" 'd["inventory"]["options"]["crp"]["text"]')" = \
  "none (word 0xFFFFFFFF; SWD answers)" ] || fail "after the ISP erase: crp"

# ---- a CRP1 word written but not latched: the unlock ladder erases it over SWD (gated)
expect_exit 0 "$T" new lpc1768 u.twin
expect_exit 0 "$FK_BIN" -c twin-swd:u.twin --yes write crp1.bin
expect_exit 5 "$FK_BIN" -c twin-swd:u.twin --yes --no-backup unlock
grep -q "IAP Prepare + Erase of sectors 0-29 on the halted core" "$OUT" || fail "unlock: plan"
[ "$(tw_field u.twin user_code_valid)" = True ] || fail "unlock without the gate touched flash"
expect_exit 0 "$FK_BIN" -c twin-swd:u.twin --yes --allow-erase-all --no-backup unlock
grep -q "CRP1 written at 0x2FC, not in force yet.* -> cleared" "$OUT" || fail "unlock: not cleared"
[ "$(tw_field u.twin crp_word)" = 0xFFFFFFFF ] || fail "unlock: the word is still there"

# ---- LPC812: DEVICE_ID, 1 KiB sectors, Cortex-M0+
expect_exit 0 "$T" new lpc812 e.twin
expect_exit 0 "$FK_BIN" -c twin-swd:e.twin --json status
[ "$(json_get "$OUT" 'd["inventory"]["chip"]')" = lpc812 ] || fail "lpc812: chip"
[ "$(json_get "$OUT" 'len(d["inventory"]["sectors"])')" = 16 ] || fail "lpc812: sectors"
expect_exit 0 "$FK_BIN" -c twin-swd:e.twin --yes write small.bin
grep -q "wrote small.bin: 3072 bytes, 3 sectors erased" "$OUT" || fail "lpc812: write"
expect_exit 0 "$FK_BIN" -c twin-swd:e.twin verify small.bin
[ "$(tw_field e.twin user_code_valid)" = True ] || fail "lpc812: not valid user code"
# the in-process twin: path has no core: status without blank checks, programming refused
expect_exit 0 "$FK_BIN" -c twin:e.twin status
expect_exit 8 "$FK_BIN" -c twin:e.twin --yes erase --all --allow-erase-all --no-backup
grep -q "^hint: the IAP runs on the chip's core: use a probe, or twin-swd:PATH" "$ERR" \
	|| fail "twin: IAP refusal without the way out"
# --chip names the family on this path too; a wrong part is refused
expect_exit 0 "$FK_BIN" -c twin-swd:e.twin --chip lpc812 status
expect_exit 8 "$FK_BIN" -c twin-swd:e.twin --chip lpc1768 status
pass
