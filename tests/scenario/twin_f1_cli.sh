#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey-twin with the STM32F0/F1/F3 model: list shows the parts, new sets RDP per family
# (64 KiB F103: page 60 is in WRP group 15; F1 level 1 = 0x00, F0/F3 0xBB, level 2 0xCC refused on F1), WRP groups from pages, raw
# option bytes, torn option bytes (OPTERR), and show (text and JSON) reports them.
# Facts: PM0075 §2.4-2.5, RM0091 §3.3 (stm32-fpec.md §2-§3).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
for chip in stm32f103c8 stm32f103re stm32f030c8 stm32f072rb stm32f303cc cks32f103c8; do
	grep -q "$chip" "$OUT" || fail "list lacks $chip"
done

expect_exit 0 "$T" new stm32f103c8 a.twin --rdp 1 --wrp 0-3,60 --option data0=0x42
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "rdp level"
[ "$(json_get "$OUT" 'd["rdp"]')" = 0x00 ] || fail "rdp byte"
[ "$(json_get "$OUT" 'd["wrpr"]')" = 0xFFFF7FFE ] || fail "wrpr: $(json_get "$OUT" 'd["wrpr"]')"
[ "$(json_get "$OUT" '[(r["first_page"], r["last_page"]) for r in d["write_protected"]]')" = \
  "[(0, 3), (60, 63)]" ] || fail "protected pages"
[ "$(json_get "$OUT" 'd["opterr"]')" = False ] || fail "opterr"
expect_exit 0 "$T" show a.twin
grep -q "RDP: 0x00 = level 1" "$OUT" || fail "show text rdp"
grep -q "write-protected pages: 0-3 60-63" "$OUT" || fail "show text wrp"

expect_exit 0 "$T" new stm32f030c8 b.twin --rdp 1
expect_exit 0 "$T" show b.twin --json
[ "$(json_get "$OUT" 'd["rdp"]')" = 0xBB ] || fail "F0 level 1 byte"
expect_exit 0 "$T" new stm32f303cc c.twin --rdp 2
expect_exit 0 "$T" show c.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 2 ] || fail "F3 level 2"
expect_exit 2 "$T" new stm32f103c8 x.twin --rdp 2
grep -q "no level 2" "$ERR" || fail "F1 level 2 not explained"

expect_exit 0 "$T" new stm32f103re t.twin --corrupt-options
expect_exit 0 "$T" show t.twin --json
[ "$(json_get "$OUT" 'd["opterr"]')" = True ] || fail "torn options without OPTERR"
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "torn options not level 1"

expect_exit 2 "$T" new stm32f103c8 x.twin --wrp 64
grep -q "page 64 does not exist" "$ERR" || fail "wrp range"
expect_exit 2 "$T" new stm32f103c8 x.twin --option user=0x100
pass
