#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 13: SIGINT and SIGTERM stop flashkey at a safe point, report what was done and
# what the chip holds, and exit 10 (docs/EXIT-CODES.md). The twin is served on a pty with
# --realtime, so the bootloader's 115200 baud costs wall-clock time and a signal sent after two
# seconds lands in the middle of the work:
#   1. `read` of 512 KiB (~50 s on the wire): stops at the next 16 KiB piece, writes no file;
#   2. `write` of 16 KiB into the 128 KiB sector 5: stops while reading the 112 KiB to keep,
#      before the erase; sector 5 still holds what it held (read back after the server stops);
#   3. `write --erase-sectors --read-back` of 16 KiB into sector 1 (no keep-read: the signal
#      lands in the erase or the programming, past the last safe point before the erase): the
#      sector is finished; the run stops at the read-back verification ("written ... but not
#      verified", exit 10) or, should the signal come later, ends verified (exit 0, "ran to its
#      end"); `verify` then agrees;
#   4. (class 16) an erase of a 128 KiB sector, which the ROM answers only when done: the wait
#      over a second is said.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; fi; rm -rf "$WORK"' EXIT

python3 - "$WORK/old.bin" <<'EOF'
import sys
open(sys.argv[1], 'wb').write(bytes((i * 7 + (i >> 8)) & 0xFF for i in range(0x40000)))
EOF
head -c 16384 /dev/urandom >"$WORK/img.bin"
T=$WORK/a.twin
LINK=$WORK/tty
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --flash "$WORK/old.bin"
"$FK_TWIN_BIN" serve "$T" --uart-pty "$LINK" --realtime >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do [ -L "$LINK" ] && break; sleep 0.1; done
[ -L "$LINK" ] || fail "no pty link: $(cat "$WORK/serve.log")"

# 1. read
run_and_signal INT 2 -c "uart:$LINK" read "$WORK/r.bin" 0x08000000:0x80000
[ "$RC" = 10 ] || fail "read after SIGINT: exit $RC, expected 10: $(cat "$ERR")"
grep -q "stopping at the next safe point" "$ERR" || fail "no notice on the first signal: $(cat "$ERR")"
grep -q "SIGINT received: .*read stopped on request at 0x080" "$ERR" || fail "read: not said where it stopped: $(cat "$ERR")"
grep -q "the chip was not changed" "$ERR" || fail "read: chip state not said: $(cat "$ERR")"
grep -q "FK_E_INTERRUPTED" "$ERR" || fail "read: error name missing: $(cat "$ERR")"
[ ! -e "$WORK/r.bin" ] || fail "an interrupted read left $WORK/r.bin behind"

# 2. write, stopped while keeping the rest of sector 5 (before its erase)
run_and_signal TERM 2 -c "uart:$LINK" write "$WORK/img.bin" --base 0x08020000
[ "$RC" = 10 ] || fail "write after SIGTERM: exit $RC, expected 10: $(cat "$ERR")"
grep -q "SIGTERM received: .*write stopped while reading sector 5 (0x08020000)" "$ERR" ||
	fail "write: not said where it stopped: $(cat "$ERR")"
grep -q "no sector was changed" "$ERR" || fail "write: chip state not said: $(cat "$ERR")"

# 3. write past the last safe point before the erase. On a loaded machine the steps before the
# erase can take longer than the delay: the signal then stops the write before the erase (chip
# unchanged, said so), and the step is tried again with a longer delay.
for delay in 1 2 3 4; do
	run_and_signal INT "$delay" -c "uart:$LINK" write "$WORK/img.bin" --base 0x08004000 \
		--erase-sectors --read-back
	[ "$RC" = 10 ] && grep -q "write stopped on request before the erase: no sector was changed" \
		"$ERR" || break
	echo "write (3): the signal came before the erase after ${delay} s; again with a longer delay"
done
echo "write (3): exit $RC"
case "$RC" in
10) grep -q "the image was written (1 sector erased and programmed) but not verified" "$ERR" ||
	fail "write (3): exit 10 without saying the sector was finished: $(cat "$ERR")" ;;
0) grep -q "SIGINT received after the last point where \`write\` could stop safely" "$ERR" ||
	fail "write (3): exit 0 without a word on the signal: $(cat "$ERR")" ;;
*) fail "write (3) after SIGINT: exit $RC: $(cat "$ERR")" ;;
esac
expect_exit 0 "$FK_BIN" -c "uart:$LINK" verify "$WORK/img.bin" --base 0x08004000

# issue 13 class 16 over the bootloader: the ROM answers an erase only when it is done (a 128 KiB
# sector: over a second on this realtime twin); the wait is said, not silent
expect_exit 0 "$FK_BIN" -c "uart:$LINK" erase 6 --yes
grep -q "waiting for the bootloader's answer after the sector list (it answers when the flash operation is done" "$ERR" ||
	fail "a wait of over a second for the ROM was silent: $(cat "$ERR")"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "serve exit status $? after SIGTERM: $(cat "$WORK/serve.log")"
SERVER_PID=

# the chip, read in-process: sector 5 untouched by the stopped write, sector 1 holds the image
expect_exit 0 "$FK_BIN" -c "twin:$T" read "$WORK/s5.bin" 0x08020000:0x20000
cmp -s "$WORK/s5.bin" <(tail -c +$((0x20000 + 1)) "$WORK/old.bin" | head -c $((0x20000))) ||
	fail "sector 5 changed although the write stopped before its erase"
expect_exit 0 "$FK_BIN" -c "twin:$T" read "$WORK/s1.bin" 0x08004000:0x4000
cmp -s "$WORK/s1.bin" "$WORK/img.bin" || fail "sector 1 does not hold the image"
pass
