#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 7: a twin that could not save its state file never reports success. The save
# is made to fail the way a full filesystem makes it fail (write(2) refused) without needing
# one: RLIMIT_FSIZE below the state file's size with SIGXFSZ ignored, so write(2) returns
# EFBIG. Every command that changes the state, over every twin connection and family, then
# exits 1 (FK_E_IO) naming the file and the errno, prints no "verified"/"locked"/"programmed",
# --json says ok false, and the file keeps its state from before. Without the limit the same
# commands succeed (the control).
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
# limited CMD...: CMD with files capped at 64 KiB (every state file is larger) and SIGXFSZ
# ignored (inherited across exec), so an oversized write fails with EFBIG.
limited() { bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' limited "$@"; }
save_failed() { # the refusal names the state file and the errno, and claims nothing
	grep -q "cannot write twin state .*$1.*File too large" "$ERR" ||
		fail "$2: the failed save is not named with its errno"
	! grep -qiE "verified|is locked|programmed and read back|written and read back" "$OUT" ||
		fail "$2: success printed although the state was not saved"
}
same_file() { cmp -s "$1" "$2" || fail "$3: the state file changed although its save failed"; }

head -c 4096 /dev/urandom >"$WORK/data.bin"

for conn in twin twin-swd twin-uart; do
	T=$WORK/f4-$conn.twin
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
	cp "$T" "$WORK/before"
	expect_exit 1 limited "$FK_BIN" -c "$conn:$T" write "$FW"
	save_failed "$T" "$conn: write"
	same_file "$T" "$WORK/before" "$conn: write"
	expect_exit 1 limited "$FK_BIN" -c "$conn:$T" --json write "$FW"
	[ "$(json_get "$OUT" "d['ok']")" = False ] || fail "$conn: --json write says ok"
	json_get "$OUT" "d['error']['message']" | grep -q "File too large" ||
		fail "$conn: the JSON error lacks the errno"
	expect_exit 1 limited "$FK_BIN" -c "$conn:$T" otp lock 0 --allow-irreversible=PERMANENT
	save_failed "$T" "$conn: otp lock"
	same_file "$T" "$WORK/before" "$conn: otp lock"
	expect_exit 1 limited "$FK_BIN" -c "$conn:$T" options set bor=2
	save_failed "$T" "$conn: options set"
	same_file "$T" "$WORK/before" "$conn: options set"
	[ "$conn" = twin ] || { expect_exit 0 "$FK_BIN" -c "$conn:$T" write "$FW"; continue; }
	expect_exit 1 limited "$FK_BIN" -c "$conn:$T" erase 1
	save_failed "$T" "$conn: erase"
	# the control: with room, the same write succeeds and lands in the file
	expect_exit 0 "$FK_BIN" -c "$conn:$T" write "$FW"
	cmp -s "$T" "$WORK/before" && fail "$conn: the control write did not change the file"
done

# the other families with a driver through twin: (F4 above)
for chip in stm32f103c8 stm32l476rg stm32g071rb; do
	T=$WORK/$chip.twin
	expect_exit 0 "$FK_TWIN_BIN" new "$chip" "$T"
	cp "$T" "$WORK/before"
	expect_exit 1 limited "$FK_BIN" -c "twin:$T" write "$WORK/data.bin" --base 0x08000000
	save_failed "$T" "$chip: write"
	same_file "$T" "$WORK/before" "$chip: write"
	expect_exit 0 "$FK_BIN" -c "twin:$T" write "$WORK/data.bin" --base 0x08000000
done

# SPI NOR through the in-process SPI programmer
T=$WORK/nor.twin
expect_exit 0 "$FK_TWIN_BIN" new w25q64jv "$T"
cp "$T" "$WORK/before"
expect_exit 1 limited "$FK_BIN" -c "twin-spi:$T" write "$WORK/data.bin" --base 0
save_failed "$T" "SPI NOR write"
same_file "$T" "$WORK/before" "SPI NOR write"
expect_exit 0 "$FK_BIN" -c "twin-spi:$T" write "$WORK/data.bin" --base 0

# flashkey-twin's own saves
T=$WORK/f4-twin.twin
cp "$WORK/f4-twin.twin" "$WORK/before"
expect_exit 1 limited "$FK_TWIN_BIN" set "$T" --option voltage_mv=1800
grep -q "File too large" "$ERR" || fail "flashkey-twin set: the failed save lacks its errno"
same_file "$T" "$WORK/before" "flashkey-twin set"
expect_exit 1 limited "$FK_TWIN_BIN" new stm32f407 "$WORK/new.twin"
[ -e "$WORK/new.twin" ] && fail "flashkey-twin new: a file was left although the save failed"
pass
