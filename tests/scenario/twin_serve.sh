#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey-twin serve: holds the state file's lock while running (a second user gets "twin
# busy"), `show` still reads the saved state, SIGTERM stops it cleanly (exit 0) and the state
# is saved and "stopped" is said; --max-ms ends a run by itself; serve with no server is refused
# (issue 13 class 19: it used to hold the lock and serve nothing).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

expect_exit 0 "$T" new stm32f407 s.twin --rdp 1
"$T" serve s.twin --jtag-bitbang 127.0.0.1:0 >serve.out 2>serve.err &
pid=$!
for _ in $(seq 50); do grep -q serving serve.out 2>/dev/null && break; sleep 0.1; done
grep -q 'serving s.twin' serve.out || fail "server did not start: $(cat serve.err)"
sleep 0.3
expect_exit 1 "$T" power-cycle s.twin
grep -q 'twin busy' "$ERR" || fail "second user not told the twin is busy"
expect_exit 0 "$T" show s.twin --json
[ "$(json_get "$OUT" 'd["rdp_level"]')" = 1 ] || fail "show while serving"
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "serve exit code $rc after SIGTERM: $(cat serve.err)"
grep -q "stopped serving s.twin" serve.out || fail "no \"stopped\" after SIGTERM"
expect_exit 0 "$T" power-cycle s.twin
expect_exit 0 "$T" serve s.twin --max-ms 200 --jtag-bitbang 127.0.0.1:0
grep -q "stopped serving s.twin" "$OUT" || fail "no \"stopped\" after --max-ms"
expect_exit 2 "$T" serve s.twin --max-ms zero --jtag-bitbang 127.0.0.1:0
expect_exit 1 "$T" serve missing.twin --max-ms 100 --jtag-bitbang 127.0.0.1:0
expect_exit 2 "$T" serve s.twin --max-ms 100
grep -q "no server given" "$ERR" || fail "serve with no server not refused"
grep -q "serving" "$OUT" && fail "serve with no server said it was serving"
pass
