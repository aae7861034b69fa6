#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 driver scenarios of stm32l4_driver.inc through twin-uart: (the driver's
# bootloader path, lib/chip/stm32l4_boot.c, against the twin's AN3155 ROM): identify, write /
# verify / read / erase (Extended Erase page lists, bank 2 of the L476), WRP1A removed with
# Write Unprotect, the G071 regression with Readout Unprotect. Then what only this path says:
# at level 1 the option words are unreadable (the plan says what that leaves unknown), a
# FLASH_OPTR field is refused naming the path that can, Readout Protect raises to level 1 after
# a backup that holds flash and the option words.
. "$(dirname "$0")/lib.sh"
conn=twin-uart
. "$(dirname "$0")/stm32l4_driver.inc"

# ---- G071 at level 1 over the bootloader: status says what it cannot see
rm -f h.twin
expect_exit 0 "$T" new stm32g071rb h.twin --rdp 1
expect_exit 4 "$FK_BIN" -c twin-uart:h.twin --json status
[ "$(json_get "$OUT" '"%s %s" % (d["inventory"]["path"], d["inventory"]["rdp_level"])')" = \
  "bootloader 1" ] || fail "uart: level 1 status"
grep -q 'the bootloader NACKs Read Memory' "$OUT" || fail "uart: level 1 words"

# ---- G431: a FLASH_OPTR field is refused (the ROM has no command for it); rdp=1 is
# Readout Protect, after a backup of flash and the option words
rm -rf r.twin bk
expect_exit 0 "$T" new stm32g431rb r.twin --flash fw.bin
expect_exit 4 "$FK_BIN" -c twin-uart:r.twin options set iwdg_sw=0
grep -q 'a FLASH_OPTR field, PCROP or PCROP_RDP needs a debug probe' "$ERR" ||
	fail "uart: option refusal"
expect_exit 0 "$FK_BIN" -c twin-uart:r.twin --backup-dir bk options set rdp=1 --yes
[ "$(stat -c %s bk/*/options.bin)" = 20 ] || fail "uart: options.bin (5 words)"
cmp -s <(head -c 4200 bk/*/flash.bin) fw.bin || fail "uart: flash backup"
expect_exit 0 "$T" show r.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "uart: not at level 1"
pass
