#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32L4/G0/G4 driver's protection cases over twin: (issue 14 Deliver 5): a PCROP area on
# the L476 at level 1 with PCROP_RDP = 0 (the plan sets PCROP_RDP first, which can only be set,
# and the regression then erases the PCROP area too), RDP level 2 on the G431 (debug port off for
# good) said so, an ECC error after a torn double word reported with its address, a --chip
# mismatch (exit 8); the other way with PCROP_RDP = 0: `options set rdp=0` keeps the PCROP
# pages, said in the plan before it runs. Kept apart from stm32l4_driver_twin.sh so each stays well under 30 s.
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

# ---- PCROP_RDP = 0 kept: `options set rdp=0` regresses without touching PCROP_RDP, so the
# pages holding the PCROP area survive (RM0351 §3.5.1): the plan says so before running
rm -rf k.twin bk
expect_exit 0 "$T" new stm32l476rg k.twin --flash fw.bin --option pcrop1sr=0x100 \
	--option pcrop1er=0x1ff --rdp 1
expect_exit 0 "$FK_BIN" -c twin:k.twin --dry-run options set rdp=0 --allow-erase-all
grep -q 'cost: all flash but the PCROP pages 0x08000800-0x08000FFF (PCROP_RDP = 0 keeps them)' \
	"$OUT" || fail "keep plan words"
expect_exit 0 "$T" show k.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "dry run changed the level"
expect_exit 0 "$FK_BIN" -c twin:k.twin --backup-dir bk options set rdp=0 --allow-erase-all
grep -q 'PCROP_RDP = 0 keeps them' "$OUT" || fail "keep plan before the real run"
expect_exit 0 "$T" show k.twin --json
[ "$(json_get "$OUT" '"%s %s" % (d["rdp_level"], d["pcrop"])')" = \
  "0 [{'start': '0x08000800', 'end': '0x08000FFF'}]" ] || fail "PCROP area not kept"
expect_exit 4 "$FK_BIN" -c twin:k.twin --json status
[ "$(json_get "$OUT" '[l["state"] for l in d["inventory"]["locks"] if l["kind"] == "pcrop"][0]')" = \
  "0x08000800-0x08000FFF execute-only; PCROP_RDP=0" ] || fail "PCROP lock after the regression"
expect_exit 0 "$FK_BIN" -c twin:k.twin read k0.bin 0x08000000:2048
[ "$(tr -d '\377' <k0.bin | wc -c)" = 0 ] || fail "page 0 not erased by the regression"

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

# ---- a real torn write: power cut half-way through the 5th flash operation (3 page erases,
# then the second fast-programming row, at 0x08000100): its double words are programmed one
# after the other in t_row / 32 each, so half-way through the row 16 are done and the 17th, at
# 0x08000180, is torn; the ECC error names it, the same write again repairs it
rm -f c.twin
expect_exit 0 "$T" new stm32l476rg c.twin
expect_exit 0 "$T" set c.twin --option fault_op=5
expect_exit 10 "$FK_BIN" -c twin:c.twin write fw.bin --base 0x08000000
grep -q 'the write was cut short' "$ERR" || fail "cut write words"
expect_exit 0 "$T" set c.twin --option power=on
expect_exit 8 "$FK_BIN" -c twin:c.twin read c.bin 0x08000000:2048
grep -q 'ECC error in the double word at 0x08000180' "$ERR" || fail "ECC address after the cut"
expect_exit 0 "$FK_BIN" -c twin:c.twin write fw.bin --base 0x08000000
expect_exit 0 "$FK_BIN" -c twin:c.twin read c.bin 0x08000000:4200
cmp -s c.bin fw.bin || fail "the write again did not repair the torn double word"

# ---- --chip mismatch
expect_exit 8 "$FK_BIN" -c twin:y.twin --chip stm32l476 info
pass
