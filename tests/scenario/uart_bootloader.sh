#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job over the STM32 ROM bootloader path (AN3155, -c twin-uart:PATH): a locked F407
# (RDP 1, sector 2 write-protected) — status detects RDP from the refused Read Memory, unlock is
# gated, then Readout Unprotect (mass erase, WRP kept), Write Unprotect, write, verify, read; the
# same commands and exit codes as the debug path. Facts: AN3155 Table 2, §3.10, §3.12.
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/f407.twin
C="twin-uart:$T"
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --rdp 1 --wrp 2 --flash "$FW"

expect_exit 4 "$FK_BIN" -c "$C" status
grep -q "via the bootloader path" "$OUT" || fail "status does not name the bootloader path"
grep -q "level 1 (the bootloader refuses reads" "$OUT" || fail "status does not report RDP level 1"
expect_exit 4 "$FK_BIN" -c "$C" read "$WORK/x.bin" 0x08000000:256
grep -q "readout protection (RDP level 1) is active" "$ERR" || fail "read under RDP does not say why"
grep -q "Read Memory (0x11): NACK" "$ERR" || fail "read under RDP does not name the command"
expect_exit 4 "$FK_BIN" -c "$C" --yes write "$FW"

expect_exit 5 "$FK_BIN" -c "$C" unlock # the regression erases everything: refused without permission
"$FK_TWIN_BIN" show "$T" | grep -qE '^  0 +0x08000000 .*programmed' || fail "refused unlock touched flash"
expect_exit 0 "$FK_BIN" -c "$C" --allow-erase-all --yes --backup-dir "$WORK/bk" unlock
"$FK_TWIN_BIN" show "$T" >"$WORK/show1" || fail "show failed"
grep -q "RDP: level 0" "$WORK/show1" || fail "RDP not level 0 after unlock"
grep -qE '^  0 +0x08000000 .*blank' "$WORK/show1" || fail "no mass erase after Readout Unprotect"

expect_exit 4 "$FK_BIN" -c "$C" --yes write "$FW" # WRP on sector 2 survived the regression
grep -q "sector 2 is write-protected" "$ERR" || fail "write does not name the write-protected sector"
expect_exit 0 "$FK_BIN" -c "$C" --yes unlock
grep -q "wrp: done" "$OUT" || fail "Write Unprotect step not run"
expect_exit 0 "$FK_BIN" -c "$C" --yes write "$FW"
expect_exit 0 "$FK_BIN" -c "$C" verify "$FW"
expect_exit 0 "$FK_BIN" -c "$C" read "$WORK/back.bin" 0x08000000:$(stat -c %s "$FW")
cmp "$FW" "$WORK/back.bin" || fail "read-back differs from fw.bin"
expect_exit 0 "$FK_BIN" -c "$C" --json status
grep -q '"rdp_level": *0' "$OUT" || fail "JSON status does not say level 0"
grep -q '"path": *"bootloader"' "$OUT" || fail "JSON status does not name the bootloader path"
# RDP level 2: the bootloader does not start (RM0090 §3.7.3); silence is a connection failure
# (exit 3, as over SWD) whose message names level 2 among the causes
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$WORK/rdp2.twin" --rdp 2
expect_exit 3 "$FK_BIN" -c "twin-uart:$WORK/rdp2.twin" status
grep -q "RDP level 2" "$ERR" || fail "a silent bootloader does not name RDP level 2"
pass
