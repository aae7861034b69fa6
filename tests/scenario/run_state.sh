#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 12: the commands that only read (status, info, read, verify, backup, doctor)
# leave a core they found running as it was: flashkey halts it while it works (so that the
# application cannot touch flash meanwhile) and lets it run on at the end, with halting debug as
# it was (DHCSR, ARMv7-M §C1.6.2-3). --halt leaves it halted; a core found halted stays halted;
# a write (the code under the core changed) leaves it halted. The twin's own view of the core
# (`flashkey-twin show --json`, key "core") is the judge, on every debug path.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
T=$WORK/a.twin
core() {
	"$FK_TWIN_BIN" show "$T" --json >"$WORK/show.json" || fail "flashkey-twin show"
	json_get "$WORK/show.json" "d['core']"
}
fresh() {
	rm -f "$T"
	expect_exit 0 "$FK_TWIN_BIN" new "$1" "$T"
	[ "$(core)" = running ] || fail "a new $1 twin's core is not running: $(core)"
}
head -c 4096 /dev/urandom >"$WORK/img.bin"

for conn in twin twin-swd twin-stlink twin-cmsis-dap; do
	for cmd in status info "read $WORK/r.bin 0x08000000:0x400" "backup --backup-dir $WORK/bk" doctor; do
		fresh stm32f407
		rm -f "$WORK/r.bin"
		# shellcheck disable=SC2086
		expect_exit 0 "$FK_BIN" -c "$conn:$T" $cmd
		[ "$(core)" = running ] || fail "$conn: \`$cmd\` left a running core $(core)"
	done
done

fresh stm32f407
expect_exit 0 "$FK_BIN" -c "twin-swd:$T" write "$WORK/img.bin" --base 0x08004000
[ "$(core)" = halted ] || fail "write: the core is $(core), expected halted (its code changed)"
expect_exit 0 "$FK_BIN" -c "twin-swd:$T" verify "$WORK/img.bin" --base 0x08004000
[ "$(core)" = halted ] || fail "verify ran a core it found halted: $(core)"

fresh stm32f407
expect_exit 0 "$FK_BIN" --halt -c "twin-stlink:$T" status
[ "$(core)" = halted ] || fail "--halt status: the core is $(core)"
expect_exit 0 "$FK_BIN" -c "twin-stlink:$T" status
[ "$(core)" = halted ] || fail "status after --halt: a core found halted was let run: $(core)"

fresh stm32f103c8
expect_exit 0 "$FK_BIN" -c "twin-swd:$T" status
[ "$(core)" = running ] || fail "stm32f103c8 over twin-swd: status left the core $(core)"
pass
