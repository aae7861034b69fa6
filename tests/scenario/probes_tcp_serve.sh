#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey-twin serve PATH --cmsis-dap-tcp 127.0.0.1:0` and `flashkey -c cmsis-dap-tcp:HOST:PORT`
# (probes.md §6.1 framing): status, write and verify over TCP through the served twin; after
# SIGTERM the state file holds what was written; a second client waits its turn.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW="$FK_SRC/tests/fixtures/fw.elf"
"$FK_TWIN_BIN" new stm32f407 b.twin >/dev/null || fail "flashkey-twin new"
"$FK_TWIN_BIN" serve b.twin --cmsis-dap-tcp 127.0.0.1:0 >serve.out 2>serve.err &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/^cmsis-dap-tcp: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' serve.out)
	[ -n "$PORT" ] && break
	kill -0 $SERVER 2>/dev/null || break
	sleep 0.1
done
[ -n "$PORT" ] || fail "server did not start: $(cat serve.err)"
fk() { "$FK_BIN" -c "cmsis-dap-tcp:127.0.0.1:$PORT" "$@"; }
expect_exit 0 fk status
grep -q "stm32f40x" "$OUT" || fail "chip not identified over TCP"
expect_exit 0 fk write "$FW" --voltage 3.3
grep -q "verified" "$OUT" || fail "write over TCP not verified"
expect_exit 0 fk verify "$FW"
kill -TERM $SERVER
wait $SERVER || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$FK_BIN" -c twin:b.twin verify "$FW"
expect_exit 3 "$FK_BIN" -c "cmsis-dap-tcp:127.0.0.1:$PORT" status
grep -q "cannot connect to 127.0.0.1 port $PORT" "$ERR" || fail "no clear message when nobody listens"
pass
