#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey -c twin:... doctor "TEXT"` (docs/DOCTOR.md): for every STM32F4 cause a twin in the
# state that produces it; doctor must confirm that cause on the twin (and rule out the others it
# can read), print the fix, and the printed fix, executed as printed, must make the cause go away.
# Causes flashkey cannot fix (OTP lock, RDP 2, low supply) must be confirmed and said to be so.
# Twin states: flashkey-twin new (RM0090 §3.7: RDP, nWRP, SPRMOD; §3.8 OTP lock bytes).
source "$FK_SRC/tests/scenario/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "SKIP: flashkey-twin not built"; exit 77; }

twin() { rm -f t.twin; "$FK_TWIN_BIN" new "$@" >/dev/null 2>"$ERR" || fail "flashkey-twin new $*"; }

# doctor_json MSG: the live JSON diagnosis of MSG on t.twin into d.json, read once into
# d.txt: "holds ID", "command ...", "verdict CAUSE VERDICT" lines (returns doctor's exit code).
doctor_json() {
	"$FK_BIN" --json -c twin:t.twin doctor "$1" >d.json 2>"$ERR" </dev/null
	local rc=$?
	python3 - d.json >d.txt <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
h = d.get("holds")
print("holds", h["id"] if h else "none")
print("command", h.get("command", "") if h else "")
for v in d.get("verdicts", []):
    print("verdict", v["cause"], v["verdict"])
PY
	return $rc
}
holds() { sed -n 's/^holds //p' d.txt; }
verdict() { sed -n "s/^verdict $1 //p" d.txt; }
fixcmd() { sed -n 's/^command //p' d.txt; }

# run_fix: runs the command doctor printed, word for word ("flashkey" is the binary under test).
run_fix() {
	local cmd; cmd=$(fixcmd)
	[ -n "$cmd" ] || fail "no fix command printed"
	read -ra words <<<"$cmd"
	[ "${words[0]}" = flashkey ] || fail "fix is not a flashkey command: $cmd"
	"$FK_BIN" "${words[@]:1}" >"$OUT" 2>"$ERR" </dev/null || fail "fix failed: $cmd"
}

# fixed_by CAUSE MSG STATE...: confirmed, fixed by the printed command, then ruled out.
fixed_by() {
	local cause=$1 msg=$2; shift 2
	twin "$@"
	doctor_json "$msg" || fail "[$cause] doctor failed on $*"
	[ "$(holds)" = "$cause" ] || fail "[$cause] doctor says $(holds) holds on $*"
	run_fix
	doctor_json "$msg" || fail "[$cause] doctor failed after the fix"
	[ "$(verdict "$cause")" = ruled-out ] || fail "[$cause] still $(verdict "$cause") after: $(fixcmd)"
	echo "ok: $cause confirmed on [$*] and fixed by the printed command"
}

fixed_by wrp "Error: stm32x device protected" stm32f407 t.twin --wrp 0,1
[ "$(verdict rdp1)" = ruled-out ] || fail "rdp1 not ruled out on a level-0 chip"
fixed_by rdp1 "Error: stm32x device protected" stm32f407 t.twin --rdp 1
fixed_by pcrop "stm32x failed to unlock device" stm32f429 t.twin --pcrop 2
fixed_by options-bad "Option byte CRC error" stm32f407 t.twin --corrupt-options
fixed_by hw-watchdog "Failed to read-unprotect flash" stm32f407 t.twin --rdp 1 --option wdg_sw=0

# the text form: the cause, the exact command and the ladder's dry run
twin stm32f407 t.twin --wrp 3
expect_exit 0 "$FK_BIN" -c twin:t.twin doctor "Error: failed erasing sectors 0 to 3"
grep -q '^Cause: wrp:' "$OUT" || fail "text form: no cause line"
grep -q "^Fix: flashkey -c twin:t.twin unlock --upto wrp$" "$OUT" || fail "text form: fix line"
grep -q 'Plan (dry run, nothing written):' "$OUT" || fail "text form: no plan"
grep -q 'set nWRP=1 for sectors 3' "$OUT" || fail "text form: plan lacks the WRP step"

