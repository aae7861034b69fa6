#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# OTP over the ROM bootloader path (AN2606 §4.3 Table 4: the F4 bootloader reads and writes OTP,
# no erase), in-process (-c twin-uart:) and on a pty served by `flashkey-twin serve --uart-pty`
# (-c uart:, several sessions on one link): show blank; write; read back; the PERMANENT gate
# (--yes is not enough, typed PERMANENT on a terminal); lock; a locked block refused (exit 4)
# naming the block and its lock byte; the twin's own bytes checked with `flashkey-twin show
# --json`. Write Memory takes 4-aligned words (an3155.md §2.3), so a lock byte goes out as a
# word with 0xFF in the other three lock bytes: locking block 1, then block 0 in the same word
# (LOCKB1 already 0x00), then block 3 must change only the byte asked for (RM0090 §3.8: the lock
# block has no lock of its own; 0xFF programs no bit).
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" || fail "serve exit status $? after SIGTERM: $(cat "$WORK/serve.log")"
	SERVER_PID=
}
trap 'if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; fi; rm -rf "$WORK"' EXIT

# twin_otp FILE EXPR: a value from the twin's own view of its OTP (not through flashkey). While
# `serve` holds the twin, show reads the saved file: the server saves once the peer has been
# quiet for 5 ms (twin/serve.c), so wait well beyond that first.
twin_otp() {
	[ -z "$SERVER_PID" ] || sleep 0.2
	"$FK_TWIN_BIN" show "$1" --json >"$WORK/show.json" || fail "flashkey-twin show $1"
	json_get "$WORK/show.json" "$2"
}
LOCKS_NONE="['0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF']"
LOCKS_013="['0x00', '0x00', '0xFF', '0x00', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF', '0xFF']"
BLANK=$(printf 'F%.0s' $(seq 64))

# otp_story CONN TWINFILE: the whole story on one connection.
otp_story() {
	local c=$1 t=$2
	fk() { "$FK_BIN" -c "$c" "$@"; }
	expect_exit 0 fk --json otp show
	[ "$(json_get "$OUT" "[b['lock_byte'] for b in d['blocks']]")" = "$LOCKS_NONE" ] || fail "$c: blank OTP shows locks"
	[ "$(json_get "$OUT" "set(b['data'] for b in d['blocks'])")" = "{'$BLANK'}" ] || fail "$c: blank OTP not all 0xFF"

	# the gate: an irreversible write needs PERMANENT, --yes or =yes do not do
	expect_exit 5 fk otp write 0 DEADBEEF
	grep -q "PERMANENT" "$ERR" || fail "$c: OTP write refusal does not name PERMANENT"
	expect_exit 5 fk --yes otp write 0 DEADBEEF
	expect_exit 5 fk otp write 0 DEADBEEF --allow-irreversible=yes
	expect_exit 0 fk --dry-run otp write 0 DEADBEEF --allow-irreversible=PERMANENT
	[ "$(twin_otp "$t" "d['otp'][0]['data']")" = "$BLANK" ] || fail "$c: refused/dry-run write changed OTP"

	expect_exit 0 fk otp write 0 DEADBEEF --allow-irreversible=PERMANENT
	grep -q "\[0\]=0xDE \[1\]=0xAD \[2\]=0xBE \[3\]=0xEF" "$OUT" || fail "$c: changed bytes not shown"
	grep -q "written and read back" "$OUT" || fail "$c: write not read back"
	# an unaligned, short write: Write Memory needs a 4-aligned word, padded with 0xFF
	expect_exit 0 fk otp write 1 0102 --offset 5 --allow-irreversible=PERMANENT
	expect_exit 4 fk otp write 0 FFFFFFFF --allow-irreversible=PERMANENT
	grep -q "0 -> 1" "$ERR" || fail "$c: 0->1 refusal missing"
	expect_exit 0 fk --json otp show
	json_get "$OUT" "d['blocks'][0]['data']" | grep -q "^DEADBEEFFF" || fail "$c: block 0 not read back"
	[ "$(twin_otp "$t" "d['otp'][0]['data']")" = "DEADBEEF${BLANK:8}" ] || fail "$c: twin block 0 bytes"
	[ "$(twin_otp "$t" "d['otp'][1]['data']")" = "FFFFFFFFFF0102${BLANK:14}" ] || fail "$c: twin block 1 bytes"

	# locks: the gate, then 1, 0 (same lock word, LOCKB1 already 0x00), 3
	expect_exit 5 fk otp lock 1
	expect_exit 5 fk --yes otp lock 1
	grep -q "PERMANENT" "$ERR" || fail "$c: OTP lock refusal does not name PERMANENT"
	[ "$(twin_otp "$t" "d['otp'][1]['lock_byte']")" = 0xFF ] || fail "$c: refused lock wrote LOCKB1"
	for b in 1 0 3; do
		expect_exit 0 fk otp lock $b --allow-irreversible=PERMANENT
		grep -q "OTP block $b is locked" "$OUT" || fail "$c: lock $b not reported"
	done
	[ "$(twin_otp "$t" "[b['lock_byte'] for b in d['otp']]")" = "$LOCKS_013" ] || fail "$c: lock bytes: only LOCKB0, 1, 3 may change"
	[ "$(twin_otp "$t" "d['otp'][0]['data']")" = "DEADBEEF${BLANK:8}" ] || fail "$c: locking changed block 0 data"

	# a locked block is refused before anything is sent, naming the block and its lock byte
	expect_exit 4 fk otp write 0 00 --allow-irreversible=PERMANENT
	grep -q "OTP block 0 is locked (LOCKB0 = 0x00 at 0x1FFF7A00)" "$ERR" || fail "$c: locked block 0 not refused by name"
	expect_exit 4 fk --json otp write 3 00 --allow-irreversible=PERMANENT
	[ "$(json_get "$OUT" "d['error']['exit_code']")" = 4 ] || fail "$c: JSON exit code"
	json_get "$OUT" "d['error']['message']" | grep -q "LOCKB3" || fail "$c: JSON message does not name LOCKB3"
	[ "$(twin_otp "$t" "d['otp'][3]['data']")" = "$BLANK" ] || fail "$c: locked block 3 was written"
	expect_exit 0 fk otp write 2 AA --allow-irreversible=PERMANENT # an open block still works
	expect_exit 0 fk status
	grep -q "OTP blocks: LLwL" "$OUT" || fail "$c: status OTP map wrong"
}

