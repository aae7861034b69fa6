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
# mkhex FILE ADDR HEX [ADDR HEX...]: an Intel HEX file with a type-04 upper-address record
# before each data record (images that reach option bytes or OTP)
mkhex() {
	python3 - "$@" <<'PY'
import sys
def rec(t, a, d):
    b = [len(d), (a >> 8) & 255, a & 255, t] + list(d)
    return ':' + ''.join('%02X' % x for x in b) + '%02X' % ((-sum(b)) & 255)
out, args = [], sys.argv[2:]
for i in range(0, len(args), 2):
    a, d = int(args[i], 16), bytes.fromhex(args[i + 1])
    out += [rec(4, 0, [(a >> 24) & 255, (a >> 16) & 255]), rec(0, a & 0xFFFF, d)]
open(sys.argv[1], 'w').write('\n'.join(out + [':00000001FF']) + '\n')
PY
}
# json_get FILE PYTHON-EXPR: evaluates an expression over the JSON document d.
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# run_and_signal SIG DELAY ARGS...: flashkey ARGS in the background (stdin closed), SIG after DELAY
# seconds; waits at most 20 s more for it to end (a hang fails the test); RC receives its exit
# status, $OUT/$ERR its output (issue 13 classes 13 and 16)
run_and_signal() {
	local sig=$1 delay=$2
	shift 2
	"$FK_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null &
	local pid=$!
	sleep "$delay"
	kill "-$sig" "$pid" 2>/dev/null || fail "flashkey $* ended before the signal: $(cat "$ERR")"
	local t0=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		[ $((SECONDS - t0)) -lt 20 ] || { kill -KILL "$pid"; fail "flashkey $* did not stop within 20 s of SIG$sig"; }
		sleep 0.1
	done
	wait "$pid"
	RC=$?
}
