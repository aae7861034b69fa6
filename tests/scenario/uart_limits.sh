#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the ROM bootloader path cannot do, said before anything is lost, and what it can confirm
# only indirectly (AN3155 Table 2: at RDP level 1 only Get, Get Version, Get ID and Readout
# Unprotect are accepted):
#  - raising RDP to level 1 is confirmed by the bootloader refusing Read Memory afterwards;
#  - PCROP needs one option write of SPRMOD=0 together with RDP 1 -> 0 (RM0090 §3.7.5), which
#    the bootloader cannot make: the plan refuses before raising RDP or erasing anything;
#  - with the hardware watchdog (WDG_SW=0) the regression does not finish: the failure names
#    WDG_SW, exits 4 (protection still in force) and gives the debug-path way out.
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin

expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$WORK/a.twin" --flash "$FW"
expect_exit 0 "$FK_BIN" -c "twin-uart:$WORK/a.twin" --yes options set rdp=1
"$FK_TWIN_BIN" show "$WORK/a.twin" | grep -q "RDP: level 1" || fail "RDP not raised to level 1"
expect_exit 4 "$FK_BIN" -c "twin-uart:$WORK/a.twin" status
grep -q "level 1 (the bootloader refuses reads" "$OUT" || fail "status does not infer level 1"

expect_exit 0 "$FK_TWIN_BIN" new stm32f411 "$WORK/p.twin" --pcrop 2 --flash "$FW"
cp "$WORK/p.twin" "$WORK/p.before"
expect_exit 4 "$FK_BIN" -c "twin-uart:$WORK/p.twin" --dry-run unlock
grep -q "SPRMOD" "$ERR" || fail "PCROP refusal does not name SPRMOD"
grep -q "debug probe" "$ERR" || fail "PCROP refusal does not name the path that can"
expect_exit 4 "$FK_BIN" -c "twin-uart:$WORK/p.twin" --yes --allow-erase-all --no-backup unlock
"$FK_TWIN_BIN" show "$WORK/p.twin" | grep -q "RDP: level 0" || fail "PCROP refusal raised RDP"
"$FK_TWIN_BIN" show "$WORK/p.twin" | grep -qE '^  0 +0x08000000 .*programmed' || fail "PCROP refusal erased flash"

expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$WORK/w.twin" --rdp 1 --option wdg_sw=0 --flash "$FW"
expect_exit 4 "$FK_BIN" -c "twin-uart:$WORK/w.twin" --yes --allow-erase-all --no-backup unlock
grep -q "WDG_SW=0" "$ERR" || fail "failed regression does not name WDG_SW"
grep -q "options set wdg=sw" "$ERR" || fail "failed regression gives no way out"
grep -q "RDP still level 1" "$ERR" || fail "failed regression does not say RDP stays"
pass