# 1. in-process bootloader path
T1=$WORK/a.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T1"
otp_story "twin-uart:$T1" "$T1"

# typed consent on a terminal, as on the debug path (f4_consent_tty.sh)
if command -v script >/dev/null; then
	tty_run() { # tty_run INPUT ARGS...
		local input=$1; shift
		printf '%s\n' "$input" | script -qec "$FK_BIN -c twin-uart:$T1 $*" /dev/null >"$OUT" 2>&1
	}
	tty_run yes otp lock 2
	[ $? -eq 5 ] || fail "typing yes granted an irreversible OTP lock over the bootloader"
	grep -q "Type PERMANENT" "$OUT" || fail "PERMANENT prompt not shown"
	[ "$(twin_otp "$T1" "d['otp'][2]['lock_byte']")" = 0xFF ] || fail "refused typed lock wrote LOCKB2"
	tty_run PERMANENT otp lock 2
	[ $? -eq 0 ] || fail "typing PERMANENT did not lock over the bootloader"
	[ "$(twin_otp "$T1" "d['otp'][2]['lock_byte']")" = 0x00 ] || fail "LOCKB2 not programmed"
fi

# read protection: the bootloader refuses Read Memory, OTP included (AN3155 Table 2)
T3=$WORK/c.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T3" --rdp 1
expect_exit 4 "$FK_BIN" -c "twin-uart:$T3" otp show
grep -q "RDP level 1" "$ERR" || fail "OTP read under RDP does not name RDP level 1"

# 2. a pty served by flashkey-twin, one flashkey session per command on the same link
T2=$WORK/b.twin
LINK=$WORK/ttyF4
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T2"
"$FK_TWIN_BIN" serve "$T2" --uart-pty "$LINK" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do [ -L "$LINK" ] && break; sleep 0.1; done
[ -L "$LINK" ] || fail "no pty link: $(cat "$WORK/serve.log")"
otp_story "uart:$LINK" "$T2"
stop_server
[ "$(twin_otp "$T2" "[b['lock_byte'] for b in d['otp']]")" = "$LOCKS_013" ] || fail "lock bytes after the server stopped"
pass
