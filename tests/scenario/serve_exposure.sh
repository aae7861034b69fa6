#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13, class 18: every flashkey-twin server listens on loopback only unless the user gives
# --allow-network-exposure (the flag names the risk: no authentication, whoever reaches the port
# reads and rewrites the twin). `serve --cmsis-dap-tcp 0.0.0.0:0` listened on every interface
# while --jtag-bitbang refused; now both refuse the same way (exit 5, a safety gate).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
expect_exit 0 "$T" new stm32f407 s.twin

for srv in cmsis-dap-tcp jtag-bitbang; do
	for host in 0.0.0.0 192.0.2.1 10.1.2.3; do
		expect_exit 5 "$T" serve s.twin --max-ms 100 --$srv $host:0
		grep -q "not a loopback address" "$ERR" || fail "$srv $host: refusal does not say why"
		grep -q -- "--allow-network-exposure" "$ERR" || fail "$srv $host: flag not named"
		grep -q "listening" "$OUT" && fail "$srv $host: listened anyway"
	done
	for host in 127.0.0.1 127.1.2.3 localhost ""; do
		expect_exit 0 "$T" serve s.twin --max-ms 100 --$srv $host:0
		grep -qE "^$srv: listening on (127\.[0-9.]+|localhost):[0-9]+$" "$OUT" ||
			fail "$srv '$host': not on loopback"
	done
	# with the flag that names the risk, every interface is allowed
	expect_exit 0 "$T" serve s.twin --max-ms 100 --allow-network-exposure --$srv 0.0.0.0:0
	grep -qE "^$srv: listening on 0\.0\.0\.0:[0-9]+$" "$OUT" || fail "$srv: flag not honoured"
done
# the refusal stops every server already started
expect_exit 5 "$T" serve s.twin --max-ms 100 --jtag-bitbang 127.0.0.1:0 --cmsis-dap-tcp 0.0.0.0:0
pass
