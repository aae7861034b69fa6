#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 19 (the rest): `erase` refuses a sector number the chip does not have, naming
# the valid numbers, and erases nothing (it used to erase 0 and ignore 99 in `erase 0 99`); one
# exit code per kind of failure across connection schemes (a missing twin state file and a
# missing serial port are both "no connection", exit 3; an empty path is a usage error, exit 2);
# --json prints a JSON error document on every error path, option parsing and unknown commands
# included, in flashkey and flashkey-twin; --yes answers the confirmation it documents (the
# yes/no question a terminal gets before `erase` erases sectors).
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW=$FK_SRC/tests/fixtures/fw.bin
T=$WORK/c.twin
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T"
fk() { "$FK_BIN" -c "twin:$T" "$@"; }
expect_exit 0 fk write "$FW"
expect_exit 0 fk read before.bin 0x08000000:0x4000

# every sector argument counts: a number the 12-sector F407 does not have is refused, by name,
# with the valid range, and nothing is erased
for args in "0 99" "0 12 99" "99 0" "5-99" "12"; do
	# shellcheck disable=SC2086
	expect_exit 2 fk erase $args
	grep -q "does not exist on stm32f40x" "$ERR" || fail "erase $args: refusal not named: $(cat "$ERR")"
	grep -q "sectors are 0-11" "$ERR" || fail "erase $args: the valid range is not named"
done
grep -q "sector 99 does not exist" <(fk erase 0 99 2>&1) || fail "erase 0 99 does not name 99"
grep -q "sector 12 does not exist" <(fk erase 0 12 99 2>&1) || fail "erase 0 12 99 does not name 12"
expect_exit 2 fk erase 3-1
expect_exit 2 fk erase --all 0 --allow-erase-all
expect_exit 0 fk read after.bin 0x08000000:0x4000
cmp -s before.bin after.bin || fail "a refused erase changed sector 0"
expect_exit 2 fk --json erase 0 99
[ "$(json_get "$OUT" "d['error']['exit_code']")" = 2 ] || fail "erase 0 99 --json: exit_code"
json_get "$OUT" "d['error']['message']" | grep -q "sector 99" || fail "erase 0 99 --json: message"

# one exit code per kind of failure across schemes: nothing to connect to = 3, empty = 2
for c in "twin:$WORK/absent.twin" "twin-uart:$WORK/absent.twin" "twin-swd:$WORK/absent.twin" \
	"twin:$WORK/no/such/dir/x.twin" "uart:$WORK/absent-tty"; do
	expect_exit 3 "$FK_BIN" -c "$c" status
	expect_exit 3 "$FK_BIN" -c "$c" --json status
	[ "$(json_get "$OUT" "d['error']['exit_code']")" = 3 ] || fail "$c --json: exit_code"
done
for c in "twin:" "uart:" "twin-uart:" "twin-swd:" ""; do
	expect_exit 2 "$FK_BIN" -c "$c" status
done
expect_exit 8 fk --chip nosuch status

# --json on every error path: option parsing, unknown command, no command
for args in "--json --bogus status" "--json status --baud" "--json frobnicate" "--json" \
	"--json erase --range"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$FK_BIN" -c "twin:$T" $args
	[ "$(json_get "$OUT" "d['ok']")" = False ] || fail "flashkey $args: no JSON error document: $(cat "$OUT")"
	[ "$(json_get "$OUT" "d['error']['exit_code']")" = 2 ] || fail "flashkey $args: exit_code"
	[ -s "$ERR" ] || fail "flashkey $args: nothing said on stderr"
done
json_get "$OUT" "d['command']" | grep -q erase || fail "the JSON error names no command"
for args in "show --json --bogus $T" "--json frobnicate" "new --json nosuchchip $WORK/n.twin" "new --json stm32f407 $WORK/n.twin --rdp 7" \
	"show --json $WORK/absent.twin" "list --json --bogus"; do
	# shellcheck disable=SC2086
	"$FK_TWIN_BIN" $args >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	[ $rc -ne 0 ] || fail "flashkey-twin $args: exit 0"
	[ "$(json_get "$OUT" "d['error']['exit_code']")" = $rc ] || fail "flashkey-twin $args: no JSON error document with exit $rc: $(cat "$OUT")"
done
[ ! -e "$WORK/n.twin" ] || fail "a refused flashkey-twin new created a file"

# --yes answers the confirmation it documents: a terminal is asked before sectors are erased
if command -v script >/dev/null; then
	printf 'n\n' | script -qec "$FK_BIN -c twin:$T erase 0" /dev/null >"$OUT" 2>&1
	[ $? -eq 5 ] || fail "answering no did not refuse the erase: $(cat "$OUT")"
	grep -q "Erase sector 0 (0x08000000, 16 KB)?" "$OUT" || fail "no confirmation asked: $(cat "$OUT")"
	expect_exit 0 fk read after-no.bin 0x08000000:0x4000
	cmp -s before.bin after-no.bin || fail "an erase answered no changed sector 0"
	printf '' | script -qec "$FK_BIN -c twin:$T --yes erase 0" /dev/null >"$OUT" 2>&1
	[ $? -eq 0 ] || fail "--yes did not answer the confirmation: $(cat "$OUT")"
	grep -q "Erase sector" "$OUT" && fail "--yes still asked"
	expect_exit 0 fk read after-yes.bin 0x08000000:0x10
	[ "$(od -An -tx1 after-yes.bin | tr -d ' \n')" = ffffffffffffffffffffffffffffffff ] || fail "--yes erase did not erase"
fi
# no terminal: no question (scripts), the erase runs as before
expect_exit 0 fk erase 1
pass
