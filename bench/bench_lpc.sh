#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_lpc: issue 17 "Speed" on the twin's virtual clock: a full LPC1768 (512 KiB of random
# data) written over the boot ROM's UART ISP at 115200 and 230400 baud 8N1 through `flashkey-twin serve
# --lpc-pty` (the twin's virtual time read from `flashkey-twin show --json` after the server
# saved it), by flashkey `write` (erase, program,
# read-back verify of everything but 0x00-0x3F) and by lpc21isp 1.97 (`-bin -wipe -verify`:
# erase, program, M compare after every copy). Ceiling: the wire for the data alone (W sends
# UU-encoded lines: 45 bytes as 61 characters + CR LF, 10 bits a character) plus the flash
# (t_prog 1 ms per 256 bytes, t_er 100 ms for the consecutive sectors, the LPC1769/68 data
# sheet's Table 19, the values the twin charges). Targets: >= 90 % of the ceiling; flashkey <=
# 1.0 x lpc21isp.
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-lpc.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
head -c 524288 /dev/urandom >"$W/img.bin"
python3 - "$W/img.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x2FC:0x300] = b'\xff' * 4  # no CRP pattern by chance
open(sys.argv[1], 'wb').write(d)
PY
serve() { # serve NAME BAUD: a blank LPC1768 served on a pty at $W/tty
	rm -f "$W/tty"
	"$T" new lpc1768 "$W/$1.twin" --force >/dev/null || return 1
	"$T" serve "$W/$1.twin" --lpc-pty "$W/tty@$2" >"$W/$1.log" 2>&1 &
	SRV=$!
	for _ in $(seq 200); do [ -L "$W/tty" ] && return 0; sleep 0.05; done
	echo "server did not start: $(cat "$W/$1.log")"; return 1
}
stop() { # VT = the twin's virtual seconds since it was created
	kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; SRV=
	VT=$("$T" show "$W/$1.twin" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['virtual_ns'] / 1e9)")
}
for baud in 115200 230400; do
ceil=$(python3 -c "print(524288 / 45 * 63 * 10 / $baud + 2048 * 0.001 + 0.1)")
serve fk "$baud" || exit 1
timeout 900 "$K" -c "lpc:$W/tty@$baud" write "$W/img.bin" --base 0 >"$W/fk.out" 2>&1 ||
	{ cat "$W/fk.out"; echo "(flashkey failed)"; }
stop fk
vf=$VT
echo "bench_lpc: 512 KiB into an LPC1768 at $baud 8N1; ceiling (UU-encoded data + t_prog + t_er)" \
	"$(printf '%.2f' "$ceil") s"
echo "bench_lpc: flashkey write (erase, program, compare) $vf s: $(python3 -c "print('%.1f %%' % (100*$ceil/$vf))") of the ceiling (target >= 90 %)"
if command -v lpc21isp >/dev/null; then
	serve li "$baud" || exit 1
	timeout 900 lpc21isp -bin -wipe -verify -donotstart "$W/img.bin" "$W/tty" "$baud" 12000 \
		>"$W/li.out" 2>&1 || { tail -5 "$W/li.out"; echo "(lpc21isp failed)"; }
	stop li
	echo "bench_lpc: lpc21isp 1.97 -bin -wipe -verify $VT s; flashkey/lpc21isp =" \
		"$(python3 -c "print('%.3f' % ($vf/$VT))") (target <= 1.0)"
else
	echo "bench_lpc: lpc21isp not installed: comparison skipped"
fi
done
