#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_f1: the STM32F103 rows of issue 21 "Speed", on the twin's virtual clock.
#   1. Debug path (twin-swd:, the SW-DP at the default 4 MHz): flashkey writes a 32 KiB image
#      into a blank STM32F103C8 (erase 32 pages + program + read-back verify); `--json write`
#      reports the twin's virtual time. Ceiling: the flash physics alone, 32 page erases x
#      20 ms + 16384 half-words x 52.5 us (DS5319 Table 28, typical tERASE and tPROG, the values
#      the twin charges); target >= 95 % of it... for erase + program; verify and the wire come on
#      top, so both figures are printed.
#   2. Bootloader path (AN3155 on a pty, 115200 8N1, `flashkey-twin serve`, which prints the
#      virtual time when it stops): flashkey `write` (erase + write + on-chip CRC verify) against
#      stm32flash 0.7 `-w -v` (erase + write + read-back verify) on the same served twin; target:
#      flashkey <= 0.6 x stm32flash.
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-f1.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
head -c 32768 /dev/urandom >"$W/img.bin"
ratio() { python3 -c "print('%.1f %%' % (100*$1/$2))"; }

echo "1. debug path (twin-swd:), 32 KiB into a blank STM32F103C8"
"$T" new stm32f103c8 "$W/swd.twin" >/dev/null || exit 1
"$K" -c "twin-swd:$W/swd.twin" --json write "$W/img.bin" --base 0x08000000 >"$W/swd.json" 2>"$W/swd.err" ||
	{ cat "$W/swd.err"; echo "(flashkey failed)"; exit 1; }
v=$(python3 -c "import json; print(json.load(open('$W/swd.json'))['virtual_ns'] / 1e9)")
c=$(python3 -c "print(32*0.020 + 16384*52.5e-6)")
echo "   flashkey: $v s (erase + program + verify); flash physics ceiling $(printf '%.3f' "$c") s:" \
	"$(ratio "$c" "$v") of the ceiling (target >= 95 % for erase + program)"

serve() { # serve NAME: a fresh blank F103C8 served on a pty
	rm -f "$W/tty"
	"$T" new stm32f103c8 "$W/$1.twin" >/dev/null || return 1
	"$T" serve "$W/$1.twin" --uart-pty "$W/tty" >"$W/$1.log" 2>&1 &
	SRV=$!
	for _ in $(seq 200); do [ -L "$W/tty" ] && return 0; sleep 0.05; done
	echo "server did not start: $(cat "$W/$1.log")"; return 1
}
stop() { # stop NAME: prints the virtual seconds the server counted
	kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; SRV=
	sed -n 's/^virtual time: \([0-9.]*\) s.*/\1/p' "$W/$1.log"
}

echo "2. bootloader path (AN3155, 115200 8N1), 32 KiB, erase + write + verify"
serve fk || exit 1
"$K" -c "uart:$W/tty" --8n1 write "$W/img.bin" --base 0x08000000 >"$W/fk.out" 2>&1 ||
	{ cat "$W/fk.out"; echo "(flashkey failed)"; stop fk >/dev/null; exit 1; }
vf=$(stop fk)
echo "   flashkey: $vf s"
if ! command -v stm32flash >/dev/null; then
	echo "   stm32flash not installed: comparison skipped"
	exit 0
fi
serve sf || exit 1
timeout 600 stm32flash -m 8n1 -b 115200 -w "$W/img.bin" -v -S 0x08000000 "$W/tty" >"$W/sf.out" 2>&1 ||
	{ tail -5 "$W/sf.out"; echo "(stm32flash failed)"; }
vs=$(stop sf)
echo "   stm32flash 0.7 -w -v: $vs s; flashkey/stm32flash = $(python3 -c "print('%.3f' % ($vf/$vs))") (target <= 0.6)"
