#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey options show|set` on SPI NOR twins over twin-spi:PATH (issue 15 item 3): the
# non-volatile status bits by their semantic keys (bp, tb, sec, cmp, srp, qe, wps) written with
# 06h + WRSR and read back; refused while SRP=1 and /WP is low; QE fixed at 1 on the -IQ parts;
# Macronix TB (configuration register, one-time) needs --allow-irreversible=PERMANENT to set and
# can never be cleared; a dry run writes nothing.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

expect_exit 0 "$T" new w25q32jv a.twin
expect_exit 0 "$K" -c twin-spi:a.twin --dry-run options set bp=3 tb=1 srp=1
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"][0]')" = 0x00 ] || fail "dry run wrote SR1"
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=3 tb=1 srp=1
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"][0]')" = 0xAC ] || fail "SR1 after bp=3 tb=1 srp=1 (W64 §7.1: SRP TB BP1 BP0)"
[ "$(json_get "$OUT" '(d["protected"]["start"], d["protected"]["length"])')" = "(0, 262144)" ] \
	|| fail "twin range: lower 1/16 of 4 MiB"
expect_exit 0 "$K" -c twin-spi:a.twin --json options show
[ "$(json_get "$OUT" 'd["options"]["bp"]["text"]')" = "3 (BP2-0): 0x000000-0x03FFFF (256 KiB, lower 1/16)" ] \
	|| fail "options show: bp decoded as addresses"
# it is non-volatile: it survives a power cycle
expect_exit 0 "$T" power-cycle a.twin
expect_exit 4 "$K" -c twin-spi:a.twin status
grep -q 'BP range .*0x000000-0x03FFFF' "$OUT" || fail "bp lost at power cycle"
# SRP=1 with /WP low: the status register is locked; refused before anything is written
expect_exit 0 "$T" set a.twin --option wp=low
expect_exit 4 "$K" -c twin-spi:a.twin options set bp=0
grep -q 'SRP=1 with /WP low' "$ERR" || fail "/WP low refusal"
expect_exit 0 "$T" set a.twin --option wp=high
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=0 tb=0 srp=0 cmp=0
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"][0]')" = 0x00 ] || fail "cleared"
# bad keys and values
expect_exit 9 "$K" -c twin-spi:a.twin options set qe=0
grep -q 'QE is fixed at 1' "$ERR" || fail "qe=0 on -IQ"
expect_exit 2 "$K" -c twin-spi:a.twin options set bp=8
expect_exit 2 "$K" -c twin-spi:a.twin options set rdp=1
grep -q 'unknown key rdp' "$ERR" || fail "unknown key"

# Macronix: TB lives in the one-time configuration register bit (MX64)
expect_exit 0 "$T" new mx25l6433f m.twin
expect_exit 5 "$K" -c twin-spi:m.twin options set tb=1
grep -q 'irreversible' "$ERR" || fail "MX tb=1 without PERMANENT"
expect_exit 0 "$K" -c twin-spi:m.twin --allow-irreversible=PERMANENT options set tb=1 bp=1
expect_exit 4 "$K" -c twin-spi:m.twin options set tb=0
grep -q 'can never return to 0' "$ERR" || fail "MX tb=0"
expect_exit 4 "$K" -c twin-spi:m.twin status
grep -q 'BP range .*0x000000-0x00FFFF (64 KiB, lower' "$OUT" || fail "MX bottom 64 KiB"
pass
