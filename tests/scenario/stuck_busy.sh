#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 16: a flash controller whose FLASH_SR.BSY stays set (the twin's stuck_bsy
# fault: BSY held with no operation running, until a reset clears FLASH_SR, RM0090 §3.9.5).
# status and doctor say so (lock "busy", health item "Flash controller busy" with the reset as
# the fix); a command that must wait says what it waits for after a second, and a stop request
# during that wait ends it (exit 10: nothing of ours was running); `flashkey reset` clears it.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
T=$WORK/a.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
expect_exit 0 "$FK_TWIN_BIN" set "$T" --option stuck_bsy=1

expect_exit 0 "$FK_BIN" -c "twin:$T" status
grep -q "^FLASH_SR.BSY .*busy: an operation runs, or the controller is stuck" "$OUT" ||
	fail "status does not report the busy controller: $(cat "$OUT")"
"$FK_BIN" -c "twin:$T" --json status >"$WORK/st.json" 2>/dev/null || fail "status --json"
[ "$(json_get "$WORK/st.json" "[l['raw'] for l in d['inventory']['locks'] if l['kind'] == 'busy']")" = "['FLASH_SR=0x00010000']" ] ||
	fail "JSON inventory lacks the busy lock: $(cat "$WORK/st.json")"
expect_exit 4 "$FK_BIN" -c "twin:$T" doctor
grep -q "problem  Flash controller busy" "$OUT" || fail "doctor does not report the busy controller: $(cat "$OUT")"
grep -q "fix: flashkey -c twin:$T reset" "$OUT" || fail "doctor does not give the reset: $(cat "$OUT")"

# a wait that says what it waits for, and stops on request
run_and_signal INT 2.5 -c "twin:$T" erase 1
[ "$RC" = 10 ] || fail "erase under a stuck BSY after SIGINT: exit $RC, expected 10: $(cat "$ERR")"
grep -q "waiting for FLASH_SR.BSY to clear (SR=0x00010000): a flash operation is still running" "$ERR" ||
	fail "the wait was silent: $(cat "$ERR")"
grep -q "SIGINT received: .*stopped while waiting for FLASH_SR.BSY to clear" "$ERR" ||
	fail "the stop does not say what it interrupted: $(cat "$ERR")"

# the fix doctor gives
expect_exit 0 "$FK_BIN" -c "twin:$T" reset
expect_exit 0 "$FK_BIN" -c "twin:$T" status
! grep -q "^FLASH_SR.BSY" "$OUT" || fail "BSY still reported after the reset: $(cat "$OUT")"
expect_exit 0 "$FK_BIN" -c "twin:$T" erase 1
pass
