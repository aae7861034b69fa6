#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey and flashrom 1.3 on the same served SPI NOR twin (W25Q64JV, serprog on a pty; issue 15
# item 2): flashrom sets protection (--wp-range + --wp-enable) and `flashkey status` reports the
# same range and mode; `flashkey unlock` clears it and flashrom --wp-status shows it disabled;
# cross reads both ways: flashkey writes and flashrom -v verifies, flashrom writes and flashkey
# verifies. flashrom works on the first 64 KiB only (a layout, -l/-i) to stay short.
. "$(dirname "$0")/flashrom.inc"
: "${FK_BIN:?FK_BIN not set}"
CHIP="W25Q64JV-.Q"

fk() { # flashkey through the served programmer; output in $TMP/fk.out/.err, status returned
	local rc=0
	timeout 120 "$FK_BIN" -c "serprog:$LINK" "$@" >"$TMP/fk.out" 2>"$TMP/fk.err" </dev/null || rc=$?
	return $rc
}
fk_expect() { # CODE ARGS...
	local want=$1 rc=0
	shift
	fk "$@" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$TMP/fk.out" "$TMP/fk.err"; fail "flashkey $* exit $rc, expected $want"; }
}

new_twin w25q64jv
start_server

# 1. flashrom sets the upper 256 KiB and hardware mode; flashkey reads the same
fr_ok -c "$CHIP" --wp-range=0x7c0000,0x40000 --wp-enable
fr_ok -c "$CHIP" --wp-status
expect_in "Protection range: start=0x007c0000 length=0x00040000" "$TMP/fr.log"
expect_in "Protection mode: hardware" "$TMP/fr.log"
fk_expect 4 --json status
python3 - "$TMP/fk.out" <<'PY' || fail "flashkey status differs from flashrom --wp-status"
import json, sys
inv = json.load(open(sys.argv[1]))["inventory"]
locks = {l["name"]: l for l in inv["locks"]}
assert locks["BP range"]["state"].startswith("0x7C0000-0x7FFFFF (256 KiB, upper 1/32)"), locks
assert locks["BP range"]["blocks_write"] is True
assert inv["options"]["srp"]["value"] == 1
assert locks["status register"]["state"].startswith("hardware"), locks["status register"]
PY

# 2. flashkey unlocks (serprog cannot sense /WP: the read-back decides); flashrom agrees
fk_expect 0 unlock
expect_in "now: nothing blocks a write" "$TMP/fk.out"
fr_ok -c "$CHIP" --wp-status
expect_in "Protection range: start=0x00000000 length=0x00000000" "$TMP/fr.log"
expect_in "Protection mode: disabled" "$TMP/fr.log"

# 3. flashkey writes 64 KiB at 0, flashrom verifies it (the rest of its image is not read)
printf '00000000:0000ffff first64k\n' >"$TMP/layout.txt"
lay=(-l "$TMP/layout.txt" -i first64k)
head -c 65536 /dev/urandom >"$TMP/a64.bin"
head -c 65536 /dev/urandom >"$TMP/b64.bin"
pad8() { python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d+b"\xff"*((8<<20)-len(d)))' "$1" "$2"; }
pad8 "$TMP/a64.bin" "$TMP/a8.bin"
pad8 "$TMP/b64.bin" "$TMP/b8.bin"
fk_expect 0 write "$TMP/a64.bin"
fr_ok -c "$CHIP" "${lay[@]}" -v "$TMP/a8.bin"
expect_in "VERIFIED" "$TMP/fr.log"

# 4. flashrom writes other 64 KiB, flashkey verifies and reads them back
fr_ok -c "$CHIP" "${lay[@]}" -w "$TMP/b8.bin"
fk_expect 0 verify "$TMP/b64.bin"
fk_expect 6 verify "$TMP/a64.bin"
fk_expect 0 read "$TMP/back.bin" 0:0x10000
cmp -s "$TMP/back.bin" "$TMP/b64.bin" || fail "flashkey read differs from what flashrom wrote"
stop_server
echo "flashrom_flashkey_cross: ok"
