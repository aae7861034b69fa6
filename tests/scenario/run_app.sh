#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey run` (start the application after flashing) on every path:
# 1. the debug path over twin: (in-process), twin-swd: (wire-level SW-DP), twin-stlink: and
#    twin-cmsis-dap: (emulated probes): a blank chip is refused naming 0x08000000 and
#    0xFFFFFFFF (exit 7) and the core stays halted; --dry-run, --reset=none (exit 9) and
#    another address (exit 9) leave it halted; `run` exits 0 and the twin's own view
#    (`flashkey-twin show`, DHCSR in the saved state) says the core runs with halting debug
#    off; the next session halts it again; with BOOT0 high a reset would start the bootloader:
#    refused (exit 9). `write --run` writes, verifies and starts.
# 2. the bootloader path in-process (twin-uart:): blank refused; --dry-run sends no Go; `run`
#    sends Go 0x08000000, which the twin's ARMv6-M CPU executes until the fixture's first
#    Thumb-2 instruction locks it up (docs/TWIN.md "The CPU"): the twin's log line (-v) says so.
# 3. a pty served by flashkey-twin: after `run` the served bootloader no longer answers, so the
#    next `status` on the same link fails (exit 3), and the server's log names the Go.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW="$FK_SRC/tests/fixtures/fw.elf"
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; fi; rm -rf "$WORK"' EXIT

# core FILE: "STATE HALTING_DEBUG" from the twin's own saved state
core() {
	"$FK_TWIN_BIN" show "$1" --json >"$WORK/show.json" || fail "flashkey-twin show $1"
	json_get "$WORK/show.json" "d['core'] + ' ' + str(d['halting_debug'])"
}

# 1. debug path
for c in twin twin-swd twin-stlink twin-cmsis-dap; do
	T=$WORK/$c.twin
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
	expect_exit 7 "$FK_BIN" -c "$c:$T" run
	grep -q "0x08000000" "$ERR" && grep -q "0xFFFFFFFF" "$ERR" ||
		fail "$c: blank refusal does not name 0x08000000 and 0xFFFFFFFF"
	grep -q "nothing was started" "$ERR" || fail "$c: blank refusal does not say nothing started"
	[ "$(core "$T")" = "halted True" ] || fail "$c: core after a refused run: $(core "$T")"
	expect_exit 0 "$FK_BIN" -c "twin:$T" write "$FW" # the write itself is tested elsewhere
	expect_exit 0 "$FK_BIN" -c "$c:$T" run --dry-run
	grep -q "would start the application at 0x08000000: MSP 0x20020000, reset handler 0x08000043" \
		"$OUT" || fail "$c: dry run output"
	grep -q "nothing was started" "$OUT" || fail "$c: dry run does not say nothing started"
	[ "$(core "$T")" = "halted True" ] || fail "$c: --dry-run released the core: $(core "$T")"
	expect_exit 9 "$FK_BIN" -c "$c:$T" --reset none run
	grep -q -- "--reset=none" "$ERR" || fail "$c: --reset=none refusal does not say why"
	expect_exit 9 "$FK_BIN" -c "$c:$T" run 0x08004000
	grep -q "a reset always starts from the boot address" "$ERR" || fail "$c: other address"
	[ "$(core "$T")" = "halted True" ] || fail "$c: a refused run released the core: $(core "$T")"
	expect_exit 0 "$FK_BIN" -c "$c:$T" --json run
	[ "$(json_get "$OUT" "d['ok'] and d['started'] and not d['bootloader_gone'] and d['path'] == 'debug' and d['msp'] == '0x20020000' and d['reset_handler'] == '0x08000043'")" = True ] ||
		fail "$c: run --json: $(cat "$OUT")"
	[ "$(core "$T")" = "running False" ] || fail "$c: core after run: $(core "$T")"
	"$FK_TWIN_BIN" show "$T" | grep -q "^core: running (halting debug off" ||
		fail "$c: flashkey-twin show text does not say the core runs"
	# info only reads: the running application runs on, halting debug off as it was (class 12)
	expect_exit 0 "$FK_BIN" -c "$c:$T" info
	[ "$(core "$T")" = "running False" ] || fail "$c: info did not leave the core running: $(core "$T")"
	expect_exit 0 "$FK_BIN" -c "$c:$T" --halt info
	[ "$(core "$T")" = "halted True" ] || fail "$c: --halt info did not halt: $(core "$T")"
	echo "ok: $c"
