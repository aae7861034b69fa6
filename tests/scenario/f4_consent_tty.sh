#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Typed consent at an interactive prompt (a pseudo-terminal via script(1)): the RDP regression
# runs only when "yes" is typed, an OTP lock only when "PERMANENT" is typed; anything else (or
# --yes alone) refuses with exit 5 and leaves the chip as it was.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
command -v script >/dev/null || { echo "script(1) not installed"; exit 77; }
"$FK_TWIN_BIN" new stm32f407 b.twin --rdp 1 >/dev/null || fail "flashkey-twin new"
tty_run() { # tty_run INPUT ARGS...: run flashkey on a pty, typing INPUT
	local input=$1; shift
	printf '%s\n' "$input" | script -qec "$FK_BIN -c twin:b.twin $*" /dev/null >"$OUT" 2>&1
}
tty_run no unlock --no-backup --yes
[ $? -eq 5 ] || fail "typing no did not refuse (exit 5)"
grep -q "Type yes to continue" "$OUT" || fail "no typed prompt shown"
"$FK_BIN" -c twin:b.twin --json status >st.json 2>/dev/null
[ "$(json_get st.json "d['inventory']['rdp_level']")" = 1 ] || fail "refused unlock changed RDP"
tty_run yes unlock --no-backup
[ $? -eq 0 ] || fail "typing yes did not run the regression"
grep -q "rdp: done" "$OUT" || fail "rdp step not reported"
tty_run yes otp lock 2
[ $? -eq 5 ] || fail "typing yes granted an irreversible OTP lock"
grep -q "Type PERMANENT" "$OUT" || fail "PERMANENT prompt not shown"
tty_run PERMANENT otp lock 2
[ $? -eq 0 ] || fail "typing PERMANENT did not lock"
"$FK_BIN" -c twin:b.twin --json otp show >otp.json 2>/dev/null
[ "$(json_get otp.json "d['blocks'][2]['lock_byte']")" = 0x00 ] || fail "LOCKB2 not programmed"
pass
