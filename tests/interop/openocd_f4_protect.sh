#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: OpenOCD 0.12's stm32f2x protection commands against the served STM32F407 twin:
# `lock` then a reset gives RDP level 1 and `mdw 0x08000000` fails as on silicon (bus error ->
# JTAG-DP sticky error); `unlock` regresses to level 0 with the mass erase visible in the twin;
# `options_write` changes the user option bits; afterwards `flashkey status` agrees.
# Sources: ../shared/reference/probes.md §5.7, RM0090 §3.7.3.
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/openocd.inc"
OCD_TIMEOUT=60
# expect_twin EXPR WANT: the served twin's saved state (written once the peer pauses) shows it.
expect_twin() {
	for _ in $(seq 40); do
		"$T" show f4.twin --json >show.json 2>/dev/null &&
			[ "$(json_get show.json "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "twin state: $1 is $(json_get show.json "$1"), expected $2"
}

expect_exit 0 "$T" new stm32f407 f4.twin
expect_exit 0 "$FK_BIN" -c twin:f4.twin write "$FK_SRC/tests/fixtures/fw.bin"
start_server f4.twin

# lock: RDP byte 0x00 programmed; the reset loads it; flash is then closed to the debugger
ocd "init; reset halt; stm32f2x lock 0; reset halt; stm32f2x options_read 0; mdw 0x08000000"
rc=$?
[ $rc -ne 0 ] || { cat ocd.log >&2; fail "mdw 0x08000000 at level 1 succeeded"; }
need "Device Security Bit Set"
need "JTAG-DP STICKY ERROR"
need "Failed to read memory at 0x08000000"
expect_twin 'd["rdp_level"]' 1
expect_twin 'd["sectors"][0]["blank"]' False

# unlock: regression to level 0 mass-erases the flash; then user options nRST_STDBY = 0
ocd "init; reset halt; stm32f2x unlock 0; reset halt; stm32f2x options_write 0 0x6C;
     reset halt; echo \"WORD: [mdw 0x08000000]\"; shutdown"
rc=$?
[ $rc -eq 0 ] || { cat ocd.log >&2; fail "unlock/options_write: openocd exit $rc"; }
need "0x08000000: ffffffff"
expect_twin 'd["rdp_level"]' 0
expect_twin 'all(s["blank"] for s in d["sectors"])' True
expect_twin 'd["option_bytes"]' 0x0FFFAA6C

stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$FK_BIN" -c twin:f4.twin --json status
[ "$(json_get "$OUT" 'd["inventory"]["rdp_level"]')" = 0 ] || fail "flashkey: RDP level"
[ "$(json_get "$OUT" 'd["inventory"]["options"]["nrst_stdby"]["value"]')" = 0 ] ||
	fail "flashkey: nRST_STDBY"
[ "$(json_get "$OUT" 'set(s["content"] for s in d["inventory"]["sectors"])')" = "{'blank'}" ] ||
	fail "flashkey: flash not blank"
pass
