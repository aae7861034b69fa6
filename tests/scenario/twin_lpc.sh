#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The NXP LPC twins on the model registry (twin/lpc/, issue 17 item 5): list, new with --crp and
# --flash, show (text and JSON), set --option and reset (the boot ROM latches CRP and chooses
# between user code and ISP, UM10360 §32.3.1 and §32.6), and the serve options: --lpc-pty is
# refused for a twin without the LPC ISP, and other servers are refused for an LPC twin.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" list
grep -q '^lpc1768 .*part ID 0x26013F37 .*512 KiB' "$OUT" || fail "list lacks lpc1768"
grep -q '^lpc812 .*part ID 0x00008122 .*16 KiB' "$OUT" || fail "list lacks lpc812"

# an image with a valid vector table but CRP2 given on the command line
head -c 1024 /dev/zero > img.bin
expect_exit 0 "$T" new lpc1768 a.twin --flash img.bin --crp 2 --option fix_checksum=1 --option isp_pin=high
grep -q 'created a.twin: lpc1768, CRP CRP2 (0x2FC = 0x87654321), valid user code, boot: user code' "$OUT" \
	|| fail "created line"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["crp_latched"]')" = CRP2 ] || fail "crp latched"
[ "$(json_get "$OUT" 'd["mode"]')" = user ] || fail "valid code, ISP pin high: user code runs"
# CRP3 with valid code: the ISP pin is no longer sampled, even held low
expect_exit 0 "$T" set a.twin --option crp=3 --option isp_pin=low
expect_exit 0 "$T" reset a.twin
grep -q '^reset: boot ROM ran; CRP CRP3 .* boot: user code' "$OUT" || fail "CRP3 reset report"
expect_exit 0 "$T" set a.twin --option crp=none
expect_exit 0 "$T" power-cycle a.twin
grep -q 'CRP none .* boot: ISP command handler' "$OUT" || fail "ISP pin low, no CRP: ISP"
expect_exit 0 "$T" show a.twin
grep -q '^twin a.twin: LPC1768FBD100 (LPC176x/5x), part ID 0x26013F37' "$OUT" || fail "show text"
grep -q '^user code: valid' "$OUT" || fail "show user code"
expect_exit 2 "$T" set a.twin --option crp=4
expect_exit 2 "$T" set a.twin --option bogus=1
grep -q 'unknown key' "$ERR" || fail "unknown key not named"
expect_exit 2 "$T" new lpc812 b.twin --crp 5

# serve: a server of another port refused for an LPC twin, naming the ports it has (its ISP and,
# since the debug path, its DAP); --lpc-pty with another server, or for an STM32F4 twin, refused
expect_exit 9 "$T" serve a.twin --uart-pty "$WORK/tty" --max-ms 100
grep -q 'byte stream "lpc-isp"' "$ERR" || fail "refusal does not name the LPC's ISP port"
expect_exit 2 "$T" serve a.twin --lpc-pty "$WORK/tty" --jtag-bitbang 127.0.0.1:0 --max-ms 100
grep -q 'lpc-pty runs alone' "$ERR" || fail "--lpc-pty with another server"
expect_exit 0 "$T" new stm32f407 f.twin
expect_exit 2 "$T" serve f.twin --lpc-pty "$WORK/tty" --max-ms 100
grep -q 'no NXP LPC UART ISP' "$ERR" || fail "--lpc-pty on an F4 twin"
expect_exit 2 "$T" serve a.twin --lpc-pty "$WORK/tty@fast" --max-ms 100
grep -q 'expected LINK\[@BAUD\]' "$ERR" || fail "--lpc-pty with a bad rate"

# --lpc-pty LINK@BAUD: the same session over a line twice as fast costs about half the time
vtime() { "$T" show "$1" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['virtual_ns'])"; }
for baud in 115200 230400; do
	"$T" new lpc1768 "s$baud.twin" --force >/dev/null
	"$T" serve "s$baud.twin" --lpc-pty "$WORK/tty$baud@$baud" >"serve$baud.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -L "$WORK/tty$baud" ] && break; sleep 0.05; done
	expect_exit 0 "$FK_BIN" -c "lpc:$WORK/tty$baud@$baud" status
	kill -TERM "$pid"; wait "$pid"
done
python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(0 if 0.4 < b / a < 0.6 else 1)" \
	"$(vtime s115200.twin)" "$(vtime s230400.twin)" || fail "230400 baud not charged as such"
pass
