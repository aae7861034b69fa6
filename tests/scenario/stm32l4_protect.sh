#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 driver's protection cases over twin: (issue 14 Deliver 5): a PCROP area on
# the L476 at level 1 with PCROP_RDP = 0 (the plan sets PCROP_RDP first, which can only be set,
# and the regression then erases the PCROP area too), RDP level 2 on the G431 (debug port off for
# good) said so, an ECC error after a torn double word reported with its address, a --chip
# mismatch (exit 8). Kept apart from stm32l4_driver_twin.sh so each stays well under 30 s.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
head -c 4200 /dev/urandom >fw.bin

# ---- PCROP on the L476 at level 1 with PCROP_RDP = 0: the plan sets PCROP_RDP first (it can
# only be set) and says the regression then erases the PCROP area too
rm -f p.twin
expect_exit 0 "$T" new stm32l476rg p.twin --flash fw.bin --option pcrop1sr=0x100 \
	--option pcrop1er=0x1ff --rdp 1
expect_exit 4 "$FK_BIN" -c twin:p.twin --json status
[ "$(json_get "$OUT" '[l["state"] for l in d["inventory"]["locks"] if l["kind"] == "pcrop"][0]')" = \
  "0x08000800-0x08000FFF execute-only; PCROP_RDP=0" ] || fail "PCROP lock"
expect_exit 0 "$FK_BIN" -c twin:p.twin unlock --upto rdp --allow-erase-all --no-backup
grep -q 'rdp-raise prepare PCROP removal: set PCROP_RDP (it can only be set' "$OUT" || fail "pcrop plan"
expect_exit 0 "$T" show p.twin --json
[ "$(json_get "$OUT" 'd["pcrop"]')" = "[]" ] || fail "PCROP area left"
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 0 ] || fail "PCROP regression level"

# ---- G431 (RM0440) at level 2: the debug port is off for good, said so
rm -f x.twin
expect_exit 0 "$T" new stm32g431rb x.twin --option rdp=0xCC
expect_exit 4 "$FK_BIN" -c twin:x.twin status
grep -q 'RDP=0xCC (level 2) turns SWD/JTAG off for good' "$ERR" || fail "level 2 words"
expect_exit 0 "$T" new stm32g431rb y.twin
expect_exit 0 "$FK_BIN" -c twin:y.twin info
grep -q 'stm32g43x' "$OUT" || fail "G431 info"

# ---- ECC: a torn double word is reported with its address
rm -f t.twin
expect_exit 0 "$T" new stm32l476rg t.twin --flash fw.bin --option tear=0x08000408
expect_exit 0 "$FK_BIN" -c twin:t.twin read ok.bin 0x08000000:1024
expect_exit 8 "$FK_BIN" -c twin:t.twin read bad.bin 0x08000400:64
grep -q 'ECC error in the double word at 0x08000408' "$ERR" || fail "ECC address"

# ---- --chip mismatch
expect_exit 8 "$FK_BIN" -c twin:y.twin --chip stm32l476 info
pass
