#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Connecting through the twin's SW-DP (twin-swd:): firmware that repurposes the SWD pins leaves
# the port silent (exit 3, with the next step) until --connect=under-reset holds NRST and catches
# the reset vector; a level-2 chip never answers; --reset=sw|hw|none decide how `reset` is done.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:-}
[ -n "$T" ] || { echo "flashkey-twin not built"; exit 77; }

expect_exit 0 "$T" new stm32f407 r.twin --option swd=repurposed
expect_exit 3 "$FK_BIN" -c twin-swd:r.twin status
grep -q "no answer from the target (ACK 0b111)" "$ERR" || fail "silent port not explained"
grep -q -- "--connect=under-reset" "$ERR" || fail "no hint towards connect under reset"
expect_exit 0 "$FK_BIN" -c twin-swd:r.twin --connect under-reset --json status
[ "$(json_get "$OUT" 'd["inventory"]["rdp_level"]')" = 0 ] || fail "status under reset"
expect_exit 0 "$T" show r.twin --json
[ "$(json_get "$OUT" 'd["intrusion"]')" = True ] || fail "debugger connection not latched"

expect_exit 0 "$T" new stm32f407 l2.twin --rdp 2
expect_exit 3 "$FK_BIN" -c twin-swd:l2.twin status
grep -q "debug off for good (RDP level 2" "$ERR" || fail "level 2 not named as a cause" # swd_rdp2.sh has the rest

expect_exit 0 "$T" new stm32f407 s.twin
expect_exit 0 "$FK_BIN" -c twin-swd:s.twin --reset sw reset
expect_exit 0 "$FK_BIN" -c twin-swd:s.twin --reset hw reset
expect_exit 9 "$FK_BIN" -c twin-swd:s.twin --reset none reset
grep -q -- "--reset=none" "$ERR" || fail "refusal does not name --reset=none"
pass