done

# BOOT0 high: 0x00000000 shows system memory, a reset would start the bootloader
T=$WORK/twin.twin
expect_exit 0 "$FK_TWIN_BIN" set "$T" --option boot=sysmem
expect_exit 0 "$FK_TWIN_BIN" reset "$T"
expect_exit 9 "$FK_BIN" -c "twin:$T" run
grep -q "does not show the vector table at 0x08000000" "$ERR" || fail "BOOT0 high not detected"
[ "$(core "$T")" != "running False" ] || fail "BOOT0 high: the core was released"
expect_exit 0 "$FK_TWIN_BIN" set "$T" --option boot=flash
expect_exit 0 "$FK_TWIN_BIN" reset "$T"

# write --run: written, verified, started
T=$WORK/wr.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
expect_exit 2 "$FK_BIN" -c "twin:$T" write "$FW" --run --no-verify
expect_exit 0 "$FK_BIN" -c "twin:$T" write "$FW" --run
grep -q "verified" "$OUT" && grep -q "started the application at 0x08000000" "$OUT" ||
	fail "write --run output"
[ "$(core "$T")" = "running False" ] || fail "write --run: core $(core "$T")"

# 2. bootloader path, in-process
U=$WORK/uart.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$U"
expect_exit 7 "$FK_BIN" -c "twin-uart:$U" run
grep -q "0x08000000" "$ERR" && grep -q "0xFFFFFFFF" "$ERR" || fail "uart: blank refusal"
expect_exit 0 "$FK_BIN" -c "twin:$U" write "$FW"
expect_exit 0 "$FK_BIN" -v -c "twin-uart:$U" run --dry-run
grep -q "would do: AN3155 Go 0x08000000" "$OUT" || fail "uart: dry run output"
! grep -q "twin: Go" "$ERR" || fail "uart: --dry-run sent Go"
expect_exit 0 "$FK_BIN" -v -c "twin-uart:$U" run
grep -q "the bootloader answers again after a reset with BOOT0 high" "$OUT" || fail "uart: output"
# the fixture is Cortex-M4 code: the twin's ARMv6-M CPU runs it until the first Thumb-2
# instruction outside ARMv6-M, then locks up; either way the bootloader is gone
grep -q "twin: Go 0x08000000: code ran" "$ERR" || fail "uart: the twin did not run Go's code"
grep -q "the bootloader is gone (silent)" "$ERR" || fail "uart: the twin's bootloader still answers"
expect_exit 0 "$FK_BIN" -c "twin-uart:$U" --json run
[ "$(json_get "$OUT" "d['started'] and d['bootloader_gone'] and d['path'] == 'bootloader'")" = True ] ||
	fail "uart: run --json: $(cat "$OUT")"

# 3. a served pty: the link stays, the bootloader behind it is gone
P=$WORK/pty.twin
LINK=$WORK/ttyF4
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$P"
expect_exit 0 "$FK_BIN" -c "twin:$P" write "$FW"
"$FK_TWIN_BIN" serve "$P" --uart-pty "$LINK" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do [ -L "$LINK" ] && break; sleep 0.1; done
[ -L "$LINK" ] || fail "no pty link: $(cat "$WORK/serve.log")"
expect_exit 0 "$FK_BIN" -c "uart:$LINK" status
expect_exit 0 "$FK_BIN" -c "uart:$LINK" run
expect_exit 3 "$FK_BIN" -c "uart:$LINK" status
grep -q "Go 0x08000000" "$WORK/serve.log" || fail "the server did not log the Go: $(cat "$WORK/serve.log")"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "serve exit status $? after SIGTERM: $(cat "$WORK/serve.log")"
SERVER_PID=
pass
