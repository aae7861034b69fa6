#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI contract of DESIGN.md §4 and docs/EXIT-CODES.md: help, version, man page, usage errors
# (exit 2), a missing connection (exit 2 with a hint), --json error documents.
source "$FK_SRC/tests/scenario/lib.sh"

expect_exit 0 "$FK_BIN" --help
grep -q '^Usage: flashkey' "$OUT" || fail "--help lacks the usage line"
grep -q 'status' "$OUT" || fail "--help does not list status"
expect_exit 0 "$FK_BIN" --version
grep -qE '^flashkey [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" || fail "--version: $(cat "$OUT")"
expect_exit 0 "$FK_BIN" --man
grep -q '^\.TH FLASHKEY 1' "$OUT" || fail "--man is not a man page"
grep -q '^\.SH EXIT STATUS' "$OUT" || fail "man page lacks EXIT STATUS"
expect_exit 0 "$FK_BIN" status --help
grep -q 'Usage: flashkey \[OPTIONS\] status' "$OUT" || fail "status --help"

expect_exit 2 "$FK_BIN"
expect_exit 2 "$FK_BIN" frobnicate
grep -q 'unknown command "frobnicate"' "$ERR" || fail "unknown command message: $(cat "$ERR")"
expect_exit 2 "$FK_BIN" --bogus status
grep -q 'unknown option --bogus' "$ERR" || fail "unknown option message"
expect_exit 2 "$FK_BIN" status --trace=link,nonsense
grep -q 'unknown layer "nonsense"' "$ERR" || fail "bad trace layer message"
expect_exit 2 "$FK_BIN" --baud fast -c uart:/dev/null status
grep -q -- '--baud fast' "$ERR" || fail "bad baud message"

# --json failures are one JSON document on stdout with the error and its exit code.
expect_exit 2 "$FK_BIN" --json --baud fast -c uart:/dev/null status
[ -s "$OUT" ] || fail "--json printed nothing"
python3 - "$OUT" <<'PY' || fail "--json error document invalid"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False, d
assert d["error"]["name"] == "FK_E_USAGE", d
assert d["error"]["exit_code"] == 2, d
assert "--baud fast" in d["error"]["message"], d
PY

# -v shows debug lines, -q hides the informational ones (the log level used to be set before
# the options were read, so -v did nothing)
[ -n "${FK_TWIN_BIN:-}" ] && {
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$WORK/v.twin"
	expect_exit 0 "$FK_BIN" -v -c "twin-uart:$WORK/v.twin" status
	grep -q "debug: bootloader v3.1, product ID 0x413" "$ERR" || fail "-v shows no debug lines"
	expect_exit 0 "$FK_BIN" -c "twin-uart:$WORK/v.twin" status
	grep -q "debug:" "$ERR" && fail "debug lines without -v"
	expect_exit 0 "$FK_BIN" -q -c "twin-uart:$WORK/v.twin" --yes write "$FK_SRC/tests/fixtures/fw.bin"
	grep -q "supply voltage unknown" "$ERR" && fail "-q shows informational lines"
}
pass
