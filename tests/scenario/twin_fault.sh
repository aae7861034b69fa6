#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection through the state file: `flashkey-twin set --option fault_op=N` arms a power
# cut halfway through the Nth flash operation (RM0090 §3.6: contents not guaranteed); the real
# flashkey write then fails with FK_E_POWER_LOST (exit 10) and never claims success; after a
# power cycle the same write succeeds. Also: a twin in use by a server is "twin busy" to flashkey.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}

head -c 3000 /dev/urandom > fw.bin
expect_exit 0 "$T" new stm32f407 w.twin
expect_exit 0 "$T" set w.twin --option fault_op=3
expect_exit 10 "$FK_BIN" -c twin:w.twin write fw.bin --base 0x08000000 --yes
grep -q 'lost power' "$ERR" || fail "power loss not reported"
expect_exit 0 "$T" show w.twin --json
[ "$(json_get "$OUT" 'd["powered"]')" = False ] || fail "twin should be unpowered"
[ "$(json_get "$OUT" 'd["sectors"][0]["blank"]')" = False ] || fail "partial program expected"
expect_exit 3 "$FK_BIN" -c twin:w.twin write fw.bin --base 0x08000000 --yes
grep -qi 'not powered' "$ERR" || fail "unpowered target not reported"
expect_exit 0 "$T" power-cycle w.twin
expect_exit 0 "$FK_BIN" -c twin:w.twin write fw.bin --base 0x08000000 --yes
expect_exit 0 "$FK_BIN" -c twin:w.twin verify fw.bin --base 0x08000000

# a power cut in the middle of a sector erase (virtual time), then bad option values
expect_exit 0 "$T" set w.twin --option fault_ns=100000000
expect_exit 10 "$FK_BIN" -c twin:w.twin erase --all --yes --allow-erase-all
expect_exit 2 "$T" set w.twin --option fault_op=many
grep -q 'fault_op=many' "$ERR" || fail "bad fault_op value"
expect_exit 2 "$T" set w.twin
expect_exit 0 "$T" power-cycle w.twin

# twin busy
"$T" serve w.twin --jtag-bitbang 127.0.0.1:0 >serve.out 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q serving serve.out 2>/dev/null && break; sleep 0.1; done
sleep 0.2
expect_exit 1 "$FK_BIN" -c twin:w.twin status
grep -q 'twin busy' "$ERR" || fail "busy twin not reported"
kill -TERM $pid; wait $pid || fail "serve did not stop cleanly"
pass
