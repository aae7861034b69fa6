#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The SPI NOR driver's unlock ladder (lib/chip/spinor_driver.c, issue 15 item 4) with the real
# flashkey binary against SPI NOR twins over twin-spi:PATH: /WP low refuses both steps naming the
# pin; with /WP high the volatile clear (50h, gone at power cycle; --upto opt stops there), then
# the non-volatile clear (06h), each read back; SRL=1 (power-supply lock-down) refused until a
# power cycle; --chip against the ID; a twin without a SPI port refused.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

expect_exit 0 "$T" new w25q32jv a.twin --option bp=2 --option srp=1 --option wp=low
# unlock with /WP low: both steps refused, naming /WP; nothing changes
expect_exit 4 "$K" -c twin-spi:a.twin unlock
grep -q 'hold /WP (pin 3) high' "$ERR" || fail "unlock /WP low: what it needs"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"][0]')" = 0x88 ] || fail "refused unlock changed SR1"

# /WP high: volatile clear then non-volatile; read back; the range is gone for good
expect_exit 0 "$T" set a.twin --option wp=high
expect_exit 0 "$K" -c twin-spi:a.twin unlock --dry-run
grep -q '1. volatile  volatile clear 50h + WRSR BP2-0=0 CMP=0' "$OUT" || fail "plan: volatile first"
grep -q '2. nonvolatile non-volatile clear 06h + WRSR' "$OUT" || fail "plan: then non-volatile"
expect_exit 0 "$K" -c twin-spi:a.twin unlock --upto opt
grep -q 'volatile: done: BP range: .* -> ' "$OUT" || fail "volatile step read back"
grep -q 'nonvolatile' "$OUT" && fail "--upto opt ran the non-volatile step"
expect_exit 0 "$T" power-cycle a.twin
expect_exit 4 "$K" -c twin-spi:a.twin status
grep -q 'BP range .*0x3E0000-0x3FFFFF' "$OUT" || fail "the volatile clear survived a power cycle"
expect_exit 0 "$K" -c twin-spi:a.twin unlock
grep -q 'now: nothing blocks a write' "$OUT" || fail "unlock: final state"
expect_exit 0 "$T" power-cycle a.twin
expect_exit 0 "$K" -c twin-spi:a.twin status
grep -q 'BP range' "$OUT" && fail "the non-volatile clear did not last"

# power-supply lock-down: SRL=1 refuses unlock until a power cycle; the chip clears SRL then
expect_exit 0 "$T" new w25q32jv l.twin --option bp=1 --option srp=1 --option srl=1
expect_exit 4 "$K" -c twin-spi:l.twin unlock
grep -q 'SRL=1 (power-supply lock-down)' "$ERR" || fail "SRL: named"
grep -q 'power-cycle the chip' "$ERR" || fail "SRL: what it needs"
expect_exit 0 "$K" -c twin-spi:l.twin reset power
expect_exit 0 "$K" -c twin-spi:l.twin unlock
grep -q 'now: nothing blocks a write' "$OUT" || fail "SRL: unlock after the power cycle"

# --chip: a part the ID contradicts is refused (exit 8); the family name is accepted
expect_exit 8 "$K" -c twin-spi:l.twin --chip w25q64jv info
grep -q 'the target is w25q32jv' "$ERR" || fail "--chip mismatch"
expect_exit 0 "$K" -c twin-spi:l.twin --chip spinor info

# a SPI twin is not a memory-mapped target and an STM32 twin has no SPI port
expect_exit 0 "$T" new stm32f407 f4.twin
expect_exit 9 "$K" -c twin-spi:f4.twin info
grep -qi 'spi' "$ERR" || fail "twin-spi on an STM32: the port named"
pass
