#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey -c twin:... doctor` without a message: the health check (docs/DOCTOR.md) covers the
# symptom table of seed 002 (device locked, mass erase refused, target not halted, option bytes
# inconsistent, write-protected sector) plus low target voltage and debug pins disabled. Each
# twin state must show exactly its problem; exit 4 when a problem is found, 0 when healthy;
# --json gives one document with every check.
source "$FK_SRC/tests/scenario/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "SKIP: flashkey-twin not built"; exit 77; }

twin() { rm -f t.twin; "$FK_TWIN_BIN" new "$@" >/dev/null 2>"$ERR" || fail "flashkey-twin new $*"; }
# state ID: the state of health item ID in h.json
state() { json_get h.json "[c['state'] for c in d['checks'] if c['id']=='$1'][0]"; }
health() {
	"$FK_BIN" --json -c twin:t.twin doctor >h.json 2>"$ERR" </dev/null
	echo $?
}

twin stm32f407 t.twin
[ "$(health)" = 0 ] || fail "healthy twin: exit not 0"
for id in device-locked mass-erase-refused options-inconsistent write-protected-sector \
	error-flags otp low-voltage debug-pins; do
	[ "$(state $id)" = ok ] || fail "healthy twin: $id is $(state $id)"
done
expect_exit 0 "$FK_BIN" -c twin:t.twin doctor
grep -q '^No problem found.' "$OUT" || fail "healthy twin: no all-clear line"

twin stm32f407 t.twin --rdp 1
[ "$(health)" = 4 ] || fail "RDP 1: exit not 4"
[ "$(state device-locked)" = problem ] || fail "RDP 1: device-locked is $(state device-locked)"
[ "$(state write-protected-sector)" = ok ] || fail "RDP 1: WRP reported"
[ "$(state target-not-halted)" = note ] || fail "RDP 1: running core is $(state target-not-halted)"
json_get h.json '[c["fix"] for c in d["checks"] if c["id"]=="device-locked"][0]' >fix.txt
grep -qx 'flashkey -c twin:t.twin unlock --upto rdp --allow-erase-all' fix.txt || fail "RDP 1 fix: $(cat fix.txt)"

twin stm32f407 t.twin --wrp 5
[ "$(health)" = 4 ] || fail "WRP: exit not 4"
[ "$(state write-protected-sector)" = problem ] || fail "WRP: not reported"
[ "$(state mass-erase-refused)" = problem ] || fail "WRP: mass erase not said to be refused"
[ "$(state device-locked)" = ok ] || fail "WRP: RDP reported"
"$FK_BIN" -c twin:t.twin unlock --upto wrp >/dev/null 2>&1 </dev/null || fail "unlock --upto wrp"
[ "$(health)" = 0 ] || fail "WRP removed: still unhealthy"

twin stm32f407 t.twin --corrupt-options
health >/dev/null
[ "$(state options-inconsistent)" = problem ] || fail "torn options not reported"

twin stm32f407 t.twin --option voltage_mv=1500
[ "$(health)" = 3 ] || fail "unpowered: exit not 3 (no connection)"
[ "$(state low-voltage)" = problem ] || fail "low voltage not reported"

twin stm32f407 t.twin --option swd=repurposed
[ "$(health)" = 4 ] || fail "SWD repurposed: exit not 4 ($(cat "$ERR"))"
[ "$(state debug-pins)" = problem ] || fail "debug pins not reported"
[ "$(state device-locked)" = unknown ] || fail "an unreadable chip cannot be said unlocked"
json_get h.json 'd["error"]["name"]' | grep -qx FK_E_DEBUG_DISABLED || fail "error not in JSON"
pass
