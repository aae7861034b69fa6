#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RDP level 2 seen from the wire (docs/EXIT-CODES.md "A silent debug port"): the SW-DP is off for
# good (RM0090 §3.7.3), so a probe gets no ACK at all and cannot tell level 2 from no power or
# no wiring. Every command over twin-swd: and the emulated probes exits 3 (no connection), the
# message names RDP level 2 among the causes and the hint gives the checks that tell them apart
# (connect under reset, the BOOT0 bootloader, which level 2 turns off too, `flashkey doctor`).
# The in-process twin: path sees the option bytes and says level 2 for sure: exit 4.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:-}
[ -n "$T" ] || { echo "flashkey-twin not built"; exit 77; }
FW=$FK_SRC/tests/fixtures/fw.bin
expect_exit 0 "$T" new stm32f407 l2.twin --rdp 2
expect_exit 0 "$T" show l2.twin --json
before=$(json_get "$OUT" "[s['blank'] for s in d['sectors']]")

silent_ok() { # silent_ok WHAT: the message and hint of a silent SW-DP
	grep -q "no answer from the SW-DP" "$ERR" || fail "$1: silence not named"
	grep -q "no power, no wiring" "$ERR" || fail "$1: power/wiring not named"
	grep -q "debug off for good (RDP level 2, RM0090 §3.7.3)" "$ERR" || fail "$1: RDP level 2 not named"
	grep -q "cannot tell these apart" "$ERR" || fail "$1: claims to know the cause"
	grep -q "^hint: .*--connect=under-reset.*ROM bootloader (BOOT0=1.*off at RDP 2 too.*flashkey doctor" "$ERR" \
		|| fail "$1: hint lacks the checks"
}
for cmd in status "options show" "otp show" "--yes write $FW" "--allow-erase-all --yes --no-backup unlock"; do
	expect_exit 3 "$FK_BIN" -c twin-swd:l2.twin $cmd
	silent_ok "twin-swd: $cmd"
done
expect_exit 3 "$FK_BIN" -c twin-swd:l2.twin --connect under-reset status
silent_ok "under reset"
expect_exit 3 "$FK_BIN" -c twin-swd:l2.twin --json status
[ "$(json_get "$OUT" "d['error']['name']")" = FK_E_CONNECT ] || fail "JSON error name"
[ "$(json_get "$OUT" "d['error']['exit_code']")" = 3 ] || fail "JSON exit code"
json_get "$OUT" "d['error']['hint']" | grep -q "off at RDP 2 too" || fail "JSON hint"

# the same silence through the emulated probes
expect_exit 3 "$FK_BIN" -c twin-cmsis-dap:l2.twin status
silent_ok "twin-cmsis-dap:"
expect_exit 3 "$FK_BIN" -c twin-stlink:l2.twin status
grep -q "RDP level 2 (debug off for good; the BOOT0 bootloader is off too); .flashkey doctor." "$ERR" \
	|| fail "twin-stlink: hint does not name RDP level 2"

# nothing was touched, and the twin's own view says level 2
expect_exit 0 "$T" show l2.twin --json
[ "$(json_get "$OUT" "d['rdp_level']")" = 2 ] || fail "level changed"
[ "$(json_get "$OUT" "[s['blank'] for s in d['sectors']]")" = "$before" ] || fail "flash touched"
[ "$(json_get "$OUT" "d['debug_reachable']")" = False ] || fail "twin says the debug port answers"

# the in-process path reads the option bytes: level 2 for sure, exit 4
expect_exit 4 "$FK_BIN" -c twin:l2.twin status
grep -q "RDP=0xCC (level 2)" "$ERR" || fail "twin: does not say level 2"
# a level-0 chip answers on the same wire: the silence above is the level, not the harness
expect_exit 0 "$T" new stm32f407 l0.twin
expect_exit 0 "$FK_BIN" -c twin-swd:l0.twin status
pass