# debug pins repurposed: confirmed, and the printed way in (connect under reset) works
twin stm32f407 t.twin --option swd=repurposed
doctor_json "Error: Unable to get core ID"
[ "$(holds)" = debug-disabled ] || fail "debug-disabled not confirmed: $(holds)"
run_fix
"$FK_BIN" --json -c twin:t.twin --connect under-reset doctor "Error: Unable to get core ID" \
	>d.json 2>"$ERR" </dev/null || fail "doctor under reset failed"
json_get d.json "[v['verdict'] for v in d['verdicts'] if v['cause']=='debug-disabled'][0]" |
	grep -qx ruled-out || fail "debug-disabled not ruled out under reset"

# no flashkey fix exists: confirmed, and the answer says why
twin stm32f407 t.twin --otp-locked 0
expect_exit 0 "$FK_BIN" -c twin:t.twin doctor "OTP protection can only be enabled"
grep -q '^Cause: otp-locked:' "$OUT" || fail "otp-locked not confirmed"
grep -q 'permanent' "$OUT" || fail "OTP lock not said to be permanent"
# below the twin's operating range the chip is unpowered: the session fails with exit 3
twin stm32f407 t.twin --option voltage_mv=1500
expect_exit 3 "$FK_BIN" -c twin:t.twin doctor "jtag status contains invalid mode value"
grep -q '^Cause: low-voltage:' "$OUT" || fail "low voltage not confirmed"
grep -q 'not powered' "$OUT" || fail "missing supply not shown"
twin stm32f407 t.twin --rdp 2
expect_exit 4 "$FK_BIN" -c twin:t.twin doctor "Connection failed - device locked"
grep -q '^Cause: debug-disabled:' "$OUT" || fail "RDP 2: debug-disabled not confirmed"
grep -q 'level 2' "$ERR" || fail "RDP 2: the error does not name level 2"

# the bootloader path (AN3155): RDP 1 shows as a refused read; the option fields stay unknown,
# so WRP is undecided there, not ruled out
twin stm32f407 t.twin --rdp 1 --option boot=sysmem
"$FK_BIN" --json -c twin-uart:t.twin doctor "Got NACK from device on command 0x43" >d.json \
	2>"$ERR" </dev/null || fail "doctor over the bootloader failed"
python3 - d.json <<'PY' || fail "bootloader path verdicts"
import json, sys
d = json.load(open(sys.argv[1]))
v = {x["cause"]: x["verdict"] for x in d["verdicts"]}
assert v == {"rdp1": "confirmed", "wrp": "undecided"}, v
assert d["holds"]["command"] == "flashkey -c twin-uart:t.twin unlock --upto rdp --allow-erase-all", d["holds"]
PY

# a running core is confirmed for OpenOCD's "Target not halted"
twin stm32f407 t.twin --rdp 1
doctor_json "Error: Target not halted"
[ "$(holds)" = running ] || fail "running core not confirmed: $(holds)"

# issue 13 class 17: at RDP level 2 the twin refuses the debug path because it read RDP=0xCC;
# doctor confirms rdp2 from that instead of calling it undecided
"$FK_TWIN_BIN" new stm32f407 r2.twin --rdp 2 >/dev/null || fail "new RDP 2 twin"
expect_exit 4 "$FK_BIN" -c twin:r2.twin doctor
grep -q "rdp2: RDP=0xCC (level 2)" "$OUT" || fail "rdp2 not confirmed at RDP 2: $(cat "$OUT")"
! grep -q "rdp2 undecided" "$OUT" || fail "rdp2 still undecided at RDP 2: $(cat "$OUT")"
grep -q "RDP=0xCC" "$ERR" || fail "the refusal no longer names RDP=0xCC: $(cat "$ERR")"
pass
