#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# esp:DEV@BAUD connects as esptool does (issue 16): the ROM loader listens at 115200 after reset,
# so the port opens there, SYNC runs there, and only then CHANGE_BAUDRATE moves both ends to the
# rate asked for (esptool: connect(), then change_baud()). Opening a real port at 921600
# straight away syncs with nothing. Checked on a served pty (the server logs each command and
# the line speed it follows) and in process (twin-esp: --baud); a rate the host cannot set is
# refused before anything is sent.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

expect_exit 0 "$T" new esp32 a.twin --option boot_pin=low

# 1. in process: --baud 921600 -> SYNC at 115200, then CHANGE_BAUDRATE 921600
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin --baud 921600 --trace twin,link -vv info
grep -q 'changing .* from 115200 to 921600 baud' "$ERR" || fail "twin-esp: no switch logged"
grep -n 'CHANGE_BAUDRATE: 921600 baud' "$ERR" >cb.txt || fail "twin-esp: the ROM saw no CHANGE_BAUDRATE"
grep -n 'waiting for download' "$ERR" | head -1 >sync.txt
[ -s sync.txt ] || fail "twin-esp: the connection was not logged"
[ "$(cut -d: -f1 sync.txt)" -lt "$(cut -d: -f1 cb.txt)" ] || fail "CHANGE_BAUDRATE before the connection"
# without a rate: no change
expect_exit 0 "$FK_BIN" -c twin-esp:a.twin --trace twin -vv info
grep -q 'CHANGE_BAUDRATE' "$ERR" && fail "twin-esp: CHANGE_BAUDRATE without --baud"

# 2. a served pty, esp:LINK@921600
LINK=$WORK/ttyESP
"$T" serve a.twin --esp-pty "$LINK" >serve.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do [ -L "$LINK" ] && break; sleep 0.1; done
[ -L "$LINK" ] || fail "no pty link: $(cat serve.log)"
expect_exit 0 "$FK_BIN" -c "esp:$LINK@921600" --before no_reset info
grep -q '^chip .*esp32' "$OUT" || fail "esp:@921600 info: no chip"
grep -q 'CHANGE_BAUDRATE: 921600 baud' serve.log || fail "server saw no CHANGE_BAUDRATE: $(cat serve.log)"
# 3. a rate no host port takes: refused before opening, named
expect_exit 2 "$FK_BIN" -c "esp:$LINK@12345" --before no_reset info
grep -q 'baud rate 12345 is not supported' "$ERR" || fail "bad rate not named"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "serve exit status $? after SIGTERM: $(cat serve.log)"
SERVER_PID=
pass
