# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for scenario scripts (sourced). FK_BIN, FK_TWIN_BIN, FK_SRC, FK_BUILD come from ctest.
set -uo pipefail
: "${FK_BIN:?run through ctest}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fk-scenario.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/stdout"
ERR="$WORK/stderr"
cd "$WORK"

fail() {
	echo "FAIL: $*" >&2
	echo "--- last stdout:" >&2; cat "$OUT" >&2 2>/dev/null
	echo "--- last stderr:" >&2; cat "$ERR" >&2 2>/dev/null
	exit 1
}
pass() { echo "PASS: $(basename "$0")"; exit 0; }

# expect_exit CODE CMD...: runs CMD with stdin closed, keeps stdout/stderr in $OUT/$ERR.
expect_exit() {
	local want=$1; shift
	"$@" >"$OUT" 2>"$ERR" </dev/null
	local got=$?
	[ "$got" -eq "$want" ] || fail "expected exit $want, got $got: $*"
}
# json_get FILE PYTHON-EXPR: evaluates an expression over the JSON document d.
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
