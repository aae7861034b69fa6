#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The SPI NOR twin as a chip model on the twin registry (twin/spinor/model.c, issue 12 item 6):
# list, new, set, show (text and JSON), power-cycle and reset go through the generic commands;
# options of another model and servers of a port the model lacks are refused naming the model.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
grep -q '^w25q64jv .*JEDEC ID 0xEF4017' "$OUT" || fail "list lacks w25q64jv with its JEDEC ID"
grep -q '^mx25l6433f ' "$OUT" && grep -q '^stm32f407 ' "$OUT" || fail "list lacks a model's chips"

# new: BP=3 on a 8 MiB W25Q64JV protects the upper 512 KiB (W64 SR table, TB=0, SEC=0, CMP=0)
printf 'HELLO-SPI' > img.bin
expect_exit 0 "$T" new W25Q64JV s.twin --option bp=3 --option srp=1 --flash img.bin
grep -q 'created s.twin: w25q64jv, 8192 KiB, protected 0x780000..0x7FFFFF' "$OUT" || fail "created line"
expect_exit 0 "$T" show s.twin --json
[ "$(json_get "$OUT" 'd["part"]')" = w25q64jv ] || fail "part"
[ "$(json_get "$OUT" '(d["protected"]["start"], d["protected"]["length"])')" = "(7864320, 524288)" ] || fail "range"
[ "$(json_get "$OUT" 'd["bits"]["srp"]')" = 1 ] || fail "srp"
[ "$(json_get "$OUT" 'd["sr"][0]')" = 0x8C ] || fail "SR1 0x8C"
expect_exit 0 "$T" set s.twin --option wp=low
expect_exit 0 "$T" show s.twin
grep -q 'status-register protection: hardware (protected: /WP low), /WP low' "$OUT" || fail "wp low"
grep -q '^Winbond W25Q64JV-IQ/JQ (w25q64jv): JEDEC ID EF 40 17' "$OUT" || fail "text header"
expect_exit 0 "$T" power-cycle s.twin
grep -q '^power cycle: ' "$OUT" || fail "power-cycle report"
expect_exit 0 "$T" reset s.twin
grep -q '^software reset (66h, 99h)' "$OUT" || fail "reset report"
expect_exit 0 "$T" show s.twin --json
[ "$(json_get "$OUT" 'd["wp_pin"]')" = low ] || fail "set survived power cycle and reset"

# bad input: another model's option, an unknown status bit, a port the model does not offer
expect_exit 2 "$T" new w25q32jv x.twin --rdp 1
grep -q 'not an option of w25q32jv twins (model spinor)' "$ERR" || fail "foreign option named"
[ ! -e x.twin ] || fail "refused twin was written"
expect_exit 2 "$T" new mx25l6433f y.twin --option lb3=1
grep -q 'this part has no such status bit' "$ERR" || fail "unknown bit"
expect_exit 2 "$T" serve s.twin --jtag-bitbang 127.0.0.1:0 --max-ms 100
grep -q 'served with --serprog-pty only' "$ERR" || fail "debug server on a SPI twin"
expect_exit 5 "$T" new w25q64jv s.twin
grep -qi 'exist' "$ERR" || fail "existing path refused"
exit 0
