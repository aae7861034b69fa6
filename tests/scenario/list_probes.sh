#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey list` with no probe attached (this machine and CI have none): exits 0, says so, and
# prints the same in JSON; emulated probes are covered by list_emulated.sh.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$FK_BIN" list
grep -q '^Debug probes:' "$OUT" || fail "no probe section"
grep -q '^Serial ports:' "$OUT" || fail "no serial port section"
if [ -z "$(ls /dev/bus/usb 2>/dev/null)" ]; then
	grep -q '(none found)' "$OUT" || fail "no USB bus here, yet probes were listed"
fi
expect_exit 0 "$FK_BIN" --json list
[ "$(json_get "$OUT" 'd["command"]')" = list ] || fail "JSON command"
[ "$(json_get "$OUT" 'type(d["probes"]).__name__')" = list ] || fail "JSON probes array"
[ "$(json_get "$OUT" 'all("path" in p for p in d["serial_ports"])')" = True ] || fail "JSON ports"
pass
